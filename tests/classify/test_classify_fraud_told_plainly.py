"""Fraud told the writer's own way, without the word: someone else changing where the
servicer writes, a loan the borrower has no memory of, money sent by an app no servicer
takes to someone posing as one."""

from __future__ import annotations

from tests.classify.wording import families, run


def test_someone_else_changing_the_mailing_address_is_fraud() -> None:
    assert "fraud_identity_theft" in families(
        "I found papers showing that someone called you in April to change the mailing "
        "address for his statements to a PO box. Dad doesn't have a PO box."
    )


def test_the_borrower_changing_their_own_address_is_no_fraud() -> None:
    assert "fraud_identity_theft" not in families(
        "I moved last month. Please change the mailing address on my loan to 12 Oak St."
    )


def test_a_loan_the_borrower_has_no_memory_of_is_fraud_not_a_disputed_charge() -> None:
    result = run(
        "Dad's statement now shows a balance of over $90,000. Dad has no memory of any new "
        "loan or of changing his address."
    )
    found = {h.family for h in result.families}
    assert "fraud_identity_theft" in found
    assert "notice_of_error" not in found
    evidence = next(h for h in result.families if h.family == "fraud_identity_theft").evidence
    assert any(e.rule == "en_fraud_identity_theft" for e in evidence)


def test_money_sent_by_zelle_to_a_fake_department_is_fraud() -> None:
    assert "fraud_identity_theft" in families(
        "A man said he was from your loss mitigation department and I had to send a $1,200 "
        "deposit to lock in a modification. I sent it by Zelle to Homeowner Relief "
        "Processing."
    )


def test_asking_whether_zelle_is_accepted_is_no_fraud() -> None:
    assert "fraud_identity_theft" not in families(
        "Can I make my monthly payment with Zelle, or only by check and autopay?"
    )
