"""Analysis request and result shapes (API-CONTRACT.md §4)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, Strict

from qnetplan.api.schemas.calc import BudgetItem
from qnetplan.api.schemas.common import StrictModel
from qnetplan.api.schemas.resources import LinkStatusName, ProtocolName

Objective = Literal["widest", "min_loss", "fewest_trusted_nodes"]
Scenario = Literal["single_link", "single_node", "shared_risk_group"]
BlockingReasonName = Literal["no_path", "link_loss_exceeds_budget", "insufficient_key_rate",
                             "no_equipment_profile", "amplifier_on_path", "profile_conflict",
                             "unsupported_node_role"]


DEFAULT_STATUSES: tuple[LinkStatusName, ...] = ("existing", "planned")


class AnalysisRequest(StrictModel):
    objective: Objective = "widest"
    k_paths: Annotated[int, Strict(), Field(ge=1, le=20)] = 3
    failure_scenarios: Annotated[list[Scenario], Field(max_length=3)] = Field(
        default_factory=list)
    statuses: Annotated[list[LinkStatusName], Field(min_length=1, max_length=3)] = Field(
        default_factory=lambda: list(DEFAULT_STATUSES))
    satellite_averaging_days: Annotated[int, Strict(), Field(ge=1, le=366)] = Field(
        7, description="Trusted-relay satellites join each ground station with its key "
        "averaged over this many days from the TLE epoch (beside the contract).")


class Summary(BaseModel):
    lambda_: float | None = Field(alias="lambda", description="Max concurrent flow over the "
                                  "demands that have a route; null when none has.")
    demands_total: int
    demands_satisfied: int
    single_failure_survival_fraction: float | None

    model_config = {"populate_by_name": True, "serialize_by_alias": True}


class LinkBudget(BaseModel):
    items: list[BudgetItem]
    total_db: float


class LinkResultOut(BaseModel):
    link_id: int
    loss_budget: LinkBudget
    key_rate_bps: float | None
    feasible: bool
    loss_headroom_db: float | None
    reason: BlockingReasonName | None


class QkdLinkOut(BaseModel):
    a_node_id: int
    b_node_id: int
    link_ids: list[int]
    satellite_id: int | None = Field(None, description="Set when the QKD link is a satellite "
                                     "downlink (time-averaged; not a stored span).")
    via_node_ids: list[int]
    loss_db: float | None
    key_rate_bps: float | None
    protocol: ProtocolName | None
    equipment_profile_id: int | None
    feasible: bool
    reason: BlockingReasonName | None
    loss_headroom_db: float | None = None
    used_key_rate_bps: float | None
    utilization: float | None


class RouteOut(BaseModel):
    node_ids: list[int]
    link_ids: list[int]
    bottleneck_bps: float | None
    loss_db: float | None
    trusted_node_ids: list[int]


class RemedyOut(BaseModel):
    kind: Literal["split_with_trusted_node", "lower_loss_fiber", "equipment_profile",
                  "parallel_route", "bypass_amplifier"]
    detail: str
    link_ids: list[int]
    node_ids: list[int]
    equipment_profile_id: int | None
    gain_db: float | None
    gain_bps: float | None


class DemandResultOut(BaseModel):
    demand_id: int
    satisfied: bool
    allocated_key_rate_bps: float | None
    max_flow_bps: float | None
    routes: list[RouteOut]
    exposed_trusted_node_ids: list[int]
    nodes_to_compromise: int | None
    multipath_xor_rate_bps: float | None
    blocking_reason: BlockingReasonName | None
    shortfall_bps: float | None
    remedies: list[RemedyOut]


class NodeResultOut(BaseModel):
    node_id: int
    relayed_key_rate_bps: float | None
    exposed_demand_ids: list[int]


class ResilienceOut(BaseModel):
    scenario: Scenario
    element: int | str
    demand_ids_below_requirement: list[int]


class AnalysisOut(BaseModel):
    id: int
    network_id: int
    network_version: int
    input_hash: str
    engine_version: str
    parameters: AnalysisRequest
    status: Literal["queued", "running", "succeeded", "failed"]
    progress: float
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    summary: Summary | None
    links: list[LinkResultOut]
    qkd_links: list[QkdLinkOut]
    demands: list[DemandResultOut]
    nodes: list[NodeResultOut]
    resilience: list[ResilienceOut]


class AnalysisAccepted(BaseModel):
    id: int
    status: Literal["queued", "running"]
    progress: float


class RoutesOut(BaseModel):
    routes: list[RouteOut]
