"""Engine and sessions for the claims database, built lazily and cached per URL."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from settings import get_settings


class DatabaseUnavailable(Exception):
    """The claims database could not be reached or answered too slowly."""


@functools.lru_cache(maxsize=8)
def engine_for(url: str, timeout: float = 3.0) -> Engine:
    """Creates (once per URL) an engine whose calls fail fast when the database is down."""
    connect_args: dict[str, Any] = {}
    options: dict[str, Any] = {"future": True, "pool_pre_ping": True}
    if url.startswith("sqlite"):
        connect_args = {"timeout": timeout, "check_same_thread": False}
    elif url.startswith("postgresql"):
        millis = int(timeout * 1000)
        connect_args = {
            "connect_timeout": max(1, int(timeout)),
            "options": f"-c statement_timeout={millis} -c lock_timeout={millis}",
        }
        options.update(pool_size=10, max_overflow=20, pool_timeout=timeout)
    engine = create_engine(url, connect_args=connect_args, **options)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Turns on foreign keys and WAL so readers and one writer do not block each other."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def get_engine() -> Engine:
    """Returns the engine of the configured database (CLAIMS_DB_URL)."""
    settings = get_settings()
    return engine_for(settings.claims_db_url, settings.claims_db_timeout)


@functools.lru_cache(maxsize=8)
def _factory(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, future=True, expire_on_commit=False)


def new_session(engine: Engine | None = None) -> Session:
    """Opens a session, to be used as `with ... as s, s.begin():` (one transaction)."""
    return _factory(engine or get_engine())()
