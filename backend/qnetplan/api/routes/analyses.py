"""Analyses and routes (API-CONTRACT.md §4).

An analysis runs on a worker thread; the request waits up to ``WAIT_S`` seconds and answers
201 with the finished analysis, else 202 with its id (the worker stores the result)."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session, sessionmaker

from qnetplan.api.deps import SessionDep
from qnetplan.api.errors import problem_responses
from qnetplan.api.routes.common import ItemId, NetworkId
from qnetplan.api.schemas.analysis import (
    AnalysisAccepted,
    AnalysisOut,
    AnalysisRequest,
    Objective,
    RoutesOut,
)
from qnetplan.services import analysis
from qnetplan.services.topology import get_network

WAIT_S = 5.0
log = logging.getLogger(__name__)

router = APIRouter(tags=["analyses"])


def _store_later(factory: sessionmaker[Session], analysis_id: int,
                 future: Future[dict[str, Any]]) -> None:
    error = None if future.exception() is None else repr(future.exception())
    result = None if error is not None else future.result()
    with factory() as session, session.begin():
        analysis.finish(analysis.get_analysis(session, analysis_id), result, error)


@router.post("/networks/{id}/analyses", status_code=201, response_model=AnalysisOut,
             name="create", responses={**problem_responses(400, 404, 422),
                                       202: {"model": AnalysisAccepted,
                                             "description": "Still running"}})
def create(id: NetworkId, body: AnalysisRequest, session: SessionDep, request: Request,
           response: Response) -> Any:
    parameters = body.model_dump()
    row, snapshot, virtual = analysis.new_analysis_row(session, id, parameters)
    future = request.app.state.analysis_executor.submit(
        analysis.compute, snapshot, analysis.parse_params(parameters), virtual)
    try:
        result = future.result(timeout=WAIT_S)
        analysis.finish(row, result, None)
    except FutureTimeout:
        session.commit()  # the row must exist before the worker writes into it
        future.add_done_callback(
            lambda f: _store_later(request.app.state.session_factory, row.id, f))
        return JSONResponse(
            {"id": row.id, "status": "running", "progress": 0.0}, status_code=202,
            headers={"Location": f"/api/v1/analyses/{row.id}"})
    except Exception as exc:  # an engine fault is stored, not a 500
        log.exception("analysis %s failed", row.id)
        analysis.finish(row, None, repr(exc))
    session.flush()
    response.headers["Location"] = f"/api/v1/analyses/{row.id}"
    return analysis.analysis_view(row)


@router.get("/analyses/{id}", response_model=AnalysisOut, name="get",
            responses=problem_responses(404))
def get(id: ItemId, session: SessionDep) -> dict[str, Any]:
    return analysis.analysis_view(analysis.get_analysis(session, id))


@router.get("/networks/{id}/routes", response_model=RoutesOut, tags=["routes"],
            name="routes", responses=problem_responses(404, 422))
def routes(id: NetworkId, session: SessionDep,
           source: Annotated[int, Query(ge=1, le=2_147_483_647)],
           target: Annotated[int, Query(ge=1, le=2_147_483_647)],
           objective: Objective = "widest",
           k: Annotated[int, Query(ge=1, le=20)] = 3) -> dict[str, Any]:
    """Up to ``k`` loopless routes between two key-holding nodes, best first."""
    get_network(session, id)
    return {"routes": analysis.routes(session, id, source, target, objective, k)}
