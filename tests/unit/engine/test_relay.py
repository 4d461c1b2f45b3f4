"""Max-flow / min-cut, minimum vertex cut over key-holding relays, XOR multipath rate."""

from __future__ import annotations

import random

import networkx as nx
import pytest
from _builders import fake_rate_model, link, node, profile, rated, snapshot, trusted

from qnetplan.engine.graph import build_qkd_graph
from qnetplan.engine.relay import max_flow, multipath_xor_rate, nodes_to_compromise
from qnetplan.engine.routing import RoutingIndex


def index(snap):
    return RoutingIndex(build_qkd_graph(snap, fake_rate_model))


def test_max_flow_unique_min_cut():
    # s=1, t=6; the cut {2-4 (30), 3-5 (20)} = 50 is the unique minimum
    links = [rated(1, 1, 2, 100.0), rated(2, 1, 3, 100.0), rated(3, 2, 4, 30.0),
             rated(4, 3, 5, 20.0), rated(5, 2, 3, 7.0), rated(6, 4, 6, 100.0),
             rated(7, 5, 6, 100.0), rated(8, 4, 5, 60.0)]
    ix = index(snapshot(trusted(1, 2, 3, 4, 5, 6), links))
    mf = max_flow(ix, ix.pos[1], ix.pos[6])
    assert mf.value_bps == pytest.approx(50.0, rel=1e-9)
    # the undirected pool: reversing the demand gives the same value
    assert max_flow(ix, ix.pos[6], ix.pos[1]).value_bps == pytest.approx(50.0, rel=1e-9)


def test_parallel_qkd_links_add_up():
    links = [rated(1, 1, 2, 10.0), rated(2, 1, 2, 15.0)]
    ix = index(snapshot(trusted(1, 2), links))
    assert max_flow(ix, 0, 1).value_bps == pytest.approx(25.0)
    assert nodes_to_compromise(ix, 0, 1) is None


@pytest.mark.parametrize("seed", range(25))
def test_max_flow_matches_networkx(seed):
    rng = random.Random(seed)
    n = 8
    links = []
    for lid in range(1, 16 + 1):
        a, b = rng.sample(range(1, n + 1), 2)
        links.append(rated(lid, a, b, rng.uniform(1.0, 1e5)))
    ix = index(snapshot(trusted(*range(1, n + 1)), links))
    g = nx.Graph()
    g.add_nodes_from(range(1, n + 1))
    for lk in links:
        u, v = lk.a_node_id, lk.b_node_id
        cap = g.edges[u, v]["capacity"] if g.has_edge(u, v) else 0.0
        g.add_edge(u, v, capacity=cap + lk.key_rate_override_bps)
    expected = nx.maximum_flow_value(g, 1, 2)
    assert max_flow(ix, ix.pos[1], ix.pos[2]).value_bps == pytest.approx(expected, rel=1e-7)


def test_vertex_cut_and_xor_rate_diamond():
    # 1-{2,3}-4 node-disjoint via two trusted nodes; 1-2-4 bottleneck 30, 1-3-4 bottleneck 80
    links = [rated(1, 1, 2, 30.0), rated(2, 2, 4, 100.0), rated(3, 1, 3, 90.0),
             rated(4, 3, 4, 80.0)]
    ix = index(snapshot(trusted(1, 2, 3, 4), links))
    s, t = ix.pos[1], ix.pos[4]
    assert nodes_to_compromise(ix, s, t) == 2
    assert multipath_xor_rate(ix, s, t, 2) == 30.0
    assert multipath_xor_rate(ix, s, t, 1) == 80.0


def test_vertex_cut_with_and_without_untrusted_relay_in_the_middle():
    # trusted node in the middle: one node to compromise
    ix = index(snapshot(trusted(1, 2, 3), [rated(1, 1, 2, 10.0), rated(2, 2, 3, 10.0)]))
    assert nodes_to_compromise(ix, ix.pos[1], ix.pos[3]) == 1
    # an untrusted relay in the middle: one QKD link joins the ends directly -> null
    snap = snapshot([*trusted(1, 3), node(2, "untrusted_relay")],
                    [link(1, 1, 2, 10), link(2, 2, 3, 10)], profiles=[profile()],
                    default_profile=1)
    ix = index(snap)
    assert ix.m == 1
    assert nodes_to_compromise(ix, ix.pos[1], ix.pos[3]) is None
    # a mixed chain: 1 -U- 2(trusted) -U- 3: only the trusted node counts
    snap = snapshot([*trusted(1, 2, 3), node(10, "untrusted_relay"),
                     node(11, "entanglement_source")],
                    [link(1, 1, 10), link(2, 10, 2), link(3, 2, 11), link(4, 11, 3)],
                    profiles=[profile()], default_profile=1)
    ix = index(snap)
    assert nodes_to_compromise(ix, ix.pos[1], ix.pos[3]) == 1


def test_no_route_gives_null_cut_and_zero_flow():
    ix = index(snapshot(trusted(1, 2, 3), [rated(1, 1, 2, 10.0)]))
    assert nodes_to_compromise(ix, ix.pos[1], ix.pos[3]) is None
    assert max_flow(ix, ix.pos[1], ix.pos[3]).value_bps == 0.0


def test_non_relaying_endpoint_carries_no_transit_flow():
    nodes = [node(1, "endpoint"), node(2, "endpoint"), node(3)]
    links = [rated(1, 1, 2, 50.0), rated(2, 2, 3, 50.0), rated(3, 1, 3, 5.0)]
    ix = index(snapshot(nodes, links))
    assert max_flow(ix, ix.pos[1], ix.pos[3]).value_bps == pytest.approx(5.0)


@pytest.mark.parametrize("seed", range(15))
def test_flow_decomposition_paths_are_source_target_chains_that_sum_to_the_value(seed):
    rng = random.Random(100 + seed)
    n = 8
    links = [rated(lid, *rng.sample(range(1, n + 1), 2), float(rng.randint(1, 50)))
             for lid in range(1, 16)]
    ix = index(snapshot(trusted(*range(1, n + 1)), links))
    s, t = 0, n - 1
    mf = max_flow(ix, s, t)
    assert len(mf.paths) == len(mf.path_bps)
    for path in mf.paths:
        u = s
        for e in path:
            assert e in mf.support_edges
            a, b = int(ix.eu[e]), int(ix.ev[e])
            assert u in (a, b)
            u = b if u == a else a
        assert u == t
    assert sum(mf.path_bps) == pytest.approx(mf.value_bps, rel=1e-6, abs=1e-6)
    top = mf.largest_paths(2)
    assert len(top) == min(2, len(mf.paths))
    if len(mf.paths) > 2:
        chosen = sorted((mf.path_bps[mf.paths.index(p)] for p in top), reverse=True)
        assert chosen[-1] >= max(b for p, b in zip(mf.paths, mf.path_bps, strict=True)
                                 if p not in top) - 1e-12
