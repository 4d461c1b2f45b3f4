"""``run_analysis``: the whole analysis of a network snapshot (API-CONTRACT.md §4).

A pure function of (snapshot, parameters, rate model): no I/O, no settings, no mutation of its
inputs. The services map the returned dataclasses to JSON (``summary.lambda_`` -> ``lambda``)
and persist them with the input hash and :data:`ENGINE_VERSION`.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import replace

import numpy as np

from qnetplan.domain import (
    AnalysisParams,
    AnalysisResult,
    AnalysisSummary,
    BlockingReason,
    DemandResult,
    FailureScenario,
    LinkRateModel,
    NetworkSnapshot,
    NodeResult,
    QkdLink,
    ResilienceEntry,
)
from qnetplan.engine.demands import Commodity, allocate
from qnetplan.engine.graph import QkdGraph, build_qkd_graph, link_results
from qnetplan.engine.relay import MaxFlow, max_flow, multipath_xor_rate, nodes_to_compromise
from qnetplan.engine.routing import RoutingIndex, find_routes, k_best_routes

ENGINE_VERSION = "qnetplan-engine/1"

#: When an unrouted demand's cheapest repair path crosses several blocked QKD links, the
#: reported reason is the first of these present on it (structural causes first).
REASON_PRECEDENCE = (
    BlockingReason.UNSUPPORTED_NODE_ROLE,
    BlockingReason.AMPLIFIER_ON_PATH,
    BlockingReason.PROFILE_CONFLICT,
    BlockingReason.NO_EQUIPMENT_PROFILE,
    BlockingReason.LINK_LOSS_EXCEEDS_BUDGET,
    BlockingReason.INSUFFICIENT_KEY_RATE,
)
_REL = 1e-9
#: Starting columns of the demand LP per demand: the largest paths of its max-flow alone (more
#: make the first masters slower than the rounds they save; measured on bench/bench_routing.py)
SEED_PATHS = 25

__all__ = ["ENGINE_VERSION", "find_routes", "run_analysis"]


def run_analysis(snapshot: NetworkSnapshot, params: AnalysisParams,
                 rate_model: LinkRateModel) -> AnalysisResult:
    """Analyse ``snapshot``: QKD links, per-demand routes / max-flow / security figures, the
    optimal allocation and the least-relay flow carrying it, and (when asked) resilience."""
    graph = build_qkd_graph(snapshot, rate_model, params.statuses)
    ix = RoutingIndex(graph)
    demands = [snapshot.demands[d] for d in sorted(snapshot.demands)]

    flows: dict[int, MaxFlow] = {}
    commodities: list[Commodity] = []
    priorities: list[int] = []
    seeds: dict[int, tuple[tuple[int, ...], ...]] = {}
    for d in demands:
        s, t = ix.pos.get(d.a_node_id), ix.pos.get(d.b_node_id)
        mf = max_flow(ix, s, t) if s is not None and t is not None else MaxFlow(0.0, frozenset())
        flows[d.id] = mf
        if mf.value_bps > 0.0 and s is not None and t is not None:
            seeds[len(commodities)] = mf.largest_paths(SEED_PATHS)
            commodities.append(Commodity(d.id, s, t, d.required_key_rate_bps, mf.value_bps))
            priorities.append(d.priority)
    allocation = allocate(ix, commodities, priorities, seeds)

    relayed: dict[int, float] = defaultdict(float)
    exposed_by_node: dict[int, set[int]] = defaultdict(set)
    results: list[DemandResult] = []
    for d in demands:
        mf = flows[d.id]
        routed = mf.value_bps > 0.0
        allocated = float(allocation.allocated_bps.get(d.id, 0.0))
        satisfied = allocated >= d.required_key_rate_bps
        exposed: set[int] = set()
        for edges, bps in allocation.flow.path_flows.get(d.id, ()):
            for node_id in _path_node_ids(ix, d.a_node_id, edges)[1:-1]:
                exposed.add(node_id)
                relayed[node_id] += bps
        for node_id in exposed:
            exposed_by_node[node_id].add(d.id)
        if routed:
            s, t = ix.pos[d.a_node_id], ix.pos[d.b_node_id]
            routes = tuple(k_best_routes(ix, d.a_node_id, d.b_node_id, params.objective,
                                         params.k_paths))
            cut = nodes_to_compromise(ix, s, t)
            xor = multipath_xor_rate(ix, s, t, cut) if cut else None
            reason = None if satisfied else BlockingReason.INSUFFICIENT_KEY_RATE
        else:
            routes, cut, xor = (), None, None
            reason = diagnose_blocking(graph, d.a_node_id, d.b_node_id)
            satisfied = d.required_key_rate_bps <= 0.0
        results.append(DemandResult(
            demand_id=d.id, satisfied=satisfied, allocated_key_rate_bps=allocated,
            max_flow_bps=mf.value_bps, routes=routes,
            exposed_trusted_node_ids=tuple(sorted(exposed)), nodes_to_compromise=cut,
            multipath_xor_rate_bps=xor, blocking_reason=None if satisfied else reason,
            shortfall_bps=max(0.0, d.required_key_rate_bps - allocated), remedies=()))

    load = allocation.flow.edge_load_bps
    qkd_links: list[QkdLink] = []
    for q in graph.qkd_links:
        e = ix.edge_index.get(q.index)
        used = float(load[e]) if e is not None else 0.0
        util = used / q.key_rate_bps if q.key_rate_bps else None
        qkd_links.append(replace(q, used_key_rate_bps=used, utilization=util))
    qkd_tuple = tuple(qkd_links)

    nodes = tuple(NodeResult(n, relayed.get(n, 0.0), tuple(sorted(exposed_by_node.get(n, ()))))
                  for n in sorted(snapshot.nodes))
    resilience: tuple[ResilienceEntry, ...] = ()
    survival: float | None = None
    if params.failure_scenarios:
        resilience, survival = _resilience(graph, ix, flows, params.failure_scenarios)
    summary = AnalysisSummary(
        lambda_=allocation.lambda_, demands_total=len(demands),
        demands_satisfied=sum(r.satisfied for r in results),
        single_failure_survival_fraction=survival)
    return AnalysisResult(parameters=params, engine_version=ENGINE_VERSION, summary=summary,
                          links=link_results(graph, qkd_tuple), qkd_links=qkd_tuple,
                          demands=tuple(results), nodes=nodes, resilience=resilience)


def _path_node_ids(ix: RoutingIndex, start_id: int, edges: tuple[int, ...]) -> list[int]:
    """Key-holding nodes of a path given as RoutingIndex edges from ``start_id``."""
    nodes = [start_id]
    for e in edges:
        q = ix.edges[e]
        nodes.append(q.b_node_id if q.a_node_id == nodes[-1] else q.a_node_id)
    return nodes


def diagnose_blocking(graph: QkdGraph, source_id: int, target_id: int) -> BlockingReason:
    """Why no route joins two nodes: over all QKD links (blocked and infeasible ones too), the
    path crossing the fewest unusable QKD links, and the first reason of
    :data:`REASON_PRECEDENCE` among them; ``no_path`` when not even such a path exists."""
    nodes = graph.snapshot.nodes
    if source_id not in nodes or target_id not in nodes or source_id == target_id:
        return BlockingReason.NO_PATH
    if not (nodes[source_id].holds_key and nodes[target_id].holds_key):
        return BlockingReason.NO_PATH
    adj: dict[int, list[QkdLink]] = defaultdict(list)
    for q in graph.qkd_links:
        adj[q.a_node_id].append(q)
        adj[q.b_node_id].append(q)
    best: dict[int, int] = {source_id: 0}
    back: dict[int, QkdLink] = {}
    heap = [(0, source_id)]
    while heap:
        cost, u = heapq.heappop(heap)
        if cost > best.get(u, 1 << 60):
            continue
        if u == target_id:
            break
        if u != source_id and not nodes[u].relays:
            continue
        for q in adj[u]:
            v = q.b_node_id if q.a_node_id == u else q.a_node_id
            c = cost + (0 if q.capacity_bps > 0 else 1)
            if c < best.get(v, 1 << 60):
                best[v] = c
                back[v] = q
                heapq.heappush(heap, (c, v))
    if target_id not in back:
        return BlockingReason.NO_PATH
    reasons: set[BlockingReason] = set()
    v = target_id
    while v != source_id:
        q = back[v]
        if q.capacity_bps <= 0:
            reasons.add(q.reason or BlockingReason.INSUFFICIENT_KEY_RATE)
        v = q.b_node_id if q.a_node_id == v else q.a_node_id
    for reason in REASON_PRECEDENCE:
        if reason in reasons:
            return reason
    return BlockingReason.NO_PATH  # pragma: no cover - a usable path would have been routed


def _resilience(graph: QkdGraph, ix: RoutingIndex, flows: dict[int, MaxFlow],
                scenarios: tuple[FailureScenario, ...]
                ) -> tuple[tuple[ResilienceEntry, ...], float | None]:
    """Fail each element; list the demands whose max-flow falls below their requirement.

    Counted demands are those whose max-flow meets the requirement without failures; a demand's
    own end nodes are not failures for it. Only elements touching the support of a demand's
    max-flow are recomputed (any other failure leaves that max-flow intact)."""
    snapshot = graph.snapshot
    demands = [snapshot.demands[d] for d in sorted(snapshot.demands)]
    counted = [d for d in demands
               if flows[d.id].value_bps >= d.required_key_rate_bps * (1 - _REL)]
    elements: list[tuple[FailureScenario, int | str, set[int]]] = []
    spans = sorted(graph.span_budgets)
    edge_of = ix.edge_index
    for scenario in dict.fromkeys(FailureScenario(s) for s in scenarios):
        if scenario is FailureScenario.SINGLE_LINK:
            for lid in spans:
                elements.append((scenario, lid, {edge_of[i] for i in graph.span_to_qkd[lid]
                                                 if i in edge_of}))
        elif scenario is FailureScenario.SINGLE_NODE:
            touched = sorted({n for lid in spans for n in (snapshot.links[lid].a_node_id,
                                                           snapshot.links[lid].b_node_id)})
            for node_id in touched:
                elements.append((scenario, node_id, {e for e, q in enumerate(ix.edges)
                                                     if node_id in q.node_ids}))
        else:
            groups: dict[str, set[int]] = defaultdict(set)
            for lid in spans:
                for g in snapshot.links[lid].shared_risk_groups:
                    groups[g].update(edge_of[i] for i in graph.span_to_qkd[lid] if i in edge_of)
            for name in sorted(groups):
                elements.append((scenario, name, groups[name]))
    entries: list[ResilienceEntry] = []
    pairs = survived = 0
    for scenario, element, failed in elements:
        below: list[int] = []
        edge_ok = np.ones(ix.m, dtype=bool)
        edge_ok[list(failed)] = False
        for d in counted:
            if scenario is FailureScenario.SINGLE_NODE and element in (d.a_node_id, d.b_node_id):
                continue
            pairs += 1
            if failed & flows[d.id].support_edges:
                s, t = ix.pos[d.a_node_id], ix.pos[d.b_node_id]
                if max_flow(ix, s, t, edge_ok).value_bps < d.required_key_rate_bps * (1 - _REL):
                    below.append(d.id)
                    continue
            survived += 1
        entries.append(ResilienceEntry(scenario, element, tuple(below)))
    return tuple(entries), (survived / pairs if pairs else None)
