"""Threshold single-photon detectors: click probabilities, background yield, dead time.

Dead time (PHYSICS.md §1.1): a detector with a non-paralysable dead time ``tau`` that would
click at a rate ``D`` without dead time registers ``D' = D / (1 + D tau)``. The per-pulse
formulas of the QKD models are evaluated *before* this correction; the bits/s figure is scaled
by the live fraction ``D'/D = 1 / (1 + D tau)`` of each detector involved. Saturated operation
(a large ``D tau``) lies outside the i.i.d. assumptions of the decoy-state proofs: the corrected
rate is an engineering estimate, not a security statement.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

__all__ = [
    "SATURATION_DEAD_TIME_FRACTION",
    "background_yield",
    "dead_time_corrected_rate",
    "dead_time_live_fraction",
    "is_saturation_limited",
    "threshold_click_probability",
]

#: A detector is flagged ``saturation_limited`` when dead time removes more than this fraction
#: of its clicks (``D tau / (1 + D tau) > 0.1``). A planning convention, not from a paper.
SATURATION_DEAD_TIME_FRACTION = 0.1


def background_yield(dark_count_probability: ArrayLike, detector_count: int = 2) -> FloatArray:
    """Background yield ``Y0 = 1 - (1 - p_d)^n`` of ``n`` detectors [unitless].

    The probability that at least one of ``n`` independent detectors fires on a dark count in
    one detection window, computed as ``-expm1(n log1p(-p_d))``. With ``n = 2`` this is Ma et
    al.'s total background yield Y0 ~ 2 p_d (PHYSICS.md §1.5).

    Parameters
    ----------
    dark_count_probability : array_like
        Per-detector dark count probability per detection window [unitless] in [0, 1].
    detector_count : int, default 2
        Number of detectors.

    Returns
    -------
    numpy.ndarray
        Y0 [unitless], same shape.

    References
    ----------
    X. Ma, B. Qi, Y. Zhao, H.-K. Lo, Phys. Rev. A 72, 012326 (2005),
    doi:10.1103/PhysRevA.72.012326, Sec. II (Y0, the background rate of Bob's system).
    """
    p = np.asarray(dark_count_probability, dtype=float)
    return np.asarray(-np.expm1(detector_count * np.log1p(-p)), dtype=float)


def threshold_click_probability(
    mean_photons: ArrayLike, dark_count_probability: ArrayLike
) -> FloatArray:
    """Click probability ``1 - (1 - p_d) exp(-m)`` of a threshold detector [unitless].

    For Poisson light of mean ``m`` photons (after all losses) reaching one detector; computed
    as ``-expm1(log1p(-p_d) - m)`` (stable for tiny ``m`` and ``p_d``).

    Parameters
    ----------
    mean_photons : array_like
        Mean photon number reaching the detector [photons].
    dark_count_probability : array_like
        Dark count probability per detection window [unitless].

    Returns
    -------
    numpy.ndarray
        Click probability per detection window [unitless].
    """
    m = np.asarray(mean_photons, dtype=float)
    p = np.asarray(dark_count_probability, dtype=float)
    return np.asarray(-np.expm1(np.log1p(-p) - m), dtype=float)


def dead_time_live_fraction(click_rate_hz: ArrayLike, dead_time_s: float | None) -> FloatArray:
    """Live fraction ``D'/D = 1 / (1 + D tau)`` of a non-paralysable detector [unitless].

    Parameters
    ----------
    click_rate_hz : array_like
        Click rate without dead time, D [1/s].
    dead_time_s : float or None
        Dead time tau [s]; None (or 0) means no dead time (fraction 1).

    Returns
    -------
    numpy.ndarray
        Live fraction in (0, 1], same shape as ``click_rate_hz``.

    References
    ----------
    G. F. Knoll, Radiation Detection and Measurement, 4th ed. (Wiley, 2010), Ch. 4, Sec. VII
    (dead time), non-paralysable model m = n / (1 + n tau).
    """
    d = np.asarray(click_rate_hz, dtype=float)
    if dead_time_s is None or dead_time_s == 0.0:
        return np.ones_like(d)
    return np.asarray(1.0 / (1.0 + d * float(dead_time_s)), dtype=float)


def dead_time_corrected_rate(click_rate_hz: ArrayLike, dead_time_s: float | None) -> FloatArray:
    """Registered click rate ``D' = D / (1 + D tau)`` of a non-paralysable detector [1/s].

    Parameters
    ----------
    click_rate_hz : array_like
        Click rate without dead time, D [1/s].
    dead_time_s : float or None
        Dead time tau [s]; None means no dead time.

    Returns
    -------
    numpy.ndarray
        D' [1/s], same shape; never above ``1 / tau``.

    References
    ----------
    G. F. Knoll, Radiation Detection and Measurement, 4th ed. (Wiley, 2010), Ch. 4, Sec. VII
    (dead time), non-paralysable model m = n / (1 + n tau).
    """
    d = np.asarray(click_rate_hz, dtype=float)
    return np.asarray(d * dead_time_live_fraction(d, dead_time_s), dtype=float)


def is_saturation_limited(click_rate_hz: ArrayLike, dead_time_s: float | None) -> BoolArray:
    """True where dead time removes more than ``SATURATION_DEAD_TIME_FRACTION`` of the clicks.

    Parameters
    ----------
    click_rate_hz : array_like
        Click rate without dead time [1/s].
    dead_time_s : float or None
        Dead time [s]; None means never saturated.

    Returns
    -------
    numpy.ndarray of bool
    """
    d = np.asarray(click_rate_hz, dtype=float)
    if dead_time_s is None:
        return np.zeros(d.shape, dtype=bool)
    lost = 1.0 - dead_time_live_fraction(d, dead_time_s)
    return np.asarray(lost > SATURATION_DEAD_TIME_FRACTION, dtype=bool)
