"""The conditional bankruptcy notice printed on statements, quoted back by a borrower
who is in no bankruptcy, is a disclaimer and no filing; a real filing still counts."""

from __future__ import annotations

from tests.classify.wording import families


def test_the_statement_disclaimer_quoted_back_is_no_bankruptcy() -> None:
    assert "bankruptcy" not in families(
        'The back of my statement says "If you are a debtor in bankruptcy or have '
        'received a discharge, this statement is for informational purposes only".'
    )
    assert "bankruptcy" in families("We filed bankruptcy last week, the case number follows.")


def test_asking_whether_the_servicer_takes_the_writer_to_be_bankrupt_is_no_bankruptcy() -> None:
    assert "bankruptcy" not in families("Does that mean you think I'm in bankruptcy?")
    assert "bankruptcy" in families("I'm in bankruptcy, my trustee will call you.")


def test_a_spanish_statement_disclaimer_is_no_bankruptcy() -> None:
    assert "bankruptcy" not in families(
        "Mi estado de cuenta dice: si usted está en bancarrota, este estado es solo informativo."
    )


def test_a_filing_in_a_year_named_then_discharged_is_over() -> None:
    assert "bankruptcy" not in families(
        "I went through a chapter 7 back in 2019 and it was discharged, that's long done."
    )
    assert "bankruptcy" in families("I filed a chapter 7 and the court has not ruled yet.")
