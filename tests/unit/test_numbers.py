import pytest

from claims.numbers import (
    find_reference,
    find_verification_digits,
    is_claim_number,
    is_policy_number,
)


@pytest.mark.parametrize(
    "typed",
    [
        "RDZA202600000101",
        "rdza202600000101",
        "ＲＤＺＡ２０２６０００００１０１",
        "RDZA 2026 0000 0101",
        "RDZA-2026-0000-0101",
        "我的报案号是RDZA202600000101，帮我查查",
        "报案号：rdza 2026 00000101 谢谢",
    ],
)
def test_claim_numbers_are_found_however_typed(typed: str) -> None:
    assert find_reference(typed) == "RDZA202600000101"


def test_policy_numbers_are_told_apart_from_claim_numbers() -> None:
    ref = find_reference("保单号PDZA202600000101")
    assert ref == "PDZA202600000101"
    assert is_policy_number(ref) and not is_claim_number(ref)


@pytest.mark.parametrize(
    "typed", ["", "我忘了报案号", "RDZA2026", "13800138000", "R1234567890123456"]
)
def test_no_reference_is_invented(typed: str) -> None:
    assert find_reference(typed) is None


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("8000", "8000"),
        ("尾号8000", "8000"),
        ("８０００", "8000"),
        ("8 0 0 0", "8000"),
        ("身份证后六位011234", "011234"),
        ("01123x", "01123X"),
        ("RDZA202600000101 8000", "8000"),
    ],
)
def test_verification_digits(typed: str, digits: str) -> None:
    assert find_verification_digits(typed) == digits


@pytest.mark.parametrize("typed", ["13800138000", "RDZA202600000101", "123", "1234567", "好的"])
def test_longer_numbers_are_not_taken_for_verification_digits(typed: str) -> None:
    assert find_verification_digits(typed) is None
