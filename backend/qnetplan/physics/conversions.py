"""Unit conversions (dB <-> linear) and the binary entropy: the only place they are defined.

Every loss in QNetPlan is a positive number of dB; a transmittance is the linear fraction of
power (or photon-arrival probability) that survives, ``T = 10^(-loss_db / 10)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

#: ln(10) / 10, the factor between dB and natural-log attenuation.
_LN10_OVER_10 = float(np.log(10.0) / 10.0)

__all__ = [
    "binary_entropy",
    "db_to_linear",
    "db_to_transmittance",
    "linear_to_db",
    "transmittance_to_db",
]


def db_to_transmittance(loss_db: ArrayLike) -> FloatArray:
    """Transmittance of a loss given in dB.

    ``T = 10^(-loss_db / 10)``, computed as ``exp(-loss_db ln(10) / 10)`` so that it stays
    accurate (relative error ~1e-16) far into the 60-200 dB range.

    Parameters
    ----------
    loss_db : array_like
        Loss [dB], positive for attenuation. NaN propagates.

    Returns
    -------
    numpy.ndarray
        Transmittance [unitless], same shape as ``loss_db``.
    """
    return np.asarray(np.exp(-_LN10_OVER_10 * np.asarray(loss_db, dtype=float)), dtype=float)


def transmittance_to_db(transmittance: ArrayLike) -> FloatArray:
    """Loss in dB of a transmittance: ``-10 log10(T)``; +inf at T = 0.

    Parameters
    ----------
    transmittance : array_like
        Transmittance [unitless] in [0, 1].

    Returns
    -------
    numpy.ndarray
        Loss [dB], same shape as ``transmittance``.
    """
    t = np.asarray(transmittance, dtype=float)
    with np.errstate(divide="ignore"):
        return np.asarray(-np.log(t) / _LN10_OVER_10, dtype=float)


def db_to_linear(value_db: ArrayLike) -> FloatArray:
    """Power ratio of a gain given in dB: ``10^(value_db / 10)`` [dB -> unitless]."""
    return np.asarray(np.exp(_LN10_OVER_10 * np.asarray(value_db, dtype=float)), dtype=float)


def linear_to_db(ratio: ArrayLike) -> FloatArray:
    """Gain in dB of a power ratio: ``10 log10(ratio)`` [unitless -> dB]; -inf at 0."""
    r = np.asarray(ratio, dtype=float)
    with np.errstate(divide="ignore"):
        return np.asarray(np.log(r) / _LN10_OVER_10, dtype=float)


def binary_entropy(p: ArrayLike) -> FloatArray:
    """Binary Shannon entropy ``h2(p) = -p log2 p - (1-p) log2(1-p)`` [bits].

    Defined on [0, 1/2] only: values are clipped into [0, 1/2] (so h2 is never evaluated on an
    error rate above 1/2, PHYSICS.md §1.8); callers zero the key rate wherever an error rate
    reaches 1/2. ``h2(0) = 0`` exactly; NaN propagates.

    Parameters
    ----------
    p : array_like
        Error probability [unitless].

    Returns
    -------
    numpy.ndarray
        Entropy [bits], same shape as ``p``.

    References
    ----------
    C. E. Shannon, Bell Syst. Tech. J. 27, 379 (1948), doi:10.1002/j.1538-7305.1948.tb01338.x.
    """
    q = np.asarray(p, dtype=float)
    q = np.where(np.isnan(q), q, np.clip(q, 0.0, 0.5))
    safe = np.where(q > 0.0, q, 1.0)
    with np.errstate(invalid="ignore"):
        out = -(np.where(q > 0.0, q * np.log2(safe), 0.0) + (1.0 - q) * np.log1p(-q) / np.log(2.0))
    return np.asarray(out, dtype=float)
