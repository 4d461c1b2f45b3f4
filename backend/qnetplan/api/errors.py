"""Error mapping in one place: domain errors, validation errors and HTTP errors become RFC 9457
``application/problem+json`` responses (API-CONTRACT.md §1 "Errors")."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from qnetplan.api.schemas.common import Problem
from qnetplan.errors import (
    CapabilityUnavailableError,
    ConflictError,
    FieldProblem,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    PreconditionFailedError,
    QNetPlanError,
)

PROBLEM_JSON = "application/problem+json"

STATUS_OF: dict[type[QNetPlanError], int] = {
    NotFoundError: 404,
    ConflictError: 409,
    PreconditionFailedError: 412,
    PayloadTooLargeError: 413,
    InvalidInputError: 422,
    CapabilityUnavailableError: 503,
}

TITLES = {400: "Malformed request", 404: "Not found", 405: "Method not allowed",
          409: "Conflict", 412: "Precondition failed", 413: "Payload too large",
          422: "Invalid input", 503: "Capability unavailable"}


def problem_response(status: int, detail: str, problems: list[FieldProblem] | None = None,
                     title: str | None = None, headers: dict[str, str] | None = None
                     ) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "errors": [
            {k: v for k, v in (("pointer", p.pointer), ("parameter", p.parameter),
                               ("detail", p.detail)) if v is not None}
            for p in problems or []
        ],
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _escape(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def json_pointer(loc: tuple[Any, ...] | list[Any]) -> str:
    return "".join(f"/{_escape(part)}" for part in loc)


def _validation_response(exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    if any(err.get("type") == "json_invalid" for err in errors):
        detail = "; ".join(str(err.get("ctx", {}).get("error", err.get("msg")))
                           for err in errors if err.get("type") == "json_invalid")
        return problem_response(400, f"The body is not valid JSON: {detail}")
    if any(err.get("loc", ("",))[0] == "path" for err in errors):
        return problem_response(404, "No resource has that id.")
    problems = []
    for err in errors:
        loc = tuple(err.get("loc", ()))
        where, rest = (loc[0], loc[1:]) if loc else ("body", ())
        message = str(err.get("msg", "invalid"))
        if where == "body":
            problems.append(FieldProblem(detail=message, pointer=json_pointer(rest)))
        else:
            problems.append(FieldProblem(detail=message,
                                         parameter=".".join(str(p) for p in rest)))
    return problem_response(422, "The request is invalid; see errors.", problems)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(QNetPlanError)
    async def _domain(_request: Request, exc: QNetPlanError) -> JSONResponse:
        status = next((code for kind, code in STATUS_OF.items() if isinstance(exc, kind)), 422)
        return problem_response(status, exc.detail, exc.problems, title=exc.title)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _validation_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "")
        if exc.status_code == 404 and detail == "Not Found":
            detail = "No resource at this path."
        return problem_response(exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(IntegrityError)
    async def _integrity(_request: Request, exc: IntegrityError) -> JSONResponse:
        # The services check constraints first; this backs them against races.
        return problem_response(409, "The change conflicts with stored data "
                                f"({type(exc.orig).__name__}).")

    @app.exception_handler(DBAPIError)
    async def _dbapi(_request: Request, exc: DBAPIError) -> JSONResponse:
        return problem_response(503, "The database could not complete the request "
                                f"({type(exc.orig).__name__}); nothing was written.",
                                title="Database unavailable")


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": TITLES[status]}
    for status in (400, 404, 409, 412, 413, 422)
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: PROBLEM_RESPONSES[s] for s in statuses}
