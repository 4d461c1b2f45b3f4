"""Database seeding after migrations (the built-in equipment catalogue) and demo loading."""

from __future__ import annotations

from qnetplan.config import Settings
from qnetplan.services.profiles import sync_builtin_profiles
from qnetplan.storage.session import make_engine, make_session_factory


def builtin_catalogue() -> list[dict[str, object]]:
    import importlib.util  # TEMPORARY until the catalogue lands

    if importlib.util.find_spec("qnetplan.engine.catalogue") is None:
        return []
    from qnetplan.engine.catalogue import builtin_profiles  # type: ignore[attr-defined]

    return builtin_profiles()  # type: ignore[no-any-return]


def seed_database(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            sync_builtin_profiles(session, builtin_catalogue())
    finally:
        engine.dispose()
