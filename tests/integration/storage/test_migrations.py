"""Alembic from an empty database, and upgrade -> downgrade -> upgrade with data kept."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from qnetplan.cli import db_downgrade, db_upgrade
from qnetplan.config import Settings
from qnetplan.storage.base import Base


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_round_trip_keeps_data(database_url: str) -> None:
    settings = Settings(database_url=database_url)
    assert _tables(database_url) == set(Base.metadata.tables)
    db_downgrade(settings, "base")
    assert _tables(database_url) == set()
    db_upgrade(settings)
    assert _tables(database_url) == set(Base.metadata.tables)

    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO network (name, description, route_factor, version, created_at, "
            "updated_at) VALUES ('kept', '', 1.3, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    engine.dispose()
    # Down and up over every revision but the first keeps the rows of the first.
    assert len(_revisions()) > 1
    db_downgrade(settings, _revisions()[-1])
    db_upgrade(settings)
    assert _tables(database_url) == set(Base.metadata.tables)
    engine = create_engine(database_url)
    with engine.connect() as conn:
        names = [row[0] for row in conn.execute(text("SELECT name FROM network"))]
    engine.dispose()
    assert names == ["kept"]


def _revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    from qnetplan.cli import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))  # type: ignore[arg-type]
    return [rev.revision for rev in script.walk_revisions()]  # newest first


def test_models_match_migrations(database_url: str) -> None:
    """Autogenerate finds nothing to do: the models and the migrations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = create_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []
