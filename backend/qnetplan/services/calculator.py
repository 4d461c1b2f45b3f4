"""Calculator use cases: resolve an equipment profile, call the pure calculator, and turn its
input errors into the application's 422 problems."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from qnetplan.engine.calculator import (
    CalculatorInputError,
    evaluate_curve,
    evaluate_key_rate,
    evaluate_loss_budget,
    validate_inputs,
)
from qnetplan.errors import FieldProblem, InvalidInputError
from qnetplan.storage import repositories as repo


@contextmanager
def as_invalid_input(prefix: str = "") -> Iterator[None]:
    try:
        yield
    except CalculatorInputError as exc:
        raise InvalidInputError(exc.message, [FieldProblem(detail=exc.message,
                                                           pointer=prefix + exc.field_path)]
                                ) from exc


def validate_profile(protocol: str, system: dict[str, Any],
                     finite_key: dict[str, Any] | None) -> None:
    """The profile validator installed on the app: a stored profile's ``system`` and
    ``finite_key`` must be exactly what the calculator accepts."""
    with as_invalid_input():
        validate_inputs(protocol, system, finite_key)


def _resolve(session: Session, body: dict[str, Any]) -> tuple[str, dict[str, Any],
                                                               dict[str, Any] | None]:
    profile_id = body.get("equipment_profile_id")
    if profile_id is None:
        return body["protocol"], body.get("system") or {}, body.get("finite_key")
    profile = repo.profile(session, profile_id)
    if profile is None:
        raise InvalidInputError(
            f"equipment profile {profile_id} does not exist",
            [FieldProblem(detail=f"equipment profile {profile_id} does not exist",
                          pointer="/equipment_profile_id")])
    return profile.protocol, dict(profile.system or {}), profile.finite_key


def key_rate(session: Session, body: dict[str, Any]) -> dict[str, Any]:
    protocol, system, finite_key = _resolve(session, body)
    with as_invalid_input():
        result = evaluate_key_rate(protocol, body["channel"], system, finite_key)
    out = result.to_dict()
    out["equipment_profile_id"] = body.get("equipment_profile_id")
    return out


def key_rate_curve(session: Session, body: dict[str, Any]) -> dict[str, Any]:
    protocol, system, finite_key = _resolve(session, body)
    lengths, losses = body.get("lengths_km"), body.get("losses_db")
    if (lengths is None) == (losses is None):
        raise InvalidInputError("give exactly one of lengths_km and losses_db", [
            FieldProblem(detail="give exactly one of lengths_km and losses_db",
                         pointer="/lengths_km")])
    with as_invalid_input():
        curve = evaluate_curve(protocol, body["channel"], system, finite_key,
                               lengths_km=lengths, losses_db=losses)
    return curve.to_dict()


def loss_budget(body: dict[str, Any]) -> dict[str, Any]:
    with as_invalid_input():
        budget = evaluate_loss_budget(body)
    return {
        "items": [{"name": i.name, "value_db": i.value_db, "detail": i.detail}
                  for i in budget.items],
        "total_db": budget.total_db,
        "transmittance": budget.transmittance,
    }
