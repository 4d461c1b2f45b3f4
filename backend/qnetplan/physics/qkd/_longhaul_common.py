"""Private helpers of the long-haul QKD models (mdi, twin_field, cv_gg02): input checks that
raise formatted ``ValueError`` for programmer errors, and the no-click probability.

dB conversions and h2 come from ``physics/conversions.py``, click probabilities from
``physics/detectors.py``, PLOB from ``physics/bounds.py`` and the optimiser from
``physics/optimize.py``; nothing here duplicates them.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def no_click(mean_photons: ArrayLike, dark_count_probability: ArrayLike) -> FloatArray:
    """Probability (1 - p_d) exp(-m) that a threshold detector stays silent [unitless]."""
    m = np.asarray(mean_photons, dtype=float)
    p = np.asarray(dark_count_probability, dtype=float)
    return np.exp(np.log1p(-p) - m)


def check_probability(name: str, value: ArrayLike) -> None:
    """Raise ValueError unless every value lies in [0, 1] (NaN allowed: it propagates)."""
    v = np.asarray(value, dtype=float)
    if np.any((v < 0.0) | (v > 1.0)):
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
