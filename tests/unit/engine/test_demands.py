"""Max concurrent flow (lambda), priority / max-min fair allocation, least-relay flow."""

from __future__ import annotations

import random

import numpy as np
import pytest
from _builders import fake_rate_model, rated, snapshot, trusted
from scipy.optimize import linprog

from qnetplan.engine.demands import Commodity, allocate
from qnetplan.engine.graph import build_qkd_graph
from qnetplan.engine.routing import RoutingIndex


def run(links, node_ids, demands):
    """demands: (key, a, b, req, priority)."""
    ix = RoutingIndex(build_qkd_graph(snapshot(trusted(*node_ids), links), fake_rate_model))
    coms = [Commodity(k, ix.pos[a], ix.pos[b], req) for k, a, b, req, _ in demands]
    return ix, allocate(ix, coms, [p for *_, p in demands])


def edge_lp_lambda(n, edges, demands):
    """Independent oracle: the max concurrent flow on the edge formulation (below)."""
    return edge_lp(n, edges, [(s, t) for s, t, _ in demands], [0.0] * len(demands),
                   concurrent=[d for _, _, d in demands])


def test_lambda_by_hand_shared_link():
    # A-B-C with 100 each; demands A-C 100 and A-B 100 share A-B: lambda = 0.5
    links = [rated(1, 1, 2, 100.0), rated(2, 2, 3, 100.0)]
    _, alloc = run(links, [1, 2, 3], [(1, 1, 3, 100.0, 1), (2, 1, 2, 100.0, 1)])
    assert alloc.lambda_ == pytest.approx(0.5)
    assert alloc.allocated_bps == pytest.approx({1: 50.0, 2: 50.0})


def test_lambda_by_hand_multipath():
    # triangle: A-B 10, A-C 10, C-B 10; demand A-B 40 -> max-flow 20 -> lambda 0.5
    links = [rated(1, 1, 2, 10.0), rated(2, 1, 3, 10.0), rated(3, 3, 2, 10.0)]
    _, alloc = run(links, [1, 2, 3], [(1, 1, 2, 40.0, 1)])
    assert alloc.lambda_ == pytest.approx(0.5)
    assert alloc.allocated_bps[1] == pytest.approx(20.0)


def test_lambda_above_one_allocates_every_requirement():
    links = [rated(1, 1, 2, 100.0), rated(2, 2, 3, 100.0)]
    _, alloc = run(links, [1, 2, 3], [(1, 1, 3, 20.0, 2), (2, 1, 2, 30.0, 1)])
    assert alloc.lambda_ == pytest.approx(2.0)
    assert alloc.allocated_bps == {1: 20.0, 2: 30.0}


def test_priority_classes_served_in_order():
    links = [rated(1, 1, 2, 100.0)]
    _, alloc = run(links, [1, 2], [(1, 1, 2, 80.0, 2), (2, 1, 2, 80.0, 1)])
    assert alloc.allocated_bps[2] == pytest.approx(80.0)
    assert alloc.allocated_bps[1] == pytest.approx(20.0)


def test_max_min_fair_in_fraction_within_a_class():
    links = [rated(1, 1, 2, 100.0)]
    _, alloc = run(links, [1, 2], [(1, 1, 2, 100.0, 1), (2, 1, 2, 50.0, 1)])
    assert alloc.allocated_bps[1] == pytest.approx(200 / 3)
    assert alloc.allocated_bps[2] == pytest.approx(100 / 3)


def test_progressive_filling_freezes_the_bottlenecked_demand_and_raises_the_others():
    # d1 on A-B (100); d2 A-C over A-B then B-C (10): d2 stops at 10, d1 grows to 90
    links = [rated(1, 1, 2, 100.0), rated(2, 2, 3, 10.0)]
    _, alloc = run(links, [1, 2, 3], [(1, 1, 2, 100.0, 1), (2, 1, 3, 100.0, 1)])
    assert alloc.lambda_ == pytest.approx(0.1)
    assert alloc.allocated_bps[2] == pytest.approx(10.0)
    assert alloc.allocated_bps[1] == pytest.approx(90.0)


def test_reported_flow_relays_the_least_key():
    # demand 1-2 of 10 fits on the direct link (1 hop) or via 3 (2 hops)
    links = [rated(1, 1, 2, 10.0), rated(2, 1, 3, 100.0), rated(3, 3, 2, 100.0)]
    ix, alloc = run(links, [1, 2, 3], [(7, 1, 2, 10.0, 1)])
    load = dict(zip([q.link_ids[0] for q in ix.edges], alloc.flow.edge_load_bps, strict=True))
    assert load == pytest.approx({1: 10.0, 2: 0.0, 3: 0.0})
    ((_edges, bps),) = alloc.flow.path_flows[7]
    assert bps == pytest.approx(10.0)


@pytest.mark.parametrize("seed", range(15))
def test_lambda_matches_edge_formulation(seed):
    rng = random.Random(seed)
    n = 6
    links = []
    for lid in range(1, 10 + 1):
        a, b = rng.sample(range(1, n + 1), 2)
        links.append(rated(lid, a, b, float(rng.randint(1, 100))))
    demands = []
    for k in range(4):
        a, b = rng.sample(range(1, n + 1), 2)
        demands.append((k, a, b, float(rng.randint(1, 60)), 1))
    _ix, alloc = run(links, list(range(1, n + 1)), demands)
    reach = [d for d in demands
             if _connected(links, d[1], d[2])]
    if not reach:
        assert alloc.lambda_ is None or alloc.lambda_ == 0
        return
    # the engine only gets routed demands; reproduce that here
    ix2, alloc2 = run(links, list(range(1, n + 1)), reach)
    edges = [(q.a_node_id - 1, q.b_node_id - 1, q.capacity_bps) for q in ix2.edges]
    expected = edge_lp_lambda(n, edges, [(a - 1, b - 1, r) for _, a, b, r, _ in reach])
    assert alloc2.lambda_ == pytest.approx(expected, rel=1e-6)
    # loads never exceed rates
    assert np.all(alloc2.flow.edge_load_bps <= ix2.rate * (1 + 1e-6))


def _connected(links, a, b):
    import networkx as nx
    g = nx.Graph()
    g.add_nodes_from([a, b])
    g.add_edges_from((lk.a_node_id, lk.b_node_id) for lk in links)
    return nx.has_path(g, a, b)


# -- independent oracles on the edge (arc) formulation ---------------------------------------

def edge_lp(n, edges, commodities, lower, objective=None, maximise=None, concurrent=None):
    """Edge formulation over undirected capacities: variables f[k, e, dir] >= 0 with flow
    conservation, per-commodity delivery >= lower[k], capacity per edge. ``objective``:
    'relay' minimises the total arc flow (sum over links of load); ``maximise``: a commodity
    index whose delivery is maximised; ``concurrent``: requirements d_k, maximise lambda with
    delivery_k >= lambda d_k. Returns the optimal value."""
    m, k_count = len(edges), len(commodities)
    n_flow = 2 * m * k_count
    nv = n_flow + k_count + 1  # + delivery variables + lambda
    c = np.zeros(nv)
    if objective == "relay":
        c[:n_flow] = 1.0
    if maximise is not None:
        c[n_flow + maximise] = -1.0
    if concurrent is not None:
        c[-1] = -1.0
    a_eq, b_eq = [], []
    for j, (s, t) in enumerate(commodities):
        for v in range(n):
            row = np.zeros(nv)
            for e, (u, w, _) in enumerate(edges):
                base = (j * m + e) * 2
                if u == v:
                    row[base] += 1
                    row[base + 1] -= 1
                if w == v:
                    row[base] -= 1
                    row[base + 1] += 1
            if v == s:
                row[n_flow + j] = -1.0
            elif v == t:
                row[n_flow + j] = 1.0
            a_eq.append(row)
            b_eq.append(0.0)
    a_ub, b_ub = [], []
    for e, (_, _, cap) in enumerate(edges):
        row = np.zeros(nv)
        for j in range(k_count):
            row[(j * m + e) * 2:(j * m + e) * 2 + 2] = 1
        a_ub.append(row)
        b_ub.append(cap)
    for j, d in enumerate(concurrent or ()):
        row = np.zeros(nv)
        row[n_flow + j] = -1.0
        row[-1] = d
        a_ub.append(row)
        b_ub.append(0.0)
    bounds = [(0, None)] * n_flow + [(lo, None) for lo in lower]
    bounds.append((0, None) if concurrent is not None else (0, 0))
    res = linprog(c, A_ub=np.array(a_ub), b_ub=b_ub, A_eq=np.array(a_eq), b_eq=b_eq,
                  bounds=bounds, method="highs")
    assert res.status == 0, res.message
    if concurrent is not None:
        return res.x[-1]
    return res.fun if maximise is None else -res.fun


def solved_random_case(seed, n=7, n_links=11, n_demands=4):
    """A random network with routed demands, the engine's allocation, and the oracle's inputs
    (edges with capacities, commodity ends); None when no demand is routed."""
    rng = random.Random(seed)
    links = [rated(lid, *rng.sample(range(1, n + 1), 2), float(rng.randint(5, 100)))
             for lid in range(1, n_links + 1)]
    demands = [(k, *rng.sample(range(1, n + 1), 2), float(rng.randint(20, 150)), 1)
               for k in range(n_demands)]
    demands = [d for d in demands if _connected(links, d[1], d[2])]
    if not demands:
        return None
    ix, alloc = run(links, list(range(1, n + 1)), demands)
    edges = [(q.a_node_id - 1, q.b_node_id - 1, q.capacity_bps) for q in ix.edges]
    coms = [(a - 1, b - 1) for _, a, b, _, _ in demands]
    return demands, ix, alloc, edges, coms


@pytest.mark.parametrize("seed", range(12))
def test_allocation_is_max_min_fair_against_edge_formulation(seed):
    """Max-min fairness in fractions (one priority class): no demand can get more without some
    demand of an equal or smaller fraction getting less (checked by an edge-formulation LP that
    maximises each demand while holding every demand of fraction <= its own)."""
    case = solved_random_case(seed)
    if case is None:
        return
    demands, _ix, alloc, edges, coms = case
    frac = {k: alloc.allocated_bps[k] / req for k, _, _, req, _ in demands}
    # the allocation is feasible
    assert edge_lp(7, edges, coms, [alloc.allocated_bps[k] * (1 - 1e-7)
                                    for k, *_ in demands]) is not None
    for i, (k, _, _, _req, _) in enumerate(demands):
        if frac[k] >= 1.0 - 1e-9:
            continue
        lower = [alloc.allocated_bps[j] * (1 - 1e-7) if frac[j] <= frac[k] + 1e-9 and j != k
                 else 0.0 for j, *_ in demands]
        best = edge_lp(7, edges, coms, lower, maximise=i)
        assert best <= alloc.allocated_bps[k] * (1 + 1e-5) + 1e-6, (k, best, frac)


@pytest.mark.parametrize("seed", range(12))
def test_least_relay_flow_against_edge_formulation(seed):
    case = solved_random_case(seed)
    if case is None:
        return
    demands, ix, alloc, edges, coms = case
    expected = edge_lp(7, edges, coms, [alloc.allocated_bps[k] * (1 - 1e-9)
                                        for k, *_ in demands], objective="relay")
    assert float(alloc.flow.edge_load_bps.sum()) == pytest.approx(expected, rel=1e-6, abs=1e-6)
    # the reported paths carry exactly each allocation, within the rates
    for k, *_ in demands:
        carried = sum(bps for _, bps in alloc.flow.path_flows.get(k, ()))
        assert carried == pytest.approx(alloc.allocated_bps[k], rel=1e-9, abs=1e-9)
    assert np.all(alloc.flow.edge_load_bps <= ix.rate * (1 + 1e-6))
