"""QKD links from a network snapshot: the lightpath rule of API-CONTRACT.md §2.

A QKD link runs between two key-holding nodes along a chain of stored spans through transparent
nodes only. Each span directly between two key-holding nodes is a QKD link of its own; two
key-holding nodes joined through transparent nodes get one QKD link over the lowest-loss chain
(ties: the lexicographically smaller node sequence). Chains that exist only through an amplifier
without bypass, or through a repeater, become QKD-link entries that are infeasible with reason
``amplifier_on_path`` / ``unsupported_node_role`` and carry no rate: they explain blocked
demands and spans but are never routed over.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from qnetplan.domain import (
    BlockingReason,
    EquipmentProfileSpec,
    KeyRateEval,
    LinkRateModel,
    LinkResult,
    LinkStatus,
    LossBudget,
    NetworkSnapshot,
    NodeRole,
    NodeSpec,
    QkdLink,
)
from qnetplan.engine.budgets import span_budget

DEFAULT_STATUSES: tuple[LinkStatus, ...] = (LinkStatus.EXISTING, LinkStatus.PLANNED)

# Neighbour entry: (neighbour node id, span id, span loss dB)
_Adj = Mapping[int, list[tuple[int, int, float]]]


@dataclass(frozen=True, slots=True)
class QkdGraph:
    """The QKD links of a snapshot for one set of link statuses.

    ``qkd_links[i].index == i``; the order is deterministic (by end pair, then span ids).
    """

    snapshot: NetworkSnapshot
    statuses: frozenset[LinkStatus]
    span_budgets: Mapping[int, LossBudget]
    qkd_links: tuple[QkdLink, ...]
    span_to_qkd: Mapping[int, tuple[int, ...]]

    @property
    def usable(self) -> tuple[QkdLink, ...]:
        """QKD links that can carry key (feasible with a positive rate)."""
        return tuple(q for q in self.qkd_links if q.capacity_bps > 0.0)

    def node(self, node_id: int) -> NodeSpec:
        return self.snapshot.nodes[node_id]


def build_qkd_graph(snapshot: NetworkSnapshot, rate_model: LinkRateModel,
                    statuses: Iterable[LinkStatus] = DEFAULT_STATUSES) -> QkdGraph:
    """Form every QKD link of ``snapshot`` over the spans whose status is in ``statuses``."""
    status_set = frozenset(LinkStatus(s) for s in statuses)
    nodes = snapshot.nodes
    spans = {lid: link for lid, link in sorted(snapshot.links.items())
             if link.status in status_set}
    budgets = {lid: span_budget(link) for lid, link in spans.items()}
    span_loss = {lid: b.total_db for lid, b in budgets.items()}

    adj: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    raw: list[tuple[tuple[int, ...], tuple[int, ...], BlockingReason | None]] = []
    for lid, link in spans.items():
        a, b = link.a_node_id, link.b_node_id
        adj[a].append((b, lid, span_loss[lid]))
        adj[b].append((a, lid, span_loss[lid]))
        if nodes[a].holds_key and nodes[b].holds_key:
            raw.append(((a, b), (lid,), None))

    def touches(s: int, allowed: Callable[[NodeSpec], bool]) -> bool:
        return any(allowed(nodes[w]) for w, _, _ in adj.get(s, ()))

    key_nodes = sorted(n for n, spec in nodes.items() if spec.holds_key)
    found: set[tuple[int, int]] = set()
    for s in key_nodes:
        if touches(s, _passes):
            for t, (path, links) in _chains_from(s, adj, nodes, _passes).items():
                found.add((s, t))
                raw.append((path, links, None))
    if any(spec.blocks_light for spec in nodes.values()):
        for s in key_nodes:
            if touches(s, _passes_or_blocks):
                for t, (path, links) in _chains_from(s, adj, nodes, _passes_or_blocks).items():
                    if (s, t) in found:
                        continue
                    roles = {nodes[v].role for v in path[1:-1]}
                    reason = (BlockingReason.UNSUPPORTED_NODE_ROLE if NodeRole.REPEATER in roles
                              else BlockingReason.AMPLIFIER_ON_PATH)
                    raw.append((path, links, reason))

    raw.sort(key=lambda r: (min(r[0][0], r[0][-1]), max(r[0][0], r[0][-1]), r[1], r[0]))
    evaluator = _RateCache(rate_model)
    qkd_links = tuple(
        _make_qkd_link(i, path, links, blocked, snapshot, span_loss, evaluator)
        for i, (path, links, blocked) in enumerate(raw))
    span_to_qkd: dict[int, list[int]] = {lid: [] for lid in spans}
    for q in qkd_links:
        for lid in q.link_ids:
            span_to_qkd[lid].append(q.index)
    return QkdGraph(snapshot=snapshot, statuses=status_set,
                    span_budgets=MappingProxyType(budgets), qkd_links=qkd_links,
                    span_to_qkd=MappingProxyType({k: tuple(v) for k, v in span_to_qkd.items()}))


def link_results(graph: QkdGraph,
                 qkd_links: tuple[QkdLink, ...] | None = None) -> tuple[LinkResult, ...]:
    """``links[]``: each span takes the figures of the fastest QKD link it belongs to (feasible
    ones first); a span on no QKD link has no rate, is not feasible and has no reason."""
    qls = graph.qkd_links if qkd_links is None else qkd_links
    out = []
    for lid, budget in graph.span_budgets.items():
        members = [qls[i] for i in graph.span_to_qkd[lid]]
        if not members:
            out.append(LinkResult(lid, budget, None, False, None, None, ()))
            continue
        best = max(members, key=lambda q: (q.feasible, q.key_rate_bps is not None,
                                           q.key_rate_bps or 0.0, -q.index))
        out.append(LinkResult(lid, budget, best.key_rate_bps, best.feasible,
                              best.loss_headroom_db, best.reason,
                              tuple(q.index for q in members)))
    return tuple(out)


# -- internals -----------------------------------------------------------------------------

def _passes(spec: NodeSpec) -> bool:
    return spec.is_transparent


def _passes_or_blocks(spec: NodeSpec) -> bool:
    return spec.is_transparent or spec.blocks_light


def _chains_from(s: int, adj: _Adj, nodes: Mapping[int, NodeSpec],
                 allowed: Callable[[NodeSpec], bool]
                 ) -> dict[int, tuple[tuple[int, ...], tuple[int, ...]]]:
    """Lowest-loss chains from key-holding ``s`` through passable nodes to key-holding nodes
    ``t > s`` (at least one intermediate node). Ties: smaller node sequence."""
    heap: list[tuple[float, tuple[int, ...], tuple[int, ...]]] = []
    for w, lid, loss in adj.get(s, ()):
        spec = nodes[w]
        if allowed(spec):
            heapq.heappush(heap, (loss + spec.pass_loss_db, (s, w), (lid,)))
    settled: set[int] = {s}
    out: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = {}
    while heap:
        cost, path, links = heapq.heappop(heap)
        v = path[-1]
        if v in settled:
            continue
        settled.add(v)
        if nodes[v].holds_key:
            if v > s:
                out[v] = (path, links)
            continue
        for w, lid, loss in adj.get(v, ()):
            if w in settled:
                continue
            spec = nodes[w]
            if spec.holds_key:
                heapq.heappush(heap, (cost + loss, (*path, w), (*links, lid)))
            elif allowed(spec):
                heapq.heappush(heap, (cost + loss + spec.pass_loss_db, (*path, w), (*links, lid)))
    return out


class _RateCache:
    def __init__(self, model: LinkRateModel) -> None:
        self._model = model
        self._cache: dict[tuple[int, float, float | None], KeyRateEval] = {}

    def __call__(self, profile: EquipmentProfileSpec, loss_db: float,
                 fraction: float | None) -> KeyRateEval:
        key = (profile.id, round(loss_db, 9), None if fraction is None else round(fraction, 9))
        hit = self._cache.get(key)
        if hit is None:
            hit = self._model(profile, loss_db, fraction)
            self._cache[key] = hit
        return hit


def _relay_fraction(path: tuple[int, ...], links: tuple[int, ...], snapshot: NetworkSnapshot,
                    span_loss: Mapping[int, float], total: float) -> float:
    """Share of the QKD link's loss on the a-end's side of its untrusted relay or source.

    An untrusted relay / entanglement source node inside the chain fixes it (the first one from
    the a-end, its own insertion loss split evenly); otherwise a single span's
    ``relay_position_fraction`` (measured from that span's a-end), or, in a multi-span chain,
    the one span whose fraction differs from 0.5 (the relay sits inside it); else 0.5.
    """
    nodes = snapshot.nodes
    if total <= 0.0:
        return 0.5
    before = 0.0
    for i in range(1, len(path) - 1):
        before += span_loss[links[i - 1]]
        spec = nodes[path[i]]
        if spec.is_untrusted_station:
            return (before + 0.5 * spec.pass_loss_db) / total
        before += spec.pass_loss_db

    def oriented(i: int) -> float:
        link = snapshot.links[links[i]]
        f = link.relay_position_fraction
        return f if link.a_node_id == path[i] else 1.0 - f

    if len(links) == 1:
        return oriented(0)
    marked = [i for i, lid in enumerate(links)
              if snapshot.links[lid].relay_position_fraction != 0.5]
    if len(marked) != 1:
        return 0.5
    j = marked[0]
    before = sum(span_loss[links[i]] for i in range(j)) + sum(
        nodes[path[i]].pass_loss_db for i in range(1, j + 1))
    return (before + oriented(j) * span_loss[links[j]]) / total


def _make_qkd_link(index: int, path: tuple[int, ...], links: tuple[int, ...],
                   blocked: BlockingReason | None, snapshot: NetworkSnapshot,
                   span_loss: Mapping[int, float], rate: _RateCache) -> QkdLink:
    nodes = snapshot.nodes
    via = path[1:-1]
    loss = sum(span_loss[lid] for lid in links) + sum(
        nodes[v].pass_loss_db for v in via if not nodes[v].blocks_light)
    default = snapshot.default_equipment_profile_id
    span_profiles = [snapshot.links[lid].equipment_profile_id for lid in links]
    profile_ids: list[int] = sorted(
        {p for p in (q if q is not None else default for q in span_profiles) if p is not None})
    overrides = [o for lid in links
                 if (o := snapshot.links[lid].key_rate_override_bps) is not None]
    profile = (snapshot.equipment_profiles[profile_ids[0]]
               if len(profile_ids) == 1 else None)
    protocol = profile.protocol if profile else None
    profile_id = profile.id if profile else None
    fraction = _relay_fraction(path, links, snapshot, span_loss, loss)
    common = dict(index=index, a_node_id=path[0], b_node_id=path[-1], link_ids=links,
                  via_node_ids=via, node_ids=path, loss_db=loss, protocol=protocol,
                  equipment_profile_id=profile_id, relay_position_fraction=fraction)
    if blocked is not None:
        return QkdLink(key_rate_bps=None, feasible=False, reason=blocked,
                       loss_headroom_db=None, **common)  # type: ignore[arg-type]

    limit: float | None = None
    key_rate: float | None = None
    if profile is not None:
        evaluation = rate(profile, loss,
                          fraction if profile.protocol.uses_relay_position else None)
        key_rate = max(0.0, evaluation.key_rate_bps)
        limit = (profile.max_channel_loss_db if profile.max_channel_loss_db is not None
                 else evaluation.max_channel_loss_db)
    headroom = None if limit is None else limit - loss

    if overrides:
        return QkdLink(key_rate_bps=float(min(overrides)), feasible=True, reason=None,
                       loss_headroom_db=headroom, **common)  # type: ignore[arg-type]
    if len(profile_ids) > 1:
        return QkdLink(key_rate_bps=None, feasible=False, reason=BlockingReason.PROFILE_CONFLICT,
                       loss_headroom_db=None, **common)  # type: ignore[arg-type]
    if profile is None:
        return QkdLink(key_rate_bps=None, feasible=False,
                       reason=BlockingReason.NO_EQUIPMENT_PROFILE, loss_headroom_db=None,
                       **common)  # type: ignore[arg-type]
    over_limit = limit is not None and loss > limit
    feasible = not over_limit and bool(key_rate)
    return QkdLink(key_rate_bps=key_rate, feasible=feasible,
                   reason=None if feasible else BlockingReason.LINK_LOSS_EXCEEDS_BUDGET,
                   loss_headroom_db=headroom, **common)  # type: ignore[arg-type]


__all__ = ["DEFAULT_STATUSES", "QkdGraph", "build_qkd_graph", "link_results"]
