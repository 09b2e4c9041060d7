"""Complaint and handoff tickets: what the assistant hands over to people."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims import clock
from claims.models import Complaint, Handoff


def _ticket_number(prefix: str) -> str:
    """Makes a ticket number such as TS20261125483920 (date + random digits)."""
    return f"{prefix}{clock.now():%Y%m%d}{secrets.randbelow(1_000_000):06d}"


def record_complaint(
    session: Session,
    *,
    text: str,
    category: str,
    channel: str,
    conversation_hash: str,
    claim_number: str | None,
) -> str:
    """Stores a complaint (text already masked) and returns its ticket number."""
    ticket = _ticket_number("TS")
    session.add(
        Complaint(
            ticket_number=ticket,
            created_at=clock.now(),
            channel=channel,
            conversation_hash=conversation_hash,
            claim_number=claim_number,
            category=category,
            text=text,
        )
    )
    return ticket


@dataclass(frozen=True)
class HandoffView:
    """An open or released handoff, as the agents' console lists it."""

    ticket_number: str
    created_at: datetime
    conversation_id: str
    channel: str
    reason: str
    summary: str
    status: str


def open_handoff(
    session: Session, *, conversation_id: str, channel: str, reason: str, summary: str
) -> str:
    """Creates a handoff ticket (summary already masked) and returns its number."""
    ticket = _ticket_number("HO")
    session.add(
        Handoff(
            ticket_number=ticket,
            created_at=clock.now(),
            conversation_id=conversation_id,
            channel=channel,
            reason=reason,
            summary=summary,
            status="open",
        )
    )
    return ticket


def open_handoffs(session: Session) -> list[HandoffView]:
    """Lists the handoffs waiting for an agent, oldest first."""
    rows = session.execute(
        select(Handoff).where(Handoff.status == "open").order_by(Handoff.created_at)
    ).scalars()
    return [
        HandoffView(h.ticket_number, h.created_at, h.conversation_id, h.channel, h.reason,
                    h.summary, h.status)
        for h in rows
    ]


def release_handoffs(session: Session, *, conversation_id: str, agent_id: str) -> int:
    """Marks a conversation's open handoffs released by an agent; returns how many."""
    rows = session.execute(
        select(Handoff).where(
            Handoff.conversation_id == conversation_id, Handoff.status == "open"
        )
    ).scalars().all()
    for handoff in rows:
        handoff.status = "released"
        handoff.released_by = agent_id
        handoff.released_at = clock.now()
    return len(rows)
