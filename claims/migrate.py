"""Schema migrations with alembic, run from code so `make` and tests need no alembic.ini."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from settings import get_settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """Returns an alembic configuration pointing at our migrations and database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url or get_settings().claims_db_url)
    return config


def upgrade(url: str | None = None) -> None:
    """Brings the schema to the newest revision (creates it on an empty database)."""
    if (url or get_settings().claims_db_url).startswith("sqlite:///"):
        db_file = Path((url or get_settings().claims_db_url).removeprefix("sqlite:///"))
        db_file.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "head")


def reset_schema(url: str | None = None) -> None:
    """Drops every table and recreates the schema: all data is lost."""
    command.downgrade(alembic_config(url), "base")
    upgrade(url)
