"""Private numerical helpers shared by the long-haul QKD models (mdi, twin_field, cv_gg02).

Kept private on purpose: the project's shared helpers (``physics/conversions.py`` for dB and the
binary entropy, ``physics/bounds.py`` for PLOB) are owned elsewhere. These are the minimal
versions the long-haul models need while those modules do not exist; swap the imports when they
do (the behaviour is identical: base-2 logarithms, h2 never evaluated above 1/2).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

_LN10_OVER_10 = np.log(10.0) / 10.0


def db_to_transmittance(loss_db: ArrayLike) -> FloatArray:
    """Transmittance 10^(-loss/10) of a loss given in dB [dB -> unitless]."""
    return np.exp(-_LN10_OVER_10 * np.asarray(loss_db, dtype=float))


def binary_entropy(p: ArrayLike) -> FloatArray:
    """Binary Shannon entropy h2(p) in bits, for p in [0, 1/2].

    Values are clipped into [0, 1/2] before evaluation so that h2 is never evaluated above 1/2:
    callers must already have zeroed the rate wherever an error rate reaches 1/2.
    """
    q = np.clip(np.asarray(p, dtype=float), 0.0, 0.5)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = -(np.where(q > 0, q * np.log2(np.where(q > 0, q, 1.0)), 0.0)
                + (1.0 - q) * np.log2(1.0 - q))
    return np.asarray(out, dtype=float)


def plob_bound(transmittance: ArrayLike) -> FloatArray:
    """PLOB repeaterless bound -log2(1 - eta) [bits per channel use]; +inf at eta = 1.

    Pirandola, Laurenza, Ottaviani, Banchi, Nat. Commun. 8, 15043 (2017), Eq. (19).
    """
    eta = np.asarray(transmittance, dtype=float)
    with np.errstate(divide="ignore"):
        return np.asarray(-np.log1p(-eta) / np.log(2.0), dtype=float)


def no_click(mean_photons: ArrayLike, dark_count_probability: ArrayLike) -> FloatArray:
    """Probability (1 - p_d) exp(-m) that a threshold detector stays silent [unitless]."""
    m = np.asarray(mean_photons, dtype=float)
    p = np.asarray(dark_count_probability, dtype=float)
    return np.exp(np.log1p(-p) - m)


def click(mean_photons: ArrayLike, dark_count_probability: ArrayLike) -> FloatArray:
    """Probability 1 - (1 - p_d) exp(-m) that a threshold detector clicks, stable for small m."""
    m = np.asarray(mean_photons, dtype=float)
    p = np.asarray(dark_count_probability, dtype=float)
    return np.asarray(-np.expm1(np.log1p(-p) - m), dtype=float)


def check_probability(name: str, value: ArrayLike) -> None:
    """Raise ValueError unless every value lies in [0, 1] (programmer error)."""
    v = np.asarray(value, dtype=float)
    if np.any(~((v >= 0.0) & (v <= 1.0))):
        raise ValueError(f"{name} must lie in [0, 1], got {value!r}")


def check_nonnegative(name: str, value: ArrayLike) -> None:
    """Raise ValueError unless every value is >= 0 (NaN allowed: it propagates as NaN)."""
    v = np.asarray(value, dtype=float)
    if np.any(v < 0.0):
        raise ValueError(f"{name} must be >= 0, got {value!r}")


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    """Raise a formatted ValueError when ``value`` is not one of ``choices``."""
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; expected one of {', '.join(choices)}")


def maximize_over_log_grid(
    objective: Callable[[FloatArray], FloatArray],
    lower: float,
    upper: float,
    shape: tuple[int, ...],
    n_grid: int = 48,
    n_refine: int = 3,
    refine_points: int = 17,
) -> tuple[FloatArray, FloatArray]:
    """Maximise ``objective`` over one scalar variable per element, vectorised.

    ``objective(x)`` takes ``x`` of shape ``shape + (k,)`` and returns values of the same shape.
    A log-spaced grid of ``n_grid`` points in [lower, upper] is scanned, then the bracket
    around each element's best point is rescanned ``n_refine`` times with ``refine_points``
    log-spaced points. Returns (best value, argmax) of shape ``shape``. Where the objective is
    nowhere positive the value is 0 and the argmax is the grid point with the largest value.
    """
    log_lo, log_hi = np.log(lower), np.log(upper)
    grid = np.exp(np.linspace(log_lo, log_hi, n_grid))
    x = np.broadcast_to(grid, (*shape, n_grid))
    vals = np.nan_to_num(objective(np.array(x)), nan=-np.inf)
    idx = np.argmax(vals, axis=-1)
    step = (log_hi - log_lo) / (n_grid - 1)
    centre = log_lo + idx * step
    best_x = np.exp(centre)
    best_v = np.take_along_axis(vals, idx[..., None], axis=-1)[..., 0]
    for _ in range(n_refine):
        lo = np.maximum(centre - step, log_lo)
        hi = np.minimum(centre + step, log_hi)
        t = np.linspace(0.0, 1.0, refine_points)
        logs = lo[..., None] + (hi - lo)[..., None] * t
        xs = np.exp(logs)
        v = np.nan_to_num(objective(xs), nan=-np.inf)
        j = np.argmax(v, axis=-1)
        vj = np.take_along_axis(v, j[..., None], axis=-1)[..., 0]
        better = vj > best_v
        best_v = np.where(better, vj, best_v)
        new_centre = np.take_along_axis(logs, j[..., None], axis=-1)[..., 0]
        best_x = np.where(better, np.exp(new_centre), best_x)
        centre = np.where(better, new_centre, centre)
        step = (hi - lo) / (refine_points - 1)
    best_v = np.where(best_v > 0.0, best_v, 0.0)
    return np.asarray(best_v, dtype=float), np.asarray(best_x, dtype=float)


def as_float_array(value: Any) -> FloatArray:
    """``np.asarray(value, dtype=float)`` typed for mypy."""
    return np.asarray(value, dtype=float)
