"""API fuzzing over the OpenAPI document (schemathesis, in-process, bounded examples per
operation): no 500, every status documented, every response matches its schema.

FastAPI answers malformed JSON with 400 (API-CONTRACT.md §1); the OpenAPI document declares it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from qnetplan.cli import db_upgrade
from qnetplan.config import Settings
from qnetplan.main import create_app

_DB = Path(os.environ.get("QNETPLAN_FUZZ_DB_DIR", "/tmp")) / f"qnetplan-fuzz-{os.getpid()}.db"
if _DB.exists():
    _DB.unlink()
db_upgrade(Settings(database_url=f"sqlite:///{_DB}"))
app = create_app(Settings(database_url=f"sqlite:///{_DB}"))

schema = schemathesis.openapi.from_asgi("/openapi.json", app)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
MAX_EXAMPLES = int(os.environ.get("QNETPLAN_FUZZ_EXAMPLES", "25"))


@pytest.fixture(scope="module", autouse=True)
def _seed() -> None:
    """Give the fuzzer existing ids to hit: a network with two nodes, a link and a demand."""
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        net = client.post("/api/v1/networks", json={"name": "fuzz"}).json()
        nodes = [client.post(f"/api/v1/networks/{net['id']}/nodes", json={
            "name": f"N{i}", "role": "endpoint", "latitude_deg": 1.0 + i,
            "longitude_deg": 2.0}).json() for i in range(2)]
        ends = {"a_node_id": nodes[0]["id"], "b_node_id": nodes[1]["id"]}
        client.post(f"/api/v1/networks/{net['id']}/links", json=ends)
        client.post(f"/api/v1/networks/{net['id']}/demands",
                    json={**ends, "required_key_rate_bps": 1.0})


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_api_never_fails(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)
