"""The web chat channel through its real HTTP routes: the page, its files and 👍/👎 feedback.

The Sanic app is built the way `rasa run` builds it (`rasa.core.channels.channel.register`
mounts each channel's blueprint under /webhooks/<name>/) with a stub agent instead of a
model, served on a free port and driven with aiohttp.
"""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from rasa.core.channels.channel import UserMessage, register
from rasa.core.channels.rest import RestInput
from sanic import Sanic
from sqlalchemy import select
from yarl import URL

from bot.channels.web import WebChat
from claims.db import new_session
from claims.models import AnswerFeedback
from settings import reset_settings

pytestmark = pytest.mark.asyncio


class StubAgent:
    """Answers every message with one text, like an agent with a model would."""

    async def handle_message(self, message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, f"收到：{message.text}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest_asyncio.fixture
async def base_url(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    # Several apps in one process: test mode keeps Sanic from rewriting its own methods twice
    # (what sanic-testing does too).
    monkeypatch.setattr(Sanic, "test_mode", True)
    app = Sanic(f"web_channel_test_{uuid.uuid4().hex[:8]}")
    app.ctx.agent = StubAgent()
    register([RestInput(), WebChat()], app, route="/webhooks/")
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    serving = asyncio.ensure_future(server.serve_forever())
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()
        serving.cancel()


async def get(url: str, *, encoded: bool = False) -> tuple[int, dict[str, str], str]:
    async with aiohttp.ClientSession() as client:
        async with client.get(URL(url, encoded=encoded), allow_redirects=False) as response:
            return response.status, dict(response.headers), await response.text()


async def post(url: str, body: Any) -> tuple[int, str]:
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    async with aiohttp.ClientSession() as client:
        async with client.post(
            url, data=data, headers={"Content-Type": "application/json"}
        ) as response:
            return response.status, await response.text()


async def raw_get(base_url: str, path: str) -> str:
    """Sends a request line exactly as written (clients would normalise the dots away)."""
    host, port = base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    answer = await reader.read()
    writer.close()
    return answer.decode("utf-8", "replace")


def stored_feedback() -> list[AnswerFeedback]:
    with new_session() as s, s.begin():
        return list(s.scalars(select(AnswerFeedback).order_by(AnswerFeedback.id)))


# --- the page and its files ----------------------------------------------------------------


async def test_the_page_is_served_with_its_files(base_url: str) -> None:
    status, headers, html = await get(f"{base_url}/webhooks/web/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "理赔客服助手" in html
    assert 'src="static/chat.js"' in html and 'href="static/chat.css"' in html
    assert "http://" not in html and "https://" not in html  # nothing from a CDN
    assert "script-src 'self'" in headers["Content-Security-Policy"]

    status, headers, script = await get(f"{base_url}/webhooks/web/static/chat.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert "../rest/webhook" in script
    status, headers, _ = await get(f"{base_url}/webhooks/web/static/chat.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")


async def test_the_page_without_slash_redirects_so_relative_links_work(base_url: str) -> None:
    status, headers, _ = await get(f"{base_url}/webhooks/web")
    assert status == 301 and headers["Location"] == "web/"


@pytest.mark.parametrize(
    "name",
    [
        "..%2Fweb.py",
        "%2e%2e%2fweb.py",
        "..%2F..%2Fcredentials.yml",
        "%2E%2E%5Cweb.py",
        "..",
        ".hidden.js",
        "missing.js",
    ],
)
async def test_only_files_of_the_static_folder_are_served(base_url: str, name: str) -> None:
    status, _, body = await get(f"{base_url}/webhooks/web/static/{name}", encoded=True)
    assert status == 404
    assert "WebChat" not in body and "rest:" not in body


@pytest.mark.parametrize(
    "path",
    [
        "/webhooks/web/static/../web.py",
        "/webhooks/web/static/../../credentials.yml",
        "/webhooks/web/static/..%2f__init__.py",
    ],
)
async def test_dot_dot_in_the_raw_request_line_gets_404(base_url: str, path: str) -> None:
    answer = await raw_get(base_url, path)
    assert answer.startswith("HTTP/1.1 404")
    assert "WebChat" not in answer and "rest:" not in answer


async def test_messages_go_through_the_rest_channel_beside_it(base_url: str) -> None:
    status, body = await post(
        f"{base_url}/webhooks/rest/webhook", {"sender": "web-1", "message": "你好"}
    )
    assert status == 200
    assert json.loads(body) == [{"recipient_id": "web-1", "text": "收到：你好"}]


# --- feedback ------------------------------------------------------------------------------


async def test_feedback_is_stored_with_the_question_masked(base_url: str, db_url: str) -> None:
    status, body = await post(
        f"{base_url}/webhooks/web/feedback",
        {
            "sender": "web-1",
            "article_id": "motor-flood-engine",
            "helpful": True,
            "question": "我手机13812345678，车被水淹了能赔吗",
        },
    )
    assert (status, body) == (204, "")
    [row] = stored_feedback()
    assert row.article_id == "motor-flood-engine" and row.helpful is True
    assert row.question == "我手机138****5678，车被水淹了能赔吗"


async def test_a_long_question_is_masked_then_cut_to_500(base_url: str, db_url: str) -> None:
    question = "长" * 495 + "13812345678" + "尾" * 100
    status, _ = await post(
        f"{base_url}/webhooks/web/feedback",
        {"sender": "s", "article_id": "a", "helpful": False, "question": question},
    )
    assert status == 204
    [row] = stored_feedback()
    assert row.helpful is False
    assert len(row.question) == 500 and row.question.endswith("长138**")
    assert "1381234" not in row.question


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        "\u00ff".encode("latin-1"),
        b"[1, 2]",
        {"sender": "s", "article_id": "a", "helpful": "yes", "question": "q"},
        {"sender": "s", "article_id": "a", "question": "q"},
        {"sender": "s", "helpful": True, "question": "q"},
        {"sender": "s", "article_id": "", "helpful": True, "question": "q"},
        {"sender": "s", "article_id": "a" * 65, "helpful": True, "question": "q"},
        {"sender": "s", "article_id": "a", "helpful": True, "question": ["q"]},
        {"sender": 7, "article_id": "a", "helpful": True, "question": "q"},
    ],
)
async def test_bad_feedback_gets_400_in_chinese(base_url: str, db_url: str, body: Any) -> None:
    status, text = await post(f"{base_url}/webhooks/web/feedback", body)
    assert status == 400
    assert json.loads(text) == {"error": "请求格式不正确"}
    assert stored_feedback() == []


async def test_a_huge_body_is_refused(base_url: str, db_url: str) -> None:
    body = {"sender": "s", "article_id": "a", "helpful": True, "question": "问" * 20000}
    status, _ = await post(f"{base_url}/webhooks/web/feedback", body)
    assert status == 413
    assert stored_feedback() == []


async def test_database_down_gives_503_without_a_trace(
    base_url: str, settings_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLAIMS_DB_URL", f"sqlite:///{settings_env / 'missing' / 'claims.db'}")
    reset_settings()
    status, text = await post(
        f"{base_url}/webhooks/web/feedback",
        {"sender": "s", "article_id": "a", "helpful": True, "question": "q"},
    )
    assert status == 503
    assert json.loads(text) == {"error": "暂时无法保存您的反馈，请稍后再试"}
    assert "Traceback" not in text and "sqlite" not in text.lower()
