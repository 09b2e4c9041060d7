"""The cluster's tracker store: Rasa's SQL store, whose database calls no longer stop the loop."""

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import event
from sqlalchemy.engine import make_url

from bot.tracker_store import ThreadedSQLTrackerStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "bot" / "domain.yml"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def where(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    if request.param == "sqlite":
        return {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
    url = make_url(request.getfixturevalue("postgres_url"))
    return {"dialect": "postgresql", "host": url.host, "port": url.port, "db": url.database,
            "username": url.username, "password": url.password}


def conversation(domain: Domain) -> DialogueStateTracker:
    tracker = DialogueStateTracker("customer-1", domain.slots)
    for e in (ActionExecuted("action_session_start"), SessionStarted(),
              SlotSet("service_hotline", "95518"), ActionExecuted("action_listen"),
              UserUttered("理赔要多久", {"name": "ask_timeline", "confidence": 0.9})):
        tracker.update(e)
    return tracker


async def ticks_during(work: Any) -> int:
    """Counts how often a 10 ms ticker ran on the loop while `work` was awaited."""
    count = 0
    done = False

    async def ticker() -> None:
        nonlocal count
        while not done:
            await asyncio.sleep(0.01)
            count += 1

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    await work
    done = True
    await task
    return count


@pytest.mark.asyncio
async def test_conversations_round_trip(domain: Domain, where: dict[str, Any]) -> None:
    store = ThreadedSQLTrackerStore(domain, **where)
    first = conversation(domain)
    await store.save(first)
    # As Rasa does for each message: read the conversation, add the new events, save.
    tracker = await store.retrieve("customer-1")
    assert tracker is not None
    tracker.update(ActionExecuted("utter_timeline"))
    await store.save(tracker)
    stored = await store.retrieve("customer-1")
    assert stored is not None
    # The current session, from its SessionStarted on, as in Rasa.
    session = [e.as_dict() for e in first.events][1:] + [tracker.events[-1].as_dict()]
    assert [e.as_dict() for e in stored.events] == session
    assert stored.get_slot("service_hotline") == "95518"
    assert await store.retrieve("nobody") is None
    full = await store.retrieve_full_tracker("customer-1")
    assert full is not None
    assert [e.as_dict() for e in full.events] == [first.events[0].as_dict(), *session]


@pytest.mark.asyncio
async def test_a_slow_commit_does_not_stop_other_conversations(
    domain: Domain, tmp_path: Path
) -> None:
    where = {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
    for store_class, blocks in ((SQLTrackerStore, True), (ThreadedSQLTrackerStore, False)):
        store = store_class(domain, **where)
        event.listen(store.engine, "commit", lambda conn: time.sleep(0.3))
        tracker = conversation(domain)
        tracker.sender_id = f"customer-{store_class.__name__}"
        ticks = await ticks_during(store.save(tracker))
        # Rasa's own store stops the loop for the whole commit; ours leaves it running.
        assert (ticks <= 2) if blocks else (ticks >= 10), (store_class.__name__, ticks)
