"""Atmospheric transmittance of a slant optical path (PHYSICS.md §3).

Beer-Lambert extinction scaled by the relative optical air mass:
``T(E) = T_zenith ** m(E)``, with ``m`` from Kasten & Young (1989) — finite at the horizon —
or the plain secant ``1 / sin(E)`` (plane-parallel atmosphere, which diverges at E -> 0). A
horizontal (terrestrial) path uses an attenuation coefficient in dB/km instead.

Elevations below the geometric horizon (E < 0) are opaque: the air mass is +inf and the
transmittance exactly 0 (PHYSICS.md §1.8: "0 past the cutoff").
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qnetplan.physics.conversions import db_to_transmittance

FloatArray = NDArray[np.float64]

__all__ = [
    "AIRMASS_MODELS",
    "air_mass",
    "air_mass_kasten_young",
    "air_mass_secant",
    "horizontal_path_transmittance",
    "slant_path_transmittance",
]

#: Valid values of ``airmass_model`` (API-CONTRACT.md §3, ``/calc/free-space-budget``).
AIRMASS_MODELS = ("kasten_young", "secant")


def air_mass_kasten_young(elevation_deg: ArrayLike) -> FloatArray:
    """Relative optical air mass, Kasten & Young (1989) approximation [unitless].

    ``m(E) = 1 / (sin(E) + 0.50572 (E + 6.07995 deg)^(-1.6364))``, E the (apparent)
    elevation in degrees; m(90) = 1.0, m(0) ~ 38. Used here with the geometric elevation.

    Parameters
    ----------
    elevation_deg : array_like
        Elevation above the horizon [deg].

    Returns
    -------
    numpy.ndarray
        Air mass relative to the zenith [unitless]; +inf for E < 0; NaN propagates.

    References
    ----------
    F. Kasten and A. T. Young, "Revised optical air mass tables and approximation formula",
    Appl. Opt. 28, 4735 (1989), doi:10.1364/AO.28.004735, Eq. (3).
    """
    e = np.asarray(elevation_deg, dtype=float)
    safe = np.where(e >= 0.0, e, 0.0)
    m = 1.0 / (np.sin(np.radians(safe)) + 0.50572 * (safe + 6.07995) ** -1.6364)
    return np.asarray(np.where(e >= 0.0, m, np.where(np.isnan(e), np.nan, np.inf)), dtype=float)


def air_mass_secant(elevation_deg: ArrayLike) -> FloatArray:
    """Plane-parallel air mass ``1 / sin(E)`` [unitless]; +inf at and below the horizon.

    Parameters
    ----------
    elevation_deg : array_like
        Elevation above the horizon [deg].

    References
    ----------
    Kasten & Young, Appl. Opt. 28, 4735 (1989), Introduction (the secant law and its
    divergence near the horizon).
    """
    e = np.asarray(elevation_deg, dtype=float)
    s = np.sin(np.radians(np.where(e > 0.0, e, 90.0)))
    with np.errstate(divide="ignore", over="ignore"):  # subnormal elevations: m = +inf
        m = 1.0 / s
    return np.asarray(np.where(e > 0.0, m, np.where(np.isnan(e), np.nan, np.inf)), dtype=float)


def air_mass(elevation_deg: ArrayLike, model: str = "kasten_young") -> FloatArray:
    """Relative air mass by model name (``"kasten_young"`` or ``"secant"``) [unitless].

    Parameters
    ----------
    elevation_deg : array_like
        Elevation [deg].
    model : str
        One of :data:`AIRMASS_MODELS`.

    Raises
    ------
    ValueError
        For an unknown model name.
    """
    if model == "kasten_young":
        return air_mass_kasten_young(elevation_deg)
    if model == "secant":
        return air_mass_secant(elevation_deg)
    raise ValueError(f"unknown airmass_model {model!r}; expected one of {AIRMASS_MODELS}")


def slant_path_transmittance(elevation_deg: ArrayLike, zenith_transmittance: ArrayLike = 0.8,
                             model: str = "kasten_young") -> FloatArray:
    """Atmospheric transmittance of a ground-to-space path at elevation E [unitless].

    Beer-Lambert law with the optical depth proportional to the air mass:
    ``T(E) = T_zenith ** m(E)``.

    Parameters
    ----------
    elevation_deg : array_like
        Elevation [deg]; 0 transmittance below the horizon.
    zenith_transmittance : array_like
        Transmittance straight up [unitless] in (0, 1] (a site input; ~0.7-0.9 at 800 nm
        for a clear mountain site).
    model : str
        Air-mass model, one of :data:`AIRMASS_MODELS`.

    Returns
    -------
    numpy.ndarray
        Transmittance [unitless], broadcast shape.

    References
    ----------
    Kasten & Young, Appl. Opt. 28, 4735 (1989), Eq. (3) (air mass); Beer-Lambert-Bouguer law
    of extinction.
    """
    m = air_mass(elevation_deg, model)
    tz = np.asarray(zenith_transmittance, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.exp(m * np.log(tz))
    return np.asarray(np.where(np.isinf(m) & (m > 0), 0.0, t), dtype=float)


def horizontal_path_transmittance(range_km: ArrayLike,
                                  attenuation_db_per_km: ArrayLike) -> FloatArray:
    """Transmittance of a horizontal (terrestrial free-space) path [unitless].

    Beer-Lambert: ``T = 10^(-alpha L / 10)`` with ``alpha`` the clear-air extinction in
    dB/km (a site input; visibility-dependent).

    Parameters
    ----------
    range_km : array_like
        Path length [km].
    attenuation_db_per_km : array_like
        Atmospheric attenuation coefficient [dB/km].

    References
    ----------
    Beer-Lambert-Bouguer law; e.g. H. Kaushal and G. Kaddoum, "Optical communication in
    space: challenges and mitigation techniques", IEEE Commun. Surv. Tutor. 19, 57 (2017)
    (atmospheric attenuation of optical links).
    """
    loss_db = np.asarray(range_km, dtype=float) * np.asarray(attenuation_db_per_km, dtype=float)
    return db_to_transmittance(loss_db)
