"""Running claims-database work from async actions: one session, one transaction, a thread."""

from __future__ import annotations

import asyncio
import logging
from typing import Callable, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from claims.db import DatabaseUnavailable, new_session
from claims.privacy import keyed_hash
from settings import get_settings

T = TypeVar("T")
logger = logging.getLogger(__name__)


async def run_in_db(work: Callable[[Session], T]) -> T:
    """Runs `work(session)` in its own transaction on a worker thread.

    The event loop keeps serving other conversations meanwhile. Any database error or a
    call slower than twice CLAIMS_DB_TIMEOUT becomes DatabaseUnavailable, which actions
    turn into an apology with the hotline.
    """

    def in_transaction() -> T:
        with new_session() as session, session.begin():
            return work(session)

    timeout = get_settings().claims_db_timeout * 2
    try:
        return await asyncio.wait_for(asyncio.to_thread(in_transaction), timeout)
    except (SQLAlchemyError, asyncio.TimeoutError, OSError) as error:
        logger.warning("claims database unavailable (%s)", type(error).__name__)
        raise DatabaseUnavailable(type(error).__name__) from error


def conversation_key(sender_id: str | None) -> str:
    """Returns a stable pseudonym of a conversation for the audit log (no raw ids)."""
    return "conv:" + keyed_hash("conversation:" + (sender_id or ""))[:24]
