"""Runtime configuration, read from ``QNETPLAN_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("data")
DEFAULT_DATABASE_URL = f"sqlite:///./{DEFAULT_DATA_DIR.as_posix()}/qnetplan.sqlite3"


class Settings(BaseSettings):
    """Application settings (API-CONTRACT.md §1, "Configuration")."""

    model_config = SettingsConfigDict(env_prefix="QNETPLAN_", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL; an SQLite file under ./data/ by default, "
        "postgresql+psycopg://... for PostgreSQL.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    max_upload_bytes: int = 50 * 1024 * 1024


def get_settings() -> Settings:
    return Settings()
