"""Routes between key-holding nodes over QKD links (API-CONTRACT.md §4).

Objectives and ranking. A route is a loopless sequence of usable QKD links (loopless in the
key-holding nodes it passes; a transparent node may appear in two of its QKD links).
Routes are ranked by

* ``widest``: (-bottleneck_bps, hops, loss_db, node_ids)
* ``min_loss``: (loss_db, hops, node_ids)
* ``fewest_trusted_nodes``: (hops, loss_db, node_ids) -- every intermediate node of a route is
  a key-holding relay, so "fewest trusted nodes" is "fewest QKD links",

then by ``link_ids`` when two routes differ only in parallel spans. Losses compare with a
relative tolerance of 1e-9. Yen's deviation method gives the k best: each spur is the exact
best completion for the full ranking key (for ``widest``: the spur's threshold is
min(root bottleneck, widest spur bottleneck), then fewest hops / lowest loss / smallest
node_ids over the links at or above it), so the k routes are exact for every objective.

Kernels: scipy.sparse.csgraph for distances (Dijkstra, BFS); Python only walks the small DAG of
tight arcs to break ties lexicographically.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, dijkstra, minimum_spanning_tree

from qnetplan.domain import LinkStatus, NetworkSnapshot, QkdLink, Route, RoutingObjective
from qnetplan.domain.results import LinkRateModel
from qnetplan.engine.graph import DEFAULT_STATUSES, QkdGraph, build_qkd_graph

_REL_TOL = 1e-9

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class RoutingIndex:
    """Arrays over the usable QKD links of a :class:`QkdGraph` (built once per analysis).

    Nodes are the key-holding nodes (index ``pos[node_id]``); edge ``e`` is ``edges[e]``; arc
    ``2e`` runs a->b and ``2e + 1`` b->a.
    """

    def __init__(self, graph: QkdGraph) -> None:
        self.graph = graph
        nodes = graph.snapshot.nodes
        self.node_ids: tuple[int, ...] = tuple(sorted(n for n, s in nodes.items() if s.holds_key))
        self.pos: dict[int, int] = {n: i for i, n in enumerate(self.node_ids)}
        self.n = len(self.node_ids)
        self.relays: BoolArray = np.array([nodes[n].relays for n in self.node_ids], dtype=bool)
        self.edges: tuple[QkdLink, ...] = graph.usable
        m = len(self.edges)
        self.m = m
        self.eu: IntArray = np.array([self.pos[q.a_node_id] for q in self.edges], dtype=np.int64)
        self.ev: IntArray = np.array([self.pos[q.b_node_id] for q in self.edges], dtype=np.int64)
        self.rate: FloatArray = np.array([q.capacity_bps for q in self.edges], dtype=float)
        self.loss: FloatArray = np.array([q.loss_db for q in self.edges], dtype=float)
        self.tail: IntArray = np.empty(2 * m, dtype=np.int64)
        self.head: IntArray = np.empty(2 * m, dtype=np.int64)
        self.tail[0::2], self.tail[1::2] = self.eu, self.ev
        self.head[0::2], self.head[1::2] = self.ev, self.eu
        self.arc_edge: IntArray = np.repeat(np.arange(m, dtype=np.int64), 2)
        self.arc_loss: FloatArray = np.repeat(self.loss, 2)
        self.arc_rate: FloatArray = np.repeat(self.rate, 2)
        self.chain_nodes: list[tuple[int, ...]] = []
        self.chain_links: list[tuple[int, ...]] = []
        for q in self.edges:
            self.chain_nodes += [q.node_ids[1:], q.node_ids[-2::-1]]
            self.chain_links += [q.link_ids, q.link_ids[::-1]]
        order = np.argsort(self.tail, kind="stable")
        self.arcs_by_tail = order
        self.tail_ptr = np.searchsorted(self.tail[order], np.arange(self.n + 1))
        self.edge_index: dict[int, int] = {q.index: e for e, q in enumerate(self.edges)}
        pair = np.minimum(self.eu, self.ev) * max(self.n, 1) + np.maximum(self.eu, self.ev)
        self.has_parallel = bool(len(np.unique(pair)) < m)
        self.arc_code: IntArray = self.tail * max(self.n, 1) + self.head
        _, inverse, counts = np.unique(self.arc_code, return_inverse=True, return_counts=True)
        self.arc_dup: BoolArray = counts[inverse] > 1

    # -- masks ---------------------------------------------------------------------------

    def node_mask(self, source: int, target: int, avoid_node_ids: Iterable[int] = ()
                  ) -> BoolArray:
        """Nodes a route between ``source`` and ``target`` may use (node indices): relays,
        the two ends, minus the avoided ones."""
        ok = self.relays.copy()
        ok[source] = ok[target] = True
        for node_id in avoid_node_ids:
            if node_id in self.pos:
                ok[self.pos[node_id]] = False
        return ok

    def edge_mask(self, avoid_node_ids: Iterable[int] = (), avoid_link_ids: Iterable[int] = ()
                  ) -> BoolArray:
        """Edges left when the given nodes (any role) and spans are avoided."""
        ok = np.ones(self.m, dtype=bool)
        bad_nodes, bad_links = set(avoid_node_ids), set(avoid_link_ids)
        if bad_nodes or bad_links:
            for e, q in enumerate(self.edges):
                if bad_nodes.intersection(q.node_ids) or bad_links.intersection(q.link_ids):
                    ok[e] = False
        return ok

    def arc_mask(self, node_ok: BoolArray, edge_ok: BoolArray) -> BoolArray:
        return np.repeat(edge_ok, 2) & node_ok[self.tail] & node_ok[self.head]

    def csr(self, arc_ok: BoolArray, weight: FloatArray, reduce: str = "min") -> sp.csr_array:
        """Directed graph of the allowed arcs; parallel arcs collapse to the min (or max) weight
        (or their sum with ``reduce="sum"``). Built straight from the tail-sorted arc order."""
        ok = arc_ok
        if self.has_parallel and reduce != "sum":
            multi = np.flatnonzero(arc_ok & self.arc_dup)
            if len(multi):
                w = weight[multi]
                order = np.lexsort((w if reduce == "min" else -w, self.arc_code[multi]))
                code = self.arc_code[multi][order]
                first = np.ones(len(order), dtype=bool)
                first[1:] = code[1:] != code[:-1]
                ok = arc_ok.copy()
                ok[multi[order[~first]]] = False
        sel = self.arcs_by_tail[ok[self.arcs_by_tail]]
        if reduce == "sum" and self.has_parallel:
            return sp.csr_array((weight[sel], (self.tail[sel], self.head[sel])),
                                shape=(self.n, self.n))
        indptr = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.tail[sel], minlength=self.n), out=indptr[1:])
        return sp.csr_array((weight[sel], self.head[sel], indptr), shape=(self.n, self.n))

    # -- path helpers --------------------------------------------------------------------

    def route(self, arcs: Sequence[int]) -> Route:
        first = int(self.tail[arcs[0]])
        node_ids: list[int] = [self.node_ids[first]]
        link_ids: list[int] = []
        for a in arcs:
            node_ids += self.chain_nodes[a]
            link_ids += self.chain_links[a]
        kh = [self.node_ids[int(self.head[a])] for a in arcs]
        return Route(node_ids=tuple(node_ids), link_ids=tuple(link_ids),
                     bottleneck_bps=float(min(self.arc_rate[a] for a in arcs)),
                     loss_db=float(sum(self.arc_loss[a] for a in arcs)),
                     trusted_node_ids=tuple(kh[:-1]),
                     qkd_link_indices=tuple(self.edges[int(self.arc_edge[a])].index
                                            for a in arcs))


def rank_key(route: Route, objective: RoutingObjective) -> tuple[object, ...]:
    """The contract's ranking key (ties: fewer hops, lower loss, smaller node_ids)."""
    hops = len(route.qkd_link_indices)
    loss = _quant(route.loss_db)
    if objective is RoutingObjective.WIDEST:
        return (-route.bottleneck_bps, hops, loss, route.node_ids, route.link_ids)
    if objective is RoutingObjective.MIN_LOSS:
        return (loss, hops, route.node_ids, route.link_ids)
    return (hops, loss, route.node_ids, route.link_ids)


def _quant(loss_db: float) -> float:
    """Losses equal to ~1e-9 relative compare equal."""
    if loss_db == 0.0:
        return 0.0
    digits = 9 - math.floor(math.log10(abs(loss_db)))
    return round(loss_db, digits)


# -- single best path kernels ----------------------------------------------------------------

def _walk(ix: RoutingIndex, source: int, target: int, tight: BoolArray) -> list[int]:
    """Greedy walk over tight arcs (a DAG toward ``target`` on which every completion is
    equally good), taking at each node the arc with the smallest chain (node_ids, link_ids)."""
    arcs: list[int] = []
    u = source
    while u != target:
        cand = ix.arcs_by_tail[ix.tail_ptr[u]:ix.tail_ptr[u + 1]]
        cand = cand[tight[cand]]
        best = min((int(a) for a in cand), key=lambda a: (ix.chain_nodes[a], ix.chain_links[a]))
        arcs.append(best)
        u = int(ix.head[best])
    return arcs


def _tol(values: FloatArray) -> FloatArray:
    return _REL_TOL * (1.0 + np.abs(values))


def best_path(ix: RoutingIndex, source: int, target: int, arc_ok: BoolArray,
              primary: str) -> list[int] | None:
    """Best arc sequence from ``source`` to ``target`` over ``arc_ok`` by (loss, hops,
    node_ids) when ``primary == "loss"`` or (hops, loss, node_ids) when ``"hops"``."""
    if source == target:
        return None
    with np.errstate(invalid="ignore"):
        keep = _tight_arcs(ix, source, target, arc_ok, primary)
    if keep is None:
        return None
    tight = np.zeros(2 * ix.m, dtype=bool)
    tight[keep] = True
    return _walk(ix, source, target, tight)


def _tight_arcs(ix: RoutingIndex, source: int, target: int, arc_ok: BoolArray,
                primary: str) -> IntArray | None:
    ok_idx = np.flatnonzero(arc_ok)
    if primary == "loss":
        dist = dijkstra(ix.csr(arc_ok, ix.arc_loss), directed=True, indices=target)
        # the arc set is symmetric, so distances from the target are distances to it
        if not np.isfinite(dist[source]):
            return None
        t, h = ix.tail[ok_idx], ix.head[ok_idx]
        tight_idx = ok_idx[np.abs(dist[t] - ix.arc_loss[ok_idx] - dist[h]) <= _tol(dist[t])]
        # fewest hops among the loss-tight arcs: BFS from the target on reversed tight arcs
        rev = sp.csr_array((np.ones(len(tight_idx)), (ix.head[tight_idx], ix.tail[tight_idx])),
                           shape=(ix.n, ix.n))
        hops = dijkstra(rev, directed=True, indices=target, unweighted=True)
        t, h = ix.tail[tight_idx], ix.head[tight_idx]
        keep = tight_idx[hops[t] == hops[h] + 1]
    else:
        hops = dijkstra(ix.csr(arc_ok, ix.arc_loss), directed=True, indices=target,
                        unweighted=True)
        if not np.isfinite(hops[source]):
            return None
        t, h = ix.tail[ok_idx], ix.head[ok_idx]
        level_arcs = ok_idx[hops[t] == hops[h] + 1]
        lv = hops[ix.tail[level_arcs]].astype(np.int64)
        best = np.full(ix.n, np.inf)
        best[target] = 0.0
        order = np.argsort(lv, kind="stable")
        level_arcs, lv = level_arcs[order], lv[order]
        bounds = np.searchsorted(lv, np.arange(1, int(hops[source]) + 2))
        for k in range(int(hops[source])):
            arcs_k = level_arcs[bounds[k]:bounds[k + 1]]
            np.minimum.at(best, ix.tail[arcs_k], ix.arc_loss[arcs_k] + best[ix.head[arcs_k]])
        t, h = ix.tail[level_arcs], ix.head[level_arcs]
        keep = level_arcs[np.abs(best[t] - ix.arc_loss[level_arcs] - best[h]) <= _tol(best[t])]
    return keep


def widest_bottleneck(ix: RoutingIndex, source: int, target: int, arc_ok: BoolArray) -> float:
    """Largest b such that arcs of rate >= b join source to target (0 when none do): the
    smallest rate on the source-target path of a maximum spanning forest."""
    if not arc_ok.any():
        return 0.0
    top = float(ix.arc_rate[arc_ok].max()) + 1.0
    graph = ix.csr(arc_ok, top - ix.arc_rate, reduce="min")  # widest parallel arc
    tree = minimum_spanning_tree(graph).tocoo()
    _, pred = breadth_first_order(tree, source, directed=False, return_predecessors=True)
    if pred[target] < 0:
        return 0.0
    weight = {}
    for u, v, w in zip(tree.row.tolist(), tree.col.tolist(), tree.data.tolist(), strict=True):
        weight[u, v] = weight[v, u] = w
    bottleneck = math.inf
    v = target
    while v != source:
        u = int(pred[v])
        bottleneck = min(bottleneck, top - weight[u, v])
        v = u
    # top - (top - rate) may differ from rate in the last bit: snap to the rate itself
    rates = np.unique(ix.arc_rate[arc_ok])
    return float(rates[np.argmin(np.abs(rates - bottleneck))])


def _best_for(ix: RoutingIndex, source: int, target: int, arc_ok: BoolArray,
              objective: RoutingObjective, root_bottleneck: float = math.inf
              ) -> list[int] | None:
    if objective is RoutingObjective.MIN_LOSS:
        return best_path(ix, source, target, arc_ok, "loss")
    if objective is RoutingObjective.FEWEST_TRUSTED_NODES:
        return best_path(ix, source, target, arc_ok, "hops")
    if math.isfinite(root_bottleneck):
        # when the spur can match the root's bottleneck, that is the threshold
        found = best_path(ix, source, target, arc_ok & (ix.arc_rate >= root_bottleneck), "hops")
        if found is not None:
            return found
    b = widest_bottleneck(ix, source, target, arc_ok)
    if b <= 0.0:
        return None
    threshold = min(root_bottleneck, b)
    return best_path(ix, source, target, arc_ok & (ix.arc_rate >= threshold), "hops")


# -- public ----------------------------------------------------------------------------------

def k_best_routes(ix: RoutingIndex, source_id: int, target_id: int,
                  objective: RoutingObjective = RoutingObjective.WIDEST, k: int = 3,
                  avoid_node_ids: Iterable[int] = (), avoid_link_ids: Iterable[int] = ()
                  ) -> list[Route]:
    """Up to ``k`` loopless routes, best first (Yen's deviation method, exact spurs)."""
    objective = RoutingObjective(objective)
    if source_id not in ix.pos or target_id not in ix.pos or source_id == target_id or k < 1:
        return []
    s, t = ix.pos[source_id], ix.pos[target_id]
    avoid_node_ids = tuple(avoid_node_ids)
    node_ok = ix.node_mask(s, t, avoid_node_ids)
    if not (node_ok[s] and node_ok[t]):
        return []
    edge_ok = ix.edge_mask(avoid_node_ids, avoid_link_ids)
    base = ix.arc_mask(node_ok, edge_ok)
    first = _best_for(ix, s, t, base, objective)
    if first is None:
        return []
    accepted: list[list[int]] = [first]
    deviation = [0]  # Lawler: spurs before a path's deviation index repeat its parent's
    candidates: dict[tuple[int, ...], tuple[tuple[object, ...], list[int], int]] = {}
    seen: set[tuple[int, ...]] = {tuple(int(ix.arc_edge[a]) for a in first)}
    while len(accepted) < k:
        prev = accepted[-1]
        for i in range(deviation[-1], len(prev)):
            root = prev[:i]
            spur = int(ix.tail[prev[i]]) if i else s
            root_nodes = [s] + [int(ix.head[a]) for a in root]
            removed = {int(ix.arc_edge[p[i]]) for p in accepted
                       if len(p) > i and p[:i] == root}
            nok = node_ok.copy()
            nok[root_nodes[:-1]] = False
            eok = edge_ok.copy()
            eok[list(removed)] = False
            root_b = min((float(ix.arc_rate[a]) for a in root), default=math.inf)
            tail_arcs = _best_for(ix, spur, t, ix.arc_mask(nok, eok), objective, root_b)
            if tail_arcs is None:
                continue
            path = root + tail_arcs
            sig = tuple(int(ix.arc_edge[a]) for a in path)
            if sig in seen:
                continue
            seen.add(sig)
            candidates[sig] = (rank_key(ix.route(path), objective), path, i)
        if not candidates:
            break
        best_sig = min(candidates, key=lambda c: candidates[c][0])
        _, path, dev = candidates.pop(best_sig)
        accepted.append(path)
        deviation.append(dev)
    return [ix.route(p) for p in accepted]


def find_routes(snapshot: NetworkSnapshot, source: int, target: int,
                objective: RoutingObjective = RoutingObjective.WIDEST, k: int = 3,
                statuses: Iterable[LinkStatus] = DEFAULT_STATUSES,
                rate_model: LinkRateModel | None = None,
                avoid_node_ids: Iterable[int] = (), avoid_link_ids: Iterable[int] = (),
                graph: QkdGraph | None = None) -> list[Route]:
    """``GET /networks/{id}/routes``: up to ``k`` loopless routes between two key-holding
    nodes, best first. Pass ``graph`` to reuse QKD links already built (then ``statuses`` and
    ``rate_model`` are ignored); otherwise ``rate_model`` is required."""
    if graph is None:
        if rate_model is None:
            raise ValueError("find_routes needs a rate_model or a prebuilt graph")
        graph = build_qkd_graph(snapshot, rate_model, statuses)
    return k_best_routes(RoutingIndex(graph), source, target, objective, k,
                         avoid_node_ids, avoid_link_ids)

