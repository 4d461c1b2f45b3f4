"""Application factory: ``create_app(settings)`` wires storage, routers, errors and the UI."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI, Request, Response
from fastapi.routing import APIRoute

from qnetplan import __version__
from qnetplan.api.errors import install_error_handlers, problem_response
from qnetplan.api.routes import (
    analyses,
    calc,
    calc_free_space,
    children,
    demos,
    health,
    networks,
    profiles,
    satellites,
)
from qnetplan.api.spa import install_spa
from qnetplan.config import Settings, get_settings
from qnetplan.services.calculator import validate_profile
from qnetplan.storage.session import dialect_name, make_engine, make_session_factory

API_PREFIX = "/api/v1"


def operation_id(route: APIRoute) -> str:
    """Operation ids read like ``networks-create`` (API-CONTRACT.md §1)."""
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name.rstrip('_')}"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    app = FastAPI(
        title="QNetPlan API",
        version=__version__,
        description="Planning workbench for quantum networks: topology store, loss budgets, "
        "QKD key rates, trusted-node routing and satellites. Errors are RFC 9457 problem+json; "
        "malformed JSON answers 400.",
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.dialect = dialect_name(engine)
    app.state.profile_validator = validate_profile
    app.state.analysis_executor = ThreadPoolExecutor(max_workers=1,
                                                     thread_name_prefix="analysis")

    @app.middleware("http")
    async def limit_upload(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > settings.max_upload_bytes:
            return problem_response(
                413, f"The body has {length} bytes; the limit is {settings.max_upload_bytes} "
                "(QNETPLAN_MAX_UPLOAD_BYTES).")
        return await call_next(request)

    install_error_handlers(app)
    app.include_router(health.router, prefix=API_PREFIX)
    app.include_router(networks.router, prefix=API_PREFIX)
    for router in children.routers:
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(profiles.router, prefix=API_PREFIX)
    app.include_router(demos.router, prefix=API_PREFIX)
    app.include_router(calc.router, prefix=API_PREFIX)
    app.include_router(calc_free_space.router, prefix=API_PREFIX)
    app.include_router(satellites.router, prefix=API_PREFIX)
    app.include_router(analyses.router, prefix=API_PREFIX)
    install_spa(app)
    return app
