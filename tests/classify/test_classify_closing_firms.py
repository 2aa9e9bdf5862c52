"""A law office's name in the signature of mail that orders a payoff or confirms a
closing, with nothing disputed, is closing business, not counsel against the servicer;
the same office writing for a client, or with a dispute, still is."""

from __future__ import annotations

from tests.classify.wording import run

_SIGNATURE = "\n\nJordan Reyes\nClosing Paralegal\nMaple Street Law, PLLC\n"


def test_a_payoff_order_signed_by_a_closing_firm_is_no_representation() -> None:
    c = run(
        "Our office is handling the closing on the sale of the property. Please provide a "
        "payoff statement good through June 30." + _SIGNATURE
    )
    assert "legal_representation" not in {h.family for h in c.families}
    assert any(s.reason == "closing_firm" and s.rule == "en_law_firm_name" for s in c.suppressions)


def test_a_firm_writing_for_its_client_keeps_representation() -> None:
    c = run(
        "This firm represents the borrower. Please provide a payoff statement good through "
        "June 30." + _SIGNATURE
    )
    assert "legal_representation" in {h.family for h in c.families}


def test_a_firm_name_on_a_disputed_payoff_keeps_representation() -> None:
    c = run(
        "Our office is handling the closing. The payoff figure is wrong: you charged the "
        "borrower a fee that was already paid." + _SIGNATURE
    )
    assert "legal_representation" in {h.family for h in c.families}


def test_a_firm_name_on_mail_about_no_closing_keeps_representation() -> None:
    c = run("Please call me about the escrow account on this loan." + _SIGNATURE)
    assert "legal_representation" in {h.family for h in c.families}
