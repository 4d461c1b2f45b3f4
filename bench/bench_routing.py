"""Routing and analysis on a random geometric network: 1,000 nodes / 5,000 spans.

Prints: QKD-graph build, one route query (k = 3, per objective), full ``run_analysis`` runs
(5 / 10 / 20 demands of 50 kbit/s, where lambda > 1; and 5 demands of 1 Mbit/s, where lambda < 1
and the allocation needs progressive filling; no failure scenarios) and plain networkx for the
ratio.
Run: ``python -m bench routing`` (or ``make bench``).
"""

from __future__ import annotations

import itertools
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx
import networkx as nx
import numpy as np
from scipy.spatial import cKDTree

from bench.server import live_server
from bench.synthetic import synthetic_document
from qnetplan.domain import (
    AnalysisParams,
    DemandSpec,
    EquipmentProfileSpec,
    KeyRateEval,
    LinkSpec,
    LinkStatus,
    NetworkSnapshot,
    NodeRole,
    NodeSpec,
    Protocol,
    RoutingObjective,
)
from qnetplan.engine.analysis import run_analysis
from qnetplan.engine.graph import build_qkd_graph
from qnetplan.engine.relay import max_flow
from qnetplan.engine.routing import RoutingIndex, k_best_routes

N_NODES, N_LINKS, N_DEMANDS, SIDE_KM = 1000, 5000, 50, 600.0
REQUIRED_BPS = 50_000.0  # per demand: lambda 12-16 for the first 5-20 demands
#: (demand count, requirement per demand) of the full-analysis runs; the last one saturates the
#: network (lambda 0.81), so the allocation runs progressive filling over 3 priority classes
FULL_ANALYSIS_RUNS = ((5, REQUIRED_BPS), (10, REQUIRED_BPS), (20, REQUIRED_BPS), (5, 1e6))


def toy_rate_model(profile: EquipmentProfileSpec, loss_db: float,
                   fraction: float | None) -> KeyRateEval:
    """A stand-in for the physics: decoy-BB84-like 1e9 Hz x 1e-3 x eta, cutoff 35 dB."""
    eta = 10.0 ** (-loss_db / 10.0)
    return KeyRateEval(1e6 * eta if loss_db < 35.0 else 0.0, 35.0, "bench/toy")


def make_network(seed: int = 1) -> NetworkSnapshot:
    rng = random.Random(seed)
    pts = np.array([[rng.random() * SIDE_KM, rng.random() * SIDE_KM] for _ in range(N_NODES)])
    roles = [NodeRole.ROADM if rng.random() < 0.08 else NodeRole.UNTRUSTED_RELAY
             if rng.random() < 0.02 else NodeRole.TRUSTED_NODE for _ in range(N_NODES)]
    nodes = [NodeSpec(id=i + 1, role=roles[i], name=f"n{i + 1}") for i in range(N_NODES)]
    tree = cKDTree(pts)
    pairs: set[tuple[int, int]] = set()
    k = 2
    while len(pairs) < N_LINKS:
        k += 1
        _, idx = tree.query(pts, k=k)
        for i in range(N_NODES):
            j = int(idx[i, k - 1])
            pairs.add((min(i, j), max(i, j)))
            if len(pairs) >= N_LINKS:
                break
    links = []
    for lid, (i, j) in enumerate(sorted(pairs), start=1):
        km = float(np.hypot(*(pts[i] - pts[j]))) * 1.3
        links.append(LinkSpec(id=lid, a_node_id=i + 1, b_node_id=j + 1, effective_length_km=km,
                              connector_count=2, status=LinkStatus.EXISTING))
    keyed = [n.id for n in nodes if n.holds_key]
    demands = [DemandSpec(id=d + 1, a_node_id=a, b_node_id=b, required_key_rate_bps=REQUIRED_BPS,
                          priority=1 + d % 3)
               for d, (a, b) in enumerate(rng.sample(keyed, 2) for _ in range(N_DEMANDS))]
    profile = EquipmentProfileSpec(id=1, protocol=Protocol.BB84_DECOY, name="toy")
    return NetworkSnapshot.build(nodes=nodes, links=links, demands=demands,
                                 equipment_profiles=[profile], default_equipment_profile_id=1)


def timed(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    snap = make_network()
    t_build, graph = timed(lambda: build_qkd_graph(snap, toy_rate_model), 3)
    ix = RoutingIndex(graph)
    print(f"network: {len(snap.nodes)} nodes, {len(snap.links)} spans -> "
          f"{len(graph.qkd_links)} QKD links ({len(graph.usable)} usable), "
          f"{ix.n} key-holding nodes")
    print(f"QKD graph build (lightpath rule + rate model): {t_build * 1e3:.0f} ms")
    t_ix, _ = timed(lambda: RoutingIndex(graph), 3)
    print(f"routing index build: {t_ix * 1e3:.1f} ms")

    rng = random.Random(5)
    queries = [tuple(rng.sample(ix.node_ids, 2)) for _ in range(10)]
    for objective in RoutingObjective:
        per = []
        for s, t in queries:
            dt, _ = timed(lambda s=s, t=t, o=objective: k_best_routes(ix, s, t, o, 3), 1)
            per.append(dt)
        print(f"route query k=3 {objective.value:>21}: median {statistics.median(per) * 1e3:6.1f}"
              f" ms, max {max(per) * 1e3:6.1f} ms (10 random pairs)")

    # networkx-only reference: Yen (shortest_simple_paths) on min loss, and max-flow
    g = nx.Graph()
    for q in graph.usable:
        u, v = q.a_node_id, q.b_node_id
        if not g.has_edge(u, v) or g.edges[u, v]["loss"] > q.loss_db:
            g.add_edge(u, v, loss=q.loss_db)
        g.edges[u, v]["capacity"] = g.edges[u, v].get("capacity", 0.0) + q.capacity_bps
    nx_times = []
    for s, t in queries:
        t0 = time.perf_counter()
        list(itertools.islice(nx.shortest_simple_paths(g, s, t, weight="loss"), 3))
        nx_times.append(time.perf_counter() - t0)
    ours = [timed(lambda s=s, t=t: k_best_routes(ix, s, t, RoutingObjective.MIN_LOSS, 3), 1)[0]
            for s, t in queries]
    print(f"networkx shortest_simple_paths k=3 (min_loss): median "
          f"{statistics.median(nx_times) * 1e3:.1f} ms -> ratio networkx/ours "
          f"{statistics.median(nx_times) / statistics.median(ours):.1f}x")
    mf_ours, mf_nx = [], []
    for s, t in queries:
        dt, ours_v = timed(lambda s=s, t=t: max_flow(ix, ix.pos[s], ix.pos[t]), 1)
        mf_ours.append(dt)
        t0 = time.perf_counter()
        nx_v = nx.maximum_flow_value(g, s, t)
        mf_nx.append(time.perf_counter() - t0)
        assert abs(ours_v.value_bps - nx_v) <= 1e-6 * max(1.0, nx_v)
    print(f"max-flow: ours (scipy Dinic) median {statistics.median(mf_ours) * 1e3:.1f} ms, "
          f"networkx {statistics.median(mf_nx) * 1e3:.1f} ms -> ratio "
          f"{statistics.median(mf_nx) / statistics.median(mf_ours):.1f}x")

    api_route_queries()

    params = AnalysisParams(objective=RoutingObjective.WIDEST, k_paths=3)
    demand_ids = sorted(snap.demands)
    for count, required_bps in FULL_ANALYSIS_RUNS:
        sub = NetworkSnapshot.build(
            nodes=snap.nodes.values(), links=snap.links.values(),
            demands=[replace(snap.demands[d], required_key_rate_bps=required_bps)
                     for d in demand_ids[:count]],
            equipment_profiles=snap.equipment_profiles.values(),
            default_equipment_profile_id=snap.default_equipment_profile_id)
        t0 = time.perf_counter()
        result = run_analysis(sub, params, toy_rate_model)
        t_full = time.perf_counter() - t0
        s = result.summary
        lam = "null" if s.lambda_ is None else f"{s.lambda_:.3f}"
        print(f"full analysis ({count} demands of {required_bps / 1e3:g} kbit/s, k_paths=3, "
              "no failure scenarios): "
              f"{t_full:.1f} s; lambda={lam}, satisfied {s.demands_satisfied}/"
              f"{s.demands_total}", flush=True)

def api_route_queries() -> None:
    """``GET /networks/{id}/routes`` on a live server over a synthetic 1,000-node / 5,000-span
    network: the first query loads the network and forms its QKD links, later ones reuse the
    cached routing index."""
    doc = synthetic_document(N_NODES, N_LINKS)
    with live_server() as base, httpx.Client(base_url=base, timeout=300) as client:
        nid = client.post("/api/v1/networks/import-document", json=doc).json()["id"]
        nodes = client.get(f"/api/v1/networks/{nid}/nodes", params={"limit": 1000}).json()
        ids = [n["id"] for n in nodes["items"]]
        rng = random.Random(3)
        times = []
        for _ in range(11):
            s, t = rng.sample(ids, 2)
            t0 = time.perf_counter()
            response = client.get(f"/api/v1/networks/{nid}/routes", params={
                "source": s, "target": t, "objective": "widest", "k": 3})
            times.append(time.perf_counter() - t0)
            response.raise_for_status()
    print(f"API GET routes (widest, k=3, loopback): first {times[0] * 1e3:.0f} ms (loads the "
          f"network), then median {statistics.median(times[1:]) * 1e3:.0f} ms, max "
          f"{max(times[1:]) * 1e3:.0f} ms", flush=True)


if __name__ == "__main__":
    main()
