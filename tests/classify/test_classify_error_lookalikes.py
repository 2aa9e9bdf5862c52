"""Words of error that assert no servicing error: the writer unsure of the address they
wrote to, a web page's own error message, an escrow surplus paid back. Each case pairs
the look-alike with a real error."""

from __future__ import annotations

from tests.classify.wording import run


def _kinds(text: str) -> tuple[str, ...]:
    return run(text).request_kinds


def test_sorry_if_this_is_the_wrong_email_is_no_error() -> None:
    assert "notice_of_error" not in _kinds(
        "Can you tell me what is owed on the loan? Sorry if this is the wrong email."
    )
    assert "notice_of_error" in _kinds("You sent my escrow refund to the wrong address.")


def test_a_web_pages_error_message_is_no_servicing_error() -> None:
    assert "notice_of_error" not in _kinds(
        'I uploaded my insurance page twice and it says "error, try again later". '
        "I have screenshots of the website error."
    )
    assert "notice_of_error" in _kinds("There is an error in my escrow insurance amount.")


def test_an_escrow_surplus_refund_asked_about_in_chinese_is_no_error() -> None:
    kinds = run(
        "這次不是投訴，只是想問：託管帳戶分析說有 $312 的多餘款項要退還，請問什麼時候會寄出支票？",
        subject="託管帳戶退款",
    ).request_kinds
    assert "notice_of_error" not in kinds
    assert "notice_of_error" in _kinds("你們多收了滯納金，請退款。")
