"""Demand matrix over the QKD links (API-CONTRACT.md §4 "Optimal, not heuristic").

One path LP with column generation serves three problems on the same column pool:

1. max concurrent flow ``lambda``: max lambda s.t. flow(k) >= lambda d_k, link loads <= rate;
2. the allocation: priority classes in order, each by max-min fair progressive filling of the
   fraction flow(k)/d_k (capped at 1) with the classes before it held at their allocations;
3. among flows carrying the allocations, one that relays the least key in total
   (min sum over links of load = sum over paths of hops x flow).

Pricing is a shortest-path problem with the capacity duals as lengths (plus one per hop for 3);
a column enters while some commodity has a path shorter than its demand dual, so each LP is
solved to optimality over *all* paths (Ford-Fulkerson column generation). Masters are solved with
scipy.optimize.linprog (HiGHS). Key-rate pools are undirected: a path uses a link's capacity
whichever way it crosses it. Non-relaying endpoints are split into an "in" copy (arcs arrive)
and an "out" copy (arcs leave), so no path passes through them.

Convergence aid: after each pricing round of the lambda and filling LPs, every commodity with
a positive demand dual also gets a path decomposition of its max-flow over the residual
capacities (links with slack have zero duals, so all those paths price out). This turns the
one-path-per-round crawl into a few dozen rounds on a 1,000-node network; it changes no optimum.

Progressive filling (Nace et al., "Max-min fairness in multi-commodity flows", Computers & OR
35 (2008) 557): after each LP of a class, a demand whose fraction row has a positive dual cannot
grow without lowering another's fraction (the LP's value falls as its requirement rises), so it
is frozen at the common fraction; the others are raised in the next round.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog
from scipy.sparse.csgraph import dijkstra

from qnetplan.engine.relay import max_flow
from qnetplan.engine.routing import FloatArray, RoutingIndex

_TOL = 1e-9
_MAX_ROUNDS = 2000
_SHORT_PATHS = 10
_PRUNE_ABOVE = 4000  # columns; unused ones with positive reduced cost are dropped beyond


@dataclass(frozen=True, slots=True)
class Commodity:
    key: int  # demand id
    source: int  # node index
    target: int  # node index
    demand_bps: float


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


class PathLP:
    """Column pool and masters for the commodities of one analysis."""

    def __init__(self, ix: RoutingIndex, commodities: Sequence[Commodity]) -> None:
        self.ix = ix
        self.commodities = list(commodities)
        self.scale = float(ix.rate.max()) if ix.m else 1.0
        self.cap = ix.rate / self.scale
        # pricing graph: out(v) = v, in(v) = v for relays, n + rank for other endpoints
        n = ix.n
        in_index = np.arange(n)
        others = np.flatnonzero(~ix.relays)
        in_index[others] = n + np.arange(len(others))
        self.n_pricing = n + len(others)
        self.p_tail = ix.tail
        self.p_head = in_index[ix.head]
        self.p_target = in_index
        self.columns: list[tuple[int, tuple[int, ...]]] = []  # (commodity index, edges)
        self._seen: set[tuple[int, tuple[int, ...]]] = set()

    # -- pricing ---------------------------------------------------------------------------

    def _add(self, k: int, edges: tuple[int, ...]) -> bool:
        col = (k, edges)
        if col in self._seen:
            return False
        self._seen.add(col)
        self.columns.append(col)
        return True

    def _augment(self, x: np.ndarray, duals: Mapping[int, float]) -> None:
        """Add, for each commodity with a positive dual, a path decomposition of its max-flow
        over the residual capacities. Links with slack have a zero capacity dual
        (complementary slackness), so each such path prices out at -dual < 0: many improving
        columns per round instead of one."""
        load = np.zeros(self.ix.m)
        for i, (_, edges) in enumerate(self.columns):
            if i < len(x) and x[i] > 0:
                load[list(edges)] += x[i]
        residual = np.maximum(self.cap - load, 0.0)
        residual[residual <= 1e-6 * self.cap] = 0.0
        for k, z in duals.items():
            if z > _TOL:
                com = self.commodities[k]
                found = max_flow(self.ix, com.source, com.target, capacity=residual)
                for edges in found.paths:
                    self._add(k, edges)

    def _augment_short(self, x: np.ndarray, duals: Mapping[int, float]) -> None:
        """Least-relay LP: add, per commodity, successive fewest-hop augmenting paths over the
        residual capacities while they are shorter than its dual (each then prices out:
        reduced cost = hops - dual < 0 on links with slack)."""
        ix = self.ix
        load = np.zeros(ix.m)
        for i, (_, edges) in enumerate(self.columns):
            if i < len(x) and x[i] > 0:
                load[list(edges)] += x[i]
        residual = np.maximum(self.cap - load, 0.0)
        residual[residual <= 1e-6 * self.cap] = 0.0
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

    def _price(self, weight_per_edge: FloatArray, duals: Mapping[int, float]) -> int:
        """Add, per commodity in ``duals``, its shortest path when shorter than its dual.
        Returns how many columns were added."""
        ix = self.ix
        w = np.repeat(weight_per_edge, 2)
        code = self.p_tail * self.n_pricing + self.p_head
        order = np.lexsort((w, code))
        code_sorted = code[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = code_sorted[1:] != code_sorted[:-1]
        sel = order[first]
        sel_codes = code_sorted[first]
        graph = sp.csr_array((w[sel], (self.p_tail[sel], self.p_head[sel])),
                             shape=(self.n_pricing, self.n_pricing))
        wanted = sorted(duals)
        sources = sorted({self.commodities[k].source for k in wanted})
        if not sources:
            return 0
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
                pos = int(np.searchsorted(sel_codes, u * self.n_pricing + v))
                edges.append(int(ix.arc_edge[sel[pos]]))
                v = u
            if self._add(k, tuple(reversed(edges))):
                added += 1
        return added

    def seed(self, keys: Iterable[int],
             paths: Mapping[int, Sequence[tuple[int, ...]]] | None = None) -> None:
        """Start with each commodity's fewest-hop path, plus the given paths (e.g. a
        decomposition of its max-flow alone: without them column generation adds one path per
        commodity and round, slow when a demand needs hundreds of paths)."""
        self._price(np.ones(self.ix.m), {k: np.inf for k in keys})
        for k, many in (paths or {}).items():
            for edges in many:
                self._add(k, tuple(edges))

    # -- masters ---------------------------------------------------------------------------

    def _solve(self, fraction_rows: Sequence[int], fixed: Mapping[int, float],
               *, extra: str | None, cost_per_hop: float
               ) -> tuple[np.ndarray, float, FloatArray, dict[int, float]]:
        """One restricted master. ``fraction_rows``: commodities k with flow >= x d_k (x the
        extra variable: lambda or the class fraction); ``fixed``: k -> flow >= value (bit/s).
        Returns (column flows, extra value, capacity duals per edge, demand duals)."""
        rows = list(fraction_rows) + list(fixed)
        row_of = {k: i for i, k in enumerate(rows)}
        cols = [i for i, (k, _) in enumerate(self.columns) if k in row_of]
        used_edges = sorted({e for i in cols for e in self.columns[i][1]})
        cap_row = {e: r for r, e in enumerate(used_edges)}
        n_cap, n_dem = len(used_edges), len(rows)
        n_var = len(cols) + (1 if extra else 0)
        data, ri, ci = [], [], []
        for j, i in enumerate(cols):
            k, edges = self.columns[i]
            for e in edges:
                data.append(1.0)
                ri.append(cap_row[e])
                ci.append(j)
            data.append(-1.0)
            ri.append(n_cap + row_of[k])
            ci.append(j)
        b = np.concatenate([self.cap[used_edges], np.zeros(n_dem)])
        for k in fraction_rows:
            data.append(self.commodities[k].demand_bps / self.scale)
            ri.append(n_cap + row_of[k])
            ci.append(n_var - 1)
        for k, value in fixed.items():
            b[n_cap + row_of[k]] = -value / self.scale
        a_ub = sp.csr_array((data, (ri, ci)), shape=(n_cap + n_dem, n_var))
        c = np.zeros(n_var)
        if extra:
            c[-1] = -1.0
        if cost_per_hop:
            for j, i in enumerate(cols):
                c[j] = cost_per_hop * len(self.columns[i][1])
        bounds: list[tuple[float, float | None]] = [(0.0, None)] * len(cols)
        if extra == "lambda":
            bounds.append((0.0, None))
        elif extra == "fraction":
            bounds.append((0.0, 1.0))
        res = linprog(c, A_ub=a_ub, b_ub=b, bounds=bounds, method="highs")
        if res.status != 0:
            raise RuntimeError(f"path LP failed: {res.message}")
        if len(cols) > _PRUNE_ABOVE:
            reduced = np.asarray(res.lower.marginals)[:len(cols)]
            drop = {cols[j] for j in np.flatnonzero((res.x[:len(cols)] <= 0.0)
                                                    & (reduced > 1e-9))}
        marg = -np.asarray(res.ineqlin.marginals)
        y = np.zeros(self.ix.m)
        y[used_edges] = np.maximum(marg[:n_cap], 0.0)
        z = {k: float(marg[n_cap + row_of[k]]) for k in rows}
        x = np.zeros(len(self.columns))
        x[cols] = res.x[:len(cols)]
        if len(cols) > _PRUNE_ABOVE and drop:
            keep = [i for i in range(len(self.columns)) if i not in drop]
            for i in drop:
                self._seen.discard(self.columns[i])
            self.columns = [self.columns[i] for i in keep]
            x = x[keep]
        value = float(res.x[-1]) if extra else float(res.fun)
        return x, value, y, z

    def solve(self, fraction_rows: Sequence[int], fixed: Mapping[int, float], *,
              extra: str | None, cost_per_hop: float = 0.0
              ) -> tuple[np.ndarray, float, dict[int, float]]:
        """Column generation until no path prices out."""
        for _ in range(_MAX_ROUNDS):
            x, value, y, z = self._solve(fraction_rows, fixed, extra=extra,
                                         cost_per_hop=cost_per_hop)
            if self._price(cost_per_hop + y, z) == 0:
                return x, value, z
            if cost_per_hop:
                self._augment_short(x, z)
            else:
                self._augment(x, z)
        raise RuntimeError("column generation did not converge")  # pragma: no cover

    # -- the three problems ----------------------------------------------------------------

    def max_concurrent_flow(self, keys: Sequence[int]) -> float:
        _, lam, _ = self.solve([k for k in keys if self.commodities[k].demand_bps > 0], {},
                               extra="lambda")
        return lam

    def progressive_filling(self, classes: Sequence[Sequence[int]]) -> dict[int, float]:
        """Allocation (bit/s) per commodity index, class by class."""
        fixed: dict[int, float] = {}
        for members in classes:
            active = [k for k in members if self.commodities[k].demand_bps > 0]
            for k in members:
                if self.commodities[k].demand_bps <= 0:
                    fixed[k] = 0.0
            while active:
                held = {k: v * (1.0 - _TOL) for k, v in fixed.items()}
                _, t, z = self.solve(active, held, extra="fraction")
                if t >= 1.0 - _TOL:
                    frozen = list(active)
                    t = 1.0
                else:
                    frozen = [k for k in active if z[k] > _TOL] or list(active)
                for k in frozen:
                    fixed[k] = t * self.commodities[k].demand_bps
                active = [k for k in active if k not in frozen]
        return fixed

    def least_relay_flow(self, allocation: Mapping[int, float]) -> FlowSolution:
        held = {k: v * (1.0 - _TOL) for k, v in allocation.items() if v > 0}
        if not held:
            return FlowSolution(np.zeros(self.ix.m), {})
        x, _, _ = self.solve([], held, extra=None, cost_per_hop=1.0)
        carried = np.zeros(len(self.commodities))
        for i, (k, _) in enumerate(self.columns):
            carried[k] += x[i]
        load = np.zeros(self.ix.m)
        paths: dict[int, list[tuple[tuple[int, ...], float]]] = {}
        for i, (k, edges) in enumerate(self.columns):
            if x[i] <= _TOL * carried[k]:
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
