"""Rasa's REST channel (/webhooks/rest/webhook), hardened for customers.

Same protocol as Rasa's own (`{"sender": ..., "message": ...}` in, a list of bot messages
out), with three differences that matter in production:
- a message the bot could not answer (the action server or the lock store is down) gets a
  clear apology with the hotline instead of an empty reply — except in a conversation
  handed over to an agent, where silence is intended;
- failures are logged without the customer's text (it may hold phone or ID numbers);
- bad requests get a 400 with a reason, and over-long messages a polite refusal.
"""

from __future__ import annotations

import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import rasa_speedups
from bot.rasa_speedups import kept_connections
from settings import get_settings

logger = logging.getLogger(__name__)
MAX_MESSAGE_CHARS = 1000
MAX_SENDER_CHARS = 128
APOLOGY = (
    "抱歉，系统暂时有点忙，没能处理您的消息，请稍后再发一次。"
    "着急的话可以拨打客服热线 {hotline}。"
)
TOO_LONG = "您的消息太长了（超过{limit}字），请精简后再发，或者分几次发送。"


def _bad_request(reason: str) -> HTTPResponse:
    return response.json({"error": reason}, status=400)


async def _is_paused(request: Request, sender_id: str) -> bool:
    """Tells whether the conversation is with an agent (the bot is meant to be quiet)."""
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None or agent.tracker_store is None:
        return False
    try:
        tracker = await agent.tracker_store.retrieve(sender_id)
    except Exception:  # the tracker store itself is down: then it is not a quiet handoff
        logger.warning("tracker store unavailable while checking for a handoff")
        return False
    return bool(tracker and tracker.is_paused())


class RestInput(InputChannel):
    """The customer REST channel; also what the web chat page talks to."""

    @classmethod
    def name(cls) -> str:
        """Keeps Rasa's URL: /webhooks/rest/webhook."""
        return "rest"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        """Builds the health and message routes (and installs the server's speed-up)."""
        rasa_speedups.install()
        bp = Blueprint("claims_rest", __name__)

        @bp.listener("before_server_start")
        async def open_connections(app: Any, loop: Any) -> None:
            await kept_connections.open_pool()

        @bp.listener("after_server_stop")
        async def close_connections(app: Any, loop: Any) -> None:
            await kept_connections.close_pool()

        @bp.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:  # sanic raises on malformed JSON
                return _bad_request("请求格式不正确：需要 JSON")
            if not isinstance(body, dict):
                return _bad_request("请求格式不正确：需要 JSON 对象")
            text, sender = body.get("message"), body.get("sender") or "default"
            if not isinstance(text, str) or not isinstance(sender, str):
                return _bad_request("message 和 sender 必须是字符串")
            if len(sender) > MAX_SENDER_CHARS:
                return _bad_request("sender 太长")
            if len(text) > MAX_MESSAGE_CHARS:
                return response.json(
                    [{"recipient_id": sender, "text": TOO_LONG.format(limit=MAX_MESSAGE_CHARS)}]
                )
            metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else None
            collector = CollectingOutputChannel()
            failed = False
            try:
                await on_new_message(
                    UserMessage(text, collector, sender, input_channel=self.name(),
                                metadata=metadata)
                )
            except CancelledError:
                failed = True
                logger.error("message handling timed out (conversation %.8s…)", sender)
            except Exception as error:
                failed = True
                logger.error("message handling failed: %s", type(error).__name__)
            if collector.messages or (not failed and await _is_paused(request, sender)):
                return response.json(collector.messages)
            hotline = get_settings().service_hotline
            return response.json(
                [{"recipient_id": sender, "text": APOLOGY.format(hotline=hotline)}]
            )

        return bp
