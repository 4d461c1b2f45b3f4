"""Routers for the children of a network: nodes, links and demands share one shape.

(No ``from __future__ import annotations`` here: FastAPI must see the real schema classes
that the factory closes over.)"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from qnetplan.api.deps import IfMatch, PageDep, SessionDep
from qnetplan.api.errors import problem_responses
from qnetplan.api.routes.common import ItemId, NetworkId, created, envelope, with_etag
from qnetplan.api.schemas.common import Page
from qnetplan.api.schemas.resources import (
    DemandCreate,
    DemandOut,
    DemandUpdate,
    LinkCreate,
    LinkOut,
    LinkUpdate,
    NodeCreate,
    NodeOut,
    NodeUpdate,
)
from qnetplan.services import topology
from qnetplan.services.views import demand_view, link_view, node_view
from qnetplan.storage import repositories as repo
from qnetplan.storage.models import DemandRow, LinkRow, NodeRow


@dataclass(frozen=True)
class ChildKind:
    path: str
    model: type
    create_schema: type[BaseModel]
    update_schema: type[BaseModel]
    out_schema: type[BaseModel]
    get: Callable[[Session, int, int], Any]
    create: Callable[[Session, int, dict[str, Any]], Any]
    update: Callable[[Session, int, int, dict[str, Any], str | None], Any]
    view: Callable[[Session, Any], dict[str, Any]]


def _link_view(session: Session, row: LinkRow) -> dict[str, Any]:
    network = topology.get_network(session, row.network_id)
    nodes = {
        n.id: n for n in (session.get(NodeRow, row.a_node_id), session.get(NodeRow, row.b_node_id))
        if n is not None
    }
    return link_view(row, nodes, network.route_factor)


def _list_views(session: Session, kind: ChildKind, network_id: int, rows: list[Any]
                ) -> list[dict[str, Any]]:
    if kind.model is LinkRow:
        network = topology.get_network(session, network_id)
        nodes = repo.nodes_by_id(session, network_id)
        return [link_view(r, nodes, network.route_factor) for r in rows]
    return [kind.view(session, r) for r in rows]


def child_router(kind: ChildKind, with_cascade: bool = False) -> APIRouter:
    router = APIRouter(prefix="/networks/{id}/" + kind.path, tags=[kind.path])
    create_schema, update_schema, out_schema = (kind.create_schema, kind.update_schema,
                                                kind.out_schema)

    @router.get("", response_model=Page[out_schema],  # type: ignore[valid-type]
                responses=problem_responses(404, 422))
    def list_(id: NetworkId, session: SessionDep, page: PageDep) -> dict[str, Any]:
        rows, total = topology.list_children(session, kind.model, id, page)
        return envelope(_list_views(session, kind, id, rows), total, page.limit, page.offset)

    @router.post("", status_code=201, response_model=out_schema,
                 responses=problem_responses(400, 404, 409, 422))
    def create(id: NetworkId, body: create_schema, session: SessionDep,  # type: ignore[valid-type]
               response: Response) -> dict[str, Any]:
        row = kind.create(session, id, body.model_dump())  # type: ignore[attr-defined]
        created(response, f"/api/v1/networks/{id}/{kind.path}/{row.id}", row.version)
        return kind.view(session, row)

    @router.get("/{item_id}", response_model=out_schema, responses=problem_responses(404))
    def get(id: NetworkId, item_id: ItemId, session: SessionDep,
            response: Response) -> dict[str, Any]:
        row = kind.get(session, id, item_id)
        with_etag(response, row.version)
        return kind.view(session, row)

    @router.patch("/{item_id}", response_model=out_schema,
                  responses=problem_responses(400, 404, 409, 412, 422))
    def update(id: NetworkId, item_id: ItemId, body: update_schema,  # type: ignore[valid-type]
               session: SessionDep, response: Response,
               if_match: IfMatch = None) -> dict[str, Any]:
        changes = body.model_dump(exclude_unset=True)  # type: ignore[attr-defined]
        row = kind.update(session, id, item_id, changes, if_match)
        with_etag(response, row.version)
        return kind.view(session, row)

    if with_cascade:
        @router.delete("/{item_id}", status_code=204, name="delete",
                       responses=problem_responses(404, 409, 412, 422))
        def delete_with_cascade(id: NetworkId, item_id: ItemId, session: SessionDep,
                   cascade: Annotated[bool, Query(
                       description="Also delete the links and demands that use the node.")
                   ] = False,
                   if_match: IfMatch = None) -> Response:
            topology.delete_node(session, id, item_id, cascade, if_match)
            return Response(status_code=204)
    else:
        deleter = topology.delete_link if kind.model is LinkRow else topology.delete_demand

        @router.delete("/{item_id}", status_code=204, responses=problem_responses(404, 412))
        def delete(id: NetworkId, item_id: ItemId, session: SessionDep,
                   if_match: IfMatch = None) -> Response:
            deleter(session, id, item_id, if_match)
            return Response(status_code=204)

    return router


NODES = ChildKind("nodes", NodeRow, NodeCreate, NodeUpdate, NodeOut, topology.get_node,
                  topology.create_node, topology.update_node, lambda _s, r: node_view(r))
LINKS = ChildKind("links", LinkRow, LinkCreate, LinkUpdate, LinkOut, topology.get_link,
                  topology.create_link, topology.update_link, _link_view)
DEMANDS = ChildKind("demands", DemandRow, DemandCreate, DemandUpdate, DemandOut,
                    topology.get_demand, topology.create_demand, topology.update_demand,
                    lambda _s, r: demand_view(r))

routers = [child_router(NODES, with_cascade=True), child_router(LINKS), child_router(DEMANDS)]
