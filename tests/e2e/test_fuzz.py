"""Arbitrary input at the customer-facing endpoints of the running assistant (hypothesis).

Any Unicode (lone surrogates included on REST, where JSON can carry them), 10,000+ character
messages, control characters, emoji, SQL and HTML fragments and personal data go to the REST
channel and, signed and encrypted as WeChat does, to the WeChat endpoint. Whatever arrives:
no 5xx, no stack trace or internal error in a reply, and nothing personal in the servers'
logs, not even from the messages that carried it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.conftest import Assistant
from tests.e2e.wechat_server import WeChatServer, new_openid

pytestmark = pytest.mark.e2e

# Personal data a customer might type; none of it may reach a log in the clear.
PERSONAL = {
    "phone": "13912345678",
    "id_number": "11010519491231002X",
    "bank_card": "6222021234567890128",
    "name": "欧阳娜娜",
}

FRAGMENTS = [
    "查一下我的理赔进度", "RDZA202600000101", "8000", "报案", "转人工", "投诉",
    "'; DROP TABLE claims; --", "1' OR '1'='1", "\" UNION SELECT * FROM claims --",
    "<script>alert('x')</script>", "<img src=x onerror=alert(1)>", "]]></Content>",
    "<xml><Encrypt>", "{{7*7}}", "${jndi:ldap://x}", "%s%n%x", "../../etc/passwd",
    "🚗💥🏥", "👨‍👩‍👧‍👦", "\u200b\u200e\ufeff", "\x00\x07\x1b[31m", "\r\n\t",
    "理賠進度查詢", "ＲＤＺＡ２０２６", "我的电话是" + PERSONAL["phone"],
    "身份证" + PERSONAL["id_number"], "卡号" + PERSONAL["bank_card"],
    "我叫" + PERSONAL["name"], "/restart", "/inform{\"claim_number\":\"x\"}",
]

# Internals that must never be shown to a customer.
LEAKS = ("Traceback", "Exception", "Error", "sqlalchemy", "File \"", "NoneType", "{{")


def messages(alphabet: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Fragments and random text glued together, one in four repeated past 10,000 characters."""
    piece = st.one_of(st.sampled_from(FRAGMENTS), st.text(alphabet, max_size=40))
    text = st.lists(piece, min_size=1, max_size=6).map("".join)
    long = text.map(lambda t: (t or "长") * (10_000 // max(len(t), 1) + 1))
    return st.one_of(text, text, text, long)


# REST: any code point, control characters and lone surrogates included.
REST_TEXT = messages(st.characters())


def xml_safe(text: str) -> str:
    """Drops what XML 1.0 cannot carry: WeChat never sends control characters."""
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)


WECHAT_TEXT = messages(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"])).map(xml_safe)

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same inputs every run: CI does not flake on a new seed
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_no_leak(text: str) -> None:
    for leak in LEAKS:
        assert leak not in text, f"{leak!r} shown to the customer: {text[:300]!r}"


class LogWatch:
    """What the assistant's servers logged since the watch began."""

    def __init__(self, var_dir: Path) -> None:
        self.logs = [var_dir / "rasa.log", var_dir / "actions.log"]
        self.start = {log: log.stat().st_size for log in self.logs}

    def new_text(self) -> str:
        parts = []
        for log in self.logs:
            with log.open("rb") as f:
                f.seek(self.start[log])
                parts.append(f.read().decode("utf-8", "replace"))
        return "\n".join(parts)

    def assert_clean(self) -> None:
        text = self.new_text()
        for kind, value in PERSONAL.items():
            assert value not in text, f"a customer's {kind} reached the logs"
        assert "Traceback" not in text, text[text.index("Traceback") :][:2000]


def check_with_logs(assistant: Assistant, run: Callable[[], None]) -> None:
    watch = LogWatch(assistant.var_dir)
    run()
    watch.assert_clean()


def test_rest_channel_survives_arbitrary_input(assistant: Assistant) -> None:
    def post(text: str, sender: str) -> None:
        response = requests.post(
            f"{assistant.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=60,
        )
        assert response.status_code < 500, response.text[:500]
        if response.status_code == 200:
            body = response.json()
            assert isinstance(body, list)
            assert_no_leak("\n".join(str(m.get("text") or "") for m in body))
        else:
            assert_no_leak(response.text)

    @FUZZ
    @given(text=REST_TEXT)
    def fuzz(text: str) -> None:
        post(text, assistant.new_sender())

    def run() -> None:
        fuzz()
        # Every fragment with personal data goes through once, whatever hypothesis drew.
        sender = assistant.new_sender()
        for fragment in [*FRAGMENTS, "".join(FRAGMENTS) * 30]:
            post(fragment, sender)

    check_with_logs(assistant, run)


def test_wechat_endpoint_survives_arbitrary_input(
    assistant: Assistant, wechat: WeChatServer
) -> None:
    def post(text: str, openid: str) -> None:
        response = wechat.post_raw(openid, text)
        assert response.status_code < 500, response.text[:500]
        if response.status_code == 200 and response.text != "success":
            assert_no_leak(str(wechat.passive(response).get("Content") or ""))
        elif response.status_code != 200:
            assert_no_leak(response.text)

    @FUZZ
    @given(text=WECHAT_TEXT)
    def fuzz(text: str) -> None:
        post(text, new_openid())

    def run() -> None:
        fuzz()
        openid = new_openid()  # every fragment once, as on REST
        for fragment in [*FRAGMENTS, "".join(FRAGMENTS) * 30]:
            post(xml_safe(fragment), openid)

    check_with_logs(assistant, run)
