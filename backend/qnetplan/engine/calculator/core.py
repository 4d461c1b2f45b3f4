"""The calculator's entry points: one link, a curve, a loss budget (API-CONTRACT §3)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qnetplan.engine.calculator.base import (
    FINITE_KEY_FIELDS,
    CalculatorInputError,
    FieldSpec,
    FloatArray,
    ProtocolEvaluation,
    ProtocolModel,
    Reference,
    float_list,
    nonnegative_number,
    resolve_channel,
    validate_fields,
)
from qnetplan.engine.calculator.registry import get_protocol
from qnetplan.physics.bounds import plob_bound
from qnetplan.physics.conversions import db_to_transmittance
from qnetplan.physics.detectors import dead_time_live_fraction, is_saturation_limited
from qnetplan.physics.fiber import FiberLossBudget, fiber_loss_budget

__all__ = [
    "KeyRateCurve",
    "KeyRateResult",
    "evaluate_curve",
    "evaluate_key_rate",
    "evaluate_loss_budget",
    "validate_inputs",
]


def _finite_or_none(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, float | np.floating):
        return _finite_or_none(float(value))
    return value


@dataclass(frozen=True)
class KeyRateResult:
    """Result of ``POST /calc/key-rate`` (field names are the API contract's).

    ``plob_bound_per_pulse`` is None on a lossless channel (unbounded);
    ``max_channel_loss_db`` / ``max_distance_km`` are None when the rate is still positive at
    the search ceiling; ``qber`` is None for CV. ``finite_key_details`` carries the internal
    intensity-choice and basis probabilities of the finite-key protocol (None otherwise).
    """

    protocol: str
    secret_key_rate_per_pulse: float
    secret_key_rate_bps: float
    saturation_limited: bool
    qber: float | None
    channel_loss_db: float
    channel_transmittance: float
    max_channel_loss_db: float | None
    max_distance_km: float | None
    plob_bound_per_pulse: float | None
    intensities_used: Mapping[str, Any]
    model: str
    references: tuple[Reference, ...]
    finite_key_details: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (non-finite numbers become None)."""
        out = {
            "protocol": self.protocol,
            "secret_key_rate_per_pulse": self.secret_key_rate_per_pulse,
            "secret_key_rate_bps": self.secret_key_rate_bps,
            "saturation_limited": self.saturation_limited,
            "qber": self.qber,
            "channel_loss_db": self.channel_loss_db,
            "channel_transmittance": self.channel_transmittance,
            "max_channel_loss_db": self.max_channel_loss_db,
            "max_distance_km": self.max_distance_km,
            "plob_bound_per_pulse": self.plob_bound_per_pulse,
            "intensities_used": dict(self.intensities_used),
            "model": self.model,
            "references": [r.to_dict() for r in self.references],
            "finite_key_details": None
            if self.finite_key_details is None
            else dict(self.finite_key_details),
        }
        return dict(_jsonable(out))


@dataclass(frozen=True)
class KeyRateCurve:
    """Result of ``POST /calc/key-rate-curve``: arrays of equal length (tuples).

    Exactly one of ``lengths_km`` / ``losses_db`` is set (the abscissa the caller gave);
    ``channel_loss_db`` is always the evaluated loss. None entries mean "not finite"
    (``plob_bound_per_pulse`` at zero loss) or "not defined" (``qber`` for CV).
    """

    protocol: str
    lengths_km: tuple[float, ...] | None
    losses_db: tuple[float, ...] | None
    channel_loss_db: tuple[float, ...]
    secret_key_rate_per_pulse: tuple[float, ...]
    secret_key_rate_bps: tuple[float, ...]
    qber: tuple[float | None, ...]
    plob_bound_per_pulse: tuple[float | None, ...]
    saturation_limited: tuple[bool, ...]
    model: str
    references: tuple[Reference, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with the contract's keys (plus a few extras)."""
        out: dict[str, Any] = {"protocol": self.protocol}
        if self.lengths_km is not None:
            out["lengths_km"] = list(self.lengths_km)
        if self.losses_db is not None:
            out["losses_db"] = list(self.losses_db)
        out.update(
            {
                "channel_loss_db": list(self.channel_loss_db),
                "secret_key_rate_per_pulse": list(self.secret_key_rate_per_pulse),
                "secret_key_rate_bps": list(self.secret_key_rate_bps),
                "qber": list(self.qber),
                "plob_bound_per_pulse": list(self.plob_bound_per_pulse),
                "saturation_limited": list(self.saturation_limited),
                "model": self.model,
                "references": [r.to_dict() for r in self.references],
            }
        )
        return dict(_jsonable(out))


# --------------------------------------------------------------------------- helpers
def validate_inputs(
    protocol: object, system: Any, finite_key: Any
) -> tuple[ProtocolModel, dict[str, Any], dict[str, Any] | None]:
    """Resolve the protocol and validate ``system`` and ``finite_key`` (merged with defaults).

    Useful to the API and to equipment-profile storage, which must reject the same inputs.
    """
    model = get_protocol(protocol)
    merged = validate_fields("/system", model.fields, system, model.name)
    fk = None
    if finite_key is not None:
        fk = validate_fields("/finite_key", FINITE_KEY_FIELDS, finite_key, model.name)
    model.cross_check(merged, fk)
    return model, merged, fk


def _dead_time(ev: ProtocolEvaluation, system: Mapping[str, Any]) -> tuple[FloatArray, FloatArray]:
    """Live fraction (product over detector groups) and the saturation flag."""
    rep = float(system["repetition_rate_hz"])
    tau = system.get("detector_dead_time_s")
    live = np.ones_like(ev.secret_key_rate_per_pulse)
    saturated = np.zeros(live.shape, dtype=bool)
    for p_click in ev.detector_click_probabilities:
        d = rep * np.asarray(p_click, dtype=float)
        live = live * dead_time_live_fraction(d, tau)
        saturated = saturated | is_saturation_limited(d, tau)
    return live, saturated


def _positive(x: FloatArray) -> FloatArray:
    return np.asarray(np.nan_to_num(x, nan=0.0) > 0.0)


def _max_channel_loss_db(
    model: ProtocolModel,
    relay: float,
    system: Mapping[str, Any],
    finite_key: Mapping[str, Any] | None,
) -> float | None:
    """Largest loss [dB] with a positive rate; 0 when even 0 dB gives none; None when still
    positive at the ceiling. A 1 dB grid, then three rounds of 20x refinement (~1e-4 dB)."""
    ceiling = model.loss_ceiling_db
    ends = model.evaluate(np.array([0.0, ceiling]), relay, system, finite_key)
    pos = _positive(ends.secret_key_rate_per_pulse)
    if not pos[0]:
        return 0.0
    if pos[1]:
        return None
    grid = np.linspace(0.0, ceiling, round(ceiling) + 1)
    for _ in range(4):
        rate = model.evaluate(grid, relay, system, finite_key).secret_key_rate_per_pulse
        ok = np.flatnonzero(_positive(rate))
        i = int(ok[-1]) if ok.size else 0
        if i >= grid.size - 1:
            return float(grid[-1])
        lo, hi = grid[i], grid[i + 1]
        grid = np.linspace(lo, hi, 21)
    return float(grid[0])


# --------------------------------------------------------------------------- entry points
def evaluate_key_rate(
    protocol: str,
    channel: Mapping[str, Any],
    system: Mapping[str, Any],
    finite_key: Mapping[str, Any] | None = None,
) -> KeyRateResult:
    """Evaluate one QKD link (``POST /calc/key-rate``).

    Parameters
    ----------
    protocol : str
        ``bb84_decoy``, ``bbm92`` (and any protocol registered later).
    channel : mapping
        ``{length_km, attenuation_db_per_km, extra_loss_db}`` or ``{loss_db}``, plus
        ``relay_position_fraction`` where the protocol allows it.
    system : mapping
        The protocol's ``system`` fields (API-CONTRACT §3 table); defaults fill the rest.
    finite_key : mapping or None
        ``{block_size_pulses, security_epsilon, correctness_epsilon}``.

    Returns
    -------
    KeyRateResult

    Raises
    ------
    CalculatorInputError
        With a JSON Pointer (``/system/...``, ``/channel/...``, ``/finite_key/...``).
    """
    model, merged, fk = validate_inputs(protocol, system, finite_key)
    ch = resolve_channel(model, channel)
    assert ch.loss_db is not None
    ev = model.evaluate(np.array([ch.loss_db]), ch.relay_position_fraction, merged, fk)
    rate = float(ev.secret_key_rate_per_pulse[0])
    live, saturated = _dead_time(ev, merged)
    bps = rate * float(merged["repetition_rate_hz"]) * float(live[0])
    max_loss = _max_channel_loss_db(model, ch.relay_position_fraction, merged, fk)
    if max_loss is None:
        max_distance = None
    elif ch.attenuation_db_per_km == 0.0:
        max_distance = None if max_loss >= ch.extra_loss_db and max_loss > 0.0 else 0.0
    else:
        max_distance = max(0.0, (max_loss - ch.extra_loss_db) / ch.attenuation_db_per_km)
    transmittance = float(db_to_transmittance(ch.loss_db))
    used = {
        k: (float(np.asarray(v).ravel()[0]) if not isinstance(v, list) else [float(x) for x in v])
        for k, v in ev.intensities_used.items()
    }
    details = None
    if ev.details:
        details = {
            k: np.asarray(v)[0].tolist() if np.ndim(v) else float(v) for k, v in ev.details.items()
        }
    return KeyRateResult(
        protocol=model.name,
        secret_key_rate_per_pulse=rate,
        secret_key_rate_bps=bps,
        saturation_limited=bool(saturated[0]),
        qber=None if ev.qber is None else float(ev.qber[0]),
        channel_loss_db=float(ch.loss_db),
        channel_transmittance=transmittance,
        max_channel_loss_db=max_loss,
        max_distance_km=max_distance,
        plob_bound_per_pulse=_finite_or_none(float(plob_bound(transmittance))),
        intensities_used=used,
        model=ev.model_id,
        references=ev.references,
        finite_key_details=details,
    )


def evaluate_curve(
    protocol: str,
    channel: Mapping[str, Any] | None,
    system: Mapping[str, Any],
    finite_key: Mapping[str, Any] | None = None,
    *,
    lengths_km: Sequence[float] | None = None,
    losses_db: Sequence[float] | None = None,
) -> KeyRateCurve:
    """Evaluate a key-rate curve (``POST /calc/key-rate-curve``), vectorised.

    Give exactly one of ``lengths_km`` (converted with the channel's
    ``attenuation_db_per_km`` (0.2) and ``extra_loss_db`` (0)) or ``losses_db`` (total channel
    losses). The channel's own ``length_km`` / ``loss_db``, when present, are validated but
    not used. Intensities are re-optimised at every point when ``optimize_intensities``.

    Raises
    ------
    CalculatorInputError
        ``/lengths_km`` or ``/losses_db`` problems, plus everything ``evaluate_key_rate``
        checks.
    """
    model, merged, fk = validate_inputs(protocol, system, finite_key)
    ch = resolve_channel(model, channel, require_extent=False)
    if (lengths_km is None) == (losses_db is None):
        raise CalculatorInputError("/lengths_km", "give exactly one of lengths_km or losses_db")
    if lengths_km is not None:
        xs = float_list("/lengths_km", lengths_km)
        loss = np.asarray(xs) * ch.attenuation_db_per_km + ch.extra_loss_db
    else:
        xs = float_list("/losses_db", losses_db)
        loss = np.asarray(xs, dtype=float)
    ev = model.evaluate(loss, ch.relay_position_fraction, merged, fk)
    rate = ev.secret_key_rate_per_pulse
    live, saturated = _dead_time(ev, merged)
    bps = rate * float(merged["repetition_rate_hz"]) * live
    plob = plob_bound(db_to_transmittance(loss))
    return KeyRateCurve(
        protocol=model.name,
        lengths_km=tuple(xs) if lengths_km is not None else None,
        losses_db=tuple(xs) if losses_db is not None else None,
        channel_loss_db=tuple(float(v) for v in loss),
        secret_key_rate_per_pulse=tuple(float(v) for v in rate),
        secret_key_rate_bps=tuple(float(v) for v in bps),
        qber=tuple(None for _ in xs)
        if ev.qber is None
        else tuple(_finite_or_none(float(v)) for v in ev.qber),
        plob_bound_per_pulse=tuple(_finite_or_none(float(v)) for v in plob),
        saturation_limited=tuple(bool(v) for v in saturated),
        model=ev.model_id,
        references=ev.references,
    )


def _count(path: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise CalculatorInputError(path, "must be an integer")
    if value < 0:
        raise CalculatorInputError(path, "must be >= 0")
    return value


#: Loss fields of a fiber link (API-CONTRACT §2 link) used by ``/calc/loss-budget``.
LOSS_BUDGET_FIELDS: Mapping[str, FieldSpec] = {
    "length_km": FieldSpec(nonnegative_number),
    "attenuation_db_per_km": FieldSpec(nonnegative_number, 0.2),
    "connector_count": FieldSpec(_count, 0),
    "loss_per_connector_db": FieldSpec(nonnegative_number, 0.3),
    "splice_count": FieldSpec(_count, 0),
    "loss_per_splice_db": FieldSpec(nonnegative_number, 0.05),
    "insertion_loss_db": FieldSpec(nonnegative_number, 0.0),
    "extra_loss_db": FieldSpec(nonnegative_number, 0.0),
    "ageing_margin_db": FieldSpec(nonnegative_number, 0.0),
}


def evaluate_loss_budget(link: Mapping[str, Any]) -> FiberLossBudget:
    """Itemised fiber loss budget (``POST /calc/loss-budget``); items sum to ``total_db``.

    Raises ``CalculatorInputError`` with pointers such as ``/length_km``.
    """
    v = validate_fields("", LOSS_BUDGET_FIELDS, link, "loss-budget")
    return fiber_loss_budget(**v)
