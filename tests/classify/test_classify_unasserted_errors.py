"""An error word that asserts nothing: a mistake the writer only fears, one asked about
in an indirect question of what can be done, the writer's own payment made by mistake,
a password or a website's error message, a Chinese "was it received or not" question.
A question that carries an assertion ("why you charged me twice") still asserts."""

from __future__ import annotations

import pytest

from tests.classify.wording import run


def _noe(text: str, subject: str = "") -> bool:
    c = run(text, subject)
    return "notice_of_error" in c.request_kinds or any(
        h.family == "notice_of_error" for h in c.families
    )


def test_a_vietnamese_fear_of_being_debited_twice_asserts_nothing() -> None:
    c = run("Em sợ bị trừ hai lần khoản thanh toán tháng 11 rồi bị phạt trễ.")
    assert "notice_of_error" not in c.request_kinds
    assert any(s.reason == "unasserted" for s in c.suppressions)


def test_an_english_fear_of_a_double_charge_asserts_nothing() -> None:
    assert not _noe("I am afraid the November payment will be taken twice.")


def test_a_worry_told_because_of_a_double_charge_still_asserts() -> None:
    assert _noe("I'm worried because you charged me twice for the November payment.")


def test_a_spanish_indirect_question_of_how_to_come_off_the_loan_asserts_nothing() -> None:
    assert not _noe(
        "Quisiera saber:\n- cuál es el proceso para que me quiten del préstamo\n"
        "- cuánto se debe ahora mismo"
    )


def test_a_haitian_question_of_how_the_escrow_is_paid_back_asserts_nothing() -> None:
    assert not _noe(
        "Tanpri voye ban mwen:\n1. Payoff la, ki bon jiska 30 jen.\n"
        "2. Konbyen ki gen nan kont escrow la e kijan nou pral renmèt mwen l."
    )


def test_a_why_in_a_list_of_questions_still_asserts() -> None:
    assert _noe("I want to know:\n- why you charged me twice for the March payment")


def test_an_arabic_writer_who_paid_twice_by_mistake_asserts_nothing() -> None:
    c = run("هذا الشهر دفعت القسط مرتين بالخطأ. كيف طبّقتم الدفعة الثانية؟")
    assert "notice_of_error" not in c.request_kinds
    assert any(s.reason == "own_fault" for s in c.suppressions)


def test_a_spanish_writer_who_paid_twice_by_mistake_asserts_nothing() -> None:
    assert not _noe("Este mes pagué la mensualidad dos veces por error. ¿Me la pueden devolver?")


def test_a_wrong_password_is_no_servicing_error() -> None:
    assert not _noe(
        "When I try to log in now it says my password is wrong. "
        "Please put my email back to this address."
    )


def test_a_korean_website_error_message_is_no_servicing_error() -> None:
    assert not _noe(
        "대출번호 3309914728입니다. 홈페이지에서 자동이체 계좌를 변경하려고 했는데 "
        "오류 메시지가 계속 나옵니다."
    )


def test_a_chinese_was_it_received_or_not_question_asserts_nothing() -> None:
    assert not _noe("三月份的房貸我已經用電話付了，請確認有沒有收到。")


def test_a_chinese_payment_not_received_still_asserts() -> None:
    assert _noe("三月份的房貸我已經付了，你們說沒有收到，還收了滯納金。")


def test_the_chinese_interest_paid_figure_asserts_nothing() -> None:
    assert not _noe("网上显示的已付利息是 $14,207.36，请帮我核对一下。")


def test_a_spanish_notice_for_mail_received_in_error_is_a_disclaimer() -> None:
    c = run(
        "Le escribo por el préstamo de mis clientes. Adjunto la solicitud completa.\n\n"
        "Centro Hogar Seguro\n\n"
        "AVISO: Este mensaje puede contener información personal de nuestros clientes. "
        "Si lo recibió por error, favor de borrarlo y avisarnos."
    )
    assert "notice_of_error" not in c.request_kinds
    assert any(s.reason == "disclaimer" for s in c.suppressions)


@pytest.mark.parametrize(
    "text",
    [
        # A fear word, then a new clause that says what was done.
        "I'm afraid you might not believe me, but you charged my account twice this month.",
        # "Temo que" is a polite way of saying it happened.
        "Temo que hubo un error en mi estado de cuenta: me cobraron dos veces.",
        # 震驚 is surprise at what was done, not fear of it.
        "我很震驚又被收了滯納金兩次，請退款。",
        # A polite demand to undo what was charged.
        "If we could get the duplicate late fee you charged removed, that would be great.",
        # The writer's payment, then the servicer's charge "por error".
        "Pagué y me cobraron por error el cargo por mora otra vez.",
        # "Les escribí" is the writer writing, no slip of theirs.
        "Les escribí porque está mal el cargo por mora que me pusieron.",
        # "Nou" is the servicer addressed in Creole.
        "Nou te voye bodwo a pa ere, nou chaje m frè reta.",
        # "Nhận" is receiving a wrong notice, no slip of the writer's.
        "Em nhận thông báo sai số tiền thanh toán tháng này.",
        # The writer sent the payment; the servicer took it twice.
        "Mandé el pago, me cobraron dos veces la mensualidad de mayo.",
        "ارسلت الدفعة وسحبتم المبلغ مرتين هذا الشهر.",
    ],
)
def test_an_error_the_writer_asserts_around_those_words_still_counts(text: str) -> None:
    assert _noe(text)


def test_how_many_times_in_creole_still_asserts() -> None:
    assert _noe("Konbyen fwa pou m di nou, nou chaje m de fwa pou peman mwa me a.")
