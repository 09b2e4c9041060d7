"""The WeChat Official Account (公众号) channel: WeChat's developer-server protocol for Rasa.

WeChat calls one URL, /webhooks/wechat/: GET once to verify it (echo `echostr`), POST for
every message and event. The follower's OpenID (FromUserName) is the Rasa conversation id.

The 5-second rule: WeChat waits 5 s for the answer to a POST, then retries it (three times,
same MsgId) and finally tells the follower the service is unavailable. So the bot runs as a
task; if it is done within WECHAT_REPLY_SECONDS its answer is the passive reply (被动回复),
otherwise the channel answers "success" at once and sends the answer through the
customer-service API (客服消息) when the bot is done. Retries are recognised by MsgId and
answered "success" without asking the bot again (no second answer, no second claim).

Pieces: wechat_protocol (signatures, crypto, XML), wechat_text (bot messages → text),
wechat_api (customer-service API and its access token), wechat_state (dedup, last buttons
and the token, in Redis or memory), wechat_messages (what the channel itself says).

Credentials: an empty `bot.channels.wechat.WeChatInput:` entry; settings come from the
WECHAT_* environment variables (settings.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Coroutine
from typing import Any, Callable

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy.events import BaseEvent
from wechatpy.replies import TextReply, TransferCustomerServiceReply

from bot.channels import wechat_messages as m
from bot.channels.wechat_api import CustomerServiceClient
from bot.channels.wechat_protocol import SUCCESS, Envelope, Rejected, open_message, verify_origin
from bot.channels.wechat_state import ChannelState, StateUnavailable, state_for
from bot.channels.wechat_text import (
    TEXT_LIMIT,
    Reply,
    chosen_payload,
    render,
    size,
    split,
    truncate,
)
from settings import Settings, get_settings

logger = logging.getLogger(__name__)

# A retry comes within seconds; older requests fail the timestamp check anyway.
DEDUP_SECONDS = 300
# How long "1" keeps meaning the first button of the bot's last message.
BUTTONS_SECONDS = 600
# How long a handoff that missed the passive reply waits for the follower's next message.
TRANSFER_SECONDS = 600
# Events a follower triggers by a tap (menus, scans): they get a short polite text. Other
# events (unsubscribe, location reports, template and mass-send receipts, ...) get none.
TAPPED_EVENTS = frozenset(
    {
        "click",
        "scan",
        "scancode_push",
        "scancode_waitmsg",
        "pic_sysphoto",
        "pic_photo_or_album",
        "pic_weixin",
        "location_select",
    }
)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def inbound(message: Any) -> tuple[str | None, str | None]:
    """Decides what a message is: (text for the bot, None) or (None, the channel's own reply).

    (None, None) means no reply at all: unsubscribes, location reports, receipts, and message
    types wechatpy does not know (new system events must not get a chat reply).
    """
    if isinstance(message, BaseEvent):
        if message.event.startswith("subscribe"):  # subscribe, subscribe_scan: a new follower
            return None, m.WELCOME
        return None, (m.NOT_SUPPORTED if message.event in TAPPED_EVENTS else None)
    kind = message.type
    if kind == "text":
        return str(message.content or "").strip() or None, None
    if kind == "voice":
        recognized = str(message.recognition or "").strip()
        return (recognized, None) if recognized else (None, m.VOICE_NOT_RECOGNIZED)
    if kind == "location":
        label = message.label or f"{message.location_x},{message.location_y}"
        return m.LOCATION.format(label=label), None
    if kind == "image":
        return None, m.IMAGE
    if kind == "unknown":
        return None, None
    return None, m.NOT_SUPPORTED  # link, video, shortvideo, miniprogrampage


class WeChatInput(InputChannel):
    """Receives 公众号 messages from WeChat's servers and answers them."""

    @classmethod
    def name(cls) -> str:
        """Names the channel: its routes live under /webhooks/wechat/."""
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        """Builds the channel; its settings come from the environment, not credentials.yml."""
        return cls()

    def __init__(self, state: ChannelState | None = None) -> None:
        self._state = state
        self._client: CustomerServiceClient | None = None
        self._background: set[asyncio.Task[None]] = set()

    # --- shared state and the API client, created on first use ------------------------------

    def _shared(self) -> ChannelState:
        """Returns the shared state (Redis when REDIS_URL is set), created once."""
        if self._state is None:
            self._state = state_for(get_settings())
        return self._state

    def _api(self) -> CustomerServiceClient:
        """Returns the customer-service API client, created once."""
        if self._client is None:
            self._client = CustomerServiceClient(get_settings(), self._shared())
        return self._client

    async def _first_time(self, key: str) -> bool:
        """Records a message as seen; False if it was seen already (a retry)."""
        try:
            return await asyncio.to_thread(self._shared().add, key, "1", DEDUP_SECONDS)
        except StateUnavailable:
            logger.warning("WeChat dedup unavailable: answering without it", exc_info=True)
            return True  # answering a retry twice is better than answering nothing

    async def _remember_buttons(self, openid: str, payloads: list[str]) -> None:
        """Keeps the payloads of the numbered choices the follower was just shown."""
        state = self._shared()
        try:
            if payloads:
                value = json.dumps(payloads, ensure_ascii=False)
                await asyncio.to_thread(state.put, f"buttons:{openid}", value, BUTTONS_SECONDS)
            else:
                await asyncio.to_thread(state.take, f"buttons:{openid}")
        except StateUnavailable:
            logger.warning("WeChat button state unavailable", exc_info=True)

    async def _choice(self, openid: str, text: str) -> str:
        """Turns a numbered reply ("1") into the payload of that choice; other text as is."""
        if len(text) > 3:
            return text
        try:
            stored = await asyncio.to_thread(self._shared().get, f"buttons:{openid}")
        except StateUnavailable:
            logger.warning("WeChat button state unavailable", exc_info=True)
            return text
        payloads = json.loads(stored) if stored else []
        return chosen_payload(text, payloads) or text

    async def _transfer_pending(self, openid: str) -> bool:
        """Consumes a handoff that could not be answered passively (see _deliver_late)."""
        try:
            return await asyncio.to_thread(self._shared().take, f"transfer:{openid}")
        except StateUnavailable:
            return False

    # --- the bot and the two ways of answering ----------------------------------------------

    async def _ask_bot(self, on_new_message: OnNewMessage, openid: str, text: str) -> Reply:
        """Runs the message through Rasa and renders what the bot said as WeChat text."""
        collector = CollectingOutputChannel()
        try:
            await on_new_message(
                UserMessage(text, collector, sender_id=openid, input_channel=self.name())
            )
        except Exception:  # the follower must get an answer even when the bot fails
            logger.exception("the bot failed on a WeChat message")
            return Reply(texts=[m.BOT_FAILED.format(hotline=get_settings().service_hotline)])
        return render(collector.messages)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Runs work after the HTTP answer, keeping a reference so it is not collected."""
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _send(self, openid: str, text: str) -> None:
        """Sends text through the customer-service API, split at WeChat's size limit."""
        settings = get_settings()
        if not (settings.wechat_app_id and settings.wechat_app_secret):
            logger.error("a WeChat answer was lost: WECHAT_APP_ID/WECHAT_APP_SECRET not set")
            return
        client = self._api()
        for part in split(text):
            try:
                await asyncio.to_thread(client.send_text, openid, part)
            except Exception:  # delivery failed (network, 45015 after 48 h, ...): log it
                logger.exception("WeChat customer-service message not sent")
                return

    async def _deliver_late(self, openid: str, task: asyncio.Task[Reply]) -> None:
        """Sends the bot's answer through the customer-service API once it is ready."""
        reply = await task
        await self._remember_buttons(openid, reply.payloads)
        texts = reply.texts
        if reply.handoff:
            # The transfer to human agents is a passive reply only: it answers the next message.
            try:
                await asyncio.to_thread(
                    self._shared().put, f"transfer:{openid}", "1", TRANSFER_SECONDS
                )
                texts = [*texts, m.TRANSFER_NEXT]
            except StateUnavailable:
                logger.warning("WeChat handoff not remembered", exc_info=True)
        if texts:
            await self._send(openid, "\n\n".join(texts))

    def _passive(self, envelope: Envelope, reply: Reply, settings: Settings) -> HTTPResponse:
        """Answers with the bot's reply in the HTTP response (被动回复)."""
        message = envelope.message
        if reply.handoff:
            if reply.texts:  # a passive reply is one message: the words go by the API
                self._spawn(self._send(message.source, reply.text))
            return xml(envelope.answer(TransferCustomerServiceReply(message=message)))
        if not reply.texts:
            return response.text(SUCCESS)
        if size(reply.text) <= TEXT_LIMIT:
            return xml(envelope.answer(TextReply(message=message, content=reply.text)))
        if settings.wechat_app_id and settings.wechat_app_secret:
            self._spawn(self._send(message.source, reply.text))  # in full, several messages
            return response.text(SUCCESS)
        note = m.TRUNCATED.format(hotline=settings.service_hotline)
        return xml(envelope.answer(TextReply(message=message, content=truncate(reply.text, note))))

    async def _answer(self, envelope: Envelope, on_new_message: OnNewMessage) -> HTTPResponse:
        """Answers one new message within WECHAT_REPLY_SECONDS, or later through the API."""
        settings = get_settings()
        message = envelope.message
        text, own_reply = inbound(message)
        if text is None:
            if own_reply is None:
                return response.text(SUCCESS)
            return xml(envelope.answer(TextReply(message=message, content=own_reply)))
        openid = str(message.source)
        if await self._transfer_pending(openid):
            return xml(envelope.answer(TransferCustomerServiceReply(message=message)))
        text = await self._choice(openid, text)
        task = asyncio.create_task(self._ask_bot(on_new_message, openid, text))
        done, _ = await asyncio.wait({task}, timeout=settings.wechat_reply_seconds)
        if not done:
            self._spawn(self._deliver_late(openid, task))
            return response.text(SUCCESS)
        reply = task.result()
        await self._remember_buttons(openid, reply.payloads)
        return self._passive(envelope, reply, settings)

    async def drain(self, seconds: float = 10.0) -> None:
        """Waits at most `seconds` for late answers still being delivered (at shutdown)."""
        if self._background:
            await asyncio.wait(set(self._background), timeout=seconds)

    # --- routes -----------------------------------------------------------------------------

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Defines GET (URL verification) and POST (messages) on /webhooks/wechat/."""
        hook = Blueprint("wechat_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            """Echoes `echostr` when the signature is WeChat's (the URL check of 服务器配置)."""
            try:
                verify_origin(get_settings(), request.args)
            except Rejected as rejected:
                logger.warning("WeChat URL verification refused: %s", rejected.reason)
                return response.text(rejected.reason, status=rejected.status)
            return response.text(str(request.args.get("echostr") or ""))

        @hook.route("/", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            """Checks, opens and answers one message or event."""
            settings = get_settings()
            try:
                verify_origin(settings, request.args)
                envelope = open_message(settings, request.args, request.body)
            except Rejected as rejected:
                logger.warning("WeChat request refused: %s", rejected.reason)
                return response.text(rejected.reason, status=rejected.status)
            if not await self._first_time(envelope.dedup_key()):
                return response.text(SUCCESS)  # a retry: the first delivery is being answered
            return await self._answer(envelope, on_new_message)

        @hook.listener("before_server_stop")
        async def finish_late_answers(*_: Any) -> None:
            """Lets answers that missed the 5 seconds reach the follower before stopping."""
            await self.drain()

        return hook


def xml(body: str) -> HTTPResponse:
    """Wraps a rendered reply."""
    return response.text(body, content_type="application/xml; charset=utf-8")
