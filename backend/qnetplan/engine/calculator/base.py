"""Building blocks of the calculator: errors, field specifications, the protocol model type,
results, and the channel parser. Pure Python + numpy: no web, database or settings imports."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

__all__ = [
    "FINITE_KEY_FIELDS",
    "CalculatorInputError",
    "FieldSpec",
    "ProtocolEvaluation",
    "ProtocolModel",
    "Reference",
    "ResolvedChannel",
    "at_least_one",
    "boolean",
    "choice",
    "nonnegative_number",
    "nonnegative_or_none",
    "number_list",
    "open_unit_interval",
    "positive_number",
    "probability",
    "resolve_channel",
    "validate_fields",
]

REQUIRED: Any = object()


class CalculatorInputError(ValueError):
    """An invalid calculator input. ``field_path`` is a JSON Pointer into the request body
    (e.g. ``/system/detector_efficiency``); the API maps this to 422 problem+json."""

    def __init__(self, field_path: str, message: str) -> None:
        super().__init__(f"{field_path}: {message}")
        self.field_path = field_path
        self.message = message


@dataclass(frozen=True)
class Reference:
    """A cited source: ``citation`` (authors, journal, year), ``doi``, ``equations``."""

    citation: str
    doi: str
    equations: str

    def to_dict(self) -> dict[str, str]:
        return {"citation": self.citation, "doi": self.doi, "equations": self.equations}


# --------------------------------------------------------------------------- field checks
Check = Callable[[str, Any], Any]


def _number(path: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CalculatorInputError(path, "must be a number")
    v = float(value)
    if not math.isfinite(v):
        raise CalculatorInputError(path, "must be a finite number")
    return v


def probability(path: str, value: Any) -> float:
    """A number in [0, 1]."""
    v = _number(path, value)
    if not 0.0 <= v <= 1.0:
        raise CalculatorInputError(path, "must lie in [0, 1]")
    return v


def open_unit_interval(path: str, value: Any) -> float:
    """A number in (0, 1)."""
    v = _number(path, value)
    if not 0.0 < v < 1.0:
        raise CalculatorInputError(path, "must lie in (0, 1)")
    return v


def positive_number(path: str, value: Any) -> float:
    """A number > 0."""
    v = _number(path, value)
    if v <= 0.0:
        raise CalculatorInputError(path, "must be > 0")
    return v


def nonnegative_number(path: str, value: Any) -> float:
    """A number >= 0."""
    v = _number(path, value)
    if v < 0.0:
        raise CalculatorInputError(path, "must be >= 0")
    return v


def at_least_one(path: str, value: Any) -> float:
    """A number >= 1 (DV error-correction efficiency f)."""
    v = _number(path, value)
    if v < 1.0:
        raise CalculatorInputError(path, "must be >= 1")
    return v


def nonnegative_or_none(path: str, value: Any) -> float | None:
    """null, or a number >= 0."""
    return None if value is None else nonnegative_number(path, value)


def boolean(path: str, value: Any) -> bool:
    """A JSON boolean (numbers are not accepted)."""
    if not isinstance(value, bool):
        raise CalculatorInputError(path, "must be a boolean")
    return value


def choice(*names: str) -> Check:
    """A check accepting exactly one of ``names``."""

    def check(path: str, value: Any) -> str:
        if not isinstance(value, str) or value not in names:
            raise CalculatorInputError(path, f"must be one of: {', '.join(names)}")
        return value

    return check


def number_list(path: str, value: Any) -> list[float]:
    """A list of numbers >= 0 (range checks per protocol)."""
    if not isinstance(value, list | tuple):
        raise CalculatorInputError(path, "must be a list of numbers")
    return [nonnegative_number(f"{path}/{i}", v) for i, v in enumerate(value)]


@dataclass(frozen=True)
class FieldSpec:
    """One ``system`` (or ``finite_key``) field: its check and default (``REQUIRED`` when the
    caller must give it)."""

    check: Check
    default: Any = REQUIRED

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


def validate_fields(
    prefix: str, fields: Mapping[str, FieldSpec], given: Any, protocol: str
) -> dict[str, Any]:
    """Check ``given`` against ``fields``: unknown fields, missing required ones, each value's
    type and range. Returns the values merged over the defaults."""
    if given is None:
        given = {}
    if not isinstance(given, Mapping):
        raise CalculatorInputError(prefix or "/", "must be an object")
    for name in given:
        if name not in fields:
            raise CalculatorInputError(
                f"{prefix}/{name}", f"unknown or inapplicable field for protocol {protocol!r}"
            )
    out: dict[str, Any] = {}
    for name, spec in fields.items():
        path = f"{prefix}/{name}"
        if name in given:
            out[name] = spec.check(path, given[name])
        elif spec.required:
            raise CalculatorInputError(path, "is required")
        else:
            default = spec.default
            out[name] = list(default) if isinstance(default, list | tuple) else default
    return out


#: ``finite_key`` object (API-CONTRACT §3).
FINITE_KEY_FIELDS: Mapping[str, FieldSpec] = {
    "block_size_pulses": FieldSpec(positive_number),
    "security_epsilon": FieldSpec(open_unit_interval, 1e-10),
    "correctness_epsilon": FieldSpec(open_unit_interval, 1e-15),
}


# --------------------------------------------------------------------------- protocol model
@dataclass(frozen=True)
class ProtocolEvaluation:
    """What a protocol returns for an array of channel losses (all arrays of that shape).

    Attributes
    ----------
    secret_key_rate_per_pulse : bits per pulse/slot/symbol, >= 0, before any dead time.
    qber : the QBER reported to users, or None (CV).
    detector_click_probabilities : per-pulse click probability of one detector of each
        group whose dead time limits the key (e.g. Bob's detectors; for BBM92 Alice's and
        Bob's). The core turns them into D = rate x p and applies D' = D / (1 + D tau).
    intensities_used : system field name -> array (or list of arrays for lists).
    model_id : stable id such as ``bb84_decoy/lo2005/infinite``.
    references : sources with equation numbers.
    details : extra per-point figures (e.g. finite-key intensity probabilities).
    """

    secret_key_rate_per_pulse: FloatArray
    qber: FloatArray | None
    detector_click_probabilities: tuple[FloatArray, ...]
    intensities_used: Mapping[str, Any]
    model_id: str
    references: tuple[Reference, ...]
    details: Mapping[str, Any] = field(default_factory=dict)


Evaluate = Callable[
    [FloatArray, float, Mapping[str, Any], Mapping[str, Any] | None], ProtocolEvaluation
]
CrossCheck = Callable[[Mapping[str, Any], Mapping[str, Any] | None], None]


def _no_cross_check(system: Mapping[str, Any], finite_key: Mapping[str, Any] | None) -> None:
    if finite_key is not None:
        raise CalculatorInputError("/finite_key", "finite-key analysis is not supported here")


@dataclass(frozen=True)
class ProtocolModel:
    """A protocol the calculator can evaluate (one module per protocol; see the package doc).

    Attributes
    ----------
    name : the ``protocol`` value (``bb84_decoy``, ``bbm92``, ...).
    fields : the ``system`` fields it accepts, with checks and defaults.
    evaluate : ``(loss_db array, relay_position_fraction, system, finite_key) ->
        ProtocolEvaluation``, vectorised over the loss array; ``system`` and ``finite_key``
        are already validated and merged with defaults.
    relay_position : ``forbidden`` (422 when given), ``free`` (in [0, 1], default 0.5) or
        ``symmetric_only`` (only 0.5 accepted).
    cross_check : extra validation across fields (and of ``finite_key``); raise
        ``CalculatorInputError``. The default rejects any ``finite_key``.
    loss_ceiling_db : the ceiling of the maximum-loss search [dB].
    """

    name: str
    fields: Mapping[str, FieldSpec]
    evaluate: Evaluate
    relay_position: Literal["forbidden", "free", "symmetric_only"] = "forbidden"
    cross_check: CrossCheck = _no_cross_check
    loss_ceiling_db: float = 200.0

    @property
    def defaults(self) -> dict[str, Any]:
        """Default value of every optional ``system`` field."""
        return {k: s.default for k, s in self.fields.items() if not s.required}

    @property
    def required_fields(self) -> frozenset[str]:
        return frozenset(k for k, s in self.fields.items() if s.required)

    @property
    def allowed_fields(self) -> frozenset[str]:
        return frozenset(self.fields)


# --------------------------------------------------------------------------- channel
@dataclass(frozen=True)
class ResolvedChannel:
    """A validated channel: total Alice-Bob loss (detectors excluded) and how it was given."""

    loss_db: float | None
    length_km: float | None
    attenuation_db_per_km: float
    extra_loss_db: float
    relay_position_fraction: float
    given_as: Literal["length", "loss", "none"]


_CHANNEL_KEYS = (
    "length_km",
    "attenuation_db_per_km",
    "extra_loss_db",
    "loss_db",
    "relay_position_fraction",
)


def resolve_channel(
    model: ProtocolModel, channel: Any, *, require_extent: bool = True
) -> ResolvedChannel:
    """Validate a ``channel`` object: ``{length_km, attenuation_db_per_km (0.2),
    extra_loss_db (0)}`` or ``{loss_db}`` (not both), plus ``relay_position_fraction`` per
    the protocol's rule. With ``require_extent=False`` (curves) neither is needed."""
    if channel is None:
        channel = {}
    if not isinstance(channel, Mapping):
        raise CalculatorInputError("/channel", "must be an object")
    for key in channel:
        if key not in _CHANNEL_KEYS:
            raise CalculatorInputError(f"/channel/{key}", "unknown channel field")
    has_loss = "loss_db" in channel
    length_fields = [
        k for k in ("length_km", "attenuation_db_per_km", "extra_loss_db") if k in channel
    ]
    if has_loss and length_fields:
        raise CalculatorInputError(
            f"/channel/{length_fields[0]}",
            "give either loss_db or length_km (with attenuation), not both",
        )
    if require_extent and not has_loss and "length_km" not in channel:
        raise CalculatorInputError("/channel", "give length_km or loss_db")
    if "relay_position_fraction" in channel:
        path = "/channel/relay_position_fraction"
        if model.relay_position == "forbidden":
            raise CalculatorInputError(path, f"not applicable to protocol {model.name!r}")
        relay = probability(path, channel["relay_position_fraction"])
        if model.relay_position == "symmetric_only" and relay != 0.5:
            raise CalculatorInputError(path, f"protocol {model.name!r} supports only 0.5")
    else:
        relay = 0.5
    attenuation = 0.2
    extra = 0.0
    if "attenuation_db_per_km" in channel:
        attenuation = nonnegative_number(
            "/channel/attenuation_db_per_km", channel["attenuation_db_per_km"]
        )
    if "extra_loss_db" in channel:
        extra = nonnegative_number("/channel/extra_loss_db", channel["extra_loss_db"])
    if has_loss:
        loss = nonnegative_number("/channel/loss_db", channel["loss_db"])
        return ResolvedChannel(loss, None, attenuation, extra, relay, "loss")
    if "length_km" in channel:
        length = nonnegative_number("/channel/length_km", channel["length_km"])
        return ResolvedChannel(
            length * attenuation + extra, length, attenuation, extra, relay, "length"
        )
    return ResolvedChannel(None, None, attenuation, extra, relay, "none")


def float_list(path: str, values: Any, *, max_items: int = 100_000) -> list[float]:
    """A non-empty list of numbers >= 0 (curve abscissae)."""
    if not isinstance(values, list | tuple) or not values:
        raise CalculatorInputError(path, "must be a non-empty list of numbers")
    if len(values) > max_items:
        raise CalculatorInputError(path, f"at most {max_items} points")
    return [nonnegative_number(f"{path}/{i}", v) for i, v in enumerate(values)]


def as_list(values: Sequence[Any]) -> list[Any]:
    return list(values)
