"""Demo networks shipped with QNetPlan (API-CONTRACT.md §2, "demo networks").

Each demo is a whole-network document (``"format": "qnetplan-network"``) stored as a JSON file
in this package, valid input for ``POST /networks/import-document``. The catalogue lives in
``index.json`` next to the documents, so a demo's metadata never has to travel inside the
document itself::

    {"demos": {"<key>": {"file": "<key>.json", "name": "...", "description": "...",
                         "sources": ["...", ...]}}}

To add a demo, drop its document into this folder and append an entry to ``index.json``;
nothing in this module needs to change. ``README.md`` lists every number in the shipped demos
with its source.

Only the standard library is used, and the functions have no side effects: every call reads
the packaged files afresh and returns new objects.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = ["INDEX_FILE", "DemoInfo", "list_demos", "load_demo_document"]

INDEX_FILE = "index.json"

_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_FILE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\.json$")


@dataclass(frozen=True)
class DemoInfo:
    """One catalogue entry: what ``GET /demo-networks`` lists for a demo."""

    key: str
    name: str
    description: str
    sources: list[str]


def _reject_constant(token: str) -> Any:
    raise ValueError(f"non-finite number {token!r} in demo data")


def _read_json(filename: str) -> Any:
    text = resources.files(__name__).joinpath(filename).read_text(encoding="utf-8")
    return json.loads(text, parse_constant=_reject_constant)


def _entries() -> dict[str, dict[str, Any]]:
    """The validated ``index.json`` entries, keyed by demo key, in file order."""
    data = _read_json(INDEX_FILE)
    demos = data.get("demos") if isinstance(data, dict) else None
    if not isinstance(demos, dict):
        raise ValueError(f"{INDEX_FILE}: expected an object with a 'demos' object")
    for key, entry in demos.items():
        if not _KEY_RE.match(key):
            raise ValueError(f"{INDEX_FILE}: invalid demo key {key!r}")
        if not isinstance(entry, dict):
            raise ValueError(f"{INDEX_FILE}: entry {key!r} is not an object")
        file = entry.get("file")
        if not isinstance(file, str) or not _FILE_RE.match(file) or file == INDEX_FILE:
            raise ValueError(f"{INDEX_FILE}: entry {key!r} has an invalid file name {file!r}")
        for field in ("name", "description"):
            if not isinstance(entry.get(field), str) or not entry[field]:
                raise ValueError(f"{INDEX_FILE}: entry {key!r} needs a non-empty {field!r}")
        sources = entry.get("sources")
        if (
            not isinstance(sources, list)
            or not sources
            or not all(isinstance(s, str) and s for s in sources)
        ):
            raise ValueError(f"{INDEX_FILE}: entry {key!r} needs a non-empty list of sources")
    return demos


def list_demos() -> list[DemoInfo]:
    """Every demo in the catalogue, in ``index.json`` order."""
    return [
        DemoInfo(
            key=key,
            name=entry["name"],
            description=entry["description"],
            sources=list(entry["sources"]),
        )
        for key, entry in _entries().items()
    ]


def load_demo_document(key: str) -> dict[str, Any]:
    """The whole-network document of demo ``key`` (a fresh dict on every call).

    Raises ``KeyError`` when no demo has that key.
    """
    entries = _entries()
    if key not in entries:
        raise KeyError(key)
    document = _read_json(entries[key]["file"])
    if not isinstance(document, dict):
        raise ValueError(f"demo {key!r}: the document is not a JSON object")
    return document
