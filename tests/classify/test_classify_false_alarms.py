"""Words that look like an escalation and are not one: a word that folds like another,
the writer's own act, a street named like a channel, a matter settled.

Each case pairs the look-alike with the real thing, so it fails both ways: without the
change the look-alike escalates, and an over-broad change would lose the real one.
"""

from __future__ import annotations

import pytest

from tests.classify.wording import families, run


def _kinds(text: str) -> tuple[str, ...]:
    return run(text).request_kinds


def test_an_arabic_letter_asked_for_is_no_error() -> None:
    # "خطاب" (a letter) begins with the folded letters of "خطأ" (an error).
    assert "notice_of_error" not in _kinds(
        "أرجو إرسال خطاب رسمي يوضح أن القرض باسمي وأن الحساب محدث."
    )
    assert "notice_of_error" in _kinds("هناك خطأ في القسط هذا الشهر.")


def test_a_korean_second_account_is_not_money_taken_twice() -> None:
    assert "notice_of_error" not in _kinds(
        "신용 리포트에서 귀사 명의의 두 번째 계좌를 발견했습니다. 대출번호를 확인해 주세요."
    )
    assert "notice_of_error" in _kinds("이번 달 납부금이 두 번 빠져나갔습니다.")


def test_a_vietnamese_forbearance_asked_for_is_no_refund_asked_for() -> None:
    # "hoãn trả tiền nhà" (put off the house payment) folds like "hoàn trả tiền" (refund).
    assert "notice_of_error" not in _kinds(
        "Tôi muốn xin tạm hoãn trả tiền nhà 3 tháng vì nhà bị ngập."
    )
    assert "notice_of_error" in _kinds("Xin hoàn lại tiền phí trễ hạn cho tôi.")


def test_a_haitian_writer_selling_their_own_house_is_no_foreclosure_sale() -> None:
    assert "foreclosure_sale" not in families(
        "M ap vann kay mwen. Tanpri voye yon payoff statement ban mwen."
    )
    assert "foreclosure_sale" in families("Bank lan vle vann kay mwen, mwen pa konprann.")


def test_a_street_called_canal_is_no_television_channel() -> None:
    assert "media_threat" not in families(
        "Necesito el historial de pagos de 220 Canal, unit 2, para mi contador."
    )
    assert "media_threat" in families("Voy a llevar esto al canal 41 de noticias.")


def test_a_reverse_mortgage_is_no_reversal_asked_for() -> None:
    assert "notice_of_error" not in _kinds(
        "I am scared she is trying to get a reverse mortgage or a second loan."
    )
    assert "notice_of_error" in _kinds("Please reverse the late fee on my loan.")


def test_the_writer_pressing_the_wrong_button_is_their_own_slip() -> None:
    text = (
        "My account was changed to paperless. I think it was when I called about my "
        "insurance and pressed the wrong button. Please put me back on paper statements."
    )
    assert "notice_of_error" not in _kinds(text)
    assert "notice_of_error" in _kinds(
        "My account was changed to paperless and my insurance payment went to the wrong place."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Je prépare mon testament avec mon avocate. Pouvez-vous m'envoyer le solde du prêt?",
        "Estoy preparando mi testamento. ¿Me pueden mandar el saldo del préstamo?",
        "Estou fazendo meu testamento. Podem me enviar o saldo do empréstimo?",
    ],
)
def test_the_writers_own_will_makes_no_successor(text: str) -> None:
    assert "successor_in_interest" not in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "Mon père est décédé et voici son testament pour le prêt.",
        "Mi papá falleció y aquí está su testamento para el préstamo.",
        "Meu pai faleceu e aqui está o testamento dele.",
    ],
)
def test_a_will_of_someone_who_died_still_makes_a_successor(text: str) -> None:
    assert "successor_in_interest" in families(text)


def test_part_of_an_inheritance_received_pays_the_loan_down() -> None:
    assert "successor_in_interest" not in families(
        "I've received part of my inheritance and want to put it toward my principal."
    )


def test_a_death_beside_the_writers_own_mortgage_makes_no_successor() -> None:
    assert "successor_in_interest" not in families(
        "My dad passed away in the spring; his house was paid off years ago. "
        "I'd like to put $40,000 toward the principal on my own mortgage."
    )
    assert "successor_in_interest" in families(
        "My dad passed away in the spring and the mortgage was in his name."
    )


def test_a_veteran_retired_from_the_navy_in_tagalog_is_no_servicemember() -> None:
    assert "servicemember" not in families(
        "Retirado na ako sa US Navy mula pa 2009. Ano po ang kailangang dokumento?"
    )
    assert "servicemember" in families("Nasa Navy ang asawa ko at deployed siya ngayon.")


@pytest.mark.parametrize(
    "text",
    [
        "El segundo cargo fue un error de ustedes y ya fue reembolsado.",
        "A segunda cobrança foi um erro de vocês e já foi estornada.",
        "Les frais en double étaient une erreur et ont été remboursés.",
    ],
)
def test_a_charge_already_given_back_is_no_live_error(text: str) -> None:
    assert "notice_of_error" not in _kinds(text)


def test_a_charge_in_error_not_given_back_is_still_an_error() -> None:
    assert "notice_of_error" in _kinds("El segundo cargo fue un error de ustedes.")


def test_a_vietnamese_complaint_called_over_is_no_complaint() -> None:
    assert "complaint" not in families(
        "Cám ơn chị đã giúp. Vụ khiếu nại lần trước coi như đã xong."
    )
    assert "complaint" in families("Tôi muốn khiếu nại về cách công ty đối xử với tôi.")


def test_a_vietnamese_form_the_writer_lost_is_no_death() -> None:
    # "Làm mất" is to lose something: "mất rồi" alone is also said of someone who died.
    assert "successor_in_interest" not in families(
        "Xin gửi cho tôi bản mẫu 1098 của năm 2025 luôn vì tôi làm mất rồi."
    )
    assert "successor_in_interest" in families("Mẹ tôi mất rồi, tôi là con gái của bà.")
    assert "successor_in_interest" in families("Mẹ tôi bị mất rồi, tôi là con gái của bà.")
