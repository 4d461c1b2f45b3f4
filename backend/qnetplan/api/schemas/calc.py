"""Calculator schemas (API-CONTRACT.md §3). These models fix names and JSON types (strict: no
booleans for numbers); which ``system`` fields apply to which protocol, their defaults, ranges
and which are required is the calculator registry's business (``qnetplan.engine.calculator``),
which answers with JSON pointers — one source of truth for the API and stored profiles."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, Strict, model_validator

from qnetplan.api.schemas.common import EntityId, StrictBool, StrictModel
from qnetplan.api.schemas.resources import ProtocolName

Num = Annotated[float, Strict(), Field(allow_inf_nan=False)]
Int = Annotated[int, Strict()]


class SystemParams(StrictModel):
    """The QKD system. Fields a protocol does not use are rejected (422)."""

    repetition_rate_hz: Num | None = None
    detector_efficiency: Num | None = None
    dark_count_probability: Num | None = None
    misalignment_error: Num | None = None
    error_correction_efficiency: Num | None = None
    sifting_factor: Num | None = None
    decoy_method: Literal["infinite", "vacuum_weak", "one_decoy", "none"] | None = None
    signal_mean_photon_number: Num | None = None
    decoy_mean_photon_numbers: Annotated[
        list[Num], Field(max_length=2)
    ] | None = None
    source_mean_pair_number: Num | None = None
    tf_variant: Literal["sns", "pm"] | None = None
    sns_sending_probability: Num | None = None
    detection: Literal["homodyne", "heterodyne"] | None = None
    modulation_variance_snu: Num | None = None
    excess_noise_snu: Num | None = None
    electronic_noise_snu: Num | None = None
    reconciliation_efficiency: Num | None = None
    optimize_intensities: StrictBool | None = None
    detector_dead_time_s: Num | None = None


class FiniteKeyParams(StrictModel):
    block_size_pulses: Num
    security_epsilon: Num = 1e-10
    correctness_epsilon: Num = 1e-15


class Channel(StrictModel):
    """Either ``{length_km, attenuation_db_per_km, extra_loss_db}`` or ``{loss_db}``."""

    length_km: Num | None = None
    attenuation_db_per_km: Num | None = None
    extra_loss_db: Num | None = None
    loss_db: Num | None = None
    relay_position_fraction: Num | None = None


class KeyRateRequest(StrictModel):
    protocol: ProtocolName | None = None
    equipment_profile_id: EntityId | None = None
    channel: Channel
    system: SystemParams | None = None
    finite_key: FiniteKeyParams | None = None

    @model_validator(mode="after")
    def _profile_or_protocol(self) -> KeyRateRequest:
        if (self.equipment_profile_id is None) == (self.protocol is None):
            raise ValueError("give either protocol (with system) or equipment_profile_id")
        if self.equipment_profile_id is not None and (self.system or self.finite_key):
            raise ValueError("equipment_profile_id brings its own system and finite_key")
        return self


class KeyRateCurveRequest(KeyRateRequest):
    lengths_km: Annotated[
        list[Num], Field(min_length=1, max_length=5000)
    ] | None = None
    losses_db: Annotated[
        list[Num], Field(min_length=1, max_length=5000)
    ] | None = None


class Reference(BaseModel):
    citation: str
    doi: str | None
    equations: str | None


class KeyRateResponse(BaseModel):
    protocol: ProtocolName
    secret_key_rate_per_pulse: float | None
    secret_key_rate_bps: float | None
    saturation_limited: bool
    qber: float | None
    channel_loss_db: float | None
    channel_transmittance: float | None
    max_channel_loss_db: float | None = Field(
        description="null: the rate is still positive at the search ceiling (200 dB; 100 dB "
        "for cv_qkd)")
    max_distance_km: float | None
    plob_bound_per_pulse: float | None = Field(description="null: unbounded (lossless channel)")
    intensities_used: dict[str, Any]
    model: str
    references: list[Reference]
    equipment_profile_id: int | None = None


class KeyRateCurveResponse(BaseModel):
    lengths_km: list[float] | None = None
    losses_db: list[float] | None = None
    secret_key_rate_per_pulse: list[float | None]
    secret_key_rate_bps: list[float | None]
    qber: list[float | None]
    plob_bound_per_pulse: list[float | None]
    model: str | None = None


class LossBudgetRequest(StrictModel):
    """A span's loss fields (API-CONTRACT.md §2)."""

    length_km: Num = 0.0
    attenuation_db_per_km: Num = 0.2
    connector_count: Int = 0
    loss_per_connector_db: Num = 0.3
    splice_count: Int = 0
    loss_per_splice_db: Num = 0.05
    insertion_loss_db: Num = 0.0
    extra_loss_db: Num = 0.0
    ageing_margin_db: Num = 0.0


class BudgetItem(BaseModel):
    name: str
    value_db: float
    detail: str


class LossBudgetResponse(BaseModel):
    items: list[BudgetItem]
    total_db: float
    transmittance: float
