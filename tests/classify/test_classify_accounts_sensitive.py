import random

import pytest

from pipeline.classify.accounts import find_account_numbers, mask_account
from pipeline.classify.literals import LiteralSet
from pipeline.classify.sensitive import (
    _CARD,
    _NINE,
    _SSN_SEPARATED,
    SensitiveReport,
    _digit_shapes,
    aba_checksum_ok,
    bank_account_guide,
    find_sensitive,
    luhn_ok,
    valid_ssn,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Account Number 1234567", "1234567"),
        ("Acct #: 12345678", "12345678"),
        ("número de cuenta 1234567", "1234567"),
        ("Loan number 0012-345-678", "0012345678"),
        ("RE: Loan # 98765432 payoff", "98765432"),
    ],
)
def test_account_number_found_in_common_forms(text, expected):
    assert find_account_numbers(text) == (expected,)


def test_short_numbers_after_account_are_not_account_numbers():
    assert find_account_numbers("I called about my account 2 weeks ago, ref 123") == ()


def test_custom_account_pattern_is_used():
    assert find_account_numbers("Ref LN-778899", r"ln-(?P<number>\d+)") == ("778899",)


def test_mask_account_keeps_last_four_digits_only():
    assert mask_account("1234567") == "****4567"


@pytest.mark.parametrize(
    ("area", "group", "serial", "ok"),
    [
        ("123", "45", "6789", True),
        ("000", "45", "6789", False),
        ("666", "45", "6789", False),
        ("912", "45", "6789", False),
        ("123", "00", "6789", False),
        ("123", "45", "0000", False),
    ],
)
def test_ssn_validation(area, group, serial, ok):
    assert valid_ssn(area, group, serial) is ok


def test_ssn_with_separators_is_found():
    (f,) = find_sensitive("my ss is 123-45-6789 thanks")
    assert (f.kind, f.start, f.end) == ("ssn", 9, 20)


def test_bare_nine_digits_need_a_label_to_be_an_ssn():
    assert find_sensitive("reference 123456789") == ()
    assert [f.kind for f in find_sensitive("SSN: 123456789")] == ["ssn"]


def test_invalid_ssn_is_not_flagged():
    assert find_sensitive("SSN 666-12-3456") == ()


def test_ssn_value_never_appears_in_repr_or_str():
    report = SensitiveReport(find_sensitive("Social security number 123-45-6789"))
    for rendered in (repr(report), str(report), repr(report.findings[0])):
        assert "6789" not in rendered
        assert "123" not in rendered.replace("ssn", "")


@pytest.mark.parametrize(
    ("digits", "ok"),
    [("021000021", True), ("011000015", True), ("021000022", False), ("991000021", False)],
)
def test_aba_checksum(digits, ok):
    assert aba_checksum_ok(digits) is ok


def test_routing_number_flagged_only_with_label():
    assert [f.kind for f in find_sensitive("routing 021000021")] == ["routing_number"]
    assert find_sensitive("loan 021000021") == ()


@pytest.mark.parametrize(
    ("digits", "ok"),
    [("4111111111111111", True), ("4111111111111112", False), ("79927398713", True)],
)
def test_luhn(digits, ok):
    assert luhn_ok(digits) is ok


def test_card_number_found_with_spaces_and_masked_to_last_four():
    (f,) = find_sensitive("card 4111 1111 1111 1111 exp 09/28")
    assert (f.kind, f.masked) == ("card_number", "****1111")


def test_bank_account_number_after_label_is_flagged():
    assert [f.kind for f in find_sensitive("my checking account 987654321")] == ["bank_account"]


def test_report_counts_by_kind():
    report = SensitiveReport(find_sensitive("SSN 123-45-6789 and card 4111-1111-1111-1111"))
    assert report.counts == {"ssn": 1, "card_number": 1}


def test_digit_shape_precheck_never_hides_a_match():
    pieces = ["123-45-6789", "123 45 6789", "4111 1111 1111 1111", "4111-1111-111", "02100002"]
    pieces += ["\u0663\u0664\u0665", "\u00e9", "\u00bd", "5", "0", "-", " ", "  ", "\n", "x"]
    rnd = random.Random(5)
    for _ in range(20_000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12)))
        may_ssn, may_nine, may_card = _digit_shapes(text)
        assert may_ssn or _SSN_SEPARATED.search(text) is None, repr(text)
        assert may_nine or _NINE.search(text) is None, repr(text)
        assert may_card or _CARD.search(text) is None, repr(text)


def test_bank_account_lead_words_from_one_scan_find_the_same_numbers():
    text = "Pay from my checking account 123456 or cuenta de ahorros: 98765; bank 4444"
    occurrences = LiteralSet(bank_account_guide().literals()).occurrences(text)
    assert find_sensitive(text, "text", None, occurrences) == find_sensitive(text)
    assert [f.kind for f in find_sensitive(text)] == ["bank_account", "bank_account"]
