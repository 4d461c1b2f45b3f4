"""/api/v1/networks: create, list, read, update, delete."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from qnetplan.api.deps import IfMatch, PageDep, SessionDep
from qnetplan.api.errors import problem_responses
from qnetplan.api.routes.common import NetworkId, created, envelope, with_etag
from qnetplan.api.schemas.common import Page
from qnetplan.api.schemas.document import NetworkDocumentIn, NetworkDocumentOut
from qnetplan.api.schemas.resources import NetworkCreate, NetworkOut, NetworkUpdate
from qnetplan.services import document, topology
from qnetplan.services.views import network_view

router = APIRouter(prefix="/networks", tags=["networks"])


@router.get("", response_model=Page[NetworkOut], responses=problem_responses(422))
def list_(session: SessionDep, page: PageDep) -> dict[str, Any]:
    rows, total = topology.list_networks(session, page)
    return envelope([network_view(r) for r in rows], total, page.limit, page.offset)


@router.post("", status_code=201, response_model=NetworkOut,
             responses=problem_responses(400, 422))
def create(body: NetworkCreate, session: SessionDep, response: Response) -> dict[str, Any]:
    row = topology.create_network(session, body.model_dump())
    created(response, f"/api/v1/networks/{row.id}", row.version)
    return network_view(row)


@router.get("/{id}", response_model=NetworkOut, responses=problem_responses(404))
def get(id: NetworkId, session: SessionDep, response: Response) -> dict[str, Any]:
    row = topology.get_network(session, id)
    with_etag(response, row.version)
    return network_view(row)


@router.patch("/{id}", response_model=NetworkOut,
              responses=problem_responses(400, 404, 412, 422))
def update(id: NetworkId, body: NetworkUpdate, session: SessionDep,  # type: ignore[valid-type]
           response: Response, if_match: IfMatch = None) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)  # type: ignore[attr-defined]
    row = topology.update_network(session, id, changes, if_match)
    with_etag(response, row.version)
    return network_view(row)


@router.delete("/{id}", status_code=204, responses=problem_responses(404, 412))
def delete(id: NetworkId, session: SessionDep, if_match: IfMatch = None) -> Response:
    topology.delete_network(session, id, if_match)
    return Response(status_code=204)


@router.get("/{id}/document", response_model=NetworkDocumentOut,
            responses=problem_responses(404))
def get_document(id: NetworkId, session: SessionDep, response: Response) -> dict[str, Any]:
    doc = document.export_document(session, id)
    with_etag(response, doc["network"]["version"])
    return doc


@router.put("/{id}/document", response_model=NetworkDocumentOut,
            responses=problem_responses(400, 404, 412, 413, 422))
def put_document(id: NetworkId, body: NetworkDocumentIn, session: SessionDep,
                 request: Request, response: Response,
                 if_match: IfMatch = None) -> dict[str, Any]:
    """Replace the network with the document, in one transaction: entities whose ids exist in
    the network are updated in place, entities without a known id are created, stored
    entities missing from the document are deleted."""
    document.replace_document(session, id, body.model_dump(), if_match,
                              request.app.state.profile_validator)
    doc = document.export_document(session, id)
    with_etag(response, doc["network"]["version"])
    return doc


@router.post("/import-document", status_code=201, response_model=NetworkOut,
             responses=problem_responses(400, 413, 422))
def import_document(body: NetworkDocumentIn, session: SessionDep, request: Request,
                    response: Response) -> dict[str, Any]:
    """Create a new network from a document (ids remapped, every other field kept)."""
    row = document.import_document(session, body.model_dump(),
                                   request.app.state.profile_validator)
    created(response, f"/api/v1/networks/{row.id}", row.version)
    return network_view(row)
