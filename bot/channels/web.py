"""The customer web chat page: a Rasa input channel that serves the page and takes 👍/👎.

Configured in bot/credentials.yml as ``bot.channels.web.WebChat:``; Rasa mounts the blueprint
at /webhooks/web/:

- ``GET /webhooks/web/`` — the page (static/webchat/index.html);
- ``GET /webhooks/web/static/<file>`` — its script and style sheet, only files of that folder;
- ``POST /webhooks/web/feedback`` — a 👍 or 👎 on a knowledge answer, answered with 204.

The conversation itself does not go through this channel. The page posts every message to
Rasa's own REST channel (``POST /webhooks/rest/webhook`` with ``{sender, message}``), which
answers each request with all of the bot's replies in the response body. REST keeps no
connection or state in the server process: the sender id travels with each request and the
conversation lives in the tracker store, so any Rasa replica behind a load balancer can answer
any message and the replicas need no sticky sessions. The socket.io channel would need them
(its long-polling fallback must keep hitting the replica that holds the socket). For several
replicas the tracker store and the lock store must be shared ones (SQL or Redis), not the
in-memory defaults.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from claims import feedback
from claims.db import DatabaseUnavailable, new_session
from claims.privacy import mask_text
from settings import get_settings

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static" / "webchat"

# What the page's visitors may read in a response (Simplified Chinese, short, no internals).
BAD_REQUEST = "请求格式不正确"
TOO_LARGE = "内容太长"
NOT_FOUND = "找不到这个文件"
DB_UNAVAILABLE = "暂时无法保存您的反馈，请稍后再试"

MAX_BODY_BYTES = 16 * 1024
MAX_QUESTION_CHARS = 500
MAX_ARTICLE_ID_CHARS = 64  # answer_feedback.article_id is VARCHAR(64)
MAX_SENDER_CHARS = 128

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
# Only plain file names: no separators, no leading dot (so no "..", no hidden files).
SAFE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}")

# The page talks to this server only; nothing from a CDN, no inline script.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@dataclass(frozen=True)
class Feedback:
    """A 👍 or 👎 from the page, validated; the question is masked and shortened."""

    # The conversation the vote comes from (not stored: the table holds no conversation).
    sender: str
    # The knowledge-base article the answer came from.
    article_id: str
    # True for 👍, False for 👎.
    helpful: bool
    # The customer's question, masked, at most MAX_QUESTION_CHARS characters.
    question: str


def parse_feedback(body: bytes) -> Feedback:
    """Parses and validates a feedback request body; raises ValueError when it is unusable."""
    try:
        data = json.loads(body or b"")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError("not JSON") from error
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    sender = data.get("sender", "")
    article_id = data.get("article_id")
    helpful = data.get("helpful")
    question = data.get("question", "")
    if not isinstance(sender, str) or len(sender) > MAX_SENDER_CHARS:
        raise ValueError("bad sender")
    if not isinstance(article_id, str) or not 0 < len(article_id) <= MAX_ARTICLE_ID_CHARS:
        raise ValueError("bad article_id")
    if not isinstance(helpful, bool):
        raise ValueError("helpful must be true or false")
    if question is None:
        question = ""
    if not isinstance(question, str):
        raise ValueError("bad question")
    # Mask before cutting: a cut could leave part of a phone number the patterns miss.
    masked = mask_text(question.strip())[:MAX_QUESTION_CHARS]
    return Feedback(sender=sender, article_id=article_id, helpful=helpful, question=masked)


async def store_feedback(vote: Feedback) -> None:
    """Stores a vote in one transaction on a worker thread; DatabaseUnavailable if it fails."""

    def in_transaction() -> None:
        with new_session() as s, s.begin():
            feedback.record_feedback(
                s, article_id=vote.article_id, helpful=vote.helpful, question=vote.question
            )

    timeout = get_settings().claims_db_timeout * 2
    try:
        await asyncio.wait_for(asyncio.to_thread(in_transaction), timeout)
    except (SQLAlchemyError, asyncio.TimeoutError, OSError) as error:
        logger.warning("feedback not stored: database unavailable (%s)", type(error).__name__)
        raise DatabaseUnavailable(type(error).__name__) from error


def static_file(name: str) -> Path | None:
    """Returns the file of the page's folder with this name, or None for anything else."""
    if not SAFE_NAME.fullmatch(name) or Path(name).suffix not in CONTENT_TYPES:
        return None
    path = (STATIC_DIR / name).resolve()
    if path.parent != STATIC_DIR or not path.is_file():
        return None
    return path


async def send_file(path: Path) -> HTTPResponse:
    """Answers with a file of the page, read off the event loop."""
    body = await asyncio.to_thread(path.read_bytes)
    return response.raw(
        body, content_type=CONTENT_TYPES[path.suffix], headers=dict(SECURITY_HEADERS)
    )


def error(message: str, status: int) -> HTTPResponse:
    """Answers with a short JSON error the page can show as it is."""
    return response.json({"error": message}, status=status, ensure_ascii=False)


class WebChat(InputChannel):
    """Serves the customer chat page and stores feedback; messages go through REST."""

    @classmethod
    def name(cls) -> str:
        """Names the channel: its routes live under /webhooks/web/."""
        return "web"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Builds the routes of the page, its files and the feedback endpoint."""
        web = Blueprint("web_chat")

        @web.route("/", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):
                # The page links its files relatively (static/…, ../rest/webhook): without
                # the slash they would resolve one level too high. A relative Location keeps
                # any path prefix a reverse proxy adds.
                target = request.path.rsplit("/", 1)[-1] + "/"
                query = f"?{request.query_string}" if request.query_string else ""
                return response.redirect(target + query, status=301)
            return await send_file(STATIC_DIR / "index.html")

        @web.route("/static/<name:str>", methods=["GET"])
        async def asset(request: Request, name: str) -> HTTPResponse:
            path = await asyncio.to_thread(static_file, name)
            if path is None:
                return error(NOT_FOUND, 404)
            return await send_file(path)

        @web.route("/feedback", methods=["POST"])
        async def receive_feedback(request: Request) -> HTTPResponse:
            if len(request.body or b"") > MAX_BODY_BYTES:
                return error(TOO_LARGE, 413)
            try:
                vote = parse_feedback(request.body)
            except ValueError:
                return error(BAD_REQUEST, 400)
            try:
                await store_feedback(vote)
            except DatabaseUnavailable:
                return error(DB_UNAVAILABLE, 503)
            return response.empty(status=204)

        return web
