"""/api/v1/calc: the stateless key-rate and loss-budget calculators (API-CONTRACT.md §3).

CPU-bound: plain ``def`` routes, run in the threadpool."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from qnetplan.api.deps import SessionDep
from qnetplan.api.errors import problem_responses
from qnetplan.api.schemas.calc import (
    KeyRateCurveRequest,
    KeyRateCurveResponse,
    KeyRateRequest,
    KeyRateResponse,
    LossBudgetRequest,
    LossBudgetResponse,
)
from qnetplan.services import calculator

router = APIRouter(prefix="/calc", tags=["calc"])


@router.post("/key-rate", response_model=KeyRateResponse, name="key_rate",
             responses=problem_responses(400, 422))
def key_rate(body: KeyRateRequest, session: SessionDep) -> dict[str, Any]:
    """Secret key rate of one QKD link: per pulse and per second, QBER, the largest loss and
    distance with a positive rate, the PLOB bound, the intensities used and the references."""
    return calculator.key_rate(session, body.model_dump(exclude_unset=True))


@router.post("/key-rate-curve", response_model=KeyRateCurveResponse, name="key_rate_curve",
             response_model_exclude_unset=True,
             responses=problem_responses(400, 422))
def key_rate_curve(body: KeyRateCurveRequest, session: SessionDep) -> dict[str, Any]:
    """The key rate over ``lengths_km`` or ``losses_db`` (arrays of equal length)."""
    return calculator.key_rate_curve(session, body.model_dump(exclude_unset=True))


@router.post("/loss-budget", response_model=LossBudgetResponse, name="loss_budget",
             responses=problem_responses(400, 422))
def loss_budget(body: LossBudgetRequest) -> dict[str, Any]:
    """Itemised fiber loss budget of a span; the items sum to the total."""
    return calculator.loss_budget(body.model_dump())
