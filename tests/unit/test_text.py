import pytest

from bot.nlu.text import normalize


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("理賠進度查詢", "理赔进度查询"),
        ("車險報案", "车险报案"),
        ("ＲＤＺＡ２０２６", "RDZA2026"),
        ("车险陪不赔", "车险赔不赔"),
        ("理培要多久", "理赔要多久"),
        ("你好　在吗", "你好 在吗"),
    ],
)
def test_normalize(typed: str, expected: str) -> None:
    assert normalize(typed) == expected


@pytest.mark.parametrize(
    "text", ["乾隆年間的發財樹", "頭髮 麵包 後來", "理賠😀進度", "ｗｗｗ．ｅｘａｍｐｌｅ"]
)
def test_normalize_keeps_length_so_entity_offsets_stay_valid(text: str) -> None:
    assert len(normalize(text)) == len(text)
