"""Itemised fiber loss budget (PHYSICS.md §2) and fiber channel transmittance.

Every item is a positive loss in dB; the items sum to the total. Typical values: G.652 fiber
about 0.2 dB/km at 1550 nm (ultra-low-loss 0.16-0.17 dB/km), 0.3 dB per mated connector,
0.05 dB per fusion splice (ITU-T G.652 / G.671 planning values, illustrative defaults).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from qnetplan.physics.conversions import db_to_transmittance

FloatArray = NDArray[np.float64]

__all__ = [
    "FiberLossBudget",
    "LossItem",
    "fiber_attenuation_db",
    "fiber_channel_loss_db",
    "fiber_loss_budget",
    "fiber_transmittance",
]


@dataclass(frozen=True)
class LossItem:
    """One line of a loss budget: a positive loss ``value_db`` [dB] and a human detail."""

    name: str
    value_db: float
    detail: str


@dataclass(frozen=True)
class FiberLossBudget:
    """An itemised budget; ``total_db`` is the sum of the items, ``transmittance`` its linear
    equivalent [unitless]."""

    items: tuple[LossItem, ...]
    total_db: float
    transmittance: float


def fiber_attenuation_db(
    length_km: ArrayLike, attenuation_db_per_km: ArrayLike = 0.2
) -> FloatArray:
    """Fiber attenuation ``alpha L`` [dB].

    Parameters
    ----------
    length_km : array_like
        Fiber length [km].
    attenuation_db_per_km : array_like, default 0.2
        Attenuation coefficient [dB/km] (G.652 at 1550 nm, illustrative default).

    Returns
    -------
    numpy.ndarray
        Loss [dB], broadcast shape of the inputs.
    """
    return np.asarray(
        np.asarray(length_km, dtype=float) * np.asarray(attenuation_db_per_km, dtype=float),
        dtype=float,
    )


def fiber_channel_loss_db(
    length_km: ArrayLike, attenuation_db_per_km: ArrayLike = 0.2, extra_loss_db: ArrayLike = 0.0
) -> FloatArray:
    """Channel loss ``alpha L + extra`` [dB] of a fiber channel (calculator convention)."""
    return np.asarray(
        fiber_attenuation_db(length_km, attenuation_db_per_km)
        + np.asarray(extra_loss_db, dtype=float),
        dtype=float,
    )


def fiber_transmittance(
    length_km: ArrayLike, attenuation_db_per_km: ArrayLike = 0.2, extra_loss_db: ArrayLike = 0.0
) -> FloatArray:
    """Transmittance ``10^(-(alpha L + extra) / 10)`` [unitless] of a fiber channel."""
    return db_to_transmittance(
        fiber_channel_loss_db(length_km, attenuation_db_per_km, extra_loss_db)
    )


def fiber_loss_budget(
    length_km: float,
    attenuation_db_per_km: float = 0.2,
    connector_count: int = 0,
    loss_per_connector_db: float = 0.3,
    splice_count: int = 0,
    loss_per_splice_db: float = 0.05,
    insertion_loss_db: float = 0.0,
    extra_loss_db: float = 0.0,
    ageing_margin_db: float = 0.0,
) -> FiberLossBudget:
    """Itemised loss budget of one fiber span (API-CONTRACT §3 ``/calc/loss-budget``).

    Items, in this order: ``fiber_attenuation`` (length x attenuation), ``connectors``
    (count x loss), ``splices`` (count x loss), ``insertion_loss`` (switches, patch panels, WDM
    filters), ``extra_loss``, ``ageing_margin`` (ageing and repair allowance). The total is
    ``math.fsum`` of the items and the transmittance ``10^(-total/10)``.

    Parameters
    ----------
    length_km : float
        Fiber length [km], >= 0.
    attenuation_db_per_km : float, default 0.2
        Attenuation coefficient [dB/km], >= 0.
    connector_count : int, default 0
        Number of mated connector pairs, >= 0.
    loss_per_connector_db : float, default 0.3
        Loss per connector [dB], >= 0.
    splice_count : int, default 0
        Number of fusion splices, >= 0.
    loss_per_splice_db : float, default 0.05
        Loss per splice [dB], >= 0.
    insertion_loss_db : float, default 0
        Insertion loss of passive elements on the span [dB], >= 0.
    extra_loss_db : float, default 0
        Any other loss [dB], >= 0.
    ageing_margin_db : float, default 0
        Ageing and repair margin [dB], >= 0.

    Returns
    -------
    FiberLossBudget

    Raises
    ------
    ValueError
        When an input is negative or not finite (programmer error: the API validates first).
    """
    values = {
        "length_km": length_km,
        "attenuation_db_per_km": attenuation_db_per_km,
        "connector_count": connector_count,
        "loss_per_connector_db": loss_per_connector_db,
        "splice_count": splice_count,
        "loss_per_splice_db": loss_per_splice_db,
        "insertion_loss_db": insertion_loss_db,
        "extra_loss_db": extra_loss_db,
        "ageing_margin_db": ageing_margin_db,
    }
    for name, value in values.items():
        if not math.isfinite(float(value)) or float(value) < 0.0:
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    items = (
        LossItem(
            "fiber_attenuation",
            float(length_km) * float(attenuation_db_per_km),
            f"{float(length_km):g} km x {float(attenuation_db_per_km):g} dB/km",
        ),
        LossItem(
            "connectors",
            int(connector_count) * float(loss_per_connector_db),
            f"{int(connector_count)} x {float(loss_per_connector_db):g} dB",
        ),
        LossItem(
            "splices",
            int(splice_count) * float(loss_per_splice_db),
            f"{int(splice_count)} x {float(loss_per_splice_db):g} dB",
        ),
        LossItem("insertion_loss", float(insertion_loss_db), "switches, patch panels, filters"),
        LossItem("extra_loss", float(extra_loss_db), "other losses"),
        LossItem("ageing_margin", float(ageing_margin_db), "ageing and repair margin"),
    )
    total = math.fsum(item.value_db for item in items)
    return FiberLossBudget(
        items=items, total_db=total, transmittance=float(db_to_transmittance(total))
    )
