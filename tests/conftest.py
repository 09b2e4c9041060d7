"""Shared fixtures: settings pointed at a temporary folder, and claims databases.

Database tests run on SQLite in a temp dir and, when TEST_POSTGRES_URL names a PostgreSQL
server (CI starts one), on a fresh PostgreSQL database too. REQUIRE_POSTGRES=1 turns a
missing server into a failure instead of a skip, so CI cannot silently test less.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from claims.db import engine_for
from claims.migrate import upgrade
from claims.seed import seed
from settings import reset_settings

ROOT = Path(__file__).resolve().parent.parent


def nlu_examples(pattern: str) -> list[tuple[str, str]]:
    """(intent, text) of every example of the NLU files matching `pattern`, as Rasa reads them
    (entity annotations removed)."""
    from rasa.shared.nlu.training_data.loading import load_data

    return [
        (str(message.get("intent")), str(message.get("text")))
        for path in sorted(ROOT.glob(pattern))
        for message in load_data(str(path)).intent_examples
    ]


@pytest.fixture
def settings_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Points VAR_DIR (and the default SQLite database) at a temp dir."""
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.delenv("CLAIMS_DB_URL", raising=False)
    monkeypatch.setenv("CLAIMS_SECRET", "test-secret")
    reset_settings()
    yield tmp_path
    reset_settings()


def postgres_admin_url() -> str:
    url = os.environ.get("TEST_POSTGRES_URL", "")
    if not url:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set")
        pytest.skip("no PostgreSQL server (set TEST_POSTGRES_URL)")
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """Creates an empty PostgreSQL database for one test and drops it afterwards."""
    admin_url = postgres_admin_url()
    name = "claims_test_" + uuid.uuid4().hex[:10]
    admin = create_engine(admin_url, future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    yield url
    engine_for.cache_clear()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(
    request: pytest.FixtureRequest, settings_env: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """An empty, migrated claims database (SQLite, then PostgreSQL), set as CLAIMS_DB_URL."""
    if request.param == "sqlite":
        url = f"sqlite:///{settings_env / 'claims.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    monkeypatch.setenv("CLAIMS_DB_URL", url)
    reset_settings()
    upgrade(url)
    return url


@pytest.fixture
def seeded_db(db_url: str) -> str:
    """A claims database with the demo claims and 200 generated ones."""
    seed(engine_for(db_url), 200)
    return db_url


# --- trackers for action tests -------------------------------------------------------------
from typing import Any  # noqa: E402

from rasa_sdk import Tracker  # noqa: E402
from rasa_sdk.executor import CollectingDispatcher  # noqa: E402


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The real domain, as the action server receives it."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "bot" / "domain.yml")).as_dict()


async def run_action(
    action: Any, text: str, intent: str, domain: dict[str, Any]
) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
    """Runs an action on the tracker after the user said `text`; returns what it sent and did."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, make_tracker(text, intent=intent), domain)
    return dispatcher, events


def make_tracker(
    text: str = "",
    *,
    intent: str = "inform",
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    active_loop: str | None = None,
    sender_id: str = "test-user",
    events: list[dict[str, Any]] | None = None,
) -> Tracker:
    """Builds the tracker an action sees after the user said `text`."""
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99},
        "entities": entities or [],
    }
    all_slots = {"service_hotline": "95518", "service_hours": "每天 8:00–20:00"}
    all_slots.update(slots or {})
    history = list(events or []) + [
        {"event": "user", "text": text, "parse_data": latest},
    ]
    return Tracker(
        sender_id=sender_id,
        slots=all_slots,
        latest_message=latest,
        events=history,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )
