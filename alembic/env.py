"""Alembic environment: the URL comes from the config attribute ``sqlalchemy.url`` when a caller
sets it (tests, the CLI), else from Settings (QNETPLAN_DATABASE_URL).

Foreign keys are deliberately NOT switched on for SQLite here: a batch table re-create would
silently delete ON DELETE CASCADE children (STACK-NOTES.md).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from qnetplan.config import get_settings
from qnetplan.storage import models  # noqa: F401  (registers the tables)
from qnetplan.storage.base import Base
from qnetplan.storage.session import ensure_sqlite_folder

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    return url or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, render_as_batch=True,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = _url()
    ensure_sqlite_folder(url)
    connectable = config.attributes.get("connection")
    if connectable is not None:
        context.configure(connection=connectable, target_metadata=target_metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
