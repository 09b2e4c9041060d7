"""Which reports also ask a question the knowledge base should answer first."""

import pytest

from bot.actions.report_answers import asks_a_question


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("骑车摔断了手腕，要报意外险的医疗费，需要交哪些东西", True),
        ("撞车三天后才想起来报保险，还能赔吗", True),
        ("楼上渗水把我家墙面泡发霉了，该找谁", True),
        ("騎車摔斷了手腕，要報意外險的醫療費，需要交哪些東西", True),  # Traditional
        ("我要报案", False),
        ("出车祸了", False),
        ("撞了一个骑电动车的，人受伤了，现在怎么报案", False),
        ("冰雹把车砸了好几个坑，我要报案", False),
        ("倒车撞到柱子了，在哪报险", False),
    ],
)
def test_a_question_is_told_from_a_plain_report(text: str, asks: bool) -> None:
    assert asks_a_question(text) is asks
