"""Demand matrix over the QKD links (API-CONTRACT.md §4 "Optimal, not heuristic").

One path LP with column generation serves three problems on the same column pool:

1. max concurrent flow ``lambda``: max lambda s.t. flow(k) >= lambda d_k, link loads <= rate;
2. the allocation: priority classes in order, each by max-min fair progressive filling of the
   fraction flow(k)/d_k (capped at 1) with the classes before it held at their allocations;
3. among flows carrying the allocations, one that relays the least key in total
   (min sum over links of load = sum over paths of hops x flow).

Pricing is a shortest-path problem with the capacity duals as lengths (plus one per hop for 3);
a column enters while some commodity has a path shorter than its demand dual, so each LP is
solved to optimality over *all* paths (Ford-Fulkerson column generation; Ahuja, Magnanti, Orlin,
"Network Flows" (1993) §17.5). Key-rate pools are undirected: a path uses a link's capacity
whichever way it crosses it. Non-relaying endpoints are split into an "in" copy (arcs arrive)
and an "out" copy (arcs leave), so no path passes through them.

The masters of 1 and 2 live in one HiGHS model (``highspy``, primal simplex): new columns are
appended and every stage change keeps the last flow primal feasible, so each re-solve resumes
from the previous basis. Problem 3 starts a fresh model over the whole pool (from the lambda
basis it took ~150x more iterations than a cold start). The pool is seeded with the largest
paths of each commodity's max-flow alone (the caller's ``seed_paths``). See docs/analysis.md.

Progressive filling (Nace et al., "Max-min fairness in multi-commodity flows", Computers & OR
35 (2008) 557): after each LP of a class, a demand whose fraction row has a positive dual cannot
grow without lowering another's fraction (weak duality: sum_k z_k t_k d_k <= t* for every
feasible flow, with sum_k z_k d_k = 1), so it is frozen at the common fraction; the others are
raised in the next round.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from highspy._core import _Highs  # the bare solver: highspy.Highs adds callbacks, a banner
from scipy.sparse.csgraph import dijkstra

from qnetplan.engine.relay import max_flow
from qnetplan.engine.routing import FloatArray, RoutingIndex

_log = logging.getLogger(__name__)
_TOL = 1e-9
_MAX_ROUNDS = 5000
_SHORT_PATHS = 10
_AUGMENT_PATHS = 25  # per commodity and round: the decomposition's largest paths
_INF = highspy.kHighsInf
_OPTIMAL = highspy.HighsModelStatus.kOptimal


@dataclass(frozen=True, slots=True)
class Commodity:
    key: int  # demand id
    source: int  # node index
    target: int  # node index
    demand_bps: float
    #: this demand's max-flow alone (an upper bound on what it can carry), when known
    max_flow_bps: float = np.inf


@dataclass(frozen=True, slots=True)
class FlowSolution:
    """Flows of the reported (least-relay) solution, in bit/s."""

    edge_load_bps: FloatArray  # per RoutingIndex edge
    path_flows: Mapping[int, tuple[tuple[tuple[int, ...], float], ...]]  # key -> ((edges), bps)
    path_nodes: Mapping[int, tuple[tuple[int, ...], ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Allocation:
    lambda_: float | None
    allocated_bps: Mapping[int, float]
    flow: FlowSolution


@dataclass(frozen=True, slots=True)
class MasterSolution:
    """One master at optimality: path flows (scaled), the value of ``t`` and demand duals."""

    x: npt.NDArray[np.float64]
    t: float
    duals: Mapping[int, float]


def _reaches(value: float, bound: float, *, maximise: bool) -> bool:
    """True when a master's value meets a bound on the optimum (so it is optimal)."""
    slack = 1e-9 * max(1.0, abs(bound))
    return value >= bound - slack if maximise else value <= bound + slack


class PathLP:
    """Column pool and one warm-started HiGHS model for the commodities of one analysis.

    Rows: one capacity row per QKD edge (sum of path flows <= rate, rates scaled by the largest)
    and one demand row per commodity (sum of its path flows - d_k t >= lb_k, t the current
    fraction column: lambda or a class's common fraction). Columns: path flows, and one
    fraction column per stage.
    """

    def __init__(self, ix: RoutingIndex, commodities: Sequence[Commodity]) -> None:
        self.ix = ix
        self.commodities = list(commodities)
        self.scale = float(ix.rate.max()) if ix.m else 1.0
        self.cap = ix.rate / self.scale
        self.demand = np.array([c.demand_bps for c in self.commodities], dtype=float) / self.scale
        # pricing graph: out(v) = v, in(v) = v for relays, n + rank for other endpoints
        n = ix.n
        in_index = np.arange(n)
        others = np.flatnonzero(~ix.relays)
        in_index[others] = n + np.arange(len(others))
        self.n_pricing = n + len(others)
        self.p_tail = ix.tail
        self.p_head = in_index[ix.head]
        self.p_target = in_index
        code = self.p_tail * self.n_pricing + self.p_head
        self._p_order = np.argsort(code, kind="stable")
        self._p_code = code[self._p_order]
        self.columns: list[tuple[int, tuple[int, ...]]] = []  # (commodity index, edges)
        self._seen: set[tuple[int, tuple[int, ...]]] = set()
        self._in_model = 0  # columns already passed to HiGHS
        self._cost_per_hop = 0.0
        self._path_cols: list[int] = []  # HiGHS column of each path in ``columns``
        self._t_col: int | None = None  # the current fraction column
        self._t_rows: set[int] = set()
        self._held: dict[int, float] = {}
        self.rounds = 0  # master solves (logged at DEBUG)
        self.h = self._model()

    def _model(self) -> _Highs:
        m, n_com = self.ix.m, len(self.commodities)
        h = _Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("presolve", "off")  # re-solves start from the previous basis
        h.setOptionValue("threads", 1)
        # primal simplex: new columns keep the basis primal feasible, so a round after pricing
        # takes a handful of iterations (dual simplex re-pivots hundreds of times here)
        h.setOptionValue("simplex_strategy", 4)
        lower = np.concatenate([np.full(m, -_INF), np.zeros(n_com)])
        upper = np.concatenate([self.cap, np.full(n_com, _INF)])
        h.addRows(m + n_com, lower, upper, 0, np.zeros(m + n_com, dtype=np.int32),
                  np.zeros(0, dtype=np.int32), np.zeros(0))
        return h

    # -- columns ---------------------------------------------------------------------------

    def _add(self, k: int, edges: tuple[int, ...]) -> bool:
        col = (k, edges)
        if col in self._seen:
            return False
        self._seen.add(col)
        self.columns.append(col)
        return True

    def _flush(self) -> None:
        """Pass the columns found since the last solve to HiGHS."""
        new = self.columns[self._in_model:]
        if not new:
            return
        m = self.ix.m
        lengths = np.array([len(edges) + 1 for _, edges in new], dtype=np.int64)
        starts = np.zeros(len(new), dtype=np.int32)
        np.cumsum(lengths[:-1], out=starts[1:])
        index = np.fromiter((i for k, edges in new for i in (*edges, m + k)), dtype=np.int32,
                            count=int(lengths.sum()))
        costs = self._cost_per_hop * (lengths - 1).astype(float)
        first = self.h.getNumCol()
        self.h.addCols(len(new), costs, np.zeros(len(new)), np.full(len(new), _INF),
                       len(index), starts, index, np.ones(len(index)))
        self._path_cols += range(first, first + len(new))
        self._in_model = len(self.columns)

    def seed(self, keys: Iterable[int],
             paths: Mapping[int, Sequence[tuple[int, ...]]] | None = None) -> None:
        """Start with each commodity's fewest-hop path, plus the given paths (e.g. a
        decomposition of its max-flow alone: without them column generation adds one path per
        commodity and round, slow when a demand needs hundreds of paths)."""
        self._price(np.ones(self.ix.m), {k: np.inf for k in keys})
        for k, many in (paths or {}).items():
            for edges in many:
                self._add(k, tuple(edges))

    def _price(self, weight_per_edge: FloatArray, duals: Mapping[int, float]) -> int:
        """Add, per commodity in ``duals``, its shortest path when shorter than its dual.
        Returns how many columns were added."""
        wanted = sorted(k for k, z in duals.items() if z > _TOL)
        if not wanted:
            return 0
        ix = self.ix
        # a tiny length per hop keeps zero-dual arcs in the sparse graph and prefers short paths
        w = np.repeat(weight_per_edge, 2)[self._p_order] + 1e-12
        first = np.ones(len(w), dtype=bool)
        first[1:] = self._p_code[1:] != self._p_code[:-1]
        # parallel arcs: keep the shortest of each (tail, head) group
        group = np.cumsum(first) - 1
        best = np.full(int(group[-1]) + 1 if len(group) else 0, np.inf)
        np.minimum.at(best, group, w)
        pick = np.flatnonzero(w <= best[group])
        pick = pick[np.r_[True, group[pick][1:] != group[pick][:-1]]] if len(pick) else pick
        arcs = self._p_order[pick]
        graph = sp.csr_array((w[pick], (self.p_tail[arcs], self.p_head[arcs])),
                             shape=(self.n_pricing, self.n_pricing))
        arc_of_code = dict(zip(self._p_code[pick].tolist(), arcs.tolist(), strict=True))
        sources = sorted({self.commodities[k].source for k in wanted})
        dist, pred = dijkstra(graph, directed=True, indices=sources, return_predecessors=True)
        row_of = {s: i for i, s in enumerate(sources)}
        added = 0
        for k in wanted:
            com = self.commodities[k]
            r, tgt = row_of[com.source], int(self.p_target[com.target])
            d = dist[r, tgt]
            if not np.isfinite(d) or d >= duals[k] - _TOL * (1.0 + abs(duals[k])):
                continue
            edges: list[int] = []
            v = tgt
            while v != com.source:
                u = int(pred[r, v])
                edges.append(int(ix.arc_edge[arc_of_code[u * self.n_pricing + v]]))
                v = u
            if self._add(k, tuple(reversed(edges))):
                added += 1
        return added

    def _residual(self, x: npt.NDArray[np.float64]) -> FloatArray:
        """Capacity left by the master's flows (scaled; tiny leftovers are 0)."""
        load = np.zeros(self.ix.m)
        for i in np.flatnonzero(x > 0):
            load[list(self.columns[i][1])] += x[i]
        residual = np.maximum(self.cap - load, 0.0)
        residual[residual <= 1e-6 * self.cap] = 0.0
        return residual

    def _augment(self, x: npt.NDArray[np.float64], duals: Mapping[int, float]) -> None:
        """Add, for each commodity with a positive dual, a path decomposition of its max-flow
        over the residual capacities. Links with slack have a zero capacity dual
        (complementary slackness), so each such path prices out at -dual < 0: many improving
        columns per round instead of one."""
        residual = self._residual(x)
        for k, z in duals.items():
            if z > _TOL:
                com = self.commodities[k]
                found = max_flow(self.ix, com.source, com.target, capacity=residual)
                largest = np.argsort(-np.asarray(found.path_bps), kind="stable")
                for i in largest[:_AUGMENT_PATHS]:
                    self._add(k, found.paths[i])

    def _augment_short(self, x: npt.NDArray[np.float64], duals: Mapping[int, float]) -> None:
        """Least-relay LP: add, per commodity, successive fewest-hop augmenting paths over the
        residual capacities while they are shorter than its dual (each then prices out:
        reduced cost = hops - dual < 0 on links with slack)."""
        ix = self.ix
        residual = self._residual(x)
        order = np.argsort(ix.arc_code, kind="stable")
        codes = ix.arc_code[order]
        for k in sorted(duals, key=lambda k: -duals[k]):
            com = self.commodities[k]
            node_ok = ix.node_mask(com.source, com.target)
            for _ in range(_SHORT_PATHS):
                arc_ok = ix.arc_mask(node_ok, residual > 0)
                hops, pred = dijkstra(ix.csr(arc_ok, np.ones(2 * ix.m)), directed=True,
                                      indices=com.source, unweighted=True,
                                      return_predecessors=True)
                if not np.isfinite(hops[com.target]) or hops[com.target] >= duals[k] - _TOL:
                    break
                hop_edges: list[int] = []
                v = com.target
                while v != com.source:
                    u = int(pred[v])
                    lo, hi = np.searchsorted(codes, [u * ix.n + v, u * ix.n + v + 1])
                    arcs = order[lo:hi]
                    arcs = arcs[arc_ok[arcs]]
                    hop_edges.append(int(ix.arc_edge[arcs[np.argmax(residual[ix.arc_edge[arcs]])]]))
                    v = u
                path = tuple(reversed(hop_edges))
                residual[list(path)] -= residual[list(path)].min()
                residual[residual <= 1e-6 * self.cap] = 0.0
                self._add(k, path)

    # -- masters ---------------------------------------------------------------------------
    #
    # Every change between masters keeps the last solution primal feasible, so primal simplex
    # resumes in phase 2 (a phase 1 after a stage switch costs ~1,000x a round on 8,000 rows):
    # a fraction variable ``t`` is a fresh column at 0 when a stage starts; rows only ever lose
    # their ``t`` coefficient (which loosens a >= row) or get a lower bound the current flow
    # already meets; costs change freely.

    def _start_fraction(self, rows: Sequence[int], upper: float) -> None:
        """A new fraction column t (maximised, in [0, upper]) with flow_k >= t d_k on ``rows``;
        the previous one leaves every row and the objective."""
        self._release_fraction()
        m = self.ix.m
        rows = sorted(rows)
        self.h.addCol(-1.0, 0.0, upper, len(rows), np.array([m + k for k in rows], np.int32),
                      -self.demand[rows])
        self._t_col = self.h.getNumCol() - 1
        self._t_rows = set(rows)

    def _release_fraction(self, rows: Iterable[int] | None = None) -> None:
        """Take ``rows`` (default: all, and then the objective too) off the fraction column."""
        if self._t_col is None:
            return
        m = self.ix.m
        for k in sorted(self._t_rows if rows is None else set(rows)):
            self.h.changeCoeff(m + k, self._t_col, 0.0)
            self._t_rows.discard(k)
        if rows is None:
            self.h.changeColCost(self._t_col, 0.0)
            self._t_col = None

    def _hold(self, k: int, value_bps: float) -> None:
        """flow_k >= value (set only to values the current flow meets)."""
        self.h.changeRowBounds(self.ix.m + k, value_bps / self.scale, _INF)
        self._held[k] = value_bps

    def _reset_model(self) -> None:
        """A new HiGHS model over the whole column pool (no fraction column, no bounds held)."""
        self.h = self._model()
        self._in_model = 0
        self._path_cols = []
        self._t_col, self._t_rows, self._held = None, set(), {}

    def solve(self, bound: float | None = None) -> MasterSolution:
        """Column generation on the current stage until no path prices out (or the master
        reaches ``bound``, a bound on the stage's optimum)."""
        rows = sorted(self._t_rows | {k for k, v in self._held.items() if v > 0})
        m = self.ix.m
        maximise = self._t_col is not None
        for _ in range(_MAX_ROUNDS):
            self._flush()
            started = time.perf_counter()
            self.h.run()
            self.rounds += 1
            _log.debug("master %d: %d columns, %d simplex iterations, %.3f s", self.rounds,
                       len(self.columns), self.h.getInfo().simplex_iteration_count,
                       time.perf_counter() - started)
            status = self.h.getModelStatus()
            if status != _OPTIMAL:
                raise RuntimeError(f"path LP: {self.h.modelStatusToString(status)}")
            sol = self.h.getSolution()
            row_dual = np.asarray(sol.row_dual)
            col = np.asarray(sol.col_value)
            t = float(col[self._t_col]) if self._t_col is not None else 0.0
            lengths = np.maximum(-row_dual[:m], 0.0)
            duals = {k: float(row_dual[m + k]) for k in rows}
            value = t if maximise else float(self.h.getInfo().objective_function_value)
            done = bound is not None and _reaches(value, bound, maximise=maximise)
            if done or self._price(self._cost_per_hop + lengths, duals) == 0:
                return MasterSolution(col[self._path_cols], t, duals)
            x = col[self._path_cols]
            if self._cost_per_hop:
                self._augment_short(x, duals)
            else:
                self._augment(x, duals)
        raise RuntimeError("column generation did not converge")  # pragma: no cover

    # -- the three problems ----------------------------------------------------------------

    def max_concurrent_flow(self, keys: Sequence[int]) -> float:
        rows = [k for k in keys if self.commodities[k].demand_bps > 0]
        self._start_fraction(rows, _INF)
        # no lambda exceeds what the tightest demand carries alone: reaching that is optimal
        bound = min(self.commodities[k].max_flow_bps / self.commodities[k].demand_bps
                    for k in rows)
        return self.solve(bound=bound).t

    def progressive_filling(self, classes: Sequence[Sequence[int]]) -> dict[int, float]:
        """Allocation (bit/s) per commodity index, class by class."""
        fixed: dict[int, float] = {}
        for members in classes:
            active = [k for k in members if self.commodities[k].demand_bps > 0]
            for k in members:
                if self.commodities[k].demand_bps <= 0:
                    fixed[k] = 0.0
            if active:
                self._start_fraction(active, 1.0)
            while active:
                master = self.solve()
                t = master.t
                if t >= 1.0 - _TOL:
                    frozen = list(active)
                    t = 1.0
                else:
                    frozen = [k for k in active if master.duals[k] > _TOL] or list(active)
                self._release_fraction(frozen)
                for k in frozen:
                    fixed[k] = t * self.commodities[k].demand_bps
                    self._hold(k, fixed[k] * (1.0 - _TOL))
                active = [k for k in active if k not in frozen]
        self._release_fraction()
        return fixed

    def least_relay_flow(self, allocation: Mapping[int, float]) -> FlowSolution:
        held = {k: v * (1.0 - _TOL) for k, v in allocation.items() if v > 0}
        if not held:
            return FlowSolution(np.zeros(self.ix.m), {})
        # a fresh model: from the pool's slack basis this takes ~300 iterations, where primal
        # simplex from the lambda / filling basis needed ~45,000 (bench_routing, 20 demands)
        self._reset_model()
        self._cost_per_hop = 1.0
        for k, value in held.items():
            self._hold(k, value)
        # no flow relays less than every demand on its fewest-hop route: reaching that is optimal
        # (the pool holds each demand's fewest-hop route since ``seed``)
        hops = {k: min(len(edges) for j, edges in self.columns if j == k) for k in held}
        bound = sum(hops[k] * v / self.scale for k, v in held.items())
        x = self.solve(bound=bound).x
        carried = np.zeros(len(self.commodities))
        for i, (k, _) in enumerate(self.columns):
            carried[k] += x[i]
        load = np.zeros(self.ix.m)
        paths: dict[int, list[tuple[tuple[int, ...], float]]] = {}
        for i, (k, edges) in enumerate(self.columns):
            if x[i] <= _TOL * carried[k] or k not in held:
                continue
            # carry exactly the allocation (the LP held it 1e-9 below, for numerical safety)
            f = float(x[i] / carried[k]) * allocation[k]
            load[list(edges)] += f
            paths.setdefault(self.commodities[k].key, []).append((edges, f))
        return FlowSolution(load, {key: tuple(v) for key, v in paths.items()})


def allocate(ix: RoutingIndex, commodities: Sequence[Commodity], priorities: Sequence[int],
             seed_paths: Mapping[int, Sequence[tuple[int, ...]]] | None = None) -> Allocation:
    """Lambda, the priority/max-min-fair allocation and the least-relay flow carrying it.

    ``commodities`` are the demands that have a route (max-flow > 0); ``priorities[i]`` is
    commodity i's priority (1 first); ``seed_paths[i]`` optional starting paths (edge tuples
    from the source) for commodity i."""
    if not commodities:
        return Allocation(None, {}, FlowSolution(np.zeros(ix.m), {}))
    lp = PathLP(ix, commodities)
    keys = list(range(len(commodities)))
    lp.seed(keys, seed_paths)
    positive = [k for k in keys if commodities[k].demand_bps > 0]
    lam = lp.max_concurrent_flow(keys) if positive else None
    if lam is not None and lam >= 1.0 - _TOL:
        alloc = {k: max(commodities[k].demand_bps, 0.0) for k in keys}
    else:
        classes = [[k for k in keys if priorities[k] == p] for p in sorted(set(priorities))]
        alloc = lp.progressive_filling(classes)
    flow = lp.least_relay_flow(alloc)
    return Allocation(lam, {commodities[k].key: v for k, v in alloc.items()}, flow)
