from pathlib import Path

from claims.privacy import (
    decrypt,
    digits_match,
    encrypt,
    keyed_hash,
    mask_account,
    mask_name,
    mask_phone,
    mask_text,
)


def test_names_keep_only_family_name_and_last_character() -> None:
    assert mask_name("张伟明") == "张*明"
    assert mask_name("李四") == "李*"
    assert mask_name("欧阳娜娜") == "欧**娜"


def test_phones_and_accounts_are_masked() -> None:
    assert mask_phone("13800138000") == "138****8000"
    assert mask_account("招商银行", "6225880112345678") == "招商银行 尾号5678"


def test_free_text_loses_ids_cards_phones_and_emails() -> None:
    text = (
        "我叫张三，电话13800138000，身份证110101198801011234，"
        "卡号6222 0212 3456 7890 123，邮箱zhang@example.com"
    )
    masked = mask_text(text)
    for secret in ("13800138000", "110101198801011234", "6222 0212 3456 7890 123", "zhang@"):
        assert secret not in masked
    assert "138****8000" in masked and "110101********1234" in masked


def test_hashes_are_keyed_and_salted(settings_env: Path) -> None:
    assert keyed_hash("8000", "a") != keyed_hash("8000", "b")
    assert digits_match("8000", keyed_hash("8000", "s"), "s")
    assert not digits_match("8001", keyed_hash("8000", "s"), "s")
    assert digits_match("01123x", keyed_hash("01123X", "s"), "s")


def test_contact_phones_round_trip_through_encryption(settings_env: Path) -> None:
    token = encrypt("13800138000")
    assert "13800138000" not in token
    assert decrypt(token) == "13800138000"
    assert decrypt("not-a-token") is None
