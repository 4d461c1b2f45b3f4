"""Helpers shared by the routers: path ids, headers, list envelopes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Response

from qnetplan.api.schemas.common import MAX_DB_INT
from qnetplan.services.concurrency import etag

NetworkId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="Network id.")]
ItemId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="Item id.")]


def with_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def created(response: Response, location: str, version: int) -> None:
    response.headers["Location"] = location
    with_etag(response, version)


def envelope(items: list[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    return {"items": items, "total": total, "limit": limit, "offset": offset}
