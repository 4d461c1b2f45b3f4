"""Serves the built single-page app: static files, and index.html for app paths such as
``/networks/{id}`` — never shadowing ``/api``, ``/docs`` or ``/openapi.json``."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response

from qnetplan.api.errors import problem_response

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
RESERVED = ("api/", "docs", "redoc", "openapi.json")

FALLBACK_PAGE = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>QNetPlan</title>"
    "<body><h1>QNetPlan</h1><p>The front end is not built. Run <code>make run</code>; the API "
    "is at <a href=/docs>/docs</a>.</p></body></html>"
)


def install_spa(app: FastAPI, static_dir: Path = STATIC_DIR) -> None:
    root = static_dir.resolve()

    @app.get("/{path:path}", include_in_schema=False)
    def spa(path: str) -> Response:
        if path.startswith(RESERVED) or path == "api":
            return problem_response(404, "No resource at this path.")
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root):
            return FileResponse(candidate)
        if "." in path.rsplit("/", 1)[-1]:
            return problem_response(404, f"No file {path!r}.")
        index = root / "index.html"
        if index.is_file():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return Response(FALLBACK_PAGE, media_type="text/html")
