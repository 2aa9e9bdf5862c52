"""Fraud that befell the writer's family on a loan with another lender reports nothing
of ours; a relative's fraud on a loan with us, or the writer's own, still does."""

from __future__ import annotations

from tests.classify.wording import families, run


def test_a_relatives_scam_with_another_bank_is_no_fraud() -> None:
    text = (
        "Mi tía en San Antonio got scammed por una compañía de loan modification, su "
        "préstamo es con otro banco not you guys. Ustedes cobran algo por aplicar?"
    )
    result = run(text)
    assert "fraud_identity_theft" not in {h.family for h in result.families}
    assert any(s.reason == "other_party" and s.matched == "scammed" for s in result.suppressions)


def test_a_relatives_scam_on_a_loan_with_us_is_fraud() -> None:
    assert "fraud_identity_theft" in families(
        "My mother got scammed by a company that said it was you. Her loan is with you."
    )


def test_the_writers_own_fraud_beside_a_relatives_other_bank_is_fraud() -> None:
    assert "fraud_identity_theft" in families(
        "My sister's loan is with another bank. Someone opened a credit line in my name "
        "and I was scammed out of $900."
    )
