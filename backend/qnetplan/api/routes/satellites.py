"""/api/v1/networks/{id}/satellites: CRUD, passes and key volume (API-CONTRACT.md §5).

Pass searches and key models are CPU-bound: plain ``def`` routes, run in the threadpool.

(No ``from __future__ import annotations``: FastAPI must see the real annotated types.)
"""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from qnetplan.api.deps import IfMatch, PageDep, SessionDep
from qnetplan.api.errors import problem_responses
from qnetplan.api.routes.common import ItemId, NetworkId, created, envelope, with_etag
from qnetplan.api.schemas.common import MAX_DB_INT, Page
from qnetplan.api.schemas.satellites import (
    KeyVolumeOut,
    PassesOut,
    SatelliteCreate,
    SatelliteOut,
    SatelliteUpdate,
)
from qnetplan.services import satellites

router = APIRouter(prefix="/networks/{id}/satellites", tags=["satellites"])

StartQuery = Annotated[datetime | None, Query(
    description="Start of the window, ISO 8601 UTC (default: the TLE epoch).")]
StationQuery = Annotated[int | None, Query(
    ge=1, le=MAX_DB_INT, description="Only this ground-station node (default: every ground "
    "station of the network).")]


@router.get("", response_model=Page[SatelliteOut], name="list",
            responses=problem_responses(404, 422))
def list_(id: NetworkId, session: SessionDep, page: PageDep) -> dict[str, Any]:
    rows, total = satellites.list_satellites(session, id, page)
    return envelope([satellites.satellite_view(r) for r in rows], total, page.limit,
                    page.offset)


@router.post("", status_code=201, response_model=SatelliteOut,
             responses=problem_responses(400, 404, 409, 422))
def create(id: NetworkId, body: SatelliteCreate, session: SessionDep,
           response: Response) -> dict[str, Any]:
    """Create a satellite and its node of role ``satellite`` (same name; position = the
    sub-satellite point and orbit altitude at the TLE epoch)."""
    row = satellites.create_satellite(session, id, body.model_dump())
    created(response, f"/api/v1/networks/{id}/satellites/{row.id}", row.version)
    return satellites.satellite_view(row)


@router.get("/{satellite_id}", response_model=SatelliteOut, responses=problem_responses(404))
def get(id: NetworkId, satellite_id: ItemId, session: SessionDep,
        response: Response) -> dict[str, Any]:
    row = satellites.get_satellite(session, id, satellite_id)
    with_etag(response, row.version)
    return satellites.satellite_view(row)


@router.patch("/{satellite_id}", response_model=SatelliteOut,
              responses=problem_responses(400, 404, 409, 412, 422))
def update(id: NetworkId, satellite_id: ItemId,
           body: SatelliteUpdate,  # type: ignore[valid-type]
           session: SessionDep, response: Response,
           if_match: IfMatch = None) -> dict[str, Any]:
    """Partial update; a new name or TLE moves and renames the satellite's node too."""
    changes = body.model_dump(exclude_unset=True)  # type: ignore[attr-defined]
    row = satellites.update_satellite(session, id, satellite_id, changes, if_match)
    with_etag(response, row.version)
    return satellites.satellite_view(row)


@router.delete("/{satellite_id}", status_code=204,
               responses=problem_responses(404, 409, 412, 422))
def delete(id: NetworkId, satellite_id: ItemId, session: SessionDep,
           cascade: Annotated[bool, Query(
               description="Also delete the links and demands that use the satellite's node.")
           ] = False,
           if_match: IfMatch = None) -> Response:
    """Delete the satellite and its node (409 when links or demands use the node, unless
    ``?cascade=true``)."""
    satellites.delete_satellite(session, id, satellite_id, cascade, if_match)
    return Response(status_code=204)


@router.get("/{satellite_id}/passes", response_model=PassesOut,
            responses=problem_responses(404, 422))
def passes(id: NetworkId, satellite_id: ItemId, session: SessionDep,
           start: StartQuery = None,
           end: Annotated[datetime | None, Query(
               description="End of the window (default start + 1 day; at most 366 days "
               "after start).")] = None,
           station_id: StationQuery = None) -> dict[str, Any]:
    """Every pass whose culmination lies in [start, end), with its true rise and set
    (geometric elevations), the night flag and the key of the pass as one finite-key block
    (``key_bits`` null when no equipment profile applies)."""
    return {"passes": satellites.passes(session, id, satellite_id, start, end, station_id)}


@router.get("/{satellite_id}/key-volume", response_model=KeyVolumeOut, name="key_volume",
            responses=problem_responses(404, 422))
def key_volume(id: NetworkId, satellite_id: ItemId, session: SessionDep,
               start: StartQuery = None,
               days: Annotated[int, Query(ge=1, le=366, description="Length of the period "
                                          "[day], at most 366.")] = 1,
               station_id: StationQuery = None) -> dict[str, Any]:
    """Expected key per UTC day and station (scaled by the stations' cloud-free fraction),
    each station's average key rate (the relay edge capacity) and the key store that
    bridges the gaps between passes."""
    return satellites.key_volume_of(session, id, satellite_id, start, days, station_id)
