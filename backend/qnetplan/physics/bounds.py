"""Repeaterless capacity bounds of a pure-loss channel (secret-key capacity per channel use).

Both are evaluated on the *channel* transmittance (detectors excluded, PHYSICS.md §1.6) and
are +inf at eta = 1 (a lossless channel is unbounded); the API reports that as ``null``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

__all__ = ["plob_bound", "tgw_bound"]

_LN2 = float(np.log(2.0))


def plob_bound(transmittance: ArrayLike) -> FloatArray:
    """PLOB repeaterless bound ``-log2(1 - eta)`` [bits per channel use].

    Tends to ``eta / ln 2 ~ 1.44 eta`` at high loss; +inf at ``eta = 1``. Computed with
    ``log1p`` so that it stays exact at 100 dB and beyond.

    Parameters
    ----------
    transmittance : array_like
        Channel transmittance eta [unitless] in [0, 1]. NaN propagates.

    Returns
    -------
    numpy.ndarray
        Upper bound on the secret key per channel use [bits], same shape.

    References
    ----------
    S. Pirandola, R. Laurenza, C. Ottaviani, L. Banchi, "Fundamental limits of repeaterless
    quantum communications", Nat. Commun. 8, 15043 (2017), doi:10.1038/ncomms15043, Eq. (19).
    """
    eta = np.asarray(transmittance, dtype=float)
    with np.errstate(divide="ignore"):
        return np.asarray(-np.log1p(-eta) / _LN2, dtype=float)


def tgw_bound(transmittance: ArrayLike) -> FloatArray:
    """TGW bound ``log2((1 + eta) / (1 - eta))`` [bits per channel use].

    The squashed-entanglement bound of Takeoka, Guha and Wilde; tends to
    ``2 eta / ln 2 ~ 2.88 eta`` at high loss; +inf at ``eta = 1``. Computed as
    ``(log1p(eta) - log1p(-eta)) / ln 2``.

    Parameters
    ----------
    transmittance : array_like
        Channel transmittance eta [unitless] in [0, 1]. NaN propagates.

    Returns
    -------
    numpy.ndarray
        Upper bound on the secret key per channel use [bits], same shape.

    References
    ----------
    M. Takeoka, S. Guha, M. M. Wilde, "Fundamental rate-loss tradeoff for optical quantum key
    distribution", Nat. Commun. 5, 5235 (2014), doi:10.1038/ncomms6235 (the TGW bound, main result).
    """
    eta = np.asarray(transmittance, dtype=float)
    with np.errstate(divide="ignore"):
        return np.asarray((np.log1p(eta) - np.log1p(-eta)) / _LN2, dtype=float)
