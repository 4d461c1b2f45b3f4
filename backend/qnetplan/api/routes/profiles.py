"""/api/v1/equipment-profiles: the built-in catalogue and planners' own profiles."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from qnetplan.api.deps import IfMatch, PageDep, SessionDep
from qnetplan.api.errors import problem_responses
from qnetplan.api.routes.common import ItemId, created, envelope, with_etag
from qnetplan.api.schemas.common import Page
from qnetplan.api.schemas.resources import (
    EquipmentProfileCreate,
    EquipmentProfileOut,
    EquipmentProfileUpdate,
)
from qnetplan.services import profiles
from qnetplan.services.views import profile_view

router = APIRouter(prefix="/equipment-profiles", tags=["equipment-profiles"])


@router.get("", response_model=Page[EquipmentProfileOut], responses=problem_responses(422))
def list_(session: SessionDep, page: PageDep) -> dict[str, Any]:
    rows, total = profiles.list_profiles(session, page)
    return envelope([profile_view(r) for r in rows], total, page.limit, page.offset)


@router.post("", status_code=201, response_model=EquipmentProfileOut,
             responses=problem_responses(400, 422))
def create(body: EquipmentProfileCreate, session: SessionDep, request: Request,
           response: Response) -> dict[str, Any]:
    row = profiles.create_profile(session, body.model_dump(),
                                  request.app.state.profile_validator)
    created(response, f"/api/v1/equipment-profiles/{row.id}", row.version)
    return profile_view(row)


@router.get("/{id}", response_model=EquipmentProfileOut, responses=problem_responses(404))
def get(id: ItemId, session: SessionDep, response: Response) -> dict[str, Any]:
    row = profiles.get_profile(session, id)
    with_etag(response, row.version)
    return profile_view(row)


@router.patch("/{id}", response_model=EquipmentProfileOut,
              responses=problem_responses(400, 404, 409, 412, 422))
def update(id: ItemId, body: EquipmentProfileUpdate,  # type: ignore[valid-type]
           session: SessionDep, request: Request, response: Response,
           if_match: IfMatch = None) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)  # type: ignore[attr-defined]
    row = profiles.update_profile(session, id, changes, if_match,
                                  request.app.state.profile_validator)
    with_etag(response, row.version)
    return profile_view(row)


@router.delete("/{id}", status_code=204, responses=problem_responses(404, 409, 412))
def delete(id: ItemId, session: SessionDep, if_match: IfMatch = None) -> Response:
    profiles.delete_profile(session, id, if_match)
    return Response(status_code=204)
