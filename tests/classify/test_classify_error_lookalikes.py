"""Words of error that assert no servicing error: the writer unsure of the address they
wrote to, a web page's own error message, an escrow surplus paid back. Each case pairs
the look-alike with a real error."""

from __future__ import annotations

import pytest

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


def test_a_cancelled_flight_is_no_cancelled_servicing_act() -> None:
    assert "notice_of_error" not in _kinds(
        "十月份我回广东看望父母，结果碰上台风，航班取消了一个多星期，我二十号才回来，"
        "当天就在网上把贷款的月供付了。能不能免掉滞纳金？"
    )
    assert "notice_of_error" in _kinds("你们取消了我的自动扣款，贷款被收了滞纳金，这是你们的错。")


def test_a_late_payment_the_writer_calls_their_own_problem_is_no_error() -> None:
    assert "notice_of_error" not in _kinds(
        "贷款被收了滞纳金，本来不应该这样，不过这是我自己的问题，我付晚了。可以免一次吗？"
    )


def test_calls_tried_twice_in_arabic_are_no_double_charge() -> None:
    assert "notice_of_error" not in _kinds(
        "حاولت الاتصال بكم مرتين هذا الأسبوع وانتظرت أكثر من ٤٠ دقيقة. أرجو إرسال كشف القرض."
    )
    assert "notice_of_error" in _kinds("تم خصم القسط مرتين من حسابي هذا الشهر على القرض.")


def test_a_form_the_writer_will_send_back_asks_for_no_refund() -> None:
    assert "notice_of_error" not in _kinds(
        "Please move my automatic draft from the 1st to the 5th. If that needs a signed "
        "form, please email it and I'll send it back today."
    )
    assert "notice_of_error" in _kinds(
        "You drafted my payment twice this month. Send the second draft back to my account."
    )


def test_copies_of_force_placed_insurance_notices_are_asked_for_not_disputed() -> None:
    assert "notice_of_error" not in _kinds(
        "Please provide copies of all force-placed insurance notices sent to the borrowers "
        "in 2025 and 2026."
    )


def test_a_notice_of_error_only_promised_asserts_nothing_yet() -> None:
    assert "notice_of_error" not in _kinds(
        "Please direct all communications to this office. A separate notice of error will "
        "follow by mail."
    )
    assert "notice_of_error" in _kinds("This letter is a notice of error under 12 CFR 1024.35.")


@pytest.mark.parametrize(
    "text",
    [
        "The $1,950 you drafted on the 5th was a second draft for October. I would like you "
        "to send it back to my checking account.",
        "Please cancel any force-placed insurance policy on my loan and refund the premium; "
        "my own coverage never lapsed.",
        "Please accept this notice of error with copies of my bank statements to follow by mail.",
        "你们把我的付款预约取消了，结果贷款被收了滞纳金。",
        "贷款被收了滞纳金，这不全是我自己的问题，你们系统也有错。",
    ],
)
def test_an_error_asserted_beside_these_lookalike_words_is_still_one(text: str) -> None:
    assert "notice_of_error" in _kinds(text)
