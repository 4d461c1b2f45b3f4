"""Schemas of the stateless slant-range and free-space budget calculators (API-CONTRACT.md §3).

A number-or-list field answers in the same shape (a list when any input was a list);
non-finite results are ``null`` (e.g. the loss of a path below the horizon: nothing arrives).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, Strict

from qnetplan.api.schemas.common import StrictModel

MAX_POINTS = 10_000

ElevationDeg = Annotated[float, Strict(), Field(ge=-90, le=90, allow_inf_nan=False)]
RangeKm = Annotated[float, Strict(), Field(gt=0, le=1_000_000, allow_inf_nan=False)]
Efficiency = Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]
LossDb = Annotated[float, Strict(), Field(ge=0, le=1000, allow_inf_nan=False)]


class SlantRangeRequest(StrictModel):
    altitude_km: Annotated[float, Strict(), Field(gt=0, le=1_000_000, allow_inf_nan=False)] = \
        Field(description="Orbit altitude above the sphere [km].")
    elevation_deg: ElevationDeg | Annotated[
        list[ElevationDeg], Field(min_length=1, max_length=MAX_POINTS)
    ] = Field(description="Geometric elevation at the station: a number or a list.")
    station_altitude_km: Annotated[
        float, Strict(), Field(ge=-11, le=100, allow_inf_nan=False)
    ] = 0.0


class SlantRangeResponse(BaseModel):
    range_km: float | list[float | None] | None = Field(
        description="Same shape as elevation_deg (spherical Earth, mean radius 6371.0088 km).")


class FreeSpaceBudgetRequest(StrictModel):
    range_km: RangeKm | Annotated[list[RangeKm], Field(min_length=1, max_length=MAX_POINTS)]
    elevation_deg: ElevationDeg | Annotated[
        list[ElevationDeg], Field(min_length=1, max_length=MAX_POINTS)
    ] = Field(description="Elevation at the ground station (a number, or a list as long as "
              "range_km when that is a list).")
    wavelength_nm: Annotated[float, Strict(), Field(gt=0, le=100_000, allow_inf_nan=False)]
    divergence_full_angle_urad: Annotated[
        float, Strict(), Field(gt=0, le=100_000, allow_inf_nan=False)
    ] | None = None
    divergence_convention: Literal["gaussian_1e2", "flat_top"] | None = None
    transmit_aperture_m: Annotated[
        float, Strict(), Field(gt=0, le=100, allow_inf_nan=False)
    ] | None = Field(None, description="Full diameter, instead of the divergence: a "
                     "diffraction-limited Gaussian whose 1/e^2 waist radius is half of it.")
    beam_quality_m2: Annotated[float, Strict(), Field(ge=1, le=1000, allow_inf_nan=False)] = 1.0
    receiver_aperture_m: Annotated[float, Strict(), Field(gt=0, le=100, allow_inf_nan=False)] = \
        Field(description="Receiver full diameter [m].")
    obscuration_ratio: Annotated[float, Strict(), Field(ge=0, lt=1, allow_inf_nan=False)] = 0.0
    pointing_jitter_urad: Annotated[
        float, Strict(), Field(ge=0, le=100_000, allow_inf_nan=False)
    ] = Field(0.0, description="One-sigma pointing error per axis.")
    zenith_transmittance: Annotated[
        float, Strict(), Field(gt=0, le=1, allow_inf_nan=False)
    ] = 0.8
    airmass_model: Literal["kasten_young", "secant"] = "kasten_young"
    turbulence_loss_db: LossDb = 0.0
    optics_efficiency: Efficiency = 1.0
    detector_efficiency: Efficiency = 1.0
    extra_loss_db: LossDb = 0.0


NumberOrList = float | None | list[float | None]


class FreeSpaceBudgetItem(BaseModel):
    name: Literal["geometric", "pointing", "atmosphere", "turbulence", "optics", "detector",
                  "extra"]
    value_db: NumberOrList = Field(description="A positive loss; null when nothing arrives.")
    detail: str


class FreeSpaceBudgetResponse(BaseModel):
    items: list[FreeSpaceBudgetItem] = Field(description="They sum to total_db.")
    total_db: NumberOrList = Field(description="null: nothing arrives (e.g. below the horizon "
                                   "or a zero efficiency).")
    transmittance: NumberOrList
    beam_radius_m: NumberOrList = Field(description="1/e^2 radius of the (embedded) Gaussian "
                                        "beam at the receiver.")
