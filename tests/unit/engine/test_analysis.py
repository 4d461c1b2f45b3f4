"""run_analysis end to end on hand-built networks (contract shape and semantics)."""

from __future__ import annotations

import pytest
from _builders import demand, fake_rate_model, link, node, profile, rated, snapshot, trusted

from qnetplan.domain import AnalysisParams, BlockingReason, FailureScenario, RoutingObjective
from qnetplan.engine.analysis import find_routes, run_analysis


def network():
    nodes = [*trusted(1, 2, 3, 4), node(5, "roadm", insertion_loss_db=3.0), node(6, "endpoint"),
             node(7, "amplifier"), node(8), node(9), node(10)]
    p = {"equipment_profile_id": 1}
    links = [rated(1, 1, 2, 100.0), rated(2, 2, 4, 100.0), rated(3, 1, 3, 500.0),
             rated(4, 3, 4, 500.0), link(5, 1, 5, 5, **p), link(6, 5, 4, 5, **p),
             rated(7, 6, 1, 1000.0, shared_risk_groups=("duct-a",)),
             link(8, 4, 7, **p), link(9, 7, 8, **p), link(10, 9, 10, 10)]
    demands = [demand(1, 6, 4, 400.0), demand(2, 2, 3, 150.0), demand(3, 1, 8, 1.0),
               demand(4, 9, 10, 5.0), demand(5, 2, 9, 5.0)]
    # no network default: span 10 has no profile (demand 4: no_equipment_profile)
    return snapshot(nodes, links, demands, profiles=[profile()])


def by_id(result):
    return {d.demand_id: d for d in result.demands}


def test_contract_shape_and_semantics():
    result = run_analysis(network(), AnalysisParams(), fake_rate_model)
    d = by_id(result)
    assert result.summary.demands_total == 5
    assert result.summary.lambda_ == pytest.approx(200 / 150)  # demand 2's max-flow 200 / 150
    assert d[1].satisfied and d[1].allocated_key_rate_bps == 400.0
    assert d[1].routes[0].node_ids == (6, 1, 5, 4)  # widest: the ROADM lightpath
    assert d[1].exposed_trusted_node_ids == (1,)
    assert d[1].nodes_to_compromise == 1 and d[1].multipath_xor_rate_bps == 1000.0
    assert d[2].max_flow_bps == pytest.approx(200.0) and d[2].nodes_to_compromise == 2
    assert d[3].blocking_reason is BlockingReason.AMPLIFIER_ON_PATH and d[3].routes == ()
    assert d[3].shortfall_bps == 1.0 and d[3].nodes_to_compromise is None
    assert d[4].blocking_reason is BlockingReason.NO_EQUIPMENT_PROFILE
    assert d[5].blocking_reason is BlockingReason.NO_PATH
    assert result.summary.demands_satisfied == 2
    assert result.summary.single_failure_survival_fraction is None
    assert result.resilience == ()
    assert all(r.remedies == () for r in result.demands)
    # every stored link of an included status appears once
    assert sorted(lk.link_id for lk in result.links) == list(range(1, 11))
    # used key never exceeds the rate; utilization = used / rate
    for q in result.qkd_links:
        if q.key_rate_bps:
            assert q.used_key_rate_bps <= q.key_rate_bps * (1 + 1e-9)
            assert q.utilization == pytest.approx(q.used_key_rate_bps / q.key_rate_bps)
        else:
            assert q.utilization is None
    nodes = {n.node_id: n for n in result.nodes}
    assert nodes[1].exposed_demand_ids == (1, 2) and nodes[4].exposed_demand_ids == (2,)
    assert d[2].exposed_trusted_node_ids == (1, 4)
    # demand 2 (150) splits over 2-1-3 and 2-4-3 (100 each): least-relay flows are not unique
    # (the contract says so), but every split relays 150 through nodes 1 and 4 together
    from_2_via_1 = nodes[1].relayed_key_rate_bps - 400.0
    assert 50.0 - 1e-6 <= from_2_via_1 <= 100.0 + 1e-6
    assert from_2_via_1 + nodes[4].relayed_key_rate_bps == pytest.approx(150.0)


def test_insufficient_key_rate_and_unreachable_demand_does_not_starve_class():
    nodes = trusted(1, 2, 3, 4)
    links = [rated(1, 1, 2, 100.0), rated(2, 2, 3, 100.0)]
    demands = [demand(1, 1, 2, 150.0), demand(2, 1, 4, 10.0), demand(3, 2, 3, 10.0)]
    result = run_analysis(snapshot(nodes, links, demands), AnalysisParams(), fake_rate_model)
    d = by_id(result)
    assert d[1].blocking_reason is BlockingReason.INSUFFICIENT_KEY_RATE
    assert d[1].allocated_key_rate_bps == pytest.approx(100.0)
    assert d[1].shortfall_bps == pytest.approx(50.0)
    assert d[2].blocking_reason is BlockingReason.NO_PATH and d[2].allocated_key_rate_bps == 0
    assert d[3].satisfied
    assert result.summary.lambda_ == pytest.approx(100 / 150)


def test_lambda_null_when_no_demand_has_a_route():
    result = run_analysis(snapshot(trusted(1, 2), [], [demand(1, 1, 2, 1.0)]), AnalysisParams(),
                          fake_rate_model)
    assert result.summary.lambda_ is None and result.summary.demands_satisfied == 0


def test_resilience_scenarios():
    params = AnalysisParams(failure_scenarios=(FailureScenario.SINGLE_LINK,
                                               FailureScenario.SINGLE_NODE,
                                               FailureScenario.SHARED_RISK_GROUP))
    result = run_analysis(network(), params, fake_rate_model)
    entries = {(e.scenario.value, e.element): e.demand_ids_below_requirement
               for e in result.resilience}
    assert entries[("single_link", 7)] == (1,)
    assert entries[("single_link", 1)] == (2,)  # demand 2 needs 150 of 200 over two routes
    assert entries[("single_link", 3)] == ()
    assert entries[("single_node", 1)] == (1, 2)
    assert entries[("single_node", 4)] == (2,)  # not a failure for demand 1 (its end)
    assert entries[("shared_risk_group", "duct-a")] == (1,)
    # counted demands: 1 and 2 (3, 4, 5 are below requirement without failures)
    elements = len(result.resilience)
    node_ends = sum(1 for e in result.resilience if e.scenario is FailureScenario.SINGLE_NODE
                    and e.element in (6, 4, 2, 3))
    pairs = 2 * elements - node_ends
    failures = sum(len(v) for v in entries.values())
    assert result.summary.single_failure_survival_fraction == pytest.approx(
        (pairs - failures) / pairs)


def test_deterministic_and_pure():
    snap = network()
    params = AnalysisParams(objective=RoutingObjective.MIN_LOSS, k_paths=2)
    a = run_analysis(snap, params, fake_rate_model)
    b = run_analysis(snap, params, fake_rate_model)
    assert a == b
    assert all(len(d.routes) <= 2 for d in a.demands)


def test_find_routes_entry_point():
    routes = find_routes(network(), 6, 4, "min_loss", 3, rate_model=fake_rate_model)
    assert routes[0].node_ids == (6, 1, 2, 4) or routes[0].loss_db <= routes[-1].loss_db
    assert [r.loss_db for r in routes] == sorted(r.loss_db for r in routes)
