"""Command line: ``qnetplan serve | db upgrade | db downgrade | demo``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qnetplan.config import Settings, get_settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def alembic_config(database_url: str) -> object:
    from alembic.config import Config

    ini = PROJECT_ROOT / "alembic.ini"
    config = Config(str(ini))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def db_upgrade(settings: Settings, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(settings.database_url), revision)  # type: ignore[arg-type]
    from qnetplan.services.bootstrap import seed_database

    seed_database(settings)


def db_downgrade(settings: Settings, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(settings.database_url), revision)  # type: ignore[arg-type]


def load_demos(settings: Settings, key: str | None = None) -> list[tuple[str, int]]:
    """Load one demo network (or all of them) into the database; returns (key, network id)."""
    from qnetplan import demo
    from qnetplan.api.routes.demos import validated_document
    from qnetplan.services.document import import_document
    from qnetplan.storage.session import make_engine, make_session_factory

    keys = [key] if key else [d.key for d in demo.list_demos()]
    engine = make_engine(settings.database_url)
    loaded = []
    try:
        with make_session_factory(engine)() as session, session.begin():
            for k in keys:
                row = import_document(session, validated_document(demo.load_demo_document(k)))
                loaded.append((k, row.id))
    finally:
        engine.dispose()
    return loaded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="qnetplan", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the UI and the API")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    db = sub.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="upgrade to a revision (default head)")
    up.add_argument("revision", nargs="?", default="head")
    down = db_sub.add_parser("downgrade", help="downgrade to a revision (e.g. -1 or base)")
    down.add_argument("revision")
    demo = sub.add_parser("demo", help="load demo networks (all, or the one named)")
    demo.add_argument("key", nargs="?", default=None)

    args = parser.parse_args(argv)
    settings = get_settings()
    if args.command == "serve":
        import uvicorn

        from qnetplan.main import create_app

        uvicorn.run(create_app(settings), host=args.host or settings.host,
                    port=args.port or settings.port, log_level="info")
    elif args.command == "db" and args.db_command == "upgrade":
        db_upgrade(settings, args.revision)
        print(f"database at {args.revision}: {settings.database_url}")
    elif args.command == "db" and args.db_command == "downgrade":
        db_downgrade(settings, args.revision)
        print(f"database at {args.revision}: {settings.database_url}")
    elif args.command == "demo":
        for key, network_id in load_demos(settings, args.key):
            print(f"loaded demo {key!r} as network {network_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
