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

Kernels: scipy.sparse.csgraph for distances (Dijkstra, BFS) and maximum spanning forests (on
exact integer rate ranks); Python only walks the small DAG of tight arcs to break ties
lexicographically. Masked graphs share one tail-sorted CSR structure built per
:class:`RoutingIndex` (a masked arc weighs inf, which Dijkstra with a finite limit never
relaxes). Yen skips a spur when lower bounds on its route's key (the root's bottleneck, hops and
loss plus the spur node's unmasked distances to the target) already rank it after the candidate
that would be accepted last: such a route could never be returned.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import cast

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, dijkstra, minimum_spanning_tree

from qnetplan.domain import LinkStatus, NetworkSnapshot, QkdLink, Route, RoutingObjective
from qnetplan.domain.results import LinkRateModel
from qnetplan.engine.graph import DEFAULT_STATUSES, QkdGraph, build_qkd_graph

_REL_TOL = 1e-9
_LIMIT = float(np.finfo(np.float64).max)  # Dijkstra limit: arcs weighted inf are never relaxed
_LB_SLACK = 1e-6  # relative slack on the loss lower bounds that skip spurs

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
        # Slots: the arcs in tail order (slot p holds arc ``arcs_by_tail[p]``), one fixed CSR
        # structure (``tail_ptr``, ``slot_head``) shared by every masked graph.
        slot_of_arc = np.empty(2 * m, dtype=np.int64)
        slot_of_arc[order] = np.arange(2 * m, dtype=np.int64)
        self.slot_of_arc: IntArray = slot_of_arc
        self.slot_tail: IntArray = self.tail[order]
        self.slot_head: IntArray = self.head[order]
        self.slot_loss: FloatArray = self.arc_loss[order]
        self.slot_rate: FloatArray = self.arc_rate[order]
        self.slot_twin: IntArray = slot_of_arc[order ^ 1]  # the same edge, reversed
        self._slot_head32 = self.slot_head.astype(np.int32)
        self._tail_ptr32 = self.tail_ptr.astype(np.int32)
        # Rates as exact integer ranks: ``rate_levels[edge_rank[e]] == rate[e]``.
        self.rate_levels: FloatArray = np.unique(self.rate)
        self.edge_rank: IntArray = np.searchsorted(self.rate_levels, self.rate).astype(np.int64)
        # One arc per edge (a->b), sorted by tail: the undirected graph for spanning forests.
        by_a = np.argsort(self.eu, kind="stable")
        self._forest_edge: IntArray = by_a
        self._forest_col32 = self.ev[by_a].astype(np.int32)
        self._forest_ptr: IntArray = np.searchsorted(self.eu[by_a], np.arange(self.n + 1))
        self._forest_rank: IntArray = self.edge_rank[by_a]

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

    # -- slot masks (arcs in tail order) ---------------------------------------------------

    def slot_mask(self, arc_ok: BoolArray) -> BoolArray:
        """An arc mask in slot order."""
        return arc_ok[self.arcs_by_tail]

    def drop_node(self, slot_ok: BoolArray, node: int) -> None:
        """Clear (in place) the slots leaving or entering ``node``."""
        lo, hi = int(self.tail_ptr[node]), int(self.tail_ptr[node + 1])
        slot_ok[lo:hi] = False
        slot_ok[self.slot_twin[lo:hi]] = False

    def _weighted(self, slot_ok: BoolArray, weight: FloatArray) -> sp.csr_array:
        """Every slot, weighing ``weight`` where allowed and inf elsewhere (parallel arcs stay:
        Dijkstra relaxes the lightest)."""
        return sp.csr_array((np.where(slot_ok, weight, np.inf), self._slot_head32,
                             self._tail_ptr32), shape=(self.n, self.n))

    def _subgraph(self, slot_ok: BoolArray) -> sp.csr_array:
        """The allowed slots only (for traversals, which ignore weights)."""
        sel = np.flatnonzero(slot_ok)
        indptr = np.searchsorted(sel, self.tail_ptr).astype(np.int32)
        return sp.csr_array((np.ones(len(sel)), self._slot_head32[sel], indptr),
                            shape=(self.n, self.n))

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


# -- single best path kernels (slot masks) ---------------------------------------------------

def _tol(values: FloatArray) -> FloatArray:
    return _REL_TOL * (1.0 + np.abs(values))


def _hops_from(ix: RoutingIndex, slot_ok: BoolArray, root: int) -> FloatArray:
    """Hop distances between ``root`` and every node over the allowed slots (inf where none;
    the slot sets used here are symmetric or already reversed)."""
    order, pred = breadth_first_order(ix._subgraph(slot_ok), root, directed=True,
                                      return_predecessors=True)
    reached = len(order)
    at = np.empty(ix.n, dtype=np.int64)
    at[order] = np.arange(reached, dtype=np.int64)
    up = np.zeros(reached, dtype=np.int64)  # BFS-tree parent, as a position in ``order``
    up[1:] = at[pred[order[1:]]]
    depth = np.ones(reached, dtype=np.int64)
    depth[0] = 0
    while up.any():  # pointer doubling: depth[v] is the distance from v to up[v]
        depth = depth + depth[up]
        up = up[up]
    hops = np.full(ix.n, np.inf)
    hops[order] = depth
    return hops


def _walk(ix: RoutingIndex, source: int, target: int, tight: BoolArray) -> list[int]:
    """Greedy walk over tight slots (a DAG toward ``target`` on which every completion is
    equally good), taking at each node the arc with the smallest chain (node_ids, link_ids)."""
    arcs: list[int] = []
    u = source
    while u != target:
        lo = int(ix.tail_ptr[u])
        cand = ix.arcs_by_tail[lo + np.flatnonzero(tight[lo:int(ix.tail_ptr[u + 1])])]
        best = min((int(a) for a in cand), key=lambda a: (ix.chain_nodes[a], ix.chain_links[a]))
        arcs.append(best)
        u = int(ix.head[best])
    return arcs


def _fewest_hops(ix: RoutingIndex, source: int, target: int, slot_ok: BoolArray,
                 hops: FloatArray) -> list[int]:
    """Best arcs by (hops, loss, node_ids) given ``hops`` (to ``target`` over ``slot_ok``,
    finite at ``source``): the least loss over the arcs that descend one hop level, up to the
    source's level, then the walk over the loss-tight ones."""
    level = hops[ix.slot_tail]
    down = slot_ok & (level == hops[ix.slot_head] + 1) & (level <= hops[source])
    # least loss to the target along descending arcs: Dijkstra from it over their reversals
    best = dijkstra(ix._weighted(down[ix.slot_twin], ix.slot_loss), directed=True,
                    indices=target, limit=_LIMIT)
    bt = best[ix.slot_tail]
    with np.errstate(invalid="ignore"):
        tight = down & (np.abs(bt - ix.slot_loss - best[ix.slot_head]) <= _tol(bt))
    return _walk(ix, source, target, tight)


def _least_loss(ix: RoutingIndex, source: int, target: int, slot_ok: BoolArray
                ) -> list[int] | None:
    """Best arcs by (loss, hops, node_ids) over ``slot_ok``."""
    dist = dijkstra(ix._weighted(slot_ok, ix.slot_loss), directed=True, indices=target,
                    limit=_LIMIT)
    # the slot set is symmetric, so distances from the target are distances to it
    if not np.isfinite(dist[source]):
        return None
    dt = dist[ix.slot_tail]
    with np.errstate(invalid="ignore"):
        tight = slot_ok & (np.abs(dt - ix.slot_loss - dist[ix.slot_head]) <= _tol(dt))
    # fewest hops among the loss-tight arcs: BFS from the target on their reversals
    hops = _hops_from(ix, tight[ix.slot_twin], target)
    keep = tight & (hops[ix.slot_tail] == hops[ix.slot_head] + 1)
    return _walk(ix, source, target, keep)


def _best_slots(ix: RoutingIndex, source: int, target: int, slot_ok: BoolArray,
                primary: str) -> list[int] | None:
    if source == target:
        return None
    if primary == "loss":
        return _least_loss(ix, source, target, slot_ok)
    hops = _hops_from(ix, slot_ok, target)
    if not np.isfinite(hops[source]):
        return None
    return _fewest_hops(ix, source, target, slot_ok, hops)


def best_path(ix: RoutingIndex, source: int, target: int, arc_ok: BoolArray,
              primary: str) -> list[int] | None:
    """Best arc sequence from ``source`` to ``target`` over ``arc_ok`` by (loss, hops,
    node_ids) when ``primary == "loss"`` or (hops, loss, node_ids) when ``"hops"``."""
    return _best_slots(ix, source, target, ix.slot_mask(arc_ok), primary)


def _widest_ranks(ix: RoutingIndex, root: int, slot_ok: BoolArray, floor: int = 0
                  ) -> IntArray:
    """For every node, the largest rank r such that allowed edges of rank >= r join it to
    ``root`` (-1 when none of rank >= ``floor`` do; ``len(rate_levels)`` at the root): ranks
    along the maximum spanning forest of the allowed edges of rank >= ``floor``."""
    top = len(ix.rate_levels)
    widest = np.full(ix.n, -1, dtype=np.int64)
    widest[root] = top
    edge_ok = slot_ok[ix.slot_of_arc[0::2]] | slot_ok[ix.slot_of_arc[1::2]]
    sel = np.flatnonzero(edge_ok[ix._forest_edge] & (ix._forest_rank >= floor))
    if not len(sel):
        return widest
    cost = (top - ix._forest_rank[sel]).astype(float)  # 1 for the widest rate level
    graph = sp.csr_array((cost, ix._forest_col32[sel],
                          np.searchsorted(sel, ix._forest_ptr).astype(np.int32)),
                         shape=(ix.n, ix.n))
    forest = minimum_spanning_tree(graph)
    order, pred = breadth_first_order(forest, root, directed=False, return_predecessors=True)
    # cost of the forest edge from each reached node to its BFS parent
    rows = np.repeat(np.arange(ix.n, dtype=np.int64), np.diff(forest.indptr))
    cols = forest.indices.astype(np.int64)
    up_cost = np.zeros(ix.n)
    down = pred[cols] == rows
    up_cost[cols[down]] = forest.data[down]
    rev = pred[rows] == cols
    up_cost[rows[rev]] = forest.data[rev]
    reached = len(order)
    at = np.empty(ix.n, dtype=np.int64)
    at[order] = np.arange(reached, dtype=np.int64)
    up = np.zeros(reached, dtype=np.int64)
    up[1:] = at[pred[order[1:]]]
    worst = up_cost[order]
    worst[0] = 0.0
    while up.any():  # pointer doubling: worst[v] is the largest cost from v to up[v]
        worst = np.maximum(worst, worst[up])
        up = up[up]
    widest[order[1:]] = top - worst[1:].astype(np.int64)
    return widest


def widest_bottleneck(ix: RoutingIndex, source: int, target: int, arc_ok: BoolArray) -> float:
    """Largest b such that arcs of rate >= b join source to target (0 when none do): the
    smallest rate on the source-target path of a maximum spanning forest."""
    if source == target:
        return 0.0
    rank = int(_widest_ranks(ix, target, ix.slot_mask(arc_ok))[source])
    return float(ix.rate_levels[rank]) if rank >= 0 else 0.0


# -- Yen -------------------------------------------------------------------------------------

#: Whether a spur can be skipped, given an upper bound on its route's bottleneck and lower
#: bounds on its spur's hops (exact when known) and loss.
_Skip = Callable[[float, float, float], bool]


def _widest_spur(ix: RoutingIndex, spur: int, target: int, slot_ok: BoolArray,
                 ceiling: float, skip: _Skip | None, floor: int, spur_loss: float
                 ) -> list[int] | None:
    """The exact widest spur: threshold min(root bottleneck, widest spur bottleneck), then
    (hops, loss, node_ids) over the arcs at or above it. ``ceiling`` bounds the threshold from
    above (the root's bottleneck and the spur node's unmasked widest); ``floor`` is a rank
    below which the spur is skipped."""
    if math.isfinite(ceiling):
        at = slot_ok & (ix.slot_rate >= ceiling)
        hops = _hops_from(ix, at, target)
        if np.isfinite(hops[spur]):  # the spur reaches the ceiling: that is the threshold
            if skip is not None and skip(ceiling, float(hops[spur]), spur_loss):
                return None
            return _fewest_hops(ix, spur, target, at, hops)
        if ix.rate_levels[floor] >= ceiling:
            return None  # the widest spur is narrower than the ceiling, hence the floor
    rank = int(_widest_ranks(ix, target, slot_ok, floor)[spur])
    if rank < 0:
        return None  # no route, or none at the floor
    threshold = min(ceiling, float(ix.rate_levels[rank]))
    if threshold <= 0.0:
        return None
    at = slot_ok & (ix.slot_rate >= threshold)
    hops = _hops_from(ix, at, target)
    if skip is not None and skip(threshold, float(hops[spur]), spur_loss):
        return None
    return _fewest_hops(ix, spur, target, at, hops)


def _worse(objective: RoutingObjective, bottleneck: float, hops: float, loss: float,
           bar: tuple[object, ...]) -> bool:
    """Whether every route with bottleneck <= ``bottleneck``, hops >= ``hops`` and loss >=
    ``loss`` ranks strictly after the route whose key is ``bar``."""
    low = loss - _LB_SLACK * abs(loss)  # below the quantised loss of any such route
    if objective is RoutingObjective.WIDEST:
        return (-bottleneck, hops, low) > bar[:3]
    if objective is RoutingObjective.MIN_LOSS:
        return (low, hops) > bar[:2]
    return (hops, low) > bar[:2]


class _Bounds:
    """Distances from every node to the target over the unmasked graph: bounds for any spur
    toward it."""

    def __init__(self, ix: RoutingIndex, target: int, slot_ok: BoolArray,
                 objective: RoutingObjective) -> None:
        self.ix, self.target, self.slot_ok = ix, target, slot_ok
        self.widest = np.full(ix.n, math.inf)  # widest bottleneck (0 when none)
        if objective is RoutingObjective.WIDEST:
            ranks = _widest_ranks(ix, target, slot_ok)
            levels = np.append(ix.rate_levels, math.inf)
            self.widest = np.where(ranks >= 0, levels[np.maximum(ranks, 0)], 0.0)
        self._cache: dict[float, tuple[FloatArray, FloatArray]] = {}

    def at(self, rate: float = 0.0) -> tuple[FloatArray, FloatArray]:
        """Fewest hops and least loss to the target over the arcs of rate >= ``rate``."""
        if rate not in self._cache:
            ix = self.ix
            ok = self.slot_ok & (ix.slot_rate >= rate) if rate > 0.0 else self.slot_ok
            loss = dijkstra(ix._weighted(ok, ix.slot_loss), directed=True,
                            indices=self.target, limit=_LIMIT)
            self._cache[rate] = (_hops_from(ix, ok, self.target), loss)
        return self._cache[rate]


def _skip(objective: RoutingObjective, bar: tuple[object, ...], root_hops: int,
          root_loss: float, bottleneck: float, hops: float, loss: float) -> bool:
    """``_worse`` for a route made of a root (``root_hops`` arcs, ``root_loss``) and a spur."""
    return _worse(objective, bottleneck, root_hops + hops, root_loss + loss, bar)


def _spur(ix: RoutingIndex, spur: int, target: int, slot_ok: BoolArray,
          objective: RoutingObjective, ceiling: float, skip: _Skip | None, floor: int,
          spur_loss: float) -> list[int] | None:
    """The exact best spur for the full ranking key (None when there is none or it is
    skipped)."""
    if objective is RoutingObjective.WIDEST:
        return _widest_spur(ix, spur, target, slot_ok, ceiling, skip, floor, spur_loss)
    if objective is RoutingObjective.MIN_LOSS:
        return _best_slots(ix, spur, target, slot_ok, "loss")
    hops = _hops_from(ix, slot_ok, target)
    if not np.isfinite(hops[spur]):
        return None
    if skip is not None and skip(math.inf, float(hops[spur]), spur_loss):
        return None
    return _fewest_hops(ix, spur, target, slot_ok, hops)


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
    base = ix.slot_mask(ix.arc_mask(node_ok, edge_ok))
    wide = objective is RoutingObjective.WIDEST
    bounds = _Bounds(ix, t, base, objective) if k > 1 else None
    ceiling = math.inf if bounds is None else float(bounds.widest[s])
    first = (_spur(ix, s, t, base, objective, ceiling, None, 0, 0.0)
             if ceiling > 0.0 else None)
    if first is None:
        return []
    accepted: list[list[int]] = [first]
    deviation = [0]  # Lawler: spurs before a path's deviation index repeat its parent's
    candidates: dict[tuple[int, ...], tuple[tuple[object, ...], list[int], int]] = {}
    seen: set[tuple[int, ...]] = {tuple(int(ix.arc_edge[a]) for a in first)}

    def last_accepted(need: int) -> tuple[object, ...] | None:
        """The candidate that would be accepted last if no better one turned up."""
        if len(candidates) < need:
            return None
        return heapq.nsmallest(need, (c[0] for c in candidates.values()))[-1]

    while len(accepted) < k and bounds is not None:
        prev = accepted[-1]
        need = k - len(accepted)
        bar = last_accepted(need)
        prev_nodes = [s] + [int(ix.head[a]) for a in prev]
        dev = deviation[-1]
        root_ok = base.copy()  # minus the root's nodes before the spur node
        for u in prev_nodes[:dev]:
            ix.drop_node(root_ok, u)
        root_b = min((float(ix.arc_rate[a]) for a in prev[:dev]), default=math.inf)
        root_loss = sum(float(ix.arc_loss[a]) for a in prev[:dev])
        for i in range(dev, len(prev)):
            if i > dev:
                ix.drop_node(root_ok, prev_nodes[i - 1])
                root_b = min(root_b, float(ix.arc_rate[prev[i - 1]]))
                root_loss += float(ix.arc_loss[prev[i - 1]])
            root, spur = prev[:i], prev_nodes[i]
            ceiling = min(root_b, float(bounds.widest[spur]))
            # a widest route narrower than the bar ranks after it: only arcs at least as
            # wide as the bar's bottleneck matter for the bounds
            bar_b = -cast(float, bar[0]) if bar is not None and wide else 0.0
            hops_lb, loss_lb = bounds.at(bar_b)
            spur_loss = float(loss_lb[spur])
            skip: _Skip | None = None
            floor = 0
            if bar is not None:
                skip = partial(_skip, objective, bar, i, root_loss)
                if skip(ceiling, float(hops_lb[spur]), spur_loss):
                    continue
                floor = int(np.searchsorted(ix.rate_levels, bar_b))
            removed = {int(ix.arc_edge[p[i]]) for p in accepted
                       if len(p) > i and p[:i] == root}
            slot_ok = root_ok.copy()
            for e in removed:
                slot_ok[ix.slot_of_arc[2 * e]] = slot_ok[ix.slot_of_arc[2 * e + 1]] = False
            tail_arcs = _spur(ix, spur, t, slot_ok, objective, ceiling, skip, floor, spur_loss)
            if tail_arcs is None:
                continue
            path = root + tail_arcs
            sig = tuple(int(ix.arc_edge[a]) for a in path)
            if sig in seen:
                continue
            seen.add(sig)
            candidates[sig] = (rank_key(ix.route(path), objective), path, i)
            bar = last_accepted(need)
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

