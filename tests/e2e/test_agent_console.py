"""The agents' console through the running server: authentication, answers, audited look-ups,
and releasing a conversation the bot handed over."""

import base64

import pytest
import requests
from sqlalchemy import create_engine, select

from claims.models import AccessLog
from tests.e2e.conftest import AGENT_ID, AGENT_TOKEN, Assistant, text_of

pytestmark = pytest.mark.e2e


def basic(agent_id: str, token: str) -> dict[str, str]:
    raw = base64.b64encode(f"{agent_id}:{token}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


AUTH = basic(AGENT_ID, AGENT_TOKEN)


@pytest.mark.parametrize("path", ["", "static/console.js", "handoffs"])
def test_nothing_is_reachable_without_credentials(assistant: Assistant, path: str) -> None:
    url = f"{assistant.url}/webhooks/agent/{path}"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, headers=basic(AGENT_ID, "wrong-token"), timeout=10).status_code == 401
    assert requests.get(url, headers=basic("someone", AGENT_TOKEN), timeout=10).status_code == 401
    assert requests.get(url, headers=AUTH, timeout=10).status_code == 200


def test_lookups_without_credentials_leak_nothing(assistant: Assistant) -> None:
    reply = requests.post(
        f"{assistant.url}/webhooks/agent/lookup", json={"query": "RDZA202600000101"}, timeout=10
    )
    assert reply.status_code == 401 and "RDZA" not in reply.text


def test_agent_gets_top_answers_with_scores_basis_and_wording(assistant: Assistant) -> None:
    reply = requests.post(
        f"{assistant.url}/webhooks/agent/ask", json={"question": "客户问车被水淹了能不能赔"},
        headers=AUTH, timeout=60,
    ).json()
    assert 1 <= len(reply["answers"]) <= 3
    assert reply["answers"][0]["article_id"] == "motor-flood-engine"
    assert all("score" in a and "legal_basis" in a for a in reply["answers"])
    # The agent sees whether the bot gives customers this answer itself, and on what grounds.
    assert reply["answers"][0]["customers_get_it"] and reply["answers"][0]["covers_concepts"]
    angry = requests.post(
        f"{assistant.url}/webhooks/agent/ask",
        json={"question": "客户情绪很激动在电话里骂人怎么办"},
        headers=AUTH,
        timeout=60,
    ).json()
    assert angry["wording"] and angry["wording"][0]["article_id"].startswith("guide-")
    assert angry["wording"][0]["customers_get_it"] is False  # agent guidance, never customers'
    buying = requests.post(
        f"{assistant.url}/webhooks/agent/ask", json={"question": "三者险到底买200万还是300万够用"},
        headers=AUTH, timeout=60,
    ).json()
    # Agents still see the closest articles; customers get none for buying advice.
    assert buying["answers"] and not any(a["customers_get_it"] for a in buying["answers"])


def test_claim_look_up_by_number_policy_or_phone_is_audited(assistant: Assistant) -> None:
    def lookup(query: str) -> dict:
        response = requests.post(
            f"{assistant.url}/webhooks/agent/lookup", json={"query": query}, headers=AUTH,
            timeout=30,
        )
        assert response.status_code == 200
        return response.json()

    claim = lookup("RDZA202600000101")["claim"]
    assert claim["stage_label"] == "待补充材料" and claim["phone"] == "138****8000"
    assert [c["claim_number"] for c in lookup("PDZA202600000101")["claims"]] == [
        "RDZA202600000101"
    ]
    assert len(lookup("138 0013 8000")["claims"]) == 2
    engine = create_engine(f"sqlite:///{assistant.var_dir / 'claims.db'}")
    with engine.connect() as conn:
        rows = conn.execute(
            select(AccessLog.actor, AccessLog.action, AccessLog.claim_number).where(
                AccessLog.actor_type == "agent"
            )
        ).all()
    assert (AGENT_ID, "agent_lookup_claim", "RDZA202600000101") in rows
    assert {r.action for r in rows} >= {"agent_lookup_policy", "agent_lookup_phone"}


def test_handoff_pauses_the_bot_until_an_agent_releases_it(assistant: Assistant) -> None:
    sender = assistant.new_sender()
    reply = text_of(assistant.say(sender, "转人工"))
    assert "工单号" in reply
    assert assistant.say(sender, "你好") == []  # the bot stays quiet while an agent has it
    waiting = requests.get(
        f"{assistant.url}/webhooks/agent/handoffs", headers=AUTH, timeout=10
    ).json()["handoffs"]
    assert sender in [h["conversation_id"] for h in waiting]
    released = requests.post(
        f"{assistant.url}/webhooks/agent/release", json={"conversation_id": sender},
        headers=AUTH, timeout=10,
    ).json()
    assert released == {"released": 1, "resumed": True}
    assert "理赔客服助手" in text_of(assistant.say(sender, "你好"))
