"""Free-space optical link budget: satellite downlinks and terrestrial free-space links.

Itemised exactly as the contract's ``POST /calc/free-space-budget`` (API-CONTRACT.md §3):
``geometric`` (diffraction and collection), ``pointing``, ``atmosphere``, ``turbulence``,
``optics``, ``detector``, ``extra`` — every loss a positive number of dB, the items summing to
the total, no hidden margin.

Beam conventions (PHYSICS.md §3, "divergence convention pitfall")
-----------------------------------------------------------------
The transmitted beam is described either by its far-field **full** divergence angle
``Theta`` [urad] *and* a convention saying what that angle bounds, or by a transmit aperture:

``gaussian_1e2``
    Theta is the full angle of the 1/e^2 *intensity* radius of a Gaussian beam: half-angle
    ``theta = Theta / 2``, the embedded waist ``w0 = M^2 lambda / (pi theta)``, and at range L
    ``w(L) = sqrt(w0^2 + (theta L)^2)``. The receiver collects
    ``exp(-2 r_in^2 / w^2) - exp(-2 r_out^2 / w^2)`` of the power.
``flat_top``
    Theta is the full angle of a uniformly filled cone: the spot is a disc of radius
    ``a = L tan(Theta / 2)`` and the receiver collects ``(r_out^2 - r_in^2) / a^2`` (at most 1).
``transmit_aperture_m`` (no divergence)
    A diffraction-limited Gaussian whose 1/e^2 waist radius is half the aperture diameter,
    ``w0 = D_t / 2``, far-field half-angle ``theta = M^2 lambda / (pi w0)`` (truncation by the
    aperture ignored).

For the same quoted angle and a receiver much smaller than the spot, the Gaussian reading
collects ``2 r^2 / w^2`` against the flat-top's ``r^2 / a^2`` with ``a = w``: a factor 2, i.e.
**~3 dB**, which is why the API makes the caller name the convention.

Receiver apertures are full diameters; ``obscuration_ratio`` is the diameter of the central
obscuration divided by the aperture diameter (``r_in = obscuration_ratio * r_out``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qnetplan.physics.atmosphere import (
    AIRMASS_MODELS,
    horizontal_path_transmittance,
    slant_path_transmittance,
)
from qnetplan.physics.conversions import db_to_transmittance, transmittance_to_db

FloatArray = NDArray[np.float64]

__all__ = [
    "BUDGET_ITEM_NAMES",
    "DIVERGENCE_CONVENTIONS",
    "BudgetItem",
    "FreeSpaceBudget",
    "beam_radius_m",
    "flat_top_collection_efficiency",
    "free_space_budget",
    "gaussian_collection_efficiency",
    "pointing_transmittance",
]

#: Valid values of ``divergence_convention``.
DIVERGENCE_CONVENTIONS = ("gaussian_1e2", "flat_top")
#: The budget's items, in this order (API-CONTRACT.md §3).
BUDGET_ITEM_NAMES = (
    "geometric", "pointing", "atmosphere", "turbulence", "optics", "detector", "extra",
)


@dataclass(frozen=True)
class BudgetItem:
    """One line of a free-space budget: a positive loss [dB] (array for array inputs)."""

    name: str
    value_db: FloatArray
    detail: str


@dataclass(frozen=True)
class FreeSpaceBudget:
    """An itemised free-space budget.

    Attributes
    ----------
    items : tuple of BudgetItem
        In the order of :data:`BUDGET_ITEM_NAMES`; they sum to ``total_db``.
    total_db : numpy.ndarray
        Total loss [dB] (+inf when nothing arrives, e.g. below the horizon).
    transmittance : numpy.ndarray
        ``10^(-total_db / 10)`` [unitless].
    beam_radius_m : numpy.ndarray
        1/e^2 radius of the (embedded) Gaussian beam at the receiver [m] (for ``flat_top``
        the Gaussian of the same full angle, which the pointing term uses).
    """

    items: tuple[BudgetItem, ...]
    total_db: FloatArray
    transmittance: FloatArray
    beam_radius_m: FloatArray

    def item(self, name: str) -> BudgetItem:
        """The item called ``name`` (KeyError if there is none)."""
        for it in self.items:
            if it.name == name:
                return it
        raise KeyError(name)


def _check_beam(divergence_full_angle_urad: ArrayLike | None,
                divergence_convention: str | None,
                transmit_aperture_m: ArrayLike | None) -> None:
    if (divergence_full_angle_urad is None) == (transmit_aperture_m is None):
        raise ValueError(
            "give exactly one of divergence_full_angle_urad (with divergence_convention) "
            "or transmit_aperture_m")
    if divergence_full_angle_urad is not None and divergence_convention not in (
            DIVERGENCE_CONVENTIONS):
        raise ValueError(
            f"divergence_convention must be one of {DIVERGENCE_CONVENTIONS} when a divergence "
            f"is given, got {divergence_convention!r}")


def beam_radius_m(range_km: ArrayLike, wavelength_nm: ArrayLike, *,
                  divergence_full_angle_urad: ArrayLike | None = None,
                  transmit_aperture_m: ArrayLike | None = None,
                  beam_quality_m2: ArrayLike = 1.0) -> FloatArray:
    """1/e^2 intensity radius of a Gaussian beam (M^2 embedded Gaussian) at range L [m].

    ``w(L) = sqrt(w0^2 + (theta L)^2)`` with the far-field half-angle
    ``theta = M^2 lambda / (pi w0)``. Given a full divergence Theta (1/e^2 convention):
    ``theta = Theta / 2`` and ``w0 = M^2 lambda / (pi theta)``; given a transmit aperture D_t
    (diffraction-limited): ``w0 = D_t / 2``.

    Parameters
    ----------
    range_km : array_like
        Propagation distance from the waist [km].
    wavelength_nm : array_like
        Wavelength [nm].
    divergence_full_angle_urad : array_like, optional
        Far-field full angle of the 1/e^2 radius [urad].
    transmit_aperture_m : array_like, optional
        Transmit aperture full diameter [m] (used when no divergence is given).
    beam_quality_m2 : array_like, optional
        Beam propagation ratio M^2 >= 1 (default 1).

    Returns
    -------
    numpy.ndarray
        Beam radius [m], broadcast shape.

    References
    ----------
    A. E. Siegman, *Lasers*, University Science Books (1986), §17.1 (Gaussian beam
    ``w(z)``, far-field angle ``lambda / (pi w0)``); ISO 11146-1:2021 (M^2, the embedded
    Gaussian: ``theta = M^2 lambda / (pi w0)``).
    """
    _check_beam(divergence_full_angle_urad,
                "gaussian_1e2" if divergence_full_angle_urad is not None else None,
                transmit_aperture_m)
    lam = np.asarray(wavelength_nm, dtype=float) * 1e-9
    m2 = np.asarray(beam_quality_m2, dtype=float)
    distance = np.asarray(range_km, dtype=float) * 1e3
    if divergence_full_angle_urad is not None:
        theta = np.asarray(divergence_full_angle_urad, dtype=float) * 0.5e-6
        w0 = m2 * lam / (np.pi * theta)
    else:
        w0 = np.asarray(transmit_aperture_m, dtype=float) / 2.0
        theta = m2 * lam / (np.pi * w0)
    return np.asarray(np.sqrt(w0**2 + (theta * distance) ** 2), dtype=float)


def gaussian_collection_efficiency(beam_radius_m: ArrayLike, receiver_aperture_m: ArrayLike,
                                   obscuration_ratio: ArrayLike = 0.0) -> FloatArray:
    """Share of a centred Gaussian beam's power falling on an annular aperture [unitless].

    ``eta = exp(-2 r_in^2 / w^2) - exp(-2 r_out^2 / w^2)``, ``r_out = D / 2``,
    ``r_in = obscuration_ratio * r_out``; computed with ``expm1`` so that it stays accurate
    when the spot is thousands of times the aperture.

    Parameters
    ----------
    beam_radius_m : array_like
        1/e^2 intensity radius at the receiver [m].
    receiver_aperture_m : array_like
        Receiver full diameter [m].
    obscuration_ratio : array_like, optional
        Central obscuration diameter / aperture diameter [unitless] in [0, 1).

    References
    ----------
    Integral of the Gaussian intensity ``(2 P / pi w^2) exp(-2 r^2 / w^2)`` over the annulus;
    Siegman, *Lasers* (1986), §17.1 (power through a circular aperture).
    """
    w2 = np.asarray(beam_radius_m, dtype=float) ** 2
    r_out = np.asarray(receiver_aperture_m, dtype=float) / 2.0
    r_in = np.asarray(obscuration_ratio, dtype=float) * r_out
    eta = np.exp(-2.0 * r_in**2 / w2) * -np.expm1(-2.0 * (r_out**2 - r_in**2) / w2)
    return np.asarray(eta, dtype=float)


def flat_top_collection_efficiency(spot_radius_m: ArrayLike, receiver_aperture_m: ArrayLike,
                                   obscuration_ratio: ArrayLike = 0.0) -> FloatArray:
    """Share of a uniform (flat-top) disc spot falling on an annular aperture [unitless].

    ``eta = (min(r_out, a)^2 - min(r_in, a)^2) / a^2`` for a centred spot of radius ``a``.

    Parameters
    ----------
    spot_radius_m : array_like
        Radius of the uniformly lit disc at the receiver [m].
    receiver_aperture_m : array_like
        Receiver full diameter [m].
    obscuration_ratio : array_like, optional
        Central obscuration diameter / aperture diameter [unitless].

    References
    ----------
    Ratio of areas (geometric optics); the convention PHYSICS.md §3 warns about.
    """
    a = np.asarray(spot_radius_m, dtype=float)
    r_out = np.asarray(receiver_aperture_m, dtype=float) / 2.0
    r_in = np.asarray(obscuration_ratio, dtype=float) * r_out
    eta = (np.minimum(r_out, a) ** 2 - np.minimum(r_in, a) ** 2) / a**2
    return np.asarray(eta, dtype=float)


def pointing_transmittance(beam_radius_m: ArrayLike, pointing_jitter_urad: ArrayLike,
                           range_km: ArrayLike) -> FloatArray:
    """Mean power fraction kept under Gaussian pointing jitter [unitless].

    ``T = w^2 / (w^2 + 4 sigma^2)``, ``sigma = pointing_jitter_urad x range`` per axis. It is
    the mean of the Gaussian profile ``exp(-2 r^2 / w^2)`` over a Rayleigh-distributed
    radial offset ``r`` (independent zero-mean Gaussian errors of standard deviation sigma on
    each axis): ``E[exp(-2 r^2 / w^2)] = 1 / (1 + 4 sigma^2 / w^2)``; exact for a receiver
    small compared with the spot.

    Parameters
    ----------
    beam_radius_m : array_like
        1/e^2 beam radius at the receiver [m].
    pointing_jitter_urad : array_like
        One-sigma pointing error per axis [urad].
    range_km : array_like
        Link range [km].

    References
    ----------
    API-CONTRACT.md §3 (the formula adopted); the Rayleigh-jitter model of K. Toyoshima,
    T. Jono, K. Nakagawa, A. Yamamoto, "Optimum divergence angle of a Gaussian beam wave in
    the presence of random jitter in free-space laser communication systems", J. Opt. Soc.
    Am. A 19, 567 (2002), doi:10.1364/JOSAA.19.000567.
    """
    w2 = np.asarray(beam_radius_m, dtype=float) ** 2
    sigma = np.asarray(pointing_jitter_urad, dtype=float) * 1e-6 * (
        np.asarray(range_km, dtype=float) * 1e3)
    return np.asarray(w2 / (w2 + 4.0 * sigma**2), dtype=float)


def _efficiency_db(efficiency: ArrayLike) -> FloatArray:
    return transmittance_to_db(np.asarray(efficiency, dtype=float))


def free_space_budget(
    range_km: ArrayLike,
    *,
    wavelength_nm: ArrayLike,
    receiver_aperture_m: ArrayLike,
    elevation_deg: ArrayLike | None = None,
    divergence_full_angle_urad: ArrayLike | None = None,
    divergence_convention: str | None = None,
    transmit_aperture_m: ArrayLike | None = None,
    beam_quality_m2: ArrayLike = 1.0,
    obscuration_ratio: ArrayLike = 0.0,
    pointing_jitter_urad: ArrayLike = 0.0,
    zenith_transmittance: ArrayLike = 0.8,
    airmass_model: str = "kasten_young",
    atmospheric_attenuation_db_per_km: ArrayLike | None = None,
    turbulence_loss_db: ArrayLike = 0.0,
    optics_efficiency: ArrayLike = 1.0,
    detector_efficiency: ArrayLike = 1.0,
    extra_loss_db: ArrayLike = 0.0,
) -> FreeSpaceBudget:
    """Itemised loss of a free-space optical link (satellite downlink or terrestrial).

    ``T = eta_geo x T_point x T_atm x T_turb x eta_optics x eta_det x T_extra``, every factor
    reported as a positive dB item (API-CONTRACT.md §3):

    * ``geometric``: diffraction and collection, the beam conventions of the module docstring
      (``gaussian_1e2``, ``flat_top`` or a diffraction-limited ``transmit_aperture_m``), with
      M^2, over the annular receiver aperture;
    * ``pointing``: ``w^2 / (w^2 + 4 sigma^2)`` (:func:`pointing_transmittance`; for
      ``flat_top`` w is the Gaussian of the same full angle);
    * ``atmosphere``: ``T_zenith ** m(E)`` with the Kasten-Young (or secant) air mass for a
      slant path (``elevation_deg``), or ``alpha x range`` for a horizontal terrestrial path
      (``atmospheric_attenuation_db_per_km``, which then replaces the air-mass model);
    * ``turbulence``, ``extra``: the caller's allowances [dB] (0 by default: no hidden margin);
    * ``optics``, ``detector``: the efficiencies in dB.

    Parameters
    ----------
    range_km : array_like
        Link range [km].
    wavelength_nm : array_like
        Wavelength [nm].
    receiver_aperture_m : array_like
        Receiver full diameter [m].
    elevation_deg : array_like, optional
        Elevation of the path at the ground station [deg]; required unless
        ``atmospheric_attenuation_db_per_km`` is given. Below 0 nothing arrives.
    divergence_full_angle_urad : array_like, optional
        Far-field full divergence [urad]; needs ``divergence_convention``.
    divergence_convention : {"gaussian_1e2", "flat_top"}, optional
        What the divergence angle bounds (required with a divergence).
    transmit_aperture_m : array_like, optional
        Transmit full diameter [m] instead of a divergence (diffraction-limited Gaussian,
        1/e^2 waist radius = aperture / 2).
    beam_quality_m2 : array_like, optional
        M^2 (default 1).
    obscuration_ratio : array_like, optional
        Receiver central obscuration diameter / aperture diameter (default 0).
    pointing_jitter_urad : array_like, optional
        One-sigma pointing error per axis [urad] (default 0).
    zenith_transmittance : array_like, optional
        Atmospheric transmittance at zenith [unitless] (default 0.8).
    airmass_model : {"kasten_young", "secant"}, optional
        Air-mass model (default Kasten-Young).
    atmospheric_attenuation_db_per_km : array_like, optional
        Horizontal-path extinction [dB/km] for terrestrial links (replaces the air mass).
    turbulence_loss_db : array_like, optional
        Turbulence allowance [dB] (default 0).
    optics_efficiency, detector_efficiency : array_like, optional
        Receiver optics transmittance and detector efficiency [unitless] (default 1).
    extra_loss_db : array_like, optional
        Anything else, e.g. a calibration fitted to a measured attenuation [dB] (default 0).

    Returns
    -------
    FreeSpaceBudget
        Items [dB] (broadcast shape of the inputs), their sum ``total_db``, the
        ``transmittance`` and the beam radius at the receiver.

    Raises
    ------
    ValueError
        Neither or both of divergence and transmit aperture; a divergence without a valid
        convention; an unknown air-mass model; no elevation for a slant path.

    References
    ----------
    Beam and collection: Siegman, *Lasers* (1986), §17.1; ISO 11146-1 (M^2). Pointing:
    Toyoshima et al., J. Opt. Soc. Am. A 19, 567 (2002). Air mass: Kasten & Young, Appl. Opt.
    28, 4735 (1989), Eq. (3). Calibration anchors: Yin et al., Science 356, 1140 (2017);
    Liao et al., Nature 549, 43 (2017).
    """
    _check_beam(divergence_full_angle_urad, divergence_convention, transmit_aperture_m)
    if airmass_model not in AIRMASS_MODELS:
        raise ValueError(f"unknown airmass_model {airmass_model!r}; expected one of "
                         f"{AIRMASS_MODELS}")
    if elevation_deg is None and atmospheric_attenuation_db_per_km is None:
        raise ValueError("elevation_deg is required for a slant path (or give "
                         "atmospheric_attenuation_db_per_km for a horizontal one)")

    rng = np.asarray(range_km, dtype=float)
    w = beam_radius_m(rng, wavelength_nm, divergence_full_angle_urad=divergence_full_angle_urad,
                      transmit_aperture_m=transmit_aperture_m, beam_quality_m2=beam_quality_m2)
    if divergence_convention == "flat_top" and divergence_full_angle_urad is not None:
        spot = rng * 1e3 * np.tan(np.asarray(divergence_full_angle_urad, dtype=float) * 0.5e-6)
        collection = flat_top_collection_efficiency(spot, receiver_aperture_m, obscuration_ratio)
        beam_text = (f"flat-top cone, full angle {_fmt(divergence_full_angle_urad)} urad")
    else:
        collection = gaussian_collection_efficiency(w, receiver_aperture_m, obscuration_ratio)
        if divergence_full_angle_urad is not None:
            beam_text = (f"Gaussian, 1/e^2 full angle {_fmt(divergence_full_angle_urad)} urad, "
                         f"M^2 {_fmt(beam_quality_m2)}")
        else:
            beam_text = (f"diffraction-limited Gaussian from a {_fmt(transmit_aperture_m)} m "
                         f"aperture (waist = aperture / 2), M^2 {_fmt(beam_quality_m2)}")
    geometric_db = transmittance_to_db(collection)
    pointing_db = transmittance_to_db(pointing_transmittance(w, pointing_jitter_urad, rng))

    if atmospheric_attenuation_db_per_km is not None:
        atmosphere_db = transmittance_to_db(
            horizontal_path_transmittance(rng, atmospheric_attenuation_db_per_km))
        atmosphere_text = (f"horizontal path, {_fmt(atmospheric_attenuation_db_per_km)} dB/km "
                           "(Beer-Lambert)")
    else:
        atmosphere_db = transmittance_to_db(
            slant_path_transmittance(elevation_deg if elevation_deg is not None else 90.0,
                                     zenith_transmittance, airmass_model))
        atmosphere_text = (f"zenith transmittance {_fmt(zenith_transmittance)} raised to the "
                           f"{airmass_model.replace('_', '-')} air mass")

    values = np.broadcast_arrays(
        geometric_db, pointing_db, atmosphere_db,
        np.asarray(turbulence_loss_db, dtype=float),
        _efficiency_db(optics_efficiency), _efficiency_db(detector_efficiency),
        np.asarray(extra_loss_db, dtype=float))
    details = (
        f"{beam_text}; receiver {_fmt(receiver_aperture_m)} m, obscuration "
        f"{_fmt(obscuration_ratio)}",
        f"Gaussian jitter {_fmt(pointing_jitter_urad)} urad per axis: w^2 / (w^2 + 4 sigma^2)",
        atmosphere_text,
        "caller's turbulence allowance",
        "receiver optics efficiency",
        "detector efficiency",
        "extra loss / calibration",
    )
    items = tuple(
        BudgetItem(name, np.asarray(np.array(value, dtype=float) + 0.0), detail)
        for name, value, detail in zip(BUDGET_ITEM_NAMES, values, details, strict=True)
    )
    total = np.asarray(sum((it.value_db for it in items), np.zeros_like(values[0])), dtype=float)
    return FreeSpaceBudget(items=items, total_db=total, transmittance=db_to_transmittance(total),
                           beam_radius_m=np.asarray(np.broadcast_to(w, total.shape), dtype=float))


def _fmt(value: ArrayLike | None) -> str:
    a = np.asarray(value, dtype=float)
    if a.ndim == 0:
        return f"{float(a):g}"
    return "array"
