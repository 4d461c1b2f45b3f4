"""docker-compose.yml follows the Compose specification (validated offline: no Docker engine
runs here) and wires the app to a healthy PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_file_validates_against_the_compose_spec() -> None:
    tool = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run(
        [str(tool), "--builtin-schema", "vendor.compose-spec", str(ROOT / "docker-compose.yml")],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_wires_app_to_healthy_postgres() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    db, app = compose["services"]["db"], compose["services"]["app"]
    assert "healthcheck" in db
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["environment"]["QNETPLAN_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert (ROOT / app["build"]["dockerfile"]).is_file()
