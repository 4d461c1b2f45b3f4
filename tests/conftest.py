"""Shared fixtures: every integration test runs against SQLite and PostgreSQL databases built
by the real Alembic migrations, each test on a clean database.

PostgreSQL: ``QNETPLAN_TEST_POSTGRES_URL`` names a server URL (an admin database such as
``postgres``); each run creates its own ``qnetplan_test_<pid>_<random>`` database there and
drops it afterwards. Without the variable the local server on 127.0.0.1:5432 is tried. When no
server answers the PostgreSQL tests skip with the reason — except under CI (``CI`` set), where
that is a failure.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from qnetplan.cli import db_upgrade
from qnetplan.config import Settings

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _pg_admin_url() -> str:
    return os.environ.get("QNETPLAN_TEST_POSTGRES_URL", DEFAULT_PG)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    db_upgrade(Settings(database_url=f"sqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    admin_url = _pg_admin_url()
    name = f"qnetplan_test_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        reason = f"PostgreSQL not reachable at {make_url(admin_url).render_as_string()}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (PostgreSQL tests are mandatory under CI)")
        pytest.skip(reason)
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
            ), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_migrated(postgres_database: str) -> str:
    db_upgrade(Settings(database_url=postgres_database))
    return postgres_database


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [row[0] for row in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"))]
        if tables:
            conn.execute(text(
                "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
            ))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A freshly migrated, empty (built-in catalogue only) database for one test."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_migrated")
    _reset_postgres(url)
    from qnetplan.services.bootstrap import seed_database

    seed_database(Settings(database_url=url))
    return url
