"""Requests for information told apart from the requests around them: a payoff asked
for with its delivery details, account service (autopay, the due date, where to mail a
check), the SCRA rate cap asked for, a copy the writer holds, the closing's escrow, an
information-sharing consent; and requests the rules missed (a document asked to be
emailed or mailed, a reinstatement quote).

One structure per test, in each language it is written in.
"""

from __future__ import annotations

import pytest

from tests.classify.wording import run


@pytest.mark.parametrize(
    "text",
    [
        "Please send me the payoff statement good through May 31 for our closing next "
        "week, along with your wire details and the mailing address for overnight checks.",
        "Por favor, me enviem o payoff statement válido até 20 de outubro, com o valor "
        "diário de juros, para o escritório do advogado.",
        "أرجو إرسال كشف السداد النهائي (payoff statement) ساري المفعول حتى 31 مارس مع "
        "تعليمات التحويل إلى عنوان الشركة.",
    ],
)
def test_the_words_of_a_sentence_asking_for_the_payoff_describe_that_request(
    text: str,
) -> None:
    c = run(text)
    assert "payoff_statement" in c.request_kinds
    assert "request_for_information" not in c.request_kinds


def test_a_question_asking_for_the_payoff_asks_for_that_statement() -> None:
    c = run(
        "¿Me pueden mandar por escrito la cantidad exacta para liquidar el préstamo si "
        "pago antes del 30 de noviembre?"
    )
    assert "payoff_statement" in c.request_kinds
    assert "request_for_information" not in c.request_kinds


def test_information_asked_for_in_its_own_sentence_beside_a_payoff_still_counts() -> None:
    c = run("Please send the payoff statement good through June 5. Also, why is my balance up?")
    assert "payoff_statement" in c.request_kinds
    assert "request_for_information" in c.request_kinds


def test_a_french_payoff_statement_with_its_daily_interest_is_a_payoff_request() -> None:
    c = run(
        "Pourriez-vous nous faire parvenir un état du solde de remboursement valide "
        "jusqu'au 15 avril, avec les intérêts quotidiens ?"
    )
    assert c.request_kinds == ("payoff_statement",)


@pytest.mark.parametrize(
    "text",
    [
        "Just closed on my first place. How do I set up autopay? Is there a fee?",
        "Hello! Paano po mag-enroll sa autopay? May bayad po ba? Thanks po!",
        "Tôi muốn đăng ký tự động trừ tiền mỗi tháng. Làm sao để đăng ký? Có mất phí không?",
        "Quelle est l'adresse pour envoyer un chèque, et faut-il écrire le numéro au dos ?",
        "Quiero cambiar la fecha de pago al 15. ¿Hay algún cargo por eso?",
        "현재 자동이체로 내고 있는데 날짜를 바꾸고 싶어요. 수수료가 있나요?",
    ],
)
def test_questions_about_account_service_ask_for_no_information(text: str) -> None:
    assert "request_for_information" not in run(text).request_kinds


def test_a_document_asked_for_beside_account_service_still_counts() -> None:
    c = run("I'd like to set up autopay. Separately, please send my payment history for 2025.")
    assert "request_for_information" in c.request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "I was called to active duty. Requesting my interest rate be reduced to 6% under "
        "the Servicemembers Civil Relief Act.",
        "Fui movilizado. Solicito que bajen la tasa de interés al 6% por la ley SCRA.",
        "SCRA에 따라 금리 6% 적용을 요청합니다. 명령서를 첨부합니다.",
        "Ele foi convocado. Existe uma lei que pode baixar os juros, e o que precisamos mandar?",
    ],
)
def test_the_scra_rate_cap_asked_for_is_no_information_asked(text: str) -> None:
    assert "request_for_information" not in run(text).request_kinds


def test_the_current_rate_asked_by_a_servicemember_is_still_a_request() -> None:
    c = run("I am deployed and on SCRA. What is my current interest rate?")
    assert "request_for_information" in c.request_kinds


def test_a_social_security_number_is_no_insurance_asked_about() -> None:
    c = run("Me llamaron pidiendo mi número de seguro social. ¿Ustedes hacen esas llamadas?")
    assert "request_for_information" not in c.request_kinds


def test_a_copy_the_writer_holds_is_no_copy_asked_for_in_portuguese() -> None:
    c = run("Meu marido foi convocado para o serviço ativo. Tenho uma cópia das ordens dele.")
    assert "request_for_information" not in c.request_kinds


def test_the_closings_escrow_officer_is_not_the_loans_escrow() -> None:
    c = run("We close on August 8. Please let me know it went out to our escrow officer.")
    assert "request_for_information" not in c.request_kinds


def test_a_korean_consent_to_share_information_is_no_information_asked() -> None:
    c = run("매도인의 서명된 정보 제공 동의서를 첨부합니다. 회신은 이메일로 부탁드립니다.")
    assert "request_for_information" not in c.request_kinds


def test_a_document_asked_to_be_emailed_or_mailed_is_a_request() -> None:
    c = run(
        "I just need my 2025 Form 1098 for my accountant. Could you email or mail it to "
        "19 Birchwood Ct, Scranton PA."
    )
    assert "request_for_information" in c.request_kinds


def test_a_reinstatement_quote_is_information_not_a_payoff() -> None:
    c = run("I need the exact reinstatement amount good through January 29 to stop the sale.")
    assert "request_for_information" in c.request_kinds
    assert "payoff_statement" not in c.request_kinds
