"""The agents' console: an internal answer assistant behind authentication.

Mounted by Rasa at /webhooks/agent/. Agents authenticate with HTTP Basic (agent id and
token) or a bearer token; the pairs come from AGENT_TOKENS. Without valid credentials every
route, the page included, answers 401. Agents can:
- ask a customer's question and get the top knowledge answers with scores, legal basis and
  suggested wording (agent-only guidance articles included);
- look up claims by claim number, policy number or phone number without customer
  verification — every look-up is written to the audit log with the agent's id;
- list conversations handed over by the bot and release them (the bot answers again).
"""

from __future__ import annotations

import asyncio
import base64
import hmac
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, ConversationResumed, SlotSet
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.actions.claim_card import status_payload
from bot.actions.knowledge_answer import clears_bar
from claims import repository, tickets
from claims.db import DatabaseUnavailable, new_session
from claims.numbers import find_reference, is_claim_number
from claims.privacy import keyed_hash
from claims.repository import ClaimSummary, ClaimView
from knowledge.scope import not_ours
from knowledge.search import Hit, library
from settings import get_settings

logger = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static" / "console"
PHONE_DIGITS = 11


def agent_tokens() -> dict[str, str]:
    """Reads AGENT_TOKENS ("id:token,id:token") into a mapping of token → agent id."""
    pairs: dict[str, str] = {}
    for item in get_settings().agent_tokens.split(","):
        agent_id, _, token = item.strip().partition(":")
        if agent_id and len(token) >= 8:
            pairs[token] = agent_id
    return pairs


def authenticate(header: str | None) -> str | None:
    """Returns the agent id for a Basic or Bearer Authorization header, or None."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    token = ""
    claimed_id = None
    if scheme.lower() == "bearer":
        token = value.strip()
    elif scheme.lower() == "basic":
        try:
            claimed_id, _, token = base64.b64decode(value).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
    for known, agent_id in agent_tokens().items():
        if hmac.compare_digest(known.encode(), token.encode()):
            if claimed_id is None or claimed_id == agent_id:
                return agent_id
    return None


def _unauthorized() -> HTTPResponse:
    return response.json(
        {"error": "需要坐席身份认证"},
        status=401,
        headers={"WWW-Authenticate": 'Basic realm="claims-agents", charset="UTF-8"'},
    )


def _hit(hit: Hit, ours: bool) -> dict[str, Any]:
    article = hit.article
    return {
        "article_id": article.id,
        "title": article.title,
        "audience": article.audience,
        "answer": article.answer,
        "details": article.details,
        "legal_basis": list(article.legal_basis),
        "score": round(hit.score, 3),
        "confidence": round(hit.confidence, 3),
        "covers_concepts": hit.covers_concepts,
        # Whether the bot would give customers this answer itself: its bar, on this search
        # (without the NLU's intent, which shifts a customer's search a little), and never for
        # a question it does not serve (knowledge/scope.py).
        "customers_get_it": article.for_customers and clears_bar(hit) and ours,
    }


def answer_question(question: str) -> dict[str, Any]:
    """Finds the top 3 answers and the best-matching wording guidance for a question."""
    kb = library().get()
    answers = [h for h in kb.search(question, audience="agent", k=6)
               if h.article.topic != "guidance"][:3]
    guidance = [h for h in kb.search(question, audience="agent", k=20)
                if h.article.topic == "guidance"][:1]
    ours = not_ours(question) is None  # customers get no article otherwise (scope.py)
    return {
        "answers": [_hit(h, ours) for h in answers],
        "wording": [_hit(h, ours) for h in guidance],
        "threshold": get_settings().kb_threshold,
    }


def _summary(item: ClaimSummary) -> dict[str, Any]:
    return {
        "claim_number": item.claim_number,
        "product": item.product_name,
        "cause": item.cause,
        "accident_at": item.accident_at.isoformat(),
        "stage_label": item.stage_label,
    }


def look_up(query: str, agent_id: str) -> dict[str, Any]:
    """Finds claims by claim, policy or phone number and audits the look-up."""
    digits = "".join(ch for ch in query if ch.isdigit())
    ref = find_reference(query)
    with new_session() as session, session.begin():
        claim: ClaimView | None = None
        found: list[ClaimSummary] = []
        if ref and is_claim_number(ref):
            claim = repository.get_claim(session, claim_number=ref)
        elif ref:
            found = repository.claims_of_policy(session, policy_number=ref)
        elif len(digits) == PHONE_DIGITS:
            found = repository.claims_of_phone(session, phone_hash=keyed_hash("phone:" + digits))
        kind = "claim" if ref and is_claim_number(ref) else "policy" if ref else "phone"
        numbers: list[str | None] = (
            [claim.claim_number] if claim else [c.claim_number for c in found]
        )
        for number in numbers or [None]:
            repository.log_access(
                session, actor_type="agent", actor=agent_id, action=f"agent_lookup_{kind}",
                claim_number=number, detail=f"{len(numbers)} result(s)",
            )
    return {
        "claim": status_payload(claim) | {"phone": claim.phone_masked} if claim else None,
        "claims": [_summary(c) for c in found],
    }


def list_handoffs() -> list[dict[str, Any]]:
    """Lists the open handoff tickets, oldest first."""
    with new_session() as session:
        return [
            {
                "ticket": h.ticket_number,
                "created_at": h.created_at.isoformat(),
                "conversation_id": h.conversation_id,
                "channel": h.channel,
                "reason": h.reason,
                "summary": h.summary,
            }
            for h in tickets.open_handoffs(session)
        ]


def release_tickets(conversation_id: str, agent_id: str) -> int:
    """Marks the conversation's tickets released and audits it."""
    with new_session() as session, session.begin():
        count = tickets.release_handoffs(
            session, conversation_id=conversation_id, agent_id=agent_id
        )
        repository.log_access(
            session, actor_type="agent", actor=agent_id, action="handoff_release",
            claim_number=None, detail=f"{count} ticket(s)",
        )
    return count


async def resume_conversation(request: Request, conversation_id: str) -> bool:
    """Lets the bot answer again in a paused conversation (under the conversation lock)."""
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None or agent.tracker_store is None:
        return False
    async with agent.lock_store.lock(conversation_id):
        tracker = await agent.tracker_store.retrieve(conversation_id)
        if tracker is None:
            return False
        tracker.update(ConversationResumed())
        tracker.update(SlotSet("handoff_ticket", None))
        tracker.update(SlotSet("complaint_pending", None))
        # Messages sent while paused got no reply; closing the turn lets the next message
        # be handled as a fresh turn instead of a second message in a row.
        tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
        await agent.tracker_store.save(tracker)
    return True


class AgentConsole(InputChannel):
    """The agents' page and API (no customer messages go through here)."""

    @classmethod
    def name(cls) -> str:
        """Names the channel: routes live under /webhooks/agent/."""
        return "agent"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """Builds the authenticated routes of the console."""
        bp = Blueprint("agent_console", __name__)

        @bp.middleware("request")
        async def require_agent(request: Request) -> HTTPResponse | None:
            agent_id = authenticate(request.headers.get("authorization"))
            if agent_id is None:
                return _unauthorized()
            request.ctx.agent_id = agent_id
            return None

        @bp.route("/", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            return await response.file(STATIC / "index.html")

        @bp.route("/static/<name:str>", methods=["GET"])
        async def static(request: Request, name: str) -> HTTPResponse:
            path = (STATIC / name).resolve()
            if path.parent != STATIC or not path.is_file():
                return response.json({"error": "not found"}, status=404)
            return await response.file(path)

        @bp.route("/ask", methods=["POST"])
        async def ask(request: Request) -> HTTPResponse:
            question = str((request.json or {}).get("question") or "").strip()[:500]
            if not question:
                return response.json({"error": "请输入问题"}, status=400)
            return response.json(await asyncio.to_thread(answer_question, question))

        @bp.route("/lookup", methods=["POST"])
        async def lookup(request: Request) -> HTTPResponse:
            query = str((request.json or {}).get("query") or "").strip()[:100]
            if not query:
                return response.json({"error": "请输入报案号、保单号或手机号"}, status=400)
            try:
                found = await asyncio.to_thread(look_up, query, request.ctx.agent_id)
            except (DatabaseUnavailable, SQLAlchemyError, OSError) as error:
                logger.warning("agent look-up failed: %s", type(error).__name__)
                return response.json({"error": "理赔数据库暂时不可用"}, status=503)
            return response.json(found)

        @bp.route("/handoffs", methods=["GET"])
        async def handoffs(request: Request) -> HTTPResponse:
            return response.json({"handoffs": await asyncio.to_thread(list_handoffs)})

        @bp.route("/release", methods=["POST"])
        async def release(request: Request) -> HTTPResponse:
            conversation_id = str((request.json or {}).get("conversation_id") or "")[:128]
            if not conversation_id:
                return response.json({"error": "缺少会话编号"}, status=400)
            count = await asyncio.to_thread(
                release_tickets, conversation_id, request.ctx.agent_id
            )
            resumed = await resume_conversation(request, conversation_id)
            return response.json({"released": count, "resumed": resumed})

        return bp
