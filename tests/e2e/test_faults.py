"""Faults: the action server or the claims database goes down, then comes back.

The customer gets a clear message (never silence, never a stack trace), nothing crashes,
and service resumes by itself when the dependency returns. The database runs on
PostgreSQL behind a proxy the test cuts; Redis (the cluster's lock store) is covered in
tests/cluster/.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from scripts.cluster import ensure_database
from scripts.launch import ACTIONS_SERVER, Servers, running_assistant, start, stop, wait_until_up
from tests.conftest import postgres_admin_url
from tests.e2e.conftest import custom_of, text_of
from tests.proxy import Proxy

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def db_proxy() -> Iterator[Proxy]:
    admin = postgres_admin_url()
    url = urlsplit(admin)
    proxy = Proxy(url.hostname or "localhost", url.port or 5432)
    yield proxy
    proxy.cut()


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory, db_proxy: Proxy) -> Iterator[Servers]:
    claims = urlsplit(ensure_database(postgres_admin_url(), "claims_faults", fresh=True))
    via_proxy = claims._replace(netloc=f"{claims.username}:{claims.password}@127.0.0.1:"
                                       f"{db_proxy.port}").geturl()
    extra = {"CLAIMS_DB_URL": via_proxy, "CLAIMS_DB_TIMEOUT": "2"}
    with running_assistant(tmp_path_factory.mktemp("faults"), extra) as running:
        yield running


def say(servers: Servers, sender: str, text: str) -> list[dict]:
    response = requests.post(f"{servers.url}/webhooks/rest/webhook",
                             json={"sender": sender, "message": text}, timeout=60)
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def restart_actions(servers: Servers) -> None:
    port = urlsplit(servers.env["ACTION_ENDPOINT_URL"]).port
    log = Path(servers.var_dir) / "actions-restarted.log"
    servers.actions = start([*ACTIONS_SERVER, "--port", str(port)], servers.env, log)
    wait_until_up(f"http://127.0.0.1:{port}/health", servers.actions, log)


def test_action_server_down_then_back(servers: Servers) -> None:
    stop(servers.actions)
    reply = text_of(say(servers, "fault-" + uuid.uuid4().hex[:8], "车险理赔需要哪些材料"))
    assert "抱歉" in reply and "95518" in reply and "Traceback" not in reply
    restart_actions(servers)
    messages = say(servers, "fault-" + uuid.uuid4().hex[:8], "车险理赔需要哪些材料")
    assert custom_of(messages, "knowledge_answer") is not None


def test_database_down_then_back(servers: Servers, db_proxy: Proxy) -> None:
    sender = "fault-" + uuid.uuid4().hex[:8]
    say(servers, sender, "查一下我的理赔进度")
    say(servers, sender, "RDZA202600000101")
    db_proxy.cut()
    try:
        reply = text_of(say(servers, sender, "8000"))
    finally:
        db_proxy.restore()
    assert "暂时无法查询" in reply and "95518" in reply and "Traceback" not in reply
    # The conversation goes on, and the look-up works again once the database is back.
    say(servers, sender, "查一下我的理赔进度")
    say(servers, sender, "RDZA202600000101")
    messages = say(servers, sender, "8000")
    card = custom_of(messages, "claim_status")
    assert card is not None and card["stage_label"] == "待补充材料", text_of(messages)
