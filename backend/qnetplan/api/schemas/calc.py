"""Calculator schemas (API-CONTRACT.md §3). Which ``system`` fields apply to which protocol,
their defaults and which are required is the calculator registry's business
(``qnetplan.engine.calculator``); these models only fix names, types and ranges."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, Strict, model_validator

from qnetplan.api.schemas.common import EntityId, Fraction, StrictBool, StrictModel
from qnetplan.api.schemas.resources import ProtocolName


def _num(**kw: Any) -> Any:
    return Annotated[float, Strict(), Field(allow_inf_nan=False, **kw)]


PositiveNum = _num(gt=0, le=1e15)
NonNegLossDb = _num(ge=0, le=1000)


class SystemParams(StrictModel):
    """The QKD system. Fields a protocol does not use are rejected (422)."""

    repetition_rate_hz: PositiveNum | None = None
    detector_efficiency: Fraction | None = None
    dark_count_probability: Fraction | None = None
    misalignment_error: Fraction | None = None
    error_correction_efficiency: _num(ge=1, le=10) | None = None  # type: ignore[valid-type]
    sifting_factor: Fraction | None = None
    decoy_method: Literal["infinite", "vacuum_weak", "one_decoy", "none"] | None = None
    signal_mean_photon_number: _num(gt=0, le=100) | None = None  # type: ignore[valid-type]
    decoy_mean_photon_numbers: Annotated[
        list[_num(ge=0, le=100)], Field(max_length=2)  # type: ignore[valid-type]
    ] | None = None
    source_mean_pair_number: _num(gt=0, le=100) | None = None  # type: ignore[valid-type]
    tf_variant: Literal["sns", "pm"] | None = None
    sns_sending_probability: Fraction | None = None
    detection: Literal["homodyne", "heterodyne"] | None = None
    modulation_variance_snu: _num(gt=0, le=1e9) | None = None  # type: ignore[valid-type]
    excess_noise_snu: _num(ge=0, le=1e3) | None = None  # type: ignore[valid-type]
    electronic_noise_snu: _num(ge=0, le=1e3) | None = None  # type: ignore[valid-type]
    reconciliation_efficiency: Fraction | None = None
    optimize_intensities: StrictBool | None = None
    detector_dead_time_s: _num(ge=0, le=1) | None = None  # type: ignore[valid-type]


class FiniteKeyParams(StrictModel):
    block_size_pulses: _num(ge=1, le=1e20)  # type: ignore[valid-type]
    security_epsilon: _num(gt=0, lt=1) = 1e-10  # type: ignore[valid-type]
    correctness_epsilon: _num(gt=0, lt=1) = 1e-15  # type: ignore[valid-type]


class Channel(StrictModel):
    """Either ``{length_km, attenuation_db_per_km, extra_loss_db}`` or ``{loss_db}``."""

    length_km: _num(ge=0, le=100_000) | None = None  # type: ignore[valid-type]
    attenuation_db_per_km: _num(ge=0, le=100) | None = None  # type: ignore[valid-type]
    extra_loss_db: NonNegLossDb | None = None  # type: ignore[valid-type]
    loss_db: NonNegLossDb | None = None  # type: ignore[valid-type]
    relay_position_fraction: Fraction | None = None


class KeyRateRequest(StrictModel):
    protocol: ProtocolName | None = None
    equipment_profile_id: EntityId | None = None
    channel: Channel
    system: SystemParams | None = None
    finite_key: FiniteKeyParams | None = None

    @model_validator(mode="after")
    def _profile_or_protocol(self) -> KeyRateRequest:
        if self.equipment_profile_id is None and (self.protocol is None or self.system is None):
            raise ValueError("give protocol and system, or equipment_profile_id")
        return self


class KeyRateCurveRequest(KeyRateRequest):
    lengths_km: Annotated[
        list[_num(ge=0, le=100_000)], Field(min_length=1, max_length=5000)  # type: ignore[valid-type]
    ] | None = None
    losses_db: Annotated[
        list[NonNegLossDb], Field(min_length=1, max_length=5000)  # type: ignore[valid-type]
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

    length_km: _num(ge=0, le=100_000) = 0.0  # type: ignore[valid-type]
    attenuation_db_per_km: _num(ge=0, le=100) = 0.2  # type: ignore[valid-type]
    connector_count: Annotated[int, Strict(), Field(ge=0, le=100_000)] = 0
    loss_per_connector_db: NonNegLossDb = 0.3  # type: ignore[valid-type]
    splice_count: Annotated[int, Strict(), Field(ge=0, le=100_000)] = 0
    loss_per_splice_db: NonNegLossDb = 0.05  # type: ignore[valid-type]
    insertion_loss_db: NonNegLossDb = 0.0  # type: ignore[valid-type]
    extra_loss_db: NonNegLossDb = 0.0  # type: ignore[valid-type]
    ageing_margin_db: NonNegLossDb = 0.0  # type: ignore[valid-type]


class BudgetItem(BaseModel):
    name: str
    value_db: float
    detail: str


class LossBudgetResponse(BaseModel):
    items: list[BudgetItem]
    total_db: float
    transmittance: float
