"""The customer web page in a real headless Chromium, against the running assistant.

Chromium is Debian's (/usr/bin/chromium), driven by Playwright's Python client; Playwright
downloads no browser. The page is opened at a phone's size (375 px), as in WeChat.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    ViewportSize,
    expect,
    sync_playwright,
)

from tests.e2e.conftest import ROOT, Assistant

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE: ViewportSize = {"width": 375, "height": 740}
SCREENSHOT = ROOT / "docs" / "webchat.png"
REPLY_MS = 60_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext, assistant: Assistant) -> Iterator[Page]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{assistant.url}/webhooks/web/")
    yield page
    assert errors == [], errors


def wait_for_reply(page: Page) -> None:
    expect(page.locator("#typing")).to_be_hidden(timeout=REPLY_MS)


def say(page: Page, text: str) -> None:
    page.fill("#input", text)
    page.press("#input", "Enter")
    wait_for_reply(page)


def last_bot_text(page: Page) -> str:
    return page.locator(".entry .row.bot .bubble").last.inner_text()


def feedback_rows(var_dir: Path) -> list[tuple[str, int, str]]:
    with sqlite3.connect(var_dir / "claims.db") as db:
        return db.execute(
            "SELECT article_id, helpful, question FROM answer_feedback ORDER BY id"
        ).fetchall()


def save_screenshot(page: Page) -> None:
    """Stretches the phone screen to the whole conversation and saves it for the docs."""
    height = page.evaluate(
        "() => document.getElementById('log').scrollHeight"
        " + document.querySelector('.bar').offsetHeight"
        " + document.querySelector('.composer').offsetHeight"
    )
    page.set_viewport_size({"width": PHONE["width"], "height": int(height)})
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.set_viewport_size(PHONE)


def test_welcome_sends_nothing_and_a_quick_reply_gets_an_answer(page: Page) -> None:
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if "/rest/" in r.url else None)
    expect(page.get_by_role("heading", name="理赔客服助手")).to_be_visible()
    replies = page.locator(".replies .chip")
    expect(replies).to_have_text(["查询理赔进度", "理赔需要哪些材料", "我要报案"])
    assert sent == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

    replies.nth(1).click()
    expect(page.locator(".row.user .bubble").last).to_have_text("理赔需要哪些材料")
    expect(page.locator(".replies")).to_have_count(0)
    wait_for_reply(page)
    expect(page.locator(".card.knowledge")).to_have_count(1)
    expect(page.locator(".card.knowledge h2")).to_contain_text("材料")
    assert len(sent) == 1


def test_the_whole_conversation_on_a_phone(page: Page, assistant: Assistant) -> None:
    # A knowledge question: one card, its text not repeated in a bubble.
    say(page, "车被水淹了能赔吗")
    card = page.locator(".card.knowledge").last
    expect(card.locator("h2")).to_have_text("车被水淹、发动机进水能赔吗")
    expect(card.locator(".basis")).to_contain_text("依据")
    expect(card.locator(".basis")).to_contain_text("保险法")
    expect(page.locator(".entry .row.bot .bubble", has_text="依据：")).to_have_count(0)
    details = card.locator(".details")
    expect(details).to_be_hidden()
    card.get_by_role("button", name="查看详细说明").click()
    expect(details).to_be_visible()
    expect(details.locator("strong").first).to_have_text("熄火以后")
    assert details.locator("li").count() >= 3
    expect(card.get_by_role("button", name="收起详细说明")).to_be_visible()

    # 👍 is stored once, with the question, and thanked for.
    card.locator("button[data-vote='up']").click()
    expect(card.locator(".vote")).to_have_text("感谢反馈")
    expect(details).to_be_visible()
    assert feedback_rows(assistant.var_dir)[-1] == ("motor-flood-engine", 1, "车被水淹了能赔吗")

    # A related question opens its article.
    chip = card.locator(".related .chip").first
    title = chip.inner_text()
    chip.click()
    expect(page.locator(".row.user .bubble").last).to_have_text(title)
    wait_for_reply(page)
    expect(page.locator(".card.knowledge")).to_have_count(2)
    expect(page.locator(".card.knowledge").last.locator("h2")).to_have_text(title)

    # The status look-up ends with the timeline card, its text not repeated in a bubble.
    say(page, "查一下我的理赔进度")
    assert "报案号" in last_bot_text(page)
    say(page, "RDZA202600000101")
    assert "后4位" in last_bot_text(page)
    say(page, "8000")
    claim = page.locator(".card.claim")
    expect(claim).to_have_count(1)
    expect(claim.locator("h2")).to_contain_text("RDZA202600000101")
    expect(claim.locator(".stage")).to_have_text("待补充材料")
    expect(claim.locator(".missing")).to_contain_text("待补充材料")
    expect(claim.locator(".missing li")).to_contain_text(["维修发票"])
    assert claim.locator(".timeline li").count() >= 3
    expect(claim.locator(".timeline li.current")).to_contain_text("待补充材料")
    expect(claim).to_contain_text("张*明")
    expect(claim).not_to_contain_text("8000")
    expect(page.locator(".entry .row.bot .bubble", has_text="您的案件")).to_have_count(0)

    entries = page.locator(".entry").count()
    save_screenshot(page)

    # A reload shows the same conversation.
    page.reload()
    expect(page.locator(".entry")).to_have_count(entries)
    expect(page.locator(".card.claim")).to_contain_text("维修发票")
    expect(page.locator(".card.knowledge").first.locator(".vote")).to_have_text("感谢反馈")
    expect(page.locator(".row.user .bubble").first).to_have_text("车被水淹了能赔吗")

    # "转人工" is always there.
    page.get_by_role("button", name="转人工").click()
    wait_for_reply(page)
    assert "人工" in last_bot_text(page)


@pytest.mark.parametrize("failure", ["server error", "no network", "empty reply"])
def test_errors_are_said_politely_and_typing_stops(page: Page, failure: str) -> None:
    if failure == "server error":
        page.route("**/rest/webhook", lambda route: route.fulfill(status=502, body="bad"))
    elif failure == "no network":
        page.route("**/rest/webhook", lambda route: route.abort("internetdisconnected"))
    else:  # what Rasa answers when an action failed
        page.route("**/rest/webhook", lambda route: route.fulfill(status=200, json=[]))
    say(page, "你好")
    expect(page.locator(".notice")).to_have_text("网络好像有点问题，请稍后再试")
    expect(page.locator("#typing")).to_be_hidden()
    expect(page.locator("#send")).to_be_enabled()


def test_new_conversation_starts_over(page: Page) -> None:
    say(page, "你好")
    sender = page.evaluate("() => JSON.parse(localStorage.getItem('claims-webchat-v1')).sender")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="新对话").click()
    expect(page.locator(".row.user")).to_have_count(0)
    expect(page.locator(".replies .chip")).to_have_count(3)
    stored = page.evaluate("() => JSON.parse(localStorage.getItem('claims-webchat-v1'))")
    assert stored["sender"] != sender and len(stored["entries"]) == 1
