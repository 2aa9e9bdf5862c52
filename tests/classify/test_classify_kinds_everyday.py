"""Notices of error and requests for information in everyday words, in the languages
other than English and Spanish: "they took it twice", "it's you who didn't pay it",
"send me the papers", a subject that says it all; and the words that only look like
a request (a suffix that spells "how much", a question about the loan as such).

One phrasing family per case, in each language it is written in.
"""

from __future__ import annotations

import pytest

from tests.classify.wording import run


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        # The correction asked, of "these items", and a sum the writer does not owe.
        ("", "Trên bảng kê có phí kiểm tra nhà. Xin hoàn lại mấy khoản này cho tôi."),
        ("", "Trên bảng kê có phí kiểm tra nhà. Tôi không có nợ tiền này."),
        # Taken twice, the count a digit.
        ("Bi tru tien 2 lan thang 11 - loan 8127730459", "như tiêu đề. xin kiểm tra giùm."),
    ],
)
def test_vietnamese_everyday_errors_are_notices(subject: str, text: str) -> None:
    assert "notice_of_error" in run(text, subject).request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "Yo pral anile asirans kay la. Se nou ki pa t peye l.",
        "Mwen peye asirans lan nan escrow. Mwen pa konprann kijan nou fè bliye peye l.",
    ],
)
def test_creole_servicer_named_as_not_paying_is_a_notice(text: str) -> None:
    assert "notice_of_error" in run(text).request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "Le comté m'a facturé une pénalité sur la taxe foncière. Ce retard est de votre fait.",
        "Sur mon relevé, il y a des frais de 15 $ pour le paiement par téléphone. "
        "Merci de l'enlever.",
    ],
)
def test_french_servicer_blamed_or_asked_to_remove_is_a_notice(text: str) -> None:
    assert "notice_of_error" in run(text).request_kinds


def test_french_not_your_fault_is_no_notice() -> None:
    text = "Les frais de retard sont justes, ce n'est pas votre faute, j'ai oublié."
    assert "notice_of_error" not in run(text).request_kinds


def test_arabic_charge_never_asked_for_is_a_notice() -> None:
    text = "في رسوم جديدة على كشف الحساب كل شهر. أنا ما طلبت هالمنتج أبداً، بدي تلغوا هالرسوم."
    assert "notice_of_error" in run(text).request_kinds


def test_arabic_as_i_asked_is_no_denial() -> None:
    text = "شكراً، وصلتني الرسوم مفصلة كما طلبت."
    assert "notice_of_error" not in run(text).request_kinds


def test_arabic_sale_while_plan_is_kept_is_a_sale_error() -> None:
    text = (
        "وقعت معكم خطة سداد في مايو وأدفع كل شهر. اليوم وصلتني رسالة أن البيت سيباع بالمزاد "
        "يوم 15 سبتمبر. أرجو إيقاف البيع."
    )
    c = run(text)
    assert "notice_of_error" in c.request_kinds
    assert "foreclosure_sale_error" in c.request_subkinds


def test_arabic_your_suffix_is_no_how_much() -> None:
    # "منكم" and "عليكم" end in the letters of "كم" (how much): no information is named.
    text = "السلام عليكم، أطلب منكم تحديث رقم هاتفي."
    assert "request_for_information" not in run(text).request_kinds


def test_arabic_formal_request_for_copies() -> None:
    text = "أرجو التكرم بإرسال نسخ من المستندات التالية الخاصة بقرضي العقاري."
    assert "request_for_information" in run(text).request_kinds


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        ("", "J'aimerais également connaître le solde restant au 31 décembre."),
        ("", "Je vous prie de bien vouloir me transmettre le solde actuel du compte escrow."),
        ("Demande de relevé annuel", "Bonjour, voir l'objet. Merci."),
    ],
)
def test_french_requests_in_formal_words(subject: str, text: str) -> None:
    assert "request_for_information" in run(text, subject).request_kinds


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        ("extrato de pagamentos de 2025 por favor", "Patrícia"),
        ("", "Peço que me digam que alterações foram feitas na conta do meu pai."),
    ],
)
def test_portuguese_requests_in_everyday_words(subject: str, text: str) -> None:
    assert "request_for_information" in run(text, subject).request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "We need a payoff quote good through June 25th. Can you email it to me? Loan 8840019273.",
        "Est-ce possible de déplacer la date d'échéance de mon prêt au 15 ?",
    ],
)
def test_a_question_near_only_the_loan_or_the_mail_asks_for_nothing(text: str) -> None:
    assert "request_for_information" not in run(text).request_kinds


def test_a_question_about_a_record_still_asks() -> None:
    text = "Why did my escrow go up this year? Loan 8840019273."
    assert "request_for_information" in run(text).request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "I don't understand why you charged me twice for the payment.",
        "No entiendo por qué me cobraron dos veces el pago.",
        "Je ne comprends pas pourquoi vous avez facturé deux fois le paiement.",
        "Mwen peye asirans lan nan escrow. Mwen pa konprann kijan nou fè bliye peye l.",
    ],
)
def test_not_understanding_why_keeps_the_error_asserted(text: str) -> None:
    assert "notice_of_error" in run(text).request_kinds


def test_not_knowing_whether_asserts_no_error() -> None:
    text = "I don't know if you charged me twice for the payment."
    assert "notice_of_error" not in run(text).request_kinds
