"""Two Rasa replicas behind nginx, conversations in PostgreSQL, locks in Redis.

Messages of one conversation alternate between the replicas (the verification flow
included) and the conversation stays consistent; a replica restarted in the middle of a
conversation loses nothing; with Redis down customers get a clear message, and service
resumes when it returns.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from scripts.cluster import Cluster, running_cluster
from tests.conftest import postgres_admin_url
from tests.e2e.conftest import custom_of, text_of

pytestmark = [pytest.mark.e2e, pytest.mark.cluster]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    postgres_admin_url()  # skips (or fails under REQUIRE_POSTGRES) without a server
    with running_cluster(2, var=tmp_path_factory.mktemp("cluster")) as running:
        yield running


def say(url: str, sender: str, text: str) -> list[dict[str, Any]]:
    response = requests.post(f"{url}/webhooks/rest/webhook",
                             json={"sender": sender, "message": text}, timeout=60)
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_one_conversation_alternating_between_replicas(cluster: Cluster) -> None:
    first, second = (r.url for r in cluster.replicas)
    sender = "cluster-" + uuid.uuid4().hex[:8]
    assert "报案号" in text_of(say(first, sender, "查一下我的理赔进度"))
    assert "后4位" in text_of(say(second, sender, "RDZA202600000101"))
    assert "核对未通过" in text_of(say(first, sender, "1111"))
    card = custom_of(say(second, sender, "8000"), "claim_status")
    assert card is not None and card["claim_number"] == "RDZA202600000101"
    # The verified customer is remembered on the other replica too: no second verification.
    again = say(first, sender, "再查一下RDAA202600000102")
    assert custom_of(again, "claim_status") is not None, text_of(again)


def test_through_nginx(cluster: Cluster) -> None:
    sender = "cluster-" + uuid.uuid4().hex[:8]
    assert "理赔客服助手" in text_of(say(cluster.url, sender, "你好"))
    assert custom_of(say(cluster.url, sender, "车被水淹了能赔吗"), "knowledge_answer")


def test_replica_restart_mid_conversation_loses_nothing(cluster: Cluster) -> None:
    replica = cluster.replicas[0]
    sender = "cluster-" + uuid.uuid4().hex[:8]
    say(replica.url, sender, "查一下我的理赔进度")
    say(replica.url, sender, "RDZA202600000101")
    cluster.stop_replica(replica)
    # Meanwhile customers going through nginx are served by the other replica.
    assert text_of(say(cluster.url, "cluster-other", "你好"))
    cluster.start_replica(replica)
    card = custom_of(say(replica.url, sender, "8000"), "claim_status")
    assert card is not None and card["stage_label"] == "待补充材料"


def test_redis_down_then_back(cluster: Cluster) -> None:
    sender = "cluster-" + uuid.uuid4().hex[:8]
    cluster.stop_redis()
    try:
        reply = text_of(say(cluster.url, sender, "你好"))
    finally:
        cluster.start_redis()
    assert "抱歉" in reply and "95518" in reply
    assert "理赔客服助手" in text_of(say(cluster.url, sender, "你好"))
