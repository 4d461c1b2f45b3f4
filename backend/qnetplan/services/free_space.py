"""The stateless slant-range and free-space budget calculators (API-CONTRACT.md §3): call the
physics, keep the input's shape (number or list), and turn non-finite values into ``None``."""

from __future__ import annotations

from typing import Any

import numpy as np

from qnetplan.errors import FieldProblem, InvalidInputError
from qnetplan.physics.free_space import free_space_budget
from qnetplan.physics.orbits import slant_range_km


def _shaped(values: Any, as_list: bool) -> Any:
    arr = np.asarray(values, dtype=float)
    if as_list:
        return [float(v) if np.isfinite(v) else None for v in np.ravel(arr)]
    value = float(arr.reshape(-1)[0]) if arr.size else float("nan")
    return value if np.isfinite(value) else None


def _invalid(pointer: str, message: str) -> InvalidInputError:
    return InvalidInputError(message, [FieldProblem(detail=message, pointer=pointer)])


def slant_range(body: dict[str, Any]) -> dict[str, Any]:
    if body["altitude_km"] <= body["station_altitude_km"]:
        raise _invalid("/altitude_km", "the orbit must lie above the station")
    elevation = body["elevation_deg"]
    rng = slant_range_km(body["altitude_km"], np.asarray(elevation, dtype=float),
                         body["station_altitude_km"])
    return {"range_km": _shaped(rng, isinstance(elevation, list))}


def free_space(body: dict[str, Any]) -> dict[str, Any]:
    divergence, convention = body["divergence_full_angle_urad"], body["divergence_convention"]
    aperture = body["transmit_aperture_m"]
    if divergence is not None and aperture is not None:
        raise _invalid("/transmit_aperture_m", "give divergence_full_angle_urad (with "
                       "divergence_convention) or transmit_aperture_m, not both")
    if divergence is None and aperture is None:
        raise _invalid("/divergence_full_angle_urad", "give divergence_full_angle_urad (with "
                       "divergence_convention) or transmit_aperture_m")
    if divergence is not None and convention is None:
        raise _invalid("/divergence_convention", "required with a divergence: gaussian_1e2 "
                       "or flat_top")
    if divergence is None and convention is not None:
        raise _invalid("/divergence_convention", "applies only with "
                       "divergence_full_angle_urad")
    rng, elev = body["range_km"], body["elevation_deg"]
    if isinstance(rng, list) and isinstance(elev, list) and len(rng) != len(elev):
        raise _invalid("/elevation_deg", f"has {len(elev)} values; range_km has {len(rng)}")
    as_list = isinstance(rng, list) or isinstance(elev, list)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        budget = free_space_budget(
            np.asarray(rng, dtype=float), wavelength_nm=body["wavelength_nm"],
            receiver_aperture_m=body["receiver_aperture_m"],
            elevation_deg=np.asarray(elev, dtype=float),
            divergence_full_angle_urad=divergence, divergence_convention=convention,
            transmit_aperture_m=aperture, beam_quality_m2=body["beam_quality_m2"],
            obscuration_ratio=body["obscuration_ratio"],
            pointing_jitter_urad=body["pointing_jitter_urad"],
            zenith_transmittance=body["zenith_transmittance"],
            airmass_model=body["airmass_model"],
            turbulence_loss_db=body["turbulence_loss_db"],
            optics_efficiency=body["optics_efficiency"],
            detector_efficiency=body["detector_efficiency"],
            extra_loss_db=body["extra_loss_db"])
    shape = budget.total_db.shape
    return {
        "items": [{"name": item.name,
                   "value_db": _shaped(np.broadcast_to(item.value_db, shape), as_list),
                   "detail": item.detail} for item in budget.items],
        "total_db": _shaped(budget.total_db, as_list),
        "transmittance": _shaped(budget.transmittance, as_list),
        "beam_radius_m": _shaped(budget.beam_radius_m, as_list),
    }
