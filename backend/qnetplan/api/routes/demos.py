"""/api/v1/demo-networks: published networks to start from."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from qnetplan import demo
from qnetplan.api.deps import SessionDep
from qnetplan.api.errors import problem_responses
from qnetplan.api.routes.common import created
from qnetplan.api.schemas.document import DemoNetworkList
from qnetplan.api.schemas.resources import NetworkOut
from qnetplan.errors import NotFoundError
from qnetplan.services import document
from qnetplan.services.views import network_view

router = APIRouter(prefix="/demo-networks", tags=["demo-networks"])


@router.get("", response_model=DemoNetworkList)
def list_() -> dict[str, Any]:
    items = [{"key": d.key, "name": d.name, "description": d.description,
              "sources": list(d.sources)} for d in demo.list_demos()]
    return {"items": items, "total": len(items)}


@router.post("/{key}", status_code=201, response_model=NetworkOut,
             responses=problem_responses(404, 422))
def load(key: Annotated[str, Path(max_length=100)], session: SessionDep, request: Request,
         response: Response) -> dict[str, Any]:
    try:
        doc = demo.load_demo_document(key)
    except KeyError:
        raise NotFoundError(f"No demo network {key!r}.") from None
    row = document.import_document(session, validated_document(doc),
                                   request.app.state.profile_validator)
    created(response, f"/api/v1/networks/{row.id}", row.version)
    return network_view(row)


def validated_document(doc: dict[str, Any]) -> dict[str, Any]:
    from qnetplan.api.schemas.document import NetworkDocumentIn

    return NetworkDocumentIn.model_validate(doc).model_dump()
