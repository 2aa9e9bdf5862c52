"""Mail that asks about a charge or a letter and says, in its own words, that it claims
no servicer error: nothing is wrong, it is no complaint, the slip may be the writer's
own (Korean, Arabic, Chinese), the writer's bank owned the mistake (Vietnamese), no
mistake is alleged (French), or the servicer already put it right and it stayed so.
Each keeps a plain counterpart that still asserts the error."""

from __future__ import annotations

import pytest

from pipeline.classify.context import resolution_cue
from tests.classify.wording import families


@pytest.mark.parametrize(
    "text",
    [
        "Nothing's wrong, I just want my files complete. Please send the payment history "
        "for 2025 and a copy of the note.",
        "Not a complaint, just curious: there is a $12 convenience fee on my account since "
        "I paid by phone. What is that fee for?",
        "혹시 제가 자동이체 날짜를 잘못 알고 있었던 건가요? 11월 납부금이 언제 처리됐는지 "
        "알려 주세요.",
        "لاحظت رسوم تأخير على القسط. إذا كان التأخير مني فأنا أعتذر، لكن ما هو آخر يوم "
        "للدفع بدون رسوم؟",
        "收到你们的信说保险过期了。可能是我忘了通知你们换了保险公司。请问需要寄什么文件？",
        "Je ne dis pas que vous avez fait une erreur, je voudrais comprendre pourquoi ma "
        "mensualité augmente de 150 $.",
        "Tài khoản của tôi bị trừ tiền nhà 2 lần. Ngân hàng nói là lỗi bên họ và sẽ hoàn "
        "lại. Công ty nhận được mấy lần thanh toán?",
    ],
)
def test_a_question_that_disclaims_a_servicer_error_is_no_notice_of_error(text: str) -> None:
    assert "notice_of_error" not in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "Something is wrong: my payment history leaves out the March payment I made.",
        "제가 확인해 보니 11월 납부금을 잘못 계산하셨더라고요. 수정해 주세요.",
        "Je dis que vous avez fait une erreur: ma mensualité a été prélevée deux fois.",
    ],
)
def test_the_same_words_asserting_the_error_are_still_a_notice_of_error(text: str) -> None:
    assert "notice_of_error" in families(text)


def test_an_error_the_servicer_fixed_and_that_stayed_fixed_is_no_notice_of_error() -> None:
    text = (
        "Last spring my escrow was off and you did fix it, everything has been fine since. "
        "Could you email me my 2025 Form 1098?"
    )
    assert "notice_of_error" not in families(text)


def test_a_charge_the_writer_sees_gone_is_no_notice_of_error() -> None:
    text = (
        "Thanks, I see the October payment now applied to October instead of unapplied "
        "funds and the late charge is gone. Can you mail me a corrected statement?"
    )
    assert "notice_of_error" not in families(text)


def test_a_fix_the_writer_says_did_not_hold_is_still_a_notice_of_error() -> None:
    text = (
        "You said you fixed it, but the late fee was charged again even though my payment "
        "posted on the 2nd. It is wrong and I want it reversed."
    )
    assert "notice_of_error" in families(text)


def test_a_storm_whose_effects_the_writer_calls_sorted_out_is_no_hardship_now() -> None:
    text = (
        "After Hurricane Ian our premium jumped and you redid my escrow twice, but it's all "
        "sorted out now. What is my escrow balance today?"
    )
    assert "disaster_hardship" not in families(text)


def test_an_envelope_the_writer_did_not_open_is_no_identity_theft() -> None:
    text = (
        "A letter for the previous owner came to my address. I didn't open it, I only read "
        "the name through the window. Should I send it back?"
    )
    assert "fraud_identity_theft" not in families(text)


def test_an_account_the_writer_never_opened_is_identity_theft() -> None:
    text = "My credit report shows a second mortgage with you. I never opened this account."
    assert "fraud_identity_theft" in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "Thank you, I see the refund posted. Sorry if I sounded angry in my first email.",
        "Muchas gracias, ya vi el reembolso. Disculpe si la primera vez le escribí enojado.",
        "شكرا لكم، وصلني الشيك. أعتذر عن رسالة ابني السابقة، كان غاضبا.",
    ],
)
def test_an_apology_for_an_angry_earlier_message_is_no_complaint(text: str) -> None:
    assert "complaint" not in families(text)


def test_anger_told_without_an_apology_is_still_a_complaint() -> None:
    text = "I am angry. Your agents hung up on me three times this week and nobody calls back."
    assert "complaint" in families(text)


def test_the_writer_scammed_by_a_fake_letter_is_a_fraud_report() -> None:
    text = (
        "I got scammed with a fake letter saying my loan moved, and I sent my November "
        "payment to them. Please flag my account."
    )
    assert "fraud_identity_theft" in families(text)


def test_an_apology_before_anger_about_a_charge_still_asserts_the_error() -> None:
    text = "Sorry, but I am upset: you charged me twice for the November payment."
    assert "notice_of_error" in families(text)


@pytest.mark.parametrize(
    "folded",
    [
        "why haven't you fixed it, the late fee is wrong",
        "have you fixed it? the late fee is wrong",
        "sorry, but i am upset that the late fee is wrong",
        "please make sure it's fixed, the late fee is wrong",
    ],
)
def test_a_fix_asked_about_or_an_apology_before_anger_is_no_resolution(folded: str) -> None:
    start = folded.index("wrong")
    assert resolution_cue(folded, start, start + len("wrong")) is None
