"""GET /api/v1/health."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from qnetplan import __version__
from qnetplan.api.schemas.resources import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(request: Request) -> dict[str, Any]:
    return {"status": "ok", "version": __version__, "database": request.app.state.dialect}
