"""The whole-network document (API-CONTRACT.md §2): the GET output is a valid PUT body."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from qnetplan.api.schemas.common import EntityId, StrictModel
from qnetplan.api.schemas.resources import (
    DemandCreate,
    DemandOut,
    EquipmentProfileCreate,
    EquipmentProfileOut,
    LinkCreate,
    LinkOut,
    NetworkCreate,
    NetworkOut,
    NodeCreate,
    NodeOut,
)
from qnetplan.api.schemas.satellites import DocSatellite, SatelliteOut

# Read-only fields a document may carry back; they are ignored on input.
ReadOnlyInt = int | None
ReadOnlyAny = Any


class DocNetwork(NetworkCreate):
    id: ReadOnlyInt = None
    version: ReadOnlyInt = None
    created_at: ReadOnlyAny = None
    updated_at: ReadOnlyAny = None


class DocNode(NodeCreate):
    id: EntityId | None = Field(None, description="Stored id (updated in place) or a "
                                "document-local label (created).")
    network_id: ReadOnlyInt = None
    version: ReadOnlyInt = None


class DocLink(LinkCreate):
    id: EntityId | None = None
    network_id: ReadOnlyInt = None
    version: ReadOnlyInt = None
    effective_length_km: ReadOnlyAny = None
    length_source: ReadOnlyAny = None


class DocDemand(DemandCreate):
    id: EntityId | None = None
    network_id: ReadOnlyInt = None
    version: ReadOnlyInt = None


class DocProfile(EquipmentProfileCreate):
    id: EntityId | None = None
    builtin: bool | None = None
    version: ReadOnlyInt = None


class NetworkDocumentIn(StrictModel):
    format: Literal["qnetplan-network"] = "qnetplan-network"
    format_version: Literal[1] = 1
    network: DocNetwork
    nodes: list[DocNode] = Field(default_factory=list, max_length=200_000)
    links: list[DocLink] = Field(default_factory=list, max_length=1_000_000)
    demands: list[DocDemand] = Field(default_factory=list, max_length=1_000_000)
    equipment_profiles: list[DocProfile] = Field(default_factory=list, max_length=10_000)
    satellites: list[DocSatellite] = Field(default_factory=list, max_length=10_000)


class NetworkDocumentOut(BaseModel):
    format: Literal["qnetplan-network"]
    format_version: Literal[1]
    network: NetworkOut
    nodes: list[NodeOut]
    links: list[LinkOut]
    demands: list[DemandOut]
    equipment_profiles: list[EquipmentProfileOut]
    satellites: list[SatelliteOut]


class DemoNetworkInfo(BaseModel):
    key: str
    name: str
    description: str
    sources: list[str]


class DemoNetworkList(BaseModel):
    items: list[DemoNetworkInfo]
    total: int
