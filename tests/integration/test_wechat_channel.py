"""The WeChat channel through its real HTTP protocol, with a stub bot and a fake WeChat API.

The test plays WeChat's servers: it signs (and in safe mode encrypts) every request with
wechatpy exactly as WeChat does, posts it to the channel's Sanic app (mounted the way
`rasa run` mounts it, served on a free port), and reads (decrypts) the passive reply. The bot
is a stub whose answers and speed each test controls. Answers that miss the 5-second rule
arrive at a fake WeChat API (aiohttp) that serves /cgi-bin/token and records
/cgi-bin/message/custom/send.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
import xmltodict
from aiohttp import web
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from bot.channels.wechat import WeChatInput
from bot.channels.wechat_api import CustomerServiceClient
from bot.channels.wechat_state import MemoryState, RedisState
from settings import get_settings, reset_settings

pytestmark = pytest.mark.asyncio

TOKEN = "wechat-test-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat makes them
APP_ID = "wx0123456789abcdef"
APP_SECRET = "test-app-secret"
ACCOUNT = "gh_test_account"
OPENID = "oUser0123456789abcdefghijklmn"

Messages = list[dict[str, Any]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def eventually(check: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


# --- the stub bot ----------------------------------------------------------------------------


@dataclass
class StubBot:
    """Stands in for the Rasa agent: answers with `messages`, after `delay`, or raises."""

    messages: Callable[[str], Messages] = lambda text: [{"text": f"收到：{text}"}]
    delay: float = 0.0
    fail: bool = False
    received: list[UserMessage] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [str(m.text) for m in self.received]

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message)
        await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("the bot broke")
        out = message.output_channel
        for m in self.messages(str(message.text)):
            if "custom" in m:
                await out.send_custom_json(message.sender_id, m["custom"])
            elif m.get("buttons"):
                await out.send_text_with_buttons(message.sender_id, m["text"], m["buttons"])
            else:
                await out.send_text_message(message.sender_id, m["text"])


# --- the fake WeChat API -----------------------------------------------------------------------


@dataclass
class FakeWeChatApi:
    """Serves /cgi-bin/token and records customer-service messages."""

    url: str = ""
    token_fetches: int = 0
    sent: list[dict[str, Any]] = field(default_factory=list)
    # Tokens to answer 40001 for (once each), as WeChat does for a token replaced elsewhere.
    reject: set[str] = field(default_factory=set)

    @property
    def texts(self) -> list[str]:
        return [m["json"]["text"]["content"] for m in self.sent]

    async def token(self, request: web.Request) -> web.Response:
        assert request.query["grant_type"] == "client_credential"
        if (request.query["appid"], request.query["secret"]) != (APP_ID, APP_SECRET):
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        self.token_fetches += 1
        return web.json_response(
            {"access_token": f"ACCESS_TOKEN_{self.token_fetches}", "expires_in": 7200}
        )

    async def send(self, request: web.Request) -> web.Response:
        token = request.query.get("access_token", "")
        if token in self.reject:
            self.reject.discard(token)
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        self.sent.append({"token": token, "json": await request.json()})
        return web.json_response({"errcode": 0, "errmsg": "ok"})


@pytest_asyncio.fixture
async def wechat_api() -> AsyncIterator[FakeWeChatApi]:
    api = FakeWeChatApi()
    app = web.Application()
    app.router.add_get("/cgi-bin/token", api.token)
    app.router.add_post("/cgi-bin/message/custom/send", api.send)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    api.url = f"http://127.0.0.1:{port}"
    yield api
    await runner.cleanup()


@pytest.fixture
def wechat_env(
    monkeypatch: pytest.MonkeyPatch, wechat_api: FakeWeChatApi
) -> Iterator[pytest.MonkeyPatch]:
    """The channel's settings, pointed at the fake API; answers later than 1 s go by API."""
    for name, value in {
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_AES_KEY": AES_KEY,
        "WECHAT_APP_ID": APP_ID,
        "WECHAT_APP_SECRET": APP_SECRET,
        "WECHAT_API_BASE": wechat_api.url,
        "WECHAT_REPLY_SECONDS": "1.0",
        "SERVICE_HOTLINE": "95518",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REDIS_URL", raising=False)
    reset_settings()
    yield monkeypatch
    reset_settings()


# --- the channel's app, and WeChat's side of the protocol --------------------------------------


@contextlib.asynccontextmanager
async def serve(channel: WeChatInput, bot: StubBot) -> AsyncIterator[str]:
    """Serves the channel the way `rasa run` mounts it; yields the URL to configure."""
    app = Sanic(f"wechat_test_{uuid.uuid4().hex[:8]}")
    app.ctx.agent = bot
    register([channel], app, route="/webhooks/")
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    serving = asyncio.ensure_future(server.serve_forever())
    try:
        yield f"http://127.0.0.1:{port}/webhooks/wechat/"
    finally:
        await channel.drain(5)
        server.close()
        await server.wait_closed()
        serving.cancel()


@dataclass
class Answer:
    """The channel's HTTP answer to one request, as WeChat's servers receive it."""

    status: int
    body: str
    seconds: float

    @property
    def encrypted(self) -> bool:
        return "<Encrypt>" in self.body

    @property
    def reply(self) -> dict[str, Any]:
        """The passive reply, decrypted (and its signature checked) by wechatpy in safe mode."""
        doc = xmltodict.parse(self.body)["xml"]
        if "Encrypt" in doc:
            plain = crypto().decrypt_message(
                self.body, doc["MsgSignature"], doc["TimeStamp"], doc["Nonce"]
            )
            doc = xmltodict.parse(plain)["xml"]
        return dict(doc)


def crypto() -> WeChatCrypto:
    return WeChatCrypto(TOKEN, AES_KEY, APP_ID)


def signature(token: str, timestamp: str, nonce: str) -> str:
    signer = WeChatSigner()
    signer.add_data(token, timestamp, nonce)
    return str(signer.signature)


_msg_ids = itertools.count(int(time.time() * 1000))


def message_xml(msg_type: str, openid: str = OPENID, **fields: Any) -> str:
    """A message as WeChat pushes it; events have no MsgId."""
    if msg_type != "event":
        fields.setdefault("MsgId", next(_msg_ids))
    fields.setdefault("CreateTime", int(time.time()))
    nodes = "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items())
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<MsgType><![CDATA[{msg_type}]]></MsgType>{nodes}</xml>"
    )


@dataclass
class WeChat:
    """Plays WeChat's servers: signs, encrypts (safe mode) and posts like they do."""

    url: str
    safe: bool = False

    def query(self, *, timestamp: int | None = None, token: str = TOKEN) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        nonce = uuid.uuid4().hex[:10]
        return {"signature": signature(token, ts, nonce), "timestamp": ts, "nonce": nonce}

    async def post(
        self,
        xml: str,
        *,
        timestamp: int | None = None,
        token: str = TOKEN,
        raw: bool = False,
        query: dict[str, str] | None = None,
    ) -> Answer:
        """Posts a message; `raw` sends `xml` as the body even in safe mode."""
        params = self.query(timestamp=timestamp, token=token)
        params["openid"] = OPENID
        body = xml
        if self.safe:
            params["encrypt_type"] = "aes"
            envelope = xmltodict.parse(
                crypto().encrypt_message(xml, params["nonce"], params["timestamp"])
            )["xml"]
            params["msg_signature"] = envelope["MsgSignature"]
            if not raw:
                body = (
                    f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
                    f"<Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>"
                )
        params.update(query or {})
        started = time.monotonic()
        async with aiohttp.ClientSession() as session:
            async with session.post(self.url, params=params, data=body.encode()) as response:
                text = await response.text()
                return Answer(response.status, text, time.monotonic() - started)

    async def text(self, content: str, openid: str = OPENID) -> Answer:
        return await self.post(message_xml("text", openid, Content=content))

    async def verify(self, echostr: str, **overrides: str) -> tuple[int, str]:
        params = {**self.query(), "echostr": echostr, **overrides}
        async with aiohttp.ClientSession() as session:
            async with session.get(self.url, params=params) as response:
                return response.status, await response.text()


@pytest.fixture
def bot() -> StubBot:
    return StubBot()


@pytest_asyncio.fixture
async def url(
    wechat_env: pytest.MonkeyPatch, bot: StubBot, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[str]:
    # Several Sanic apps in one process (what sanic-testing does too).
    monkeypatch.setattr(Sanic, "test_mode", True)
    async with serve(WeChatInput(), bot) as served:
        yield served


@pytest.fixture(params=["plain", "safe"])
def wechat(request: pytest.FixtureRequest, url: str) -> WeChat:
    """WeChat in plain mode (明文模式) and in safe mode (安全模式)."""
    return WeChat(url, safe=request.param == "safe")


@pytest.fixture
def plain(url: str) -> WeChat:
    return WeChat(url)


# --- URL verification ---------------------------------------------------------------------------


async def test_url_verification_echoes_echostr_when_the_signature_is_wechats(
    plain: WeChat,
) -> None:
    assert await plain.verify("echo-1234567890") == (200, "echo-1234567890")


async def test_url_verification_with_a_wrong_signature_is_refused(plain: WeChat) -> None:
    status, body = await plain.verify("echo", signature="0" * 40)
    assert status == 403 and "echo" not in body
    forged = plain.query(token="not-the-token")
    status, _ = await plain.verify("echo", **forged)
    assert status == 403


async def test_without_a_configured_token_everything_is_refused(
    plain: WeChat, wechat_env: pytest.MonkeyPatch, bot: StubBot
) -> None:
    # With an empty token anyone could sign: the channel must not accept that.
    wechat_env.setenv("WECHAT_TOKEN", "")
    reset_settings()
    status, _ = await plain.verify("echo", **plain.query(token=""))
    assert status == 403
    assert (await plain.post(message_xml("text", Content="你好"), token="")).status == 403
    assert bot.received == []


# --- messages in both modes -----------------------------------------------------------------


async def test_a_text_message_gets_the_bots_answer_as_a_passive_reply(
    wechat: WeChat, bot: StubBot
) -> None:
    answer = await wechat.text("你好")
    assert answer.status == 200
    assert answer.encrypted == wechat.safe
    reply = answer.reply
    assert reply["MsgType"] == "text" and reply["Content"] == "收到：你好"
    assert reply["ToUserName"] == OPENID and reply["FromUserName"] == ACCOUNT
    [message] = bot.received
    assert message.sender_id == OPENID and message.input_channel == "wechat"


async def test_a_forged_signature_is_refused_before_the_bot_sees_anything(
    wechat: WeChat, bot: StubBot
) -> None:
    answer = await wechat.post(message_xml("text", Content="你好"), token="forged")
    assert answer.status == 403
    assert bot.received == []


async def test_a_forged_message_signature_in_safe_mode_is_refused(url: str, bot: StubBot) -> None:
    safe = WeChat(url, safe=True)
    answer = await safe.post(message_xml("text", Content="你好"), query={"msg_signature": "0" * 40})
    assert answer.status == 403
    assert bot.received == []


async def test_a_stale_timestamp_is_refused_even_when_correctly_signed(
    wechat: WeChat, bot: StubBot
) -> None:
    stale = int(time.time()) - 301
    assert (await wechat.post(message_xml("text", Content="你好"), timestamp=stale)).status == 403
    future = int(time.time()) + 301
    assert (await wechat.post(message_xml("text", Content="你好"), timestamp=future)).status == 403
    assert bot.received == []


@pytest.mark.parametrize(
    "body",
    [
        "<xml><MsgType>text</MsgType>",
        "not xml at all",
        "<xml><ToUserName>a</ToUserName></xml>",  # no MsgType
        "",
    ],
)
async def test_malformed_xml_is_a_400(plain: WeChat, bot: StubBot, body: str) -> None:
    assert (await plain.post(body)).status == 400
    assert bot.received == []


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE xml [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
    + "<xml><ToUserName>a</ToUserName><FromUserName>&lol9;</FromUserName>"
    + "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol9;</Content>"
    + "<MsgId>1</MsgId></xml>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    "<xml><ToUserName>a</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>"
)


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "xxe"])
async def test_entity_expansion_is_refused_quickly(
    wechat: WeChat, bot: StubBot, document: str
) -> None:
    # Correctly signed (and in safe mode encrypted), so the document reaches the parser.
    answer = await wechat.post(document)
    assert answer.status == 400 and answer.seconds < 2
    assert "root:" not in answer.body and "lollol" not in answer.body
    assert bot.received == []


async def test_entity_expansion_in_the_safe_mode_envelope_is_refused(
    url: str, bot: StubBot
) -> None:
    safe = WeChat(url, safe=True)
    answer = await safe.post(BILLION_LAUGHS, raw=True)  # the outer envelope itself
    assert 400 <= answer.status < 500 and answer.seconds < 2
    assert bot.received == []


async def test_an_oversized_body_is_refused(plain: WeChat) -> None:
    answer = await plain.post(message_xml("text", Content="长" * 30_000))
    assert answer.status == 413


# --- retries --------------------------------------------------------------------------------------


async def test_a_retry_with_the_same_msgid_gets_no_second_answer(
    wechat: WeChat, bot: StubBot
) -> None:
    xml = message_xml("text", Content="我要报案")
    first = await wechat.post(xml)
    retry = await wechat.post(xml)  # WeChat signs each delivery anew
    assert first.reply["Content"] == "收到：我要报案"
    assert retry.status == 200 and retry.body == "success"
    assert bot.texts == ["我要报案"]


async def test_a_retry_while_the_bot_is_still_working_gets_success_at_once(
    plain: WeChat, bot: StubBot, wechat_env: pytest.MonkeyPatch, wechat_api: FakeWeChatApi
) -> None:
    wechat_env.setenv("WECHAT_REPLY_SECONDS", "0.2")
    reset_settings()
    bot.delay = 0.8
    xml = message_xml("text", Content="我要报案")
    first, retry = await asyncio.gather(plain.post(xml), plain.post(xml))
    assert {first.body, retry.body} == {"success"}
    await eventually(lambda: len(wechat_api.sent) == 1)
    await asyncio.sleep(0.3)
    assert bot.texts == ["我要报案"] and wechat_api.texts == ["收到：我要报案"]


async def test_events_are_deduplicated_by_sender_time_and_event(plain: WeChat) -> None:
    now = int(time.time())
    xml = message_xml("event", Event="subscribe", CreateTime=now)
    assert "理赔客服助手" in (await plain.post(xml)).reply["Content"]
    assert (await plain.post(xml)).body == "success"
    other_user = message_xml("event", "oOtherUser", Event="subscribe", CreateTime=now)
    assert "Content" in (await plain.post(other_user)).reply
    later = message_xml("event", Event="subscribe", CreateTime=now + 1)
    assert "Content" in (await plain.post(later)).reply


# --- the 5-second rule --------------------------------------------------------------------------


async def test_a_slow_answer_is_success_at_once_then_a_customer_service_message(
    wechat: WeChat, bot: StubBot, wechat_env: pytest.MonkeyPatch, wechat_api: FakeWeChatApi
) -> None:
    wechat_env.setenv("WECHAT_REPLY_SECONDS", "0.2")
    reset_settings()
    bot.delay = 0.6
    answer = await wechat.text("查一下我的理赔进度")
    assert answer.status == 200 and answer.body == "success"
    assert answer.seconds < 0.5  # well inside WeChat's 5 s
    assert wechat_api.sent == []
    await eventually(lambda: len(wechat_api.sent) == 1)
    [sent] = wechat_api.sent
    assert sent["json"] == {
        "touser": OPENID,
        "msgtype": "text",
        "text": {"content": "收到：查一下我的理赔进度"},
    }
    assert sent["token"] == "ACCESS_TOKEN_1"


async def test_the_access_token_is_fetched_once_for_several_slow_answers(
    plain: WeChat, bot: StubBot, wechat_env: pytest.MonkeyPatch, wechat_api: FakeWeChatApi
) -> None:
    wechat_env.setenv("WECHAT_REPLY_SECONDS", "0.1")
    reset_settings()
    bot.delay = 0.3
    await asyncio.gather(plain.text("第一条"), plain.text("第二条"))
    await eventually(lambda: len(wechat_api.sent) == 2)
    await plain.text("第三条")
    await eventually(lambda: len(wechat_api.sent) == 3)
    assert wechat_api.token_fetches == 1
    assert {m["token"] for m in wechat_api.sent} == {"ACCESS_TOKEN_1"}


async def test_a_rejected_token_is_refreshed_once_and_the_message_resent(
    wechat_env: pytest.MonkeyPatch, wechat_api: FakeWeChatApi
) -> None:
    client = CustomerServiceClient(get_settings(), MemoryState())
    await asyncio.to_thread(client.send_text, OPENID, "第一条")
    wechat_api.reject.add("ACCESS_TOKEN_1")  # e.g. another system fetched a new token
    await asyncio.to_thread(client.send_text, OPENID, "第二条")
    assert wechat_api.token_fetches == 2
    assert [(m["token"], m["json"]["text"]["content"]) for m in wechat_api.sent] == [
        ("ACCESS_TOKEN_1", "第一条"),
        ("ACCESS_TOKEN_2", "第二条"),
    ]


async def test_an_expired_token_is_refreshed(
    wechat_env: pytest.MonkeyPatch, wechat_api: FakeWeChatApi
) -> None:
    state = MemoryState()
    client = CustomerServiceClient(get_settings(), state)
    await asyncio.to_thread(client.send_text, OPENID, "第一条")
    state.take("access_token")  # what expiry does to the stored token
    await asyncio.to_thread(client.send_text, OPENID, "第二条")
    assert wechat_api.token_fetches == 2


async def test_a_slow_answer_without_api_credentials_is_logged_not_crashed(
    plain: WeChat,
    bot: StubBot,
    wechat_env: pytest.MonkeyPatch,
    wechat_api: FakeWeChatApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    wechat_env.setenv("WECHAT_REPLY_SECONDS", "0.1")
    wechat_env.setenv("WECHAT_APP_SECRET", "")
    reset_settings()
    bot.delay = 0.3
    assert (await plain.text("你好")).body == "success"
    await eventually(lambda: "answer was lost" in caplog.text)
    assert wechat_api.sent == []


async def test_a_failing_bot_still_gets_the_follower_an_apology(
    plain: WeChat, bot: StubBot
) -> None:
    bot.fail = True
    reply = (await plain.text("你好")).reply
    assert "抱歉" in reply["Content"] and "95518" in reply["Content"]


# --- message types --------------------------------------------------------------------------


async def test_a_new_follower_is_welcomed_with_what_the_assistant_can_do(
    wechat: WeChat, bot: StubBot
) -> None:
    reply = (await wechat.post(message_xml("event", Event="subscribe"))).reply
    for service in ("查询理赔进度", "理赔咨询", "在线报案", "转人工"):
        assert service in reply["Content"]
    scanned = message_xml("event", Event="subscribe", EventKey="qrscene_123")
    assert "查询理赔进度" in (await wechat.post(scanned)).reply["Content"]
    assert bot.received == []


async def test_an_unsubscribe_gets_no_reply(plain: WeChat, bot: StubBot) -> None:
    answer = await plain.post(message_xml("event", Event="unsubscribe"))
    assert answer.body == "success" and bot.received == []


async def test_an_image_is_explained_and_a_description_asked_for(
    wechat: WeChat, bot: StubBot
) -> None:
    xml = message_xml("image", PicUrl="http://example.invalid/p.jpg", MediaId="m1")
    content = (await wechat.post(xml)).reply["Content"]
    assert "图片" in content and "文字" in content and "理赔流程" in content
    assert bot.received == []


async def test_recognized_voice_goes_to_the_bot_as_text(plain: WeChat, bot: StubBot) -> None:
    xml = message_xml("voice", MediaId="m1", Format="amr", Recognition="查一下我的理赔进度")
    assert (await plain.post(xml)).reply["Content"] == "收到：查一下我的理赔进度"
    assert bot.texts == ["查一下我的理赔进度"]


async def test_voice_without_recognition_asks_to_type(plain: WeChat, bot: StubBot) -> None:
    xml = message_xml("voice", MediaId="m1", Format="amr")
    assert "文字" in (await plain.post(xml)).reply["Content"]
    assert bot.received == []


async def test_a_location_goes_to_the_bot_with_its_label(plain: WeChat, bot: StubBot) -> None:
    xml = message_xml(
        "location", Location_X="31.23", Location_Y="121.47", Scale="15", Label="上海市黄浦区"
    )
    await plain.post(xml)
    assert bot.texts == ["我的位置：上海市黄浦区"]


@pytest.mark.parametrize(
    "xml",
    [
        message_xml("link", Title="t", Description="d", Url="http://example.invalid"),
        message_xml("video", MediaId="m", ThumbMediaId="t"),
        message_xml("event", Event="CLICK", EventKey="MENU_1"),
    ],
    ids=["link", "video", "menu-click"],
)
async def test_other_messages_get_a_short_polite_text(
    plain: WeChat, bot: StubBot, xml: str
) -> None:
    assert "抱歉" in (await plain.post(xml)).reply["Content"]
    assert bot.received == []


async def test_system_events_get_no_chat_reply(plain: WeChat, bot: StubBot) -> None:
    xml = message_xml("event", Event="LOCATION", Latitude="31", Longitude="121", Precision="1")
    assert (await plain.post(xml)).body == "success"


# --- what the bot says, as text ----------------------------------------------------------------

CLAIMS = [
    {
        "title": "RDZA202600000101 商业车险 追尾碰撞 待补充材料",
        "payload": '/claim_status{"claim_number":"RDZA202600000101"}',
    },
    {
        "title": "RDAA202600000102 交强险 刮擦 已结案",
        "payload": '/claim_status{"claim_number":"RDAA202600000102"}',
    },
]


async def test_buttons_become_a_numbered_list_and_a_number_sends_the_payload(
    wechat: WeChat, bot: StubBot
) -> None:
    bot.messages = lambda text: (
        [
            {"text": "查到 2 个案件，请选择要查看的一个：", "buttons": CLAIMS},
            {"text": "也可以：", "buttons": [{"title": "转人工", "payload": "/request_human"}]},
        ]
        if text == "列出我的案件"
        else [{"text": f"收到：{text}"}]
    )
    content = (await wechat.text("列出我的案件")).reply["Content"]
    assert content == (
        "查到 2 个案件，请选择要查看的一个：\n回复序号选择：\n"
        "1. RDZA202600000101 商业车险 追尾碰撞 待补充材料\n"
        "2. RDAA202600000102 交强险 刮擦 已结案"
        "\n\n也可以：\n回复序号选择：\n3. 转人工"
    )
    await wechat.text("２")  # a full-width digit from a Chinese keyboard
    assert bot.texts[-1] == '/claim_status{"claim_number":"RDAA202600000102"}'
    await wechat.text("3")  # the last answer had no buttons: "3" is just text now
    assert bot.texts[-1] == "3"


async def test_a_number_without_buttons_is_plain_text(plain: WeChat, bot: StubBot) -> None:
    await plain.text("1")
    assert bot.texts == ["1"]


async def test_a_card_repeating_the_text_is_not_sent_twice(plain: WeChat, bot: StubBot) -> None:
    answer = "车辆被水淹属于车损险保障范围。\n依据：保险法第二条"
    bot.messages = lambda text: [
        {"text": answer, "buttons": [{"title": "医疗险要什么材料", "payload": "/ask_general"}]},
        {"custom": {"type": "knowledge_answer", "article_id": "a1", "text": answer}},
        {"custom": {"type": "claim_status", "claim_number": "R1", "stage": "x"}},
    ]
    content = (await plain.text("车被水淹了能赔吗")).reply["Content"]
    assert content.count("车辆被水淹") == 1
    assert content.endswith("回复序号选择：\n1. 医疗险要什么材料")
    assert "claim_status" not in content and "{" not in content


async def test_a_handoff_is_transferred_to_wechats_customer_service(
    wechat: WeChat, bot: StubBot, wechat_api: FakeWeChatApi
) -> None:
    bot.messages = lambda text: [
        {"text": "已为您转接人工客服，工单号 H1。"},
        {"custom": {"type": "handoff", "ticket": "H1"}},
    ]
    reply = (await wechat.text("转人工")).reply
    assert reply["MsgType"] == "transfer_customer_service"
    assert reply["ToUserName"] == OPENID and "Content" not in reply
    # A passive reply is one message: the words arrive through the API.
    await eventually(lambda: wechat_api.texts == ["已为您转接人工客服，工单号 H1。"])


async def test_a_slow_handoff_transfers_the_followers_next_message(
    plain: WeChat, bot: StubBot, wechat_env: pytest.MonkeyPatch, wechat_api: FakeWeChatApi
) -> None:
    wechat_env.setenv("WECHAT_REPLY_SECONDS", "0.1")
    reset_settings()
    bot.delay = 0.3
    bot.messages = lambda text: [
        {"text": "已为您转接人工客服。"},
        {"custom": {"type": "handoff", "ticket": "H2"}},
    ]
    assert (await plain.text("转人工")).body == "success"
    await eventually(lambda: len(wechat_api.sent) == 1)
    assert "回复任意内容" in wechat_api.texts[0]
    reply = (await plain.text("在吗")).reply
    assert reply["MsgType"] == "transfer_customer_service"
    assert bot.texts == ["转人工"]


def utf8(text: str) -> int:
    return len(text.encode("utf-8"))


async def test_a_long_answer_is_split_into_customer_service_messages(
    plain: WeChat, bot: StubBot, wechat_api: FakeWeChatApi
) -> None:
    lines = [f"第{i}条：" + "理赔材料说明" * 20 for i in range(30)]  # ~11 KB
    bot.messages = lambda text: [{"text": "\n".join(lines)}]
    assert (await plain.text("详细说说")).body == "success"
    await eventually(lambda: len(wechat_api.sent) >= 2)
    await asyncio.sleep(0.2)
    assert all(utf8(t) <= 2048 for t in wechat_api.texts)
    assert "\n".join(wechat_api.texts) == "\n".join(lines)  # nothing lost, in order


async def test_a_long_passive_answer_is_truncated_politely_without_the_api(
    wechat: WeChat, bot: StubBot, wechat_env: pytest.MonkeyPatch
) -> None:
    wechat_env.setenv("WECHAT_APP_SECRET", "")
    reset_settings()
    bot.messages = lambda text: [{"text": "理赔" * 2000}]
    content = (await wechat.text("详细说说")).reply["Content"]
    assert utf8(content) <= 2048
    assert content.startswith("理赔理赔") and "内容较长" in content and "95518" in content


# --- several replicas sharing Redis ----------------------------------------------------------


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    options = f"--port {port} --bind 127.0.0.1 --appendonly no --dir {folder}".split()
    server = subprocess.Popen(
        [binary, *options, "--save", ""],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.kill()
            pytest.fail("redis-server did not start")
        time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def shared_redis(redis_url: str, wechat_env: pytest.MonkeyPatch) -> str:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    wechat_env.setenv("REDIS_URL", redis_url)
    reset_settings()
    return redis_url


async def test_two_replicas_sharing_redis_answer_a_retried_message_once(
    shared_redis: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Sanic, "test_mode", True)
    bot_a, bot_b = StubBot(), StubBot()
    async with serve(WeChatInput(), bot_a) as url_a, serve(WeChatInput(), bot_b) as url_b:
        xml = message_xml("text", Content="我要报案")
        first = await WeChat(url_a).post(xml)
        retry = await WeChat(url_b, safe=True).post(xml)  # the retry lands on the other replica
    assert first.reply["Content"] == "收到：我要报案"
    assert retry.body == "success"
    assert bot_a.texts == ["我要报案"] and bot_b.received == []


async def test_numbered_choices_work_across_replicas(
    shared_redis: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Sanic, "test_mode", True)
    bot_a, bot_b = StubBot(), StubBot()
    bot_a.messages = lambda text: [{"text": "请选择：", "buttons": CLAIMS}]
    async with serve(WeChatInput(), bot_a) as url_a, serve(WeChatInput(), bot_b) as url_b:
        await WeChat(url_a).text("列出我的案件")
        await WeChat(url_b).text("1")
    assert bot_b.texts == ['/claim_status{"claim_number":"RDZA202600000101"}']


async def test_replicas_sharing_redis_fetch_one_token_between_them(
    shared_redis: str, wechat_api: FakeWeChatApi
) -> None:
    settings = get_settings()
    clients = [
        CustomerServiceClient(settings, RedisState(shared_redis, prefix="wechat:test:"))
        for _ in range(4)
    ]
    await asyncio.gather(
        *(asyncio.to_thread(c.send_text, OPENID, f"第{i}条") for i, c in enumerate(clients))
    )
    assert wechat_api.token_fetches == 1
    assert len(wechat_api.sent) == 4
