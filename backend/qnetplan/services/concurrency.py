"""Versions, weak ETags and If-Match (API-CONTRACT.md §1 "Concurrency")."""

from __future__ import annotations

from qnetplan.errors import PreconditionFailedError


def etag(version: int) -> str:
    return f'W/"{version}"'


def check_if_match(if_match: str | None, version: int) -> None:
    """Raise :class:`PreconditionFailedError` when ``If-Match`` is given and names no current
    version. Weak comparison: ``W/"7"`` and ``"7"`` both match version 7; ``*`` matches any."""
    if if_match is None:
        return
    for raw in if_match.split(","):
        tag = raw.strip()
        if tag == "*":
            return
        tag = tag.removeprefix("W/").strip()
        if tag.startswith('"') and tag.endswith('"') and len(tag) >= 2:
            tag = tag[1:-1]
        if tag == str(version):
            return
    raise PreconditionFailedError(
        f"If-Match {if_match!r} does not match the current version {version} "
        f"(ETag {etag(version)}): someone else changed this resource. Reload and retry."
    )
