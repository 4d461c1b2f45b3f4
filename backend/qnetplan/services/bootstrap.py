"""Database seeding after migrations: the built-in equipment catalogue."""

from __future__ import annotations

from typing import Any

from qnetplan.config import Settings
from qnetplan.engine.catalogue import builtin_profiles
from qnetplan.services.profiles import sync_builtin_profiles
from qnetplan.storage.session import make_engine, make_session_factory


def builtin_catalogue() -> list[dict[str, Any]]:
    return [dict(p) for p in builtin_profiles()]


def seed_database(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            sync_builtin_profiles(session, builtin_catalogue())
    finally:
        engine.dispose()
