"""A writer who says outright they claim nothing ("não estou reclamando, só quero
entender", "baka hindi ko lang naiintindihan") asks; what looks wrong to them is no
notice of error. Asking for a document or a change, or telling how one paid, asserts
nothing either; "I don't understand why you charged me twice" still does."""

from __future__ import annotations

import pytest

from tests.classify.wording import run


def _noe(text: str, subject: str = "") -> bool:
    c = run(text, subject)
    return "notice_of_error" in c.request_kinds or any(
        h.family == "notice_of_error" for h in c.families
    )


def test_a_portuguese_writer_not_complaining_only_wanting_to_understand() -> None:
    c = run(
        "O extrato do escrow não chegou, não recebi nada. Não estou reclamando, só quero "
        "entender por que o valor mudou."
    )
    assert "notice_of_error" not in c.request_kinds
    assert any(s.reason == "no_claim" for s in c.suppressions)


def test_a_tagalog_writer_who_may_just_not_understand() -> None:
    assert not _noe(
        "Mas mataas ang principal balance ko ngayon. Parang may mali, o baka hindi ko lang "
        "naiintindihan. Pakipaliwanag po."
    )


def test_an_english_writer_not_understanding_why_they_were_charged_twice_still_asserts() -> None:
    assert _noe("I don't understand why you charged me twice for the March payment.")


def test_a_disclaimer_without_the_wish_to_understand_leaves_the_error_standing() -> None:
    assert _noe("I'm not complaining, but the payment was not credited to my account.")


def test_a_paid_in_full_letter_asked_for_asserts_nothing() -> None:
    assert not _noe(
        "The payoff was wired on 6/22. Please send a paid in full letter to the borrowers.",
        subject="Request for paid in full letter",
    )


def test_a_request_to_cancel_pmi_in_chinese_asserts_nothing() -> None:
    assert not _noe("想請問什麼時候可以申請取消PMI？", subject="PMI 取消查詢")


def test_chinese_insurance_cancelled_by_the_servicer_still_asserts_an_error() -> None:
    assert _noe("你们把我的房屋保险取消了，害我被收了强制保险费。")


def test_a_request_to_cancel_pmi_in_vietnamese_asserts_nothing() -> None:
    assert not _noe(
        "Tôi muốn xin hủy bảo hiểm PMI. Xin cho biết dư nợ hiện tại là bao nhiêu.",
        subject="Hủy bảo hiểm PMI",
    )


def test_vietnamese_pmi_still_collected_below_the_line_is_an_error() -> None:
    assert _noe(
        "Khoản vay của tôi đã xuống dưới 78% từ tháng 1 mà các anh vẫn thu tiền PMI mỗi "
        "tháng. Xin hủy bảo hiểm PMI ngay."
    )


def test_vietnamese_asking_to_cancel_a_wrongly_charged_insurance_still_asserts_an_error() -> None:
    assert _noe("Tôi đã có bảo hiểm nhà rồi, xin hủy bảo hiểm đó và hoàn lại tiền cho tôi.")


def test_a_spanish_writer_telling_how_they_paid_asks_about_the_fee() -> None:
    assert not _noe(
        "En mi estado de cuenta aparece un cargo de $15. Yo pagué por teléfono porque la "
        "página no funcionaba. ¿Ese cargo es por eso?"
    )


def test_a_writer_with_no_problem_with_the_account_asks_for_a_letter_only() -> None:
    c = run(
        "I don't even have a problem with my account. I just need a letter saying my loan is "
        "current and paid on time for the last 12 months, for my insurance company."
    )
    assert "notice_of_error" not in c.request_kinds
    assert any(s.reason == "no_claim" for s in c.suppressions)


def test_a_tagalog_writer_saying_nothing_is_wrong_asks_about_the_papers() -> None:
    assert not _noe(
        "Hindi ko naman po sinasabi na may mali sa account ko, okay naman po yung payments "
        "ko. Natanggap niyo na po ba yung insurance declarations?"
    )


@pytest.mark.parametrize(
    "text",
    [
        "I don't have a problem with my account, but the $75 inspection fee you charged is "
        "wrong and should be refunded.",
        "I don't have any issue with my loan officer. The problem is my escrow account: you "
        "paid the wrong county tax bill and charged me for it.",
        "I'm not saying there is a mistake on my account, but my payment of $1,432 from "
        "October 1 was never applied to it.",
        "I'm not saying you made a mistake on purpose. My payment was applied to the wrong "
        "loan and I was charged a late fee.",
        "Hindi ko naman po sinasabi na may mali kayo sa lahat, pero dalawang beses po kayong "
        "kumuha ng bayad ko ngayong buwan. Paki-refund po.",
    ],
)
def test_a_disclaimer_followed_by_an_assertion_leaves_the_error_standing(text: str) -> None:
    assert _noe(text)


@pytest.mark.parametrize(
    "text",
    [
        "O pagamento subiu por causa do escrow. Não estou dizendo que há um erro, só quero "
        "entender o motivo. Podem mandar a análise?",
        "وصلتني رسالة بأن القسط سيرتفع بسبب نقص في حساب الضمان. لا أقول إن هناك خطأ، فقط "
        "أريد أن أفهم السبب. هل يمكنكم إرسال كشف التحليل؟",
        "에스크로 부족으로 월 납입금이 올랐습니다. 잘못됐다는 게 아니라 이유를 알고 "
        "싶어서요. 분석서를 보내 주세요.",
        "에스크로 부족으로 월 납입금이 올랐습니다. 잘못됐다는 게 아니라 이해하고 "
        "싶어서요. 분석서를 보내 주세요.",
        "Khoản trả góp tăng vì thiếu hụt escrow. Tôi không nói là quý công ty làm sai, chỉ "
        "muốn hiểu lý do. Xin gửi bản phân tích.",
        "Khoản trả góp tăng vì thiếu hụt escrow. Em không nói là bên anh chị làm sai, chỉ "
        "muốn hiểu lý do. Xin gửi bản phân tích.",
    ],
)
def test_a_writer_saying_outright_no_mistake_is_claimed_asks(text: str) -> None:
    assert not _noe(text)
    assert any(s.reason == "no_claim" for s in run(text).suppressions)


@pytest.mark.parametrize(
    "text",
    [
        # Turned: what follows "e sim que", "بل" or "mà là" is the claim.
        "Não estou dizendo que há um erro no escrow, e sim que vocês cobraram duas vezes a "
        "parcela de março. Quero o reembolso.",
        "لا أقول إن هناك خطأ في الحساب، بل إنكم خصمتم القسط مرتين في مارس. أريد استرداد المبلغ.",
        "Tôi không nói là quý công ty làm sai, mà là khoản thanh toán tháng ba của tôi chưa được "
        "ghi có vào tài khoản. Xin sửa lại.",
        # Not a denial at all: "not that I made a mistake, but that you debited twice".
        "제가 실수했다는 게 아니라 귀사가 3월 납부금을 두 번 출금했다는 겁니다. 환불해 주세요.",
        # "An error of mine" is the writer's own, not a denial of the servicer's.
        "لا أقول إن هناك خطأ مني. لقد خصمتم القسط مرتين هذا الشهر، أرجو رد المبلغ.",
        # Denying only that the error was on purpose presumes it.
        "Vocês cobraram duas vezes a parcela de março. Não quero dizer que vocês erraram por "
        "mal, mas quero o reembolso.",
        "خصمتم القسط مرتين هذا الشهر. لا أقول إن هناك خطأ متعمد، أرجو رد المبلغ.",
    ],
)
def test_a_denial_turned_or_of_something_else_leaves_the_error_standing(text: str) -> None:
    assert _noe(text)
