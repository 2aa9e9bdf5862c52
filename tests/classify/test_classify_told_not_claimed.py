"""Words that look like a grievance but tell something else: another person's act, the
writer's own slip or repeated effort, a service long over, a loan (not a house) sold,
a matter the writer says is over. Each near miss that must stay what it is sits beside
its case.
"""

from __future__ import annotations

import pytest

from tests.classify.wording import families, run


@pytest.mark.parametrize(
    "text",
    [
        "I just found out he didn't pay October or November on the loan. I had no idea.",
        "She is afraid of a scam so she hasn't paid December yet on her loan.",
    ],
)
def test_a_person_told_of_not_paying_is_no_notice_of_error(text: str) -> None:
    assert "notice_of_error" not in run(text).request_kinds


def test_the_servicer_not_paying_is_still_a_notice_of_error() -> None:
    c = run("You didn't pay my taxes from the escrow account.")
    assert "notice_of_error" in c.request_kinds


def test_not_having_applied_for_help_is_no_payment_left_unapplied() -> None:
    c = run("He had not applied for a loan modification before. His payment is due on the 1st.")
    assert "notice_of_error" not in c.request_kinds


@pytest.mark.parametrize(
    ("language", "text", "subject"),
    [
        ("ar", "أرجو تسجيله.", "التوكيل أرسلته مرتين ولا أحد يتحدث معي - القرض"),
        ("es", "Les mandé el poder notarial dos veces, por favor regístrenlo en el préstamo.", ""),
    ],
)
def test_the_writers_own_effort_twice_is_no_double_charge(
    language: str, text: str, subject: str
) -> None:
    assert "notice_of_error" not in run(text, subject=subject).request_kinds, language


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ar", "تم خصم الدفعة مرتين من حسابي."),
        ("es", "Me cobraron dos veces el pago del préstamo."),
    ],
)
def test_a_charge_taken_twice_is_still_a_notice_of_error(language: str, text: str) -> None:
    assert "notice_of_error" in run(text).request_kinds, language


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "I probably logged in wrong, the payment page shows an error."),
        ("vi", "Người làm thuế cần mẫu 1098, em tìm trên web không thấy, chắc em đăng nhập sai."),
        ("zh", "上次多付的钱好像被放进了下个月的月供里，我也不确定是不是我自己选错了。"),
        ("es", "Escogí la opción equivocada en la página y el pago se fue a intereses."),
        ("pt", "Digitei errado o número e o pagamento voltou."),
        ("fr", "J'ai choisi la mauvaise option sur le site, le paiement est parti par erreur."),
    ],
)
def test_the_writers_own_slip_on_a_form_asserts_no_servicer_error(language: str, text: str) -> None:
    c = run(text)
    assert "notice_of_error" not in c.request_kinds, language
    assert "own_fault" in {s.reason for s in c.suppressions}, language


@pytest.mark.parametrize(
    "text",
    [
        "My husband Roy served in the Army 1968-1971, he is 77 now. Is there any help?",
        "Retired na ako sa Navy since 2019. Gusto ko sana i-refinance yung loan ko.",
        "I served 22 years in the Air Force and retired in 2019. How does an assumption work?",
    ],
)
def test_a_service_long_over_is_no_servicemember(text: str) -> None:
    assert "servicemember" not in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "My son is deployed with the Army until 2027.",
        "He served in the Navy from 2015 to 2026 and got out in June.",
        "I spent 20 years in the Army and retired in October; my orders end this month.",
        "My husband is in the Army and we separated in 2019. He is still on the loan with me "
        "and wants his rate capped.",
    ],
)
def test_active_or_recent_service_is_still_a_servicemember(text: str) -> None:
    assert "servicemember" in families(text)


def test_a_notice_that_the_loan_was_sold_is_no_foreclosure_sale() -> None:
    text = "My mother got a letter that says Notice of Sale of Ownership of Mortgage Loan."
    assert "foreclosure_sale" not in families(text)


def test_the_owners_own_sale_of_the_property_is_no_foreclosure_sale() -> None:
    text = "Poderiam enviar o payoff? A venda do imóvel fecha com a title company em janeiro."
    assert "foreclosure_sale" not in families(text)
    assert "foreclosure_sale" in families("O leilão da minha casa está marcado para março.")


@pytest.mark.parametrize(
    "text",
    [
        "Yung kumpare ko po, yung bahay niya na-auction last week. Okay lang po ba loan ko?",
        "Mi compadre perdió su casa en una subasta el mes pasado. ¿Mi préstamo está bien?",
    ],
)
def test_a_close_friends_sale_is_someone_elses(text: str) -> None:
    c = run(text)
    assert "foreclosure_sale" not in {h.family for h in c.families}
    assert "other_party" in {s.reason for s in c.suppressions}


@pytest.mark.parametrize(
    "text",
    [
        "My complaint w/ CFPB last year about the escrow got handled so thats all good.",
        "I was about to file a complaint with the CFPB, but she took the charge off and my "
        "escrow is back to normal.",
    ],
)
def test_a_complaint_the_writer_says_is_over_escalates_nothing(text: str) -> None:
    c = run(text)
    assert not {"complaint", "regulator_complaint"} & {h.family for h in c.families}
    assert "resolution" in {s.reason for s in c.suppressions}


def test_a_complaint_handled_badly_is_still_live() -> None:
    text = "My complaint was handled badly and I will file a complaint with the CFPB."
    assert "regulator_complaint" in families(text)


def test_a_feeling_the_writer_says_is_past_is_no_complaint() -> None:
    text = "The insurance mix up is all fixed. I was so upset before but he was very patient."
    assert "complaint" not in families(text)
    assert "complaint" in families("I am upset. You charged me twice for my payment.")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "We filed a complaint with the police about the man who took her money."),
        ("fr", "Nous avons porté plainte auprès de la police contre cet homme."),
        ("es", "Pusimos una queja con la policía contra ese hombre."),
    ],
)
def test_a_crime_reported_to_the_police_is_no_complaint_about_us(language: str, text: str) -> None:
    found = families(text)
    assert not {"complaint", "regulator_complaint"} & found, language
    assert "fraud_identity_theft" in found, language


def test_a_complaint_to_a_regulator_beside_a_police_report_still_counts() -> None:
    found = families("We filed a complaint with the police and with the CFPB.")
    assert "regulator_complaint" in found


def test_a_payoff_asked_to_be_confirmed_asserts_no_standing() -> None:
    text = (
        "Dear Sir or Madam,\n\nWith my final payment on December 1, 2025, my late wife Ruth "
        "and I have at last paid for our home at 14 Elm Lane, Springfield. Loan number "
        "1043358822.\n\nI would be grateful if you could confirm that the loan has been paid "
        "in full and tell me when the release (I believe it is called a discharge or "
        "satisfaction of mortgage) will be recorded with the county, and send me a copy for "
        "my files. My attorney who handles my estate planning has asked to have one.\n\n"
        "Thank you for many years of courteous service.\n\nSam"
    )
    c = run(text, subject="Release of mortgage after final payment")
    assert "notice_of_error" not in c.request_kinds


def test_good_standing_against_a_late_fee_is_still_a_notice_of_error() -> None:
    c = run("I paid in full on the loan and you charged a late fee.")
    assert "notice_of_error" in c.request_kinds


def test_a_fee_told_as_removed_in_creole_is_resolved() -> None:
    text = (
        "Mèsi anpil! Matant mwen wè sou kont li yo retire frè reta a ($48.20) e yo mete "
        "peman oktòb la sou bon dat la."
    )
    c = run(text)
    assert "notice_of_error" not in c.request_kinds
    assert "resolution" in {s.reason for s in c.suppressions}


def test_a_fee_asked_to_be_removed_in_creole_is_still_a_notice_of_error() -> None:
    c = run("Mwen mande pou yo retire frè reta a sou kont mwen, peman an te fèt alè.")
    assert "notice_of_error" in c.request_kinds


def test_a_complaint_against_us_taken_to_the_police_is_still_a_complaint() -> None:
    assert "complaint" in families(
        "I filed a complaint against you with the police for taking my money."
    )
