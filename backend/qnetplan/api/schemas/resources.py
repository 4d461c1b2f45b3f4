"""Schemas of the stored resources (API-CONTRACT.md §2)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, Strict

from qnetplan.api.schemas.common import (
    Count,
    EntityId,
    Fraction,
    Label,
    Latitude,
    Longitude,
    LossDb,
    Name,
    StrictBool,
    StrictModel,
    Text,
)
from qnetplan.api.schemas.partial import partial_model

NodeRoleName = Literal[
    "endpoint",
    "trusted_node",
    "ground_station",
    "satellite",
    "optical_switch",
    "roadm",
    "amplifier",
    "untrusted_relay",
    "entanglement_source",
    "repeater",
]
LinkMediumName = Literal["fiber", "free_space"]
LinkStatusName = Literal["existing", "planned", "candidate"]
ProtocolName = Literal["bb84_decoy", "bbm92", "mdi_qkd", "tf_qkd", "cv_qkd"]

RouteFactor = Annotated[float, Strict(), Field(ge=1, le=10, allow_inf_nan=False)]
AltitudeM = Annotated[float, Strict(), Field(ge=-11_000, le=100_000_000, allow_inf_nan=False)]
LengthKm = Annotated[float, Strict(), Field(ge=0, le=1_000_000, allow_inf_nan=False)]
AttenuationDbPerKm = Annotated[float, Strict(), Field(ge=0, le=100, allow_inf_nan=False)]
KeyRateBps = Annotated[float, Strict(), Field(ge=0, le=1e15, allow_inf_nan=False)]
Priority = Annotated[int, Strict(), Field(ge=1, le=1000)]
ApertureM = Annotated[float, Strict(), Field(gt=0, le=100, allow_inf_nan=False)]
ElevationDeg = Annotated[float, Strict(), Field(ge=0, lt=90, allow_inf_nan=False)]
SunElevationDeg = Annotated[float, Strict(), Field(ge=-90, le=90, allow_inf_nan=False)]
ObscurationRatio = Annotated[float, Strict(), Field(ge=0, lt=1, allow_inf_nan=False)]


# ---------------------------------------------------------------- network
class NetworkCreate(StrictModel):
    name: Name
    description: Text = ""
    route_factor: RouteFactor = Field(
        1.3, description="Fiber route length / geodesic distance, used when a link has no "
        "length_km."
    )
    default_equipment_profile_id: EntityId | None = None


NetworkUpdate = partial_model("NetworkUpdate", NetworkCreate)


class NetworkOut(BaseModel):
    id: int
    name: str
    description: str
    route_factor: float
    default_equipment_profile_id: int | None
    version: int
    created_at: datetime
    updated_at: datetime


# ---------------------------------------------------------------- node
class GroundStationParams(StrictModel):
    """Optical ground-station parameters (API-CONTRACT.md §5)."""

    receiver_aperture_m: ApertureM = Field(description="Full diameter of the telescope [m].")
    obscuration_ratio: ObscurationRatio = 0.0
    optics_efficiency: Fraction = 1.0
    minimum_elevation_deg: ElevationDeg = 10.0
    zenith_transmittance: Annotated[
        float, Strict(), Field(gt=0, le=1, allow_inf_nan=False)
    ] = 0.8
    night_sun_elevation_deg: SunElevationDeg = -12.0
    cloud_free_fraction: Fraction = 1.0
    turbulence_loss_db: LossDb = Field(0.0, description="Turbulence allowance [dB] (beside "
                                       "the contract).")
    extra_loss_db: LossDb = Field(0.0, description="Calibration or margin [dB], e.g. fitted to "
                                  "a published downlink attenuation (beside the contract).")


class NodeCreate(StrictModel):
    name: Name
    role: NodeRoleName
    latitude_deg: Latitude
    longitude_deg: Longitude
    altitude_m: AltitudeM = 0.0
    equipment_profile_id: EntityId | None = None
    insertion_loss_db: LossDb | None = Field(
        None, description="Transparent roles only (switch, ROADM, untrusted relay, "
        "entanglement source); a role default is filled in when null."
    )
    bypass: StrictBool = Field(False, description="Amplifier only: route quantum signals "
                               "around it through a bypass filter pair.")
    bypass_loss_db: LossDb = Field(1.5, description="Amplifier only: loss of the bypass.")
    relays_key: StrictBool = Field(False, description="Endpoint only: the site relays key.")
    notes: Text = ""
    ground_station: GroundStationParams | None = Field(
        None, description="Ground-station role only."
    )


NodeUpdate = partial_model("NodeUpdate", NodeCreate)


class NodeOut(BaseModel):
    id: int
    network_id: int
    name: str
    role: NodeRoleName
    latitude_deg: float
    longitude_deg: float
    altitude_m: float
    equipment_profile_id: int | None
    insertion_loss_db: float | None
    bypass: bool
    bypass_loss_db: float
    relays_key: bool
    notes: str
    ground_station: GroundStationParams | None
    version: int


# ---------------------------------------------------------------- link
class LinkCreate(StrictModel):
    a_node_id: EntityId
    b_node_id: EntityId
    medium: LinkMediumName = "fiber"
    length_km: LengthKm | None = Field(
        None, description="Route length; when null the geodesic x the network's route_factor."
    )
    attenuation_db_per_km: AttenuationDbPerKm = Field(0.2, description="Fiber only.")
    connector_count: Count = 0
    loss_per_connector_db: LossDb = 0.3
    splice_count: Count = 0
    loss_per_splice_db: LossDb = 0.05
    insertion_loss_db: LossDb = 0.0
    extra_loss_db: LossDb = 0.0
    ageing_margin_db: LossDb = 0.0
    status: LinkStatusName = "planned"
    shared_risk_groups: Annotated[list[Label], Field(max_length=100)] = Field(
        default_factory=list
    )
    equipment_profile_id: EntityId | None = None
    key_rate_override_bps: KeyRateBps | None = Field(
        None, description="A measured or quoted rate that replaces the model for the QKD "
        "link made of this span."
    )
    relay_position_fraction: Fraction = Field(
        0.5, description="Where an untrusted relay or source sits, from the a-end."
    )


LinkUpdate = partial_model("LinkUpdate", LinkCreate)


class LinkOut(BaseModel):
    id: int
    network_id: int
    a_node_id: int
    b_node_id: int
    medium: LinkMediumName
    length_km: float | None
    effective_length_km: float = Field(description="Read-only: length_km, or geodesic x "
                                       "route_factor.")
    length_source: Literal["given", "geodesic"]
    attenuation_db_per_km: float
    connector_count: int
    loss_per_connector_db: float
    splice_count: int
    loss_per_splice_db: float
    insertion_loss_db: float
    extra_loss_db: float
    ageing_margin_db: float
    status: LinkStatusName
    shared_risk_groups: list[str]
    equipment_profile_id: int | None
    key_rate_override_bps: float | None
    relay_position_fraction: float
    version: int


# ---------------------------------------------------------------- demand
class DemandCreate(StrictModel):
    a_node_id: EntityId
    b_node_id: EntityId
    required_key_rate_bps: KeyRateBps
    priority: Priority = Field(1, description="1 = highest.")


DemandUpdate = partial_model("DemandUpdate", DemandCreate)


class DemandOut(BaseModel):
    id: int
    network_id: int
    a_node_id: int
    b_node_id: int
    required_key_rate_bps: float
    priority: int
    version: int


# ---------------------------------------------------------------- equipment profile
class EquipmentProfileCreate(StrictModel):
    name: Name
    protocol: ProtocolName
    system: dict[str, Any] = Field(
        default_factory=dict, description="Exactly the calculator's `system` object."
    )
    finite_key: dict[str, Any] | None = None
    max_channel_loss_db: LossDb | None = Field(None, description="Datasheet figure.")
    provenance: Text = ""


EquipmentProfileUpdate = partial_model("EquipmentProfileUpdate", EquipmentProfileCreate)


class EquipmentProfileOut(BaseModel):
    id: int
    name: str
    protocol: ProtocolName
    system: dict[str, Any]
    finite_key: dict[str, Any] | None
    max_channel_loss_db: float | None
    provenance: str
    builtin: bool
    version: int


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    database: Literal["sqlite", "postgresql"]

