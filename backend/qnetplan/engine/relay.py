"""Trusted-node key relay for one demand (PHYSICS.md §4): max-flow / min-cut over QKD-link key
rates, minimum vertex cut over key-holding relays, XOR multipath rate.

Capacities are undirected pools shared by both directions (a pair of opposite arcs of the same
capacity: opposite flows cancel, so the max-flow value is that of the undirected network).
Non-relaying endpoints carry no transit. Kernel: scipy.sparse.csgraph.maximum_flow (Dinic),
which needs int32 capacities: rates are scaled so that no node's total capacity exceeds 2^30,
and the reported value is the exact (float) capacity of the minimum cut the integer flow
certifies -- within (cut size) x 2^-30 of the optimum relative to the largest node capacity.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

from qnetplan.engine.routing import BoolArray, FloatArray, RoutingIndex

_INT_SCALE_LIMIT = float(2**30)


@dataclass(frozen=True, slots=True)
class MaxFlow:
    """One demand's max-flow alone: value and the QKD edges (RoutingIndex edge numbers) that
    carry flow in the certified solution."""

    value_bps: float
    support_edges: frozenset[int]
    #: a decomposition of the flow into paths (RoutingIndex edges, source to target)
    paths: tuple[tuple[int, ...], ...] = ()
    #: the flow on each of ``paths`` (bit/s, approximately: from the integer-scaled flow)
    path_bps: tuple[float, ...] = ()

    def largest_paths(self, count: int) -> tuple[tuple[int, ...], ...]:
        """The ``count`` paths of the decomposition that carry the most flow."""
        order = sorted(range(len(self.paths)), key=lambda i: -self.path_bps[i])
        return tuple(self.paths[i] for i in order[:count])


def max_flow(ix: RoutingIndex, source: int, target: int,
             edge_ok: BoolArray | None = None,
             capacity: FloatArray | None = None) -> MaxFlow:
    """Max-flow between node indices ``source`` and ``target`` over allowed edges, with the
    QKD-link rates as capacities (or ``capacity`` per edge, e.g. residual capacities)."""
    if source == target:
        return MaxFlow(0.0, frozenset())
    node_ok = ix.node_mask(source, target)
    if edge_ok is None:
        edge_ok = np.ones(ix.m, dtype=bool)
    arc_cap = ix.arc_rate if capacity is None else np.repeat(capacity, 2)
    arc_ok = ix.arc_mask(node_ok, edge_ok) & (arc_cap > 0.0)
    idx = np.flatnonzero(arc_ok)
    if len(idx) == 0:
        return MaxFlow(0.0, frozenset())
    node_cap = np.bincount(ix.tail[idx], weights=arc_cap[idx], minlength=ix.n)
    scale = _INT_SCALE_LIMIT / float(node_cap.max())
    caps = np.floor(arc_cap[idx] * scale).astype(np.int32)
    graph = sp.csr_array((caps, (ix.tail[idx], ix.head[idx])), shape=(ix.n, ix.n))
    graph.sum_duplicates()
    result = maximum_flow(graph, source, target)
    if result.flow_value <= 0:
        return MaxFlow(0.0, frozenset())
    flow = result.flow.tocsr() if hasattr(result.flow, "tocsr") else result.flow
    # residual reachability from the source gives the min cut the flow certifies
    residual = (graph - flow).tocsr()
    residual.data = np.where(residual.data > 0, 1, 0).astype(np.int32)
    residual.eliminate_zeros()
    reach = np.zeros(ix.n, dtype=bool)
    reach[breadth_first_order(residual, source, directed=True, return_predecessors=False)] = True
    t, h = ix.tail[idx], ix.head[idx]
    cut = idx[reach[t] & ~reach[h]]
    value = float(arc_cap[cut].sum())
    # support: edges whose arcs carry positive flow (parallel arcs share a pair's flow)
    pair_flow = flow.tocoo()
    pos = pair_flow.data > 0
    rows, cols = pair_flow.row[pos].astype(np.int64), pair_flow.col[pos].astype(np.int64)
    used_codes = np.unique(rows * ix.n + cols)
    arc_codes = ix.arc_code[idx]
    support = frozenset(ix.arc_edge[idx[np.isin(arc_codes, used_codes)]].tolist())
    # one edge per (tail, head) pair carrying flow: the first allowed arc of that pair
    order = np.argsort(arc_codes, kind="stable")
    sorted_codes = arc_codes[order]
    first = order[np.searchsorted(sorted_codes, used_codes)]
    edge_of_code = dict(zip(used_codes.tolist(), ix.arc_edge[idx[first]].tolist(), strict=True))
    paths = _decompose(rows, cols, pair_flow.data[pos], source, target)
    return MaxFlow(value, support,
                   tuple(tuple(edge_of_code[u * ix.n + v] for u, v in path) for path, _ in paths),
                   tuple(amount / scale for _, amount in paths))


def _decompose(rows: np.ndarray, cols: np.ndarray, flows: np.ndarray, source: int,
               target: int) -> list[tuple[list[tuple[int, int]], int]]:
    """Split an s-t flow into paths with their flows (walk forward along positive arcs,
    cancelling any cycle met on the way); O(path length) per path."""
    out_arcs: dict[int, list[list[int]]] = {}
    for u, v, f in zip(rows.tolist(), cols.tolist(), flows.tolist(), strict=True):
        out_arcs.setdefault(u, []).append([v, f])
    paths: list[tuple[list[tuple[int, int]], int]] = []
    while True:
        walk: list[list[int]] = []  # the arcs taken (shared with out_arcs: [head, flow])
        nodes = [source]
        where: dict[int, int] = {source: 0}
        u = source
        while u != target:
            arcs = out_arcs.get(u)
            while arcs and arcs[-1][1] <= 0:
                arcs.pop()
            if not arcs:
                return paths
            arc = arcs[-1]
            v = arc[0]
            if v in where:  # a cycle back to v: cancel it and resume from v
                i = where[v]
                cycle = [*walk[i:], arc]
                amount = min(a[1] for a in cycle)
                for a in cycle:
                    a[1] -= amount
                for w in nodes[i + 1:]:
                    del where[w]
                del walk[i:], nodes[i + 1:]
                u = v
                continue
            walk.append(arc)
            nodes.append(v)
            where[v] = len(nodes) - 1
            u = v
        amount = min(a[1] for a in walk)
        for a in walk:
            a[1] -= amount
        paths.append((list(itertools.pairwise(nodes)), amount))


def _disjoint_count(ix: RoutingIndex, source: int, target: int, edge_ok: BoolArray,
                    limit: int | None = None) -> int:
    """Number of node-disjoint routes (Menger) between node indices, over allowed edges.

    Node splitting: relay v becomes v_in = v, v_out = v + n with capacity 1 between them; the
    two ends are not split. The count is capped at ``limit`` when given (capacity of the
    super-source arcs is unbounded otherwise)."""
    n = ix.n
    node_ok = ix.node_mask(source, target)
    arc_ok = ix.arc_mask(node_ok, edge_ok)
    idx = np.flatnonzero(arc_ok)
    t, h = ix.tail[idx], ix.head[idx]
    out_t = np.where((t == source) | (t == target), t, t + n)
    big = n + 1
    inner = np.flatnonzero(node_ok)
    inner = inner[(inner != source) & (inner != target)]
    rows = np.concatenate([out_t, inner])
    cols = np.concatenate([h, inner + n])
    caps = np.concatenate([np.full(len(idx), big), np.ones(len(inner))]).astype(np.int32)
    graph = sp.csr_array((caps, (rows, cols)), shape=(2 * n, 2 * n))
    graph.sum_duplicates()
    count = int(maximum_flow(graph, source, target).flow_value)
    return count if limit is None else min(count, limit)


def directly_joined(ix: RoutingIndex, source: int, target: int,
                    edge_ok: BoolArray | None = None) -> bool:
    """True when one usable QKD link joins the two nodes."""
    sel = ((ix.eu == source) & (ix.ev == target)) | ((ix.eu == target) & (ix.ev == source))
    if edge_ok is not None:
        sel &= edge_ok
    return bool(sel.any())


def nodes_to_compromise(ix: RoutingIndex, source: int, target: int) -> int | None:
    """Minimum number of key-holding relays whose capture reveals every route (minimum s-t
    vertex cut); None when one QKD link joins the ends or no route does."""
    if directly_joined(ix, source, target):
        return None
    count = _disjoint_count(ix, source, target, np.ones(ix.m, dtype=bool))
    return count if count > 0 else None


def multipath_xor_rate(ix: RoutingIndex, source: int, target: int, paths_needed: int
                       ) -> float:
    """Largest r such that ``paths_needed`` node-disjoint routes each have bottleneck >= r."""
    rates = np.unique(ix.rate[ix.rate > 0])
    lo, hi = 0, len(rates) - 1

    def ok(r: float) -> bool:
        return _disjoint_count(ix, source, target, ix.rate >= r) >= paths_needed

    if hi < 0 or not ok(float(rates[0])):
        return 0.0
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if ok(float(rates[mid])):
            lo = mid
        else:
            hi = mid - 1
    return float(rates[lo])
