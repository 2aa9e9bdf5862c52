"""What changes a match's meaning is read on wrapped lines as the match is.

Rules match on a view of the body with soft line breaks joined (see
:mod:`pipeline.classify.wrap`). The context around a match (a resolution, someone
else's situation, a matter over long ago, a question, the writer's own fault, an
out-of-office reply's wording) must be read on that same view: a client that wraps
"that was all straightened out" after "all" has not changed what the writer said.
Evidence and suppression spans still point at the original text.
"""

from __future__ import annotations

from pipeline.classify.classifier import Classification
from pipeline.classify.machine import MachineHeaders, machine_verdict
from pipeline.classify.normalize import normalize
from pipeline.classify.wrap import unwrap
from tests.classify.wording import run


def _suppressed(result: Classification, reason: str) -> list[tuple[int, int, str, str]]:
    return [(x.start, x.end, x.matched, x.cue) for x in result.suppressions if x.reason == reason]


def _families(text: str) -> set[str]:
    return {h.family for h in run(text).families}


def test_a_resolution_wrapped_onto_the_next_line_still_resolves_the_match() -> None:
    text = (
        "Hello, I filed a complaint about my escrow last spring and that was all\n"
        "straightened out by Curtis, so please don't take this as another one.\n\n"
        "I just need my 2025 Form 1098 for my accountant."
    )
    result = run(text)
    assert "complaint" not in {h.family for h in result.families}
    found = _suppressed(result, "resolution")
    start = text.index("complaint")
    # The span is the original text's, the cue the words read across the wrap.
    assert (start, start + len("complaint"), "complaint", "was all straightened out") in found


def test_a_resolution_unwrapped_is_not_read_into_the_next_paragraph() -> None:
    # A blank line ends the sentence: a complaint in the next paragraph stands.
    text = (
        "The late fee from March was all\n\nstraightened out. Now I want to file a complaint "
        "about how I was treated on the phone."
    )
    assert "complaint" in _families(text)


def test_someone_elses_situation_named_before_a_wrap_is_still_theirs() -> None:
    text = (
        "Quick question. My neighbor\nsaid his house is going to a foreclosure auction next "
        "week. Does that affect us?"
    )
    result = run(text)
    assert "foreclosure_sale" not in {h.family for h in result.families}
    found = _suppressed(result, "other_party")
    assert found and all(text[start:end] == matched for start, end, matched, _ in found)


def test_a_matter_over_before_the_loan_reads_a_year_wrapped_onto_the_next_line() -> None:
    # A long line wrapped before a number: "discharged in October\n2019" is one date.
    text = (
        "Hi,\n\nBack in 2019 we went through a chapter 7 bankruptcy. It was discharged in October\n"
        "2019 and we signed a reaffirmation agreement on the house loan with you,\n"
        "so the loan stayed ours. Can you send a payment history since 2020?\n"
    )
    result = run(text)
    assert "bankruptcy" not in {h.family for h in result.families}
    assert _suppressed(result, "resolution")


def test_a_question_wrapped_before_its_question_mark_asserts_no_error() -> None:
    # The question ends at its question mark, not at the wrap after "my".
    text = (
        "Hello. Did you really charge me a late fee on my\nmortgage payment this month? "
        "I paid early."
    )
    assert "notice_of_error" not in run(text).request_kinds
    assert "notice_of_error" in run(text.replace("?", ".")).request_kinds


def test_a_message_in_capitals_wrapped_mid_sentence_keeps_the_writers_own_fault() -> None:
    text = (
        "DEAR SIRS,\n\nSOMEHOW MY ACCOUNT WAS CHANGED TO PAPERLESS LAST YEAR. I DID NOT ASK\n"
        "FOR THAT. I THINK IT WAS WHEN I CALLED ABOUT MY INSURANCE AND PRESSED\n"
        "THE WRONG BUTTON. PLEASE PUT ME BACK ON PAPER STATEMENTS BY MAIL.\n"
    )
    assert "notice_of_error" not in run(text).request_kinds


def test_a_short_line_before_a_capital_is_still_a_line_of_its_own() -> None:
    # Where the writer pressed Enter (a name, a signature) nothing is joined.
    norm = normalize("Thanks\nMaria Lopez\nLoan 123456")
    assert unwrap(norm, None).text == norm.text


def test_a_numbered_item_after_a_long_line_is_not_joined() -> None:
    norm = normalize(
        "Please send me the following documents for my loan as soon as you can\n"
        "1. the payoff statement\n2. the payment history"
    )
    assert unwrap(norm, None).text == norm.text


def test_a_long_line_wrapped_before_a_capital_maps_back_to_the_original_text() -> None:
    text = "I THINK IT WAS WHEN I CALLED YOU ABOUT MY HOME INSURANCE AND PRESSED\nTHE WRONG BUTTON."
    norm = normalize(text)
    view = unwrap(norm, None)
    assert "pressed the wrong button" in view.text
    start = view.text.index("pressed the")
    fstart, fend = view.folded_span(start, start + len("pressed the"))
    assert text[fstart:fend] == "PRESSED\nTHE"


def test_out_of_office_wording_wrapped_across_lines_is_still_an_automatic_reply() -> None:
    body = (
        "Cảm ơn quý vị đã liên lạc. Tôi đang về Việt Nam từ 1/12 đến 5/1, sẽ trả\n"
        "lời email khi trở về. Việc gấp xin gọi con gái tôi.\n"
    )
    verdict = machine_verdict(MachineHeaders(), "Re: hồ sơ vay", body)
    assert verdict.is_machine and verdict.kind == "out_of_office"
