"""Analysis results (API-CONTRACT.md §4), as frozen dataclasses the services map to JSON.

Every field named in the contract is here with the same name, except ``AnalysisSummary.lambda_``
(``lambda`` is a Python keyword: map it to ``lambda``). Extra fields (``index``,
``qkd_link_indices``, ``node_ids``...) are additions the contract allows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from qnetplan.domain.enums import (
    BlockingReason,
    FailureScenario,
    LinkStatus,
    Protocol,
    RemedyKind,
    RoutingObjective,
)
from qnetplan.domain.network import EquipmentProfileSpec


@dataclass(frozen=True, slots=True)
class LossBudgetItem:
    name: str
    value_db: float
    detail: str = ""


@dataclass(frozen=True, slots=True)
class LossBudget:
    """An itemised budget; the items sum to ``total_db`` (loss counted positive)."""

    items: tuple[LossBudgetItem, ...]
    total_db: float


@dataclass(frozen=True, slots=True)
class KeyRateEval:
    """What a :data:`LinkRateModel` returns for one QKD link.

    ``max_channel_loss_db`` is the model's cutoff for that profile (the calculator's output of the
    same name); ``None`` means the rate is still positive at the search ceiling (unbounded).
    """

    key_rate_bps: float
    max_channel_loss_db: float | None
    model: str | None = None


#: ``rate_model(profile, loss_db, relay_position_fraction) -> KeyRateEval``.
#: ``relay_position_fraction`` (share of the channel loss on the a-end's arm) is given for
#: protocols that use it (``Protocol.uses_relay_position``: MDI, TF, BBM92) and ``None``
#: otherwise. It must be a pure function; the engine calls it once per distinct argument triple.
LinkRateModel = Callable[[EquipmentProfileSpec, float, float | None], KeyRateEval]


@dataclass(frozen=True, slots=True)
class QkdLink:
    """A QKD link (one pair of QKD devices) formed by the lightpath rule.

    ``node_ids`` is every node from the a-end to the b-end; ``via_node_ids`` the transparent
    ones between. ``key_rate_bps`` is null without profile and override (and for chains blocked
    by an amplifier or a repeater). ``used_key_rate_bps``/``utilization`` are filled by the
    analysis (0 / null straight out of the graph builder).
    """

    index: int
    a_node_id: int
    b_node_id: int
    link_ids: tuple[int, ...]
    via_node_ids: tuple[int, ...]
    node_ids: tuple[int, ...]
    loss_db: float
    key_rate_bps: float | None
    protocol: Protocol | None
    equipment_profile_id: int | None
    feasible: bool
    reason: BlockingReason | None
    loss_headroom_db: float | None
    relay_position_fraction: float | None
    used_key_rate_bps: float = 0.0
    utilization: float | None = None

    @property
    def capacity_bps(self) -> float:
        """Key rate usable for relaying (0 unless feasible)."""
        return self.key_rate_bps if self.feasible and self.key_rate_bps else 0.0


@dataclass(frozen=True, slots=True)
class LinkResult:
    """A stored span in the analysis (``links[]``)."""

    link_id: int
    loss_budget: LossBudget
    key_rate_bps: float | None
    feasible: bool
    loss_headroom_db: float | None
    reason: BlockingReason | None
    qkd_link_indices: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Route:
    node_ids: tuple[int, ...]
    link_ids: tuple[int, ...]
    bottleneck_bps: float
    loss_db: float
    trusted_node_ids: tuple[int, ...]
    qkd_link_indices: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Remedy:
    kind: RemedyKind
    detail: str
    link_ids: tuple[int, ...] = ()
    node_ids: tuple[int, ...] = ()
    equipment_profile_id: int | None = None
    gain_db: float | None = None
    gain_bps: float | None = None


@dataclass(frozen=True, slots=True)
class DemandResult:
    demand_id: int
    satisfied: bool
    allocated_key_rate_bps: float
    max_flow_bps: float
    routes: tuple[Route, ...]
    exposed_trusted_node_ids: tuple[int, ...]
    nodes_to_compromise: int | None
    multipath_xor_rate_bps: float | None
    blocking_reason: BlockingReason | None
    shortfall_bps: float
    remedies: tuple[Remedy, ...] = ()


@dataclass(frozen=True, slots=True)
class NodeResult:
    node_id: int
    relayed_key_rate_bps: float
    exposed_demand_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ResilienceEntry:
    scenario: FailureScenario
    element: int | str
    demand_ids_below_requirement: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class AnalysisSummary:
    lambda_: float | None
    demands_total: int
    demands_satisfied: int
    single_failure_survival_fraction: float | None


@dataclass(frozen=True, slots=True)
class AnalysisParams:
    objective: RoutingObjective = RoutingObjective.WIDEST
    k_paths: int = 3
    failure_scenarios: tuple[FailureScenario, ...] = ()
    statuses: tuple[LinkStatus, ...] = (LinkStatus.EXISTING, LinkStatus.PLANNED)


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    parameters: AnalysisParams
    engine_version: str
    summary: AnalysisSummary
    links: tuple[LinkResult, ...]
    qkd_links: tuple[QkdLink, ...]
    demands: tuple[DemandResult, ...]
    nodes: tuple[NodeResult, ...]
    resilience: tuple[ResilienceEntry, ...] = field(default=())
