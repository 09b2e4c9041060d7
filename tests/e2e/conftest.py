"""A running assistant for end-to-end tests: action server + Rasa server with the model.

Started once per test session with the newest model in models/ (trained by `make test`
before pytest runs) on free ports, against a freshly seeded SQLite database in a temp dir.
Its WeChat channel gets fixed test settings (WECHAT_SETTINGS) and a fake WeChat API.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from scripts.launch import newest_model, running_assistant

if TYPE_CHECKING:
    from tests.e2e.wechat_server import WeChatServer

ROOT = Path(__file__).resolve().parents[2]


# What the 公众号 developer page would hold; WECHAT_API_BASE points at the fake API below.
# One agent account for the agents' console.
AGENT_ID, AGENT_TOKEN = "agent01", "e2e-agent-token-0123456789"

WECHAT_SETTINGS = {
    "WECHAT_TOKEN": "e2e-wechat-token",
    "WECHAT_AES_KEY": "e2eWeChatEncodingAESKey0123456789abcdefghij",  # 43 characters
    "WECHAT_APP_ID": "wxe2e00000000000000",
    "WECHAT_APP_SECRET": "e2e-app-secret",
}


class FakeWeChatApi:
    """WeChat's API as the channel uses it: /cgi-bin/token, /cgi-bin/message/custom/send."""

    def __init__(self) -> None:
        self.token_fetches = 0
        self.sent: list[dict[str, Any]] = []  # bodies of customer-service messages
        api = self

        class Handler(BaseHTTPRequestHandler):
            def reply(self, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                secret = parse_qs(url.query).get("secret", [""])[0]
                if url.path != "/cgi-bin/token" or secret != WECHAT_SETTINGS["WECHAT_APP_SECRET"]:
                    return self.reply({"errcode": 40125, "errmsg": "invalid appsecret"})
                api.token_fetches += 1
                self.reply({"access_token": f"E2E_TOKEN_{api.token_fetches}", "expires_in": 7200})

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if urlsplit(self.path).path == "/cgi-bin/message/custom/send":
                    api.sent.append(json.loads(body))
                self.reply({"errcode": 0, "errmsg": "ok"})

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def texts_to(self, openid: str) -> list[str]:
        """The customer-service texts sent to one follower so far."""
        return [m["text"]["content"] for m in self.sent if m.get("touser") == openid]


@pytest.fixture(scope="session")
def wechat_api() -> Iterator[FakeWeChatApi]:
    api = FakeWeChatApi()
    yield api
    api.server.shutdown()


@dataclass
class Assistant:
    """A running assistant and how to talk to it."""

    url: str
    actions_url: str
    var_dir: Path
    env: dict[str, str]

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        """Sends one message through the REST channel and returns the bot's messages."""
        response = requests.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]

    def new_sender(self) -> str:
        return "e2e-" + uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def assistant(
    tmp_path_factory: pytest.TempPathFactory, wechat_api: FakeWeChatApi
) -> Iterator[Assistant]:
    try:
        newest_model()
    except FileNotFoundError:
        pytest.fail("no trained model in models/: run `make train` (make test does it)")
    extra = {
        "CLAIMS_SECRET": "e2e-secret",
        **WECHAT_SETTINGS,
        "AGENT_TOKENS": f"{AGENT_ID}:{AGENT_TOKEN}",
        "WECHAT_API_BASE": wechat_api.url,
    }
    with running_assistant(tmp_path_factory.mktemp("assistant"), extra) as servers:
        yield Assistant(servers.url, servers.actions_url, servers.var_dir, servers.env)


def text_of(messages: list[dict[str, Any]]) -> str:
    """Everything a user would read: texts and button titles."""
    parts = []
    for m in messages:
        parts.append(m.get("text") or "")
        parts += [b.get("title", "") for b in m.get("buttons") or []]
    return "\n".join(parts)


def custom_of(messages: list[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    """The first structured payload of a kind (knowledge_answer, claim_status, ...)."""
    for m in messages:
        custom = m.get("custom")
        if isinstance(custom, dict) and custom.get("type") == kind:
            return custom
    return None


@pytest.fixture
def wechat(assistant: Assistant, wechat_api: FakeWeChatApi) -> WeChatServer:
    """WeChat's servers, talking to the running assistant's WeChat channel."""
    from tests.e2e.wechat_server import WeChatServer

    return WeChatServer(assistant, wechat_api)
