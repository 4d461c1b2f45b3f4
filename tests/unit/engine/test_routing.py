"""Routing: objectives, Yen's k routes, tie-breaks, avoidance -- checked against an oracle that
recomputes each route's metrics from the inputs and a brute-force enumeration of all routes."""

from __future__ import annotations

import random

import pytest
from _builders import fake_rate_model, link, node, profile, rated, snapshot, trusted

from qnetplan.domain import NodeRole, RoutingObjective
from qnetplan.engine.budgets import span_budget
from qnetplan.engine.graph import build_qkd_graph
from qnetplan.engine.routing import (
    RoutingIndex,
    find_routes,
    k_best_routes,
    rank_key,
    widest_bottleneck,
)

OBJECTIVES = list(RoutingObjective)


def oracle_metrics(snap, route):
    """Recompute (bottleneck, loss, trusted ids) from the snapshot alone: split node_ids at
    key-holding nodes, sum span budgets and pass losses, take each QKD link's rate (smallest
    override of its spans, else the fake model on its loss)."""
    nodes = snap.nodes
    links = [snap.links[lid] for lid in route.link_ids]
    segments, cur_loss, cur_links = [], 0.0, []
    for i, lk in enumerate(links):
        a, b = route.node_ids[i], route.node_ids[i + 1]
        assert {a, b} == {lk.a_node_id, lk.b_node_id}, "link_ids must follow node_ids"
        cur_loss += span_budget(lk).total_db
        cur_links.append(lk)
        if nodes[b].holds_key:
            segments.append((cur_loss, cur_links))
            cur_loss, cur_links = 0.0, []
        else:
            assert nodes[b].is_transparent
            cur_loss += nodes[b].pass_loss_db
    rates = []
    for loss, seg in segments:
        overrides = [lk.key_rate_override_bps for lk in seg if lk.key_rate_override_bps]
        rates.append(min(overrides) if overrides else fake_rate_model(profile(), loss, None)
                     .key_rate_bps)
    kh = [n for n in route.node_ids if nodes[n].holds_key]
    assert len(kh) == len(set(kh)), "routes are loopless in key-holding nodes"
    return min(rates), sum(loss for loss, _ in segments), tuple(kh[1:-1])


def check_oracle(snap, routes):
    for r in routes:
        b, loss, trusted_ids = oracle_metrics(snap, r)
        assert r.bottleneck_bps == pytest.approx(b)
        assert r.loss_db == pytest.approx(loss)
        assert r.trusted_node_ids == trusted_ids


def brute_force(ix, s, t, objective):
    """Every loopless route over usable QKD links, ranked by the contract's key."""
    out = []

    def dfs(u, visited, arcs):
        if u == ix.pos[t]:
            out.append(ix.route(arcs))
            return
        if arcs and not ix.relays[u]:
            return
        for a in ix.arcs_by_tail[ix.tail_ptr[u]:ix.tail_ptr[u + 1]]:
            v = int(ix.head[a])
            if v not in visited:
                dfs(v, visited | {v}, [*arcs, int(a)])

    dfs(ix.pos[s], {ix.pos[s]}, [])
    return sorted(out, key=lambda r: rank_key(r, objective))


def diamond():
    """1-2-4 is wide (rates 1000) but lossy (40 km spans); 1-3-4 is low-loss but narrow."""
    nodes = trusted(1, 2, 3, 4)
    links = [rated(1, 1, 2, 1000.0, km=40), rated(2, 2, 4, 1000.0, km=40),
             rated(3, 1, 3, 50.0, km=10), rated(4, 3, 4, 50.0, km=10),
             rated(5, 2, 3, 400.0, km=5)]
    return snapshot(nodes, links)


def test_widest_and_min_loss_differ():
    snap = diamond()
    widest = find_routes(snap, 1, 4, "widest", 1, rate_model=fake_rate_model)
    min_loss = find_routes(snap, 1, 4, "min_loss", 1, rate_model=fake_rate_model)
    assert widest[0].node_ids == (1, 2, 4) and widest[0].bottleneck_bps == 1000.0
    assert min_loss[0].node_ids == (1, 3, 4) and min_loss[0].loss_db == pytest.approx(4.0)
    check_oracle(snap, widest + min_loss)


def test_ties_broken_by_hops_then_loss_then_node_ids():
    nodes = trusted(1, 2, 3, 4, 5)
    # all rates equal: widest ties; 1-5 direct (1 hop) wins; then 2-hop routes by loss, ids
    links = [rated(1, 1, 2, 100.0, km=10), rated(2, 2, 5, 100.0, km=10),
             rated(3, 1, 3, 100.0, km=10), rated(4, 3, 5, 100.0, km=10),
             rated(5, 1, 4, 100.0, km=5), rated(6, 4, 5, 100.0, km=5),
             rated(7, 1, 5, 100.0, km=100)]
    snap = snapshot(nodes, links)
    routes = find_routes(snap, 1, 5, "widest", 5, rate_model=fake_rate_model)
    assert [r.node_ids for r in routes] == [(1, 5), (1, 4, 5), (1, 2, 5), (1, 3, 5)]
    routes = find_routes(snap, 1, 5, "min_loss", 5, rate_model=fake_rate_model)
    assert [r.node_ids for r in routes] == [(1, 4, 5), (1, 2, 5), (1, 3, 5), (1, 5)]
    check_oracle(snap, routes)


def test_route_lists_transparent_nodes_and_spans_in_order():
    nodes = [*trusted(1, 2, 3), node(10, "roadm", insertion_loss_db=2.0),
             node(11, "untrusted_relay")]
    links = [link(1, 10, 1, 10), link(2, 10, 2, 10), link(3, 2, 11, 10), link(4, 11, 3, 10)]
    snap = snapshot(nodes, links, profiles=[profile()], default_profile=1)
    (r,) = find_routes(snap, 3, 1, "min_loss", 3, rate_model=fake_rate_model)
    assert r.node_ids == (3, 11, 2, 10, 1) and r.link_ids == (4, 3, 2, 1)
    assert r.trusted_node_ids == (2,)
    check_oracle(snap, [r])


def test_avoid_nodes_and_links():
    snap = diamond()
    g = build_qkd_graph(snap, fake_rate_model)
    ix = RoutingIndex(g)
    routes = k_best_routes(ix, 1, 4, RoutingObjective.WIDEST, 5, avoid_node_ids=[2])
    assert [r.node_ids for r in routes] == [(1, 3, 4)]
    routes = k_best_routes(ix, 1, 4, RoutingObjective.WIDEST, 5, avoid_link_ids=[2])
    assert [r.node_ids for r in routes] == [(1, 3, 4), (1, 2, 3, 4)]  # tie at 50: fewer hops
    assert k_best_routes(ix, 1, 4, RoutingObjective.WIDEST, 3, avoid_node_ids=[4]) == []


def test_non_relaying_endpoint_is_never_a_transit_node():
    nodes = [node(1, "endpoint"), node(2, "endpoint"), node(3, "endpoint", relays_key=True),
             node(4)]
    links = [rated(1, 1, 2, 10.0), rated(2, 2, 4, 10.0), rated(3, 1, 3, 10.0),
             rated(4, 3, 4, 10.0)]
    routes = find_routes(snapshot(nodes, links), 1, 4, "min_loss", 5,
                         rate_model=fake_rate_model)
    assert [r.node_ids for r in routes] == [(1, 3, 4)]


def random_network(seed: int):
    rng = random.Random(seed)
    n = rng.randint(4, 8)
    roles = [NodeRole.TRUSTED_NODE] * 4 + [NodeRole.ROADM, NodeRole.ENDPOINT]
    nodes = [node(1), node(2)] + [node(i, rng.choice(roles), insertion_loss_db=1.0)
                                  for i in range(3, n + 1)]
    links = []
    for lid in range(1, rng.randint(n, 3 * n) + 1):
        a, b = rng.sample(range(1, n + 1), 2)
        km = rng.choice([5, 10, 20, 40])
        if rng.random() < 0.5:
            links.append(rated(lid, a, b, float(rng.choice([100, 200, 300])), km=km))
        else:
            links.append(link(lid, a, b, km))
    return snapshot(nodes, links, profiles=[profile()], default_profile=1)


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("objective", OBJECTIVES)
def test_yen_matches_brute_force(seed, objective):
    snap = random_network(seed)
    (got,) = assert_yen_matches_brute_force(snap, objective, (6,))
    check_oracle(snap, got)


def assert_yen_matches_brute_force(snap, objective, ks):
    """k_best_routes between nodes 1 and 2 equals the brute-force ranking for each k."""
    ix = RoutingIndex(build_qkd_graph(snap, fake_rate_model))
    expected = brute_force(ix, 1, 2, objective)
    found = []
    for k in ks:
        got = k_best_routes(ix, 1, 2, objective, k)
        assert [(r.node_ids, r.link_ids) for r in got] == [
            (r.node_ids, r.link_ids) for r in expected[:k]]
        found.append(got)
    return found


def test_deterministic_and_bad_queries():
    snap = diamond()
    a = find_routes(snap, 1, 4, "widest", 4, rate_model=fake_rate_model)
    b = find_routes(snap, 1, 4, "widest", 4, rate_model=fake_rate_model)
    assert a == b
    assert find_routes(snap, 1, 1, "widest", 3, rate_model=fake_rate_model) == []
    assert find_routes(snap, 1, 99, "widest", 3, rate_model=fake_rate_model) == []
    with pytest.raises(ValueError):
        find_routes(snap, 1, 4)


def tied_network(seed: int):
    """Few rate levels (many ties), parallel spans and transparent nodes: Yen's spur skipping
    and the widest thresholds must still give the brute-force order."""
    rng = random.Random(1000 + seed)
    n = rng.randint(6, 9)
    roles = [NodeRole.TRUSTED_NODE] * 5 + [NodeRole.ROADM]
    nodes = [node(1), node(2)] + [node(i, rng.choice(roles), insertion_loss_db=1.0)
                                  for i in range(3, n + 1)]
    rates = [100.0, 300.0]
    links = []
    for lid in range(1, rng.randint(2 * n, 3 * n) + 1):
        if links and rng.random() < 0.2:
            a, b = links[-1].a_node_id, links[-1].b_node_id  # a parallel span
        else:
            a, b = rng.sample(range(1, n + 1), 2)
        links.append(rated(lid, a, b, rng.choice(rates), km=rng.choice([5, 10, 10, 20])))
    return snapshot(nodes, links, profiles=[profile()], default_profile=1)


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("objective", OBJECTIVES)
def test_yen_matches_brute_force_with_ties_and_parallel_spans(seed, objective):
    assert_yen_matches_brute_force(tied_network(seed), objective, (2, 4, 9))


@pytest.mark.parametrize("seed", range(15))
def test_widest_bottleneck_is_the_best_route_bottleneck(seed):
    snap = random_network(seed)
    ix = RoutingIndex(build_qkd_graph(snap, fake_rate_model))
    s, t = ix.pos[1], ix.pos[2]
    arc_ok = ix.arc_mask(ix.node_mask(s, t), ix.edge_mask())
    routes = brute_force(ix, 1, 2, RoutingObjective.WIDEST)
    expected = routes[0].bottleneck_bps if routes else 0.0
    assert widest_bottleneck(ix, s, t, arc_ok) == expected
