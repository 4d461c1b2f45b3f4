"""QKD links by the lightpath rule (API-CONTRACT.md §2) and span budgets."""

from __future__ import annotations

import math

import pytest
from _builders import (
    fake_rate_model,
    link,
    node,
    profile,
    rated,
    snapshot,
    trusted,
)

from qnetplan.domain import (
    BlockingReason,
    EquipmentProfileSpec,
    KeyRateEval,
    LinkStatus,
    NodeRole,
    Protocol,
)
from qnetplan.engine.budgets import itemised_span_budget
from qnetplan.engine.graph import build_qkd_graph, link_results


def _pairs(graph):
    return {(q.a_node_id, q.b_node_id): q for q in graph.qkd_links}


def test_span_budget_items_sum_to_total():
    b = itemised_span_budget(length_km=50, attenuation_db_per_km=0.2, connector_count=2,
                             splice_count=10, insertion_loss_db=1.0, extra_loss_db=0.5,
                             ageing_margin_db=3.0)
    # the same item names as /calc/loss-budget
    assert [i.name for i in b.items] == ["fiber_attenuation", "connectors", "splices",
                                         "insertion_loss", "extra_loss", "ageing_margin"]
    assert b.total_db == pytest.approx(10 + 0.6 + 0.5 + 1 + 0.5 + 3)
    assert sum(i.value_db for i in b.items) == pytest.approx(b.total_db)


def test_switch_only_path_between_two_trusted_nodes_is_one_qkd_link():
    snap = snapshot([*trusted(1, 2), node(3, "optical_switch", insertion_loss_db=1.5),
                     node(4, "roadm", insertion_loss_db=4.0)],
                    [link(1, 1, 3, 10), link(2, 3, 4, 20), link(3, 4, 2, 5, connector_count=2)],
                    profiles=[profile()], default_profile=1)
    g = build_qkd_graph(snap, fake_rate_model)
    assert len(g.qkd_links) == 1
    q = g.qkd_links[0]
    assert (q.a_node_id, q.b_node_id, q.via_node_ids, q.link_ids) == (1, 2, (3, 4), (1, 2, 3))
    assert q.node_ids == (1, 3, 4, 2)
    expected = 0.2 * 35 + 2 * 0.3 + 1.5 + 4.0
    assert q.loss_db == pytest.approx(expected)
    assert q.key_rate_bps == pytest.approx(1e6 * 10 ** (-expected / 10))
    assert q.feasible and q.reason is None
    assert q.loss_headroom_db == pytest.approx(40.0 - expected)
    assert q.protocol is Protocol.BB84_DECOY and q.equipment_profile_id == 1


def test_default_insertion_losses_apply_when_null():
    snap = snapshot([*trusted(1, 2), node(3, "roadm")], [link(1, 1, 3, 0), link(2, 3, 2, 0)],
                    profiles=[profile()], default_profile=1)
    assert build_qkd_graph(snap, fake_rate_model).qkd_links[0].loss_db == pytest.approx(6.0)


def test_amplifier_without_bypass_blocks_and_with_bypass_adds_its_loss():
    def make(bypass: bool):
        return snapshot([*trusted(1, 2), node(3, "amplifier", bypass=bypass, bypass_loss_db=1.7)],
                        [link(1, 1, 3, 10), link(2, 3, 2, 10)], profiles=[profile()],
                        default_profile=1)
    blocked = build_qkd_graph(make(False), fake_rate_model)
    (q,) = blocked.qkd_links
    assert not q.feasible and q.reason is BlockingReason.AMPLIFIER_ON_PATH
    assert q.key_rate_bps is None and blocked.usable == ()
    assert {r.reason for r in link_results(blocked)} == {BlockingReason.AMPLIFIER_ON_PATH}
    (q,) = build_qkd_graph(make(True), fake_rate_model).qkd_links
    assert q.feasible and q.loss_db == pytest.approx(4.0 + 1.7)


def test_amplifier_blocks_only_when_it_is_the_only_path():
    snap = snapshot([*trusted(1, 2), node(3, "amplifier"),
                     node(4, "optical_switch", insertion_loss_db=1.0)],
                    [link(1, 1, 3, 1), link(2, 3, 2, 1), link(3, 1, 4, 50), link(4, 4, 2, 50)],
                    profiles=[profile()], default_profile=1)
    (q,) = build_qkd_graph(snap, fake_rate_model).qkd_links
    assert q.feasible and q.via_node_ids == (4,)


def test_repeater_is_unsupported():
    snap = snapshot([*trusted(1, 2), node(3, "repeater")], [link(1, 1, 3), link(2, 3, 2)],
                    profiles=[profile()], default_profile=1)
    (q,) = build_qkd_graph(snap, fake_rate_model).qkd_links
    assert q.reason is BlockingReason.UNSUPPORTED_NODE_ROLE and not q.feasible


def test_branching_roadm_one_qkd_link_per_pair_over_lowest_loss_chain():
    # ROADMs 10 and 11 joined by two parallel paths (direct 30 km, via switch 12: 5+5 km)
    nodes = [*trusted(1, 2, 3), node(10, "roadm", insertion_loss_db=1.0),
             node(11, "roadm", insertion_loss_db=1.0),
             node(12, "optical_switch", insertion_loss_db=0.5)]
    links = [link(1, 1, 10, 10), link(2, 2, 10, 10), link(3, 10, 11, 30), link(4, 10, 12, 5),
             link(5, 12, 11, 5), link(6, 11, 3, 10), link(7, 1, 2, 40)]
    g = build_qkd_graph(snapshot(nodes, links, profiles=[profile()], default_profile=1),
                        fake_rate_model)
    pairs = sorted((q.a_node_id, q.b_node_id, q.link_ids) for q in g.qkd_links)
    # one chain per pair, plus the direct span 1-2 as a QKD link of its own
    assert pairs == [(1, 2, (1, 2)), (1, 2, (7,)), (1, 3, (1, 4, 5, 6)),
                     (2, 3, (2, 4, 5, 6))]
    q13 = next(q for q in g.qkd_links if (q.a_node_id, q.b_node_id) == (1, 3))
    assert q13.loss_db == pytest.approx(0.2 * 30 + 1 + 0.5 + 1)


def test_untrusted_relay_and_source_hold_no_key_and_set_the_relay_position():
    seen = []

    def model(p, loss, fraction):
        seen.append((p.protocol, loss, fraction))
        return KeyRateEval(1000.0, 60.0)

    mdi = profile(1, Protocol.MDI_QKD)
    snap = snapshot([*trusted(1, 2), node(3, "untrusted_relay")],
                    [link(1, 1, 3, 30), link(2, 3, 2, 10)], profiles=[mdi], default_profile=1)
    (q,) = build_qkd_graph(snap, model).qkd_links
    assert q.via_node_ids == (3,) and q.relay_position_fraction == pytest.approx(0.75)
    assert seen[-1] == (Protocol.MDI_QKD, pytest.approx(8.0), pytest.approx(0.75))
    # a single span with the relay modelled by its fraction, measured from the span's a-end
    snap = snapshot(trusted(1, 2), [link(1, 2, 1, 10, relay_position_fraction=0.2)],
                    profiles=[mdi], default_profile=1)
    (q,) = build_qkd_graph(snap, model).qkd_links
    assert (q.a_node_id, q.relay_position_fraction) == (2, pytest.approx(0.2))
    # BB84 gets no fraction
    snap = snapshot(trusted(1, 2), [link(1, 1, 2, 10)], profiles=[profile()], default_profile=1)
    build_qkd_graph(snap, model)
    assert seen[-1][2] is None


def test_profiles_conflict_missing_and_override():
    p1, p2 = profile(1), profile(2)
    nodes = [*trusted(1, 2), node(3, "optical_switch", insertion_loss_db=0.0)]
    conflict = snapshot(nodes, [link(1, 1, 3, equipment_profile_id=1),
                                link(2, 3, 2, equipment_profile_id=2)], profiles=[p1, p2])
    (q,) = build_qkd_graph(conflict, fake_rate_model).qkd_links
    assert q.reason is BlockingReason.PROFILE_CONFLICT and q.key_rate_bps is None

    inherits = snapshot(nodes, [link(1, 1, 3, equipment_profile_id=1), link(2, 3, 2)],
                        profiles=[p1, p2], default_profile=1)
    assert build_qkd_graph(inherits, fake_rate_model).qkd_links[0].feasible

    none = snapshot(nodes, [link(1, 1, 3), link(2, 3, 2)])
    (q,) = build_qkd_graph(none, fake_rate_model).qkd_links
    assert q.reason is BlockingReason.NO_EQUIPMENT_PROFILE and q.loss_headroom_db is None

    override = snapshot(nodes, [rated(1, 1, 3, 500.0), rated(2, 3, 2, 300.0)])
    (q,) = build_qkd_graph(override, fake_rate_model).qkd_links
    assert (q.key_rate_bps, q.feasible, q.protocol, q.loss_headroom_db) == (300.0, True, None,
                                                                             None)


def test_loss_over_profile_limit_or_model_cutoff_is_infeasible():
    datasheet = EquipmentProfileSpec(id=1, protocol=Protocol.BB84_DECOY, max_channel_loss_db=5.0)
    snap = snapshot(trusted(1, 2), [link(1, 1, 2, 30)], profiles=[datasheet], default_profile=1)
    (q,) = build_qkd_graph(snap, fake_rate_model).qkd_links
    assert not q.feasible and q.reason is BlockingReason.LINK_LOSS_EXCEEDS_BUDGET
    assert q.loss_headroom_db == pytest.approx(-1.0)
    snap = snapshot(trusted(1, 2), [link(1, 1, 2, 250)], profiles=[profile()], default_profile=1)
    (q,) = build_qkd_graph(snap, fake_rate_model).qkd_links
    assert q.key_rate_bps == 0.0 and q.reason is BlockingReason.LINK_LOSS_EXCEEDS_BUDGET
    assert q.loss_headroom_db == pytest.approx(-10.0)


def test_unbounded_model_cutoff_gives_null_headroom():
    def model(p, loss, fraction):
        return KeyRateEval(10.0, None)

    snap = snapshot(trusted(1, 2), [link(1, 1, 2, 30)], profiles=[profile()], default_profile=1)
    (q,) = build_qkd_graph(snap, model).qkd_links
    assert q.feasible and q.loss_headroom_db is None


def test_statuses_filter_spans_and_links_report_fastest_member():
    nodes = [*trusted(1, 2, 3), node(4, "roadm", insertion_loss_db=0.0)]
    links = [rated(1, 1, 4, 100.0), rated(2, 4, 2, 100.0), rated(3, 4, 3, 900.0),
             rated(4, 1, 2, 5.0, status=LinkStatus.CANDIDATE)]
    g = build_qkd_graph(snapshot(nodes, links), fake_rate_model)
    assert 4 not in g.span_budgets
    rates = {r.link_id: r.key_rate_bps for r in link_results(g)}
    # span 1 belongs to 1-2 (100) and 1-3 (min override 100); span 3 to 1-3 and 2-3
    assert rates == {1: 100.0, 2: 100.0, 3: 100.0}
    g = build_qkd_graph(snapshot(nodes, links), fake_rate_model,
                        statuses=list(LinkStatus))
    assert any(q.link_ids == (4,) for q in g.qkd_links)


def test_satellite_modes():
    nodes = [*trusted(1, 2), node(3, NodeRole.SATELLITE)]
    g = build_qkd_graph(snapshot(nodes, [rated(1, 1, 3, 10.0), rated(2, 3, 2, 10.0)]),
                        fake_rate_model)
    assert sorted(_pairs(g)) == [(1, 3), (3, 2)]
    nodes[2] = node(3, NodeRole.SATELLITE, satellite_mode="entanglement_source")
    g = build_qkd_graph(snapshot(nodes, [rated(1, 1, 3, 10.0), rated(2, 3, 2, 10.0)]),
                        fake_rate_model)
    assert sorted(_pairs(g)) == [(1, 2)]
    assert math.isclose(g.qkd_links[0].key_rate_bps, 10.0)
