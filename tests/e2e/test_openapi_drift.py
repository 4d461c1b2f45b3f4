"""The front end's client is generated from frontend/openapi.json: that file must be exactly
what the app serves at /openapi.json, so a changed API fails here until `npm run gen:api --
--from-app` regenerates the client (frontend/src/api/schema.test.ts then checks the generated
TypeScript against openapi.json). Needs no browser."""

from __future__ import annotations

import json
from pathlib import Path

from qnetplan.config import Settings
from qnetplan.main import create_app

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "frontend" / "openapi.json"


def _diff_paths(a: object, b: object, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[str] = []
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}/{k}: {'added' if k in a else 'removed'}")
            else:
                out += _diff_paths(a[k], b[k], f"{path}/{k}")
        return out
    return [] if a == b else [f"{path}: changed"]


def test_frontend_openapi_matches_the_app(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'drift.sqlite3'}"))
    served = json.loads(json.dumps(app.openapi()))
    saved = json.loads(SPEC.read_text())
    diff = _diff_paths(served, saved)
    assert not diff, (
        "frontend/openapi.json is stale; run `cd frontend && npm run gen:api -- --from-app` "
        "and commit openapi.json and src/api/schema.d.ts. Differences:\n" + "\n".join(diff[:40])
    )
