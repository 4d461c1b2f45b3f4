"""/api/v1/calc/slant-range and /api/v1/calc/free-space-budget: stateless calculators
(API-CONTRACT.md §3). Plain ``def`` routes (numpy work runs in the threadpool)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from qnetplan.api.errors import problem_responses
from qnetplan.api.schemas.calc_free_space import (
    FreeSpaceBudgetRequest,
    FreeSpaceBudgetResponse,
    SlantRangeRequest,
    SlantRangeResponse,
)
from qnetplan.services import free_space

router = APIRouter(prefix="/calc", tags=["calc"])


@router.post("/slant-range", response_model=SlantRangeResponse, name="slant_range",
             responses=problem_responses(400, 422))
def slant_range(body: SlantRangeRequest) -> dict[str, Any]:
    """Distance from a station to a satellite at the given elevation(s), spherical Earth:
    ``d = sqrt(r_o^2 - r_s^2 cos^2 E) - r_s sin E``; ``range_km`` has the shape of
    ``elevation_deg``."""
    return free_space.slant_range(body.model_dump())


@router.post("/free-space-budget", response_model=FreeSpaceBudgetResponse,
             name="free_space_budget", responses=problem_responses(400, 422))
def free_space_budget(body: FreeSpaceBudgetRequest) -> dict[str, Any]:
    """Itemised free-space optical budget (geometric, pointing, atmosphere, turbulence, optics,
    detector, extra; positive dB summing to ``total_db``). Number-or-list inputs answer in the
    same shape; ``null`` where nothing arrives (e.g. below the horizon)."""
    return free_space.free_space(body.model_dump())
