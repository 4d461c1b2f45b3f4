"""Schemas of the satellites resource and its pass and key-volume answers
(API-CONTRACT.md §5)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, Strict, StringConstraints

from qnetplan.api.schemas.common import EntityId, Name, StrictModel
from qnetplan.api.schemas.partial import partial_model

SatelliteModeName = Literal["trusted_relay", "entanglement_source"]
DivergenceConventionName = Literal["gaussian_1e2", "flat_top"]

TleLine = Annotated[
    str, Strict(), StringConstraints(min_length=1, max_length=80),
]
WavelengthNm = Annotated[float, Strict(), Field(gt=0, le=100_000, allow_inf_nan=False)]
DivergenceUrad = Annotated[float, Strict(), Field(gt=0, le=100_000, allow_inf_nan=False)]
TransmitApertureM = Annotated[float, Strict(), Field(gt=0, le=100, allow_inf_nan=False)]
BeamQualityM2 = Annotated[float, Strict(), Field(ge=1, le=1000, allow_inf_nan=False)]
JitterUrad = Annotated[float, Strict(), Field(ge=0, le=100_000, allow_inf_nan=False)]
Epsilon = Annotated[float, Strict(), Field(gt=0, lt=1, allow_inf_nan=False)]


class SatelliteFiniteKey(StrictModel):
    """Finite-key settings of the satellite's passes. Each pass is one block (PHYSICS.md §3:
    privacy amplification works on a pass's aggregated detections), so ``block_size_pulses``
    is informative only; the epsilons apply to every pass."""

    block_size_pulses: Annotated[
        float, Strict(), Field(ge=1, le=1e20, allow_inf_nan=False)
    ] | None = Field(None, description="Ignored for passes: one pass is one block.")
    security_epsilon: Epsilon = 1e-10
    correctness_epsilon: Epsilon = 1e-15


class SatelliteCreate(StrictModel):
    name: Name
    tle_line1: TleLine = Field(description="TLE line 1 (69 characters, checksum in column 69).")
    tle_line2: TleLine = Field(description="TLE line 2 (69 characters, checksum in column 69).")
    mode: SatelliteModeName
    wavelength_nm: WavelengthNm
    divergence_full_angle_urad: DivergenceUrad | None = Field(
        None, description="Far-field full divergence angle; give it with "
        "divergence_convention, or give transmit_aperture_m instead.")
    divergence_convention: DivergenceConventionName | None = Field(
        None, description="What the divergence angle bounds: a Gaussian's 1/e^2 full angle "
        "or a flat-top cone.")
    transmit_aperture_m: TransmitApertureM | None = Field(
        None, description="Transmit full diameter (a diffraction-limited Gaussian whose 1/e^2 "
        "waist radius is half of it), instead of the divergence.")
    beam_quality_m2: BeamQualityM2 = 1.0
    pointing_jitter_urad: JitterUrad = Field(0.0, description="One-sigma per axis.")
    equipment_profile_id: EntityId | None = Field(
        None, description="The QKD system of the downlink; null: the network's default.")
    finite_key: SatelliteFiniteKey | None = Field(
        None, description="null: the profile's finite_key epsilons, else the calculator's "
        "defaults; one pass is one block.")


SatelliteUpdate = partial_model("SatelliteUpdate", SatelliteCreate)


class SatelliteOut(BaseModel):
    id: int
    network_id: int
    node_id: int
    name: str
    tle_line1: str
    tle_line2: str
    mode: SatelliteModeName
    wavelength_nm: float
    divergence_full_angle_urad: float | None
    divergence_convention: DivergenceConventionName | None
    transmit_aperture_m: float | None
    beam_quality_m2: float
    pointing_jitter_urad: float
    equipment_profile_id: int | None
    finite_key: SatelliteFiniteKey | None
    tle_epoch_utc: datetime = Field(description="Read-only: the TLE's epoch (UTC).")
    version: int


class DocSatellite(SatelliteCreate):
    """A satellite inside a whole-network document. ``node_id`` names its node (role
    ``satellite``) in the document's ``nodes``; without it a node is created."""

    id: EntityId | None = Field(None, description="Stored id (updated in place) or a "
                                "document-local label (created).")
    node_id: EntityId | None = None
    network_id: int | None = None
    version: int | None = None
    tle_epoch_utc: Any = None


# ---------------------------------------------------------------- passes and key volume
class PassOut(BaseModel):
    station_id: int
    rise_utc: datetime
    culmination_utc: datetime
    set_utc: datetime
    max_elevation_deg: float
    min_range_km: float = Field(description="Range at culmination.")
    night: bool = Field(description="The Sun is below the station's night_sun_elevation_deg "
                        "at culmination.")
    key_bits: float | None = Field(description="Secret key of the pass as one finite-key "
                                   "block; null when no equipment profile applies, 0 when "
                                   "the pass yields none (daylight, or below the threshold).")


class PassesOut(BaseModel):
    passes: list[PassOut]


class DailyKeyOut(BaseModel):
    date: date
    station_id: int
    key_bits: float | None


class StationKeyOut(BaseModel):
    station_id: int
    average_key_rate_bps: float | None = Field(description="Expected key / period (the "
                                               "satellite-station relay edge capacity).")
    key_store_bits_needed: float | None = Field(description="Key store that bridges the "
                                                "gaps between passes at steady consumption.")
    total_key_bits: float | None = None


class KeyVolumeOut(BaseModel):
    days: list[DailyKeyOut]
    stations: list[StationKeyOut]
