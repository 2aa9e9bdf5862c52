"""A request left unanswered, told as a fact ("no response to my letter", "nobody has told
me I was denied"), is what a notice of error asserts, no complaint by itself; displeasure
said, or being ignored over and over, still is one."""

from __future__ import annotations

from tests.classify.wording import families


def test_nobody_told_me_in_a_notice_of_error_is_no_complaint() -> None:
    found = families(
        "My payoff quote has a $450 inspection fee that is wrong. Nobody ever told me "
        "about any inspection. Please send a corrected payoff."
    )
    assert "notice_of_error" in found
    assert "complaint" not in found


def test_no_response_to_an_earlier_request_is_no_complaint() -> None:
    found = families(
        "I wrote on May 2 asking for my payment history and got no response. "
        "Please send the payment history for 2025."
    )
    assert "complaint" not in found


def test_still_waiting_for_a_refund_is_no_complaint() -> None:
    found = families("I am still waiting for the escrow refund of $312 you owe me.")
    assert "complaint" not in found


def test_being_ignored_again_and_again_is_still_a_complaint() -> None:
    assert "complaint" in families(
        "I have called four times about my escrow and nobody calls back."
    )


def test_displeasure_said_beside_nobody_told_me_is_still_a_complaint() -> None:
    assert "complaint" in families(
        "Nobody told me my payment went up. This is unacceptable and I am fed up."
    )


def test_one_fact_not_told_is_no_complaint() -> None:
    assert "complaint" not in families("Nobody has told me I was denied.")
