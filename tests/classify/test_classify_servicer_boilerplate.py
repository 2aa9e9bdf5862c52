"""The notices a servicer prints on every letter (servicemember protections, the
bankruptcy and debt-collection notices) and a title company's wire-fraud footer,
forwarded or pasted by a borrower, say nothing of that borrower; only their own
sentence is set aside, so what the borrower says around a quoted notice still counts."""

from __future__ import annotations

import pytest

from tests.classify.wording import run

FORWARDED_NOTICE = (
    "Hi - got the email below this morning. I paid on Oct 1 through your website.\n"
    "Can someone check and let me know.\n\nThanks,\nPaul\n\n"
    "-----Original Message-----\n"
    "From: Mortgage Servicing <noreply@servicer.example>\n"
    "Sent: Friday, October 16, 2026 6:02 AM\n"
    "Subject: Your mortgage payment is past due\n\n"
    "Our records show that your payment due 10/01/2026 has not been received.\n\n"
    "If you are a servicemember on active duty, or a dependent, you may be entitled to "
    "protections under the Servicemembers Civil Relief Act. If you are in bankruptcy or "
    "have received a bankruptcy discharge of this debt, this notice is for informational "
    "purposes only and is not an attempt to collect a debt.\n"
)


def _families(text: str, subject: str = "") -> set[str]:
    return {h.family for h in run(text, subject).families}


def test_a_forwarded_notice_s_servicemember_and_bankruptcy_lines_raise_no_family() -> None:
    found = _families(FORWARDED_NOTICE, "FW: Your mortgage payment is past due")
    assert "servicemember" not in found
    assert "bankruptcy" not in found


def test_the_boilerplate_lines_are_kept_as_suppressed_disclaimer_evidence() -> None:
    result = run(FORWARDED_NOTICE, "FW: Your mortgage payment is past due")
    reasons = {
        s.reason for s in result.suppressions if s.matched.lower().startswith("servicemember")
    }
    assert reasons == {"disclaimer"}


def test_a_borrower_on_active_duty_quoting_the_notice_is_still_a_servicemember() -> None:
    text = (
        "I am on active duty in the Army and was deployed in March. Your letter says I may "
        "be entitled to protections under the Servicemembers Civil Relief Act, so please "
        "cap my rate at 6%."
    )
    assert "servicemember" in _families(text)


def test_a_borrower_in_bankruptcy_quoting_the_debt_notice_is_still_in_bankruptcy() -> None:
    text = (
        "I filed chapter 13 bankruptcy last week, case 26-10001. Your letter says this is "
        "not an attempt to collect a debt, but your collectors keep calling me every day."
    )
    assert "bankruptcy" in _families(text)


def test_a_spanish_notice_pasted_by_a_borrower_is_set_aside_as_a_disclaimer() -> None:
    text = (
        "Me llegó esta carta y no entiendo el cargo:\n\n"
        "Si usted es miembro activo del servicio militar, puede tener derecho a ciertas "
        "protecciones bajo la ley. Este aviso no es un intento de cobrar una deuda.\n"
    )
    result = run(text)
    assert "servicemember" not in {h.family for h in result.families}
    assert any(
        s.reason == "disclaimer" and s.rule == "es_servicemember" for s in result.suppressions
    )


def test_a_spanish_borrower_on_active_duty_is_still_a_servicemember() -> None:
    assert "servicemember" in _families(
        "Soy miembro activo del servicio militar y me mandaron a Texas."
    )


def test_a_spanish_borrower_in_an_open_bankruptcy_is_still_in_bankruptcy() -> None:
    text = "Estoy en bancarrota, capítulo 13, desde septiembre; mi abogado les escribirá."
    assert "bankruptcy" in _families(text)


def test_a_title_company_s_wire_fraud_disclaimers_raise_no_fraud_family() -> None:
    text = (
        "Please send a payoff good through 12/23 for loan 4471200836. Authorization "
        "attached.\n\nWIRE FRAUD ALERT: Lakeshore Title is not responsible for funds wired "
        "to an incorrect account as a result of fraud. If you receive an email that appears "
        "to be from us with new instructions, it is FRAUD. Call our office to verify."
    )
    assert "fraud_identity_theft" not in _families(text)


def test_a_borrower_who_lost_money_to_fake_wire_instructions_is_still_a_fraud() -> None:
    text = (
        "Someone hacked my email and sent my title company fake wire instructions; I lost "
        "my down payment to fraud. Please flag my loan 4471200836."
    )
    assert "fraud_identity_theft" in _families(text)


def test_a_realtors_wire_fraud_signature_raises_no_fraud_family() -> None:
    text = (
        "Could you please send an updated payoff statement good through 08/14/2026 to the "
        "seller and to our title company? His signed authorization is attached.\n\n"
        "Kelsey Marchetti | Broker Associate\nSummit Peak Realty\n"
        "Wire fraud is real. Never wire money based on e-mail instructions. Always call a "
        "verified number."
    )
    assert "fraud_identity_theft" not in _families(text)


@pytest.mark.parametrize(
    "text",
    [
        "Wire fraud is real: someone emailed me fake wire instructions pretending to be you "
        "and I sent my March payment to them. Please flag my loan 4471200836.",
        "Wire fraud is real. Someone emailed me fake wire instructions pretending to be you "
        "and I sent my March payment to them. Please flag my loan 4471200836.",
    ],
)
def test_a_borrower_who_opens_with_wire_fraud_is_real_still_reports_fraud(text: str) -> None:
    assert "fraud_identity_theft" in _families(text)
