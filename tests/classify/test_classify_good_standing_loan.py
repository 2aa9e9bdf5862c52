"""The writer's good standing said of the loan alone ("we have never been late in 22
years with whoever had the loan") judges no servicing thing: told to ask for help, it is
no notice of error. Said of a fee or a payment in its sentence, it still is."""

from __future__ import annotations

from tests.classify.wording import run


def test_good_standing_with_only_the_loan_in_its_sentence_asserts_no_error() -> None:
    asked = run(
        "The derecho took half the roof. Can we skip the August and September payments? "
        "We have never been late in 22 years with you people or whoever had the loan before."
    )
    assert "notice_of_error" not in asked.request_kinds


def test_good_standing_against_a_fee_in_its_sentence_still_asserts_an_error() -> None:
    charged = run("I have always paid on time and you charged me a late fee of $45.")
    assert "notice_of_error" in charged.request_kinds
