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
        "Nothing's wrong, I just like to keep complete records. Please send the complete "
        "payment history and a copy of the note.",
        "hi! not a complaint, just curious - I paid by phone last week and there's a $15 "
        "payment processing fee on my account now. what's that fee for?",
        "신용점수 앱에서 제 모기지가 10월에 30일 연체로 보고됐다고 나와서 연락드립니다. 제가 납부 "
        "날짜를 잘못 알고 있었던 건지 궁금합니다. 10월 납부금이 언제 처리됐는지 알려 주세요.",
        "혹시 제가 보낼 때 메모를 잘못 적었거나 선택을 잘못한 건지 모르겠습니다. 추가로 보낸 "
        "3,000달러 납부금이 원금에 적용되지 않았는데 어떻게 적용되었는지 확인 부탁드립니다.",
        "لاحظت رسوم تأخير بالخطأ في كشف الحساب وأريد أن أفهم سببها. إذا كان التأخير مني فأنا "
        "أعتذر.",
        "今天收到你们的信，说因为没有收到房屋保险的证明，你们已经替我买了一份保险。可能是我忘了通知你们"
        "换了保险公司。请问还需要做什么？",
        "Ngày 2/11 tài khoản ngân hàng của tôi bị trừ 2 lần tiền nhà. Ngân hàng xác nhận là "
        "lỗi của ngân hàng và sẽ hoàn lại. Công ty nhận được mấy lần?",
        "Je ne dis pas que vous avez fait une erreur, je voudrais simplement comprendre d'où "
        "vient cette augmentation de ma mensualité de 280 $.",
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


@pytest.mark.parametrize(
    "text",
    [
        "Sorry for the harsh email, the late fee is still wrong and I want it removed.",
        "I apologize for being so upset but this is the third time the late fee was charged "
        "in error.",
        "My apologies for my angry voicemail; however, the $75 late fee on my November "
        "statement is an error.",
        "Disculpe si lo molesto otra vez con esto: me cobraron un cargo por mora que no debo, "
        "pagué el día 1.",
        "I will keep paying the old amount once it's resolved, because the new escrow payment "
        "is wrong.",
        "That's resolved on the county side but you still show a shortage on my escrow, which "
        "is incorrect.",
        "Your agent said it's all sorted out, however the statement still shows the wrong "
        "escrow amount.",
        "They did fix it on the website, the escrow shortage on the paper statement is still "
        "wrong.",
        "Everything's been fine since the refinance except this escrow analysis, which is wrong.",
        "The late fee is gone but you still charged me $12 interest on it, which is an error.",
        "我忘了告诉你们，上个月你们从我的账户重复扣了两次月供，多扣了2,150元，请退还。",
        "담당자가 제가 보낸 수표를 잘못 입력해서 연체료가 부과되었습니다. 연체료를 취소해 주세요.",
        "Nhân viên thừa nhận là lỗi bên họ và hứa sẽ hoàn lại phí trễ hạn 50 đô đã tính sai "
        "trên tài khoản của tôi.",
        "Not a complaint, just curious, but why did you charge me a $75 late fee twice? The "
        "second fee is an error.",
        "لم يكن التأخير مني، دفعت القسط في موعده ورسوم التأخير خاطئة.",
        "تم احتساب رسوم تأخير على قسط نوفمبر. إذا كان الخطأ مني فأنا أعتذر، لكن القسط دفع في "
        "موعده حسب علمي.",
    ],
)
def test_an_apology_resolution_or_disclaimer_that_turns_still_asserts_the_error(
    text: str,
) -> None:
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
