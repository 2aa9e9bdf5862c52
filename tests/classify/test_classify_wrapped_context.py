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
from pipeline.classify.context import sentence_span, soft_break, wrapped_width
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


def test_a_korean_line_wrapped_by_a_client_is_read_as_one_sentence() -> None:
    # A law firm closing the seller's sale, its "handling the seller's closing" wrapped
    # after a 60-column line: a closing firm, no lawyer retained against the servicer.
    text = (
        "안녕하세요,\n\n"
        "저희 Park & Lee 법률사무소는 Palisades Park 소재 주택(214 Grand Ave) 매매 건의 매도인 측\n"
        "클로징을 맡고 있습니다. 매도인은 김태호 님이며 대출번호는 7395028146입니다.\n\n"
        "2026년 6월 10일까지 유효한 상환금액 명세서(payoff statement)를 보내주시기 바랍니다.\n"
    )
    assert "legal_representation" not in _families(text)


def test_a_short_korean_line_is_still_a_line_of_its_own() -> None:
    norm = normalize("안녕하세요\n김태호 드림")
    assert unwrap(norm, None).text == norm.text


def test_a_chinese_line_as_wide_as_a_client_wraps_does_not_end_its_sentence() -> None:
    # 33 characters are 66 columns on screen: the client wrapped there, mid-sentence.
    text = (
        "对方讲普通话，说是你们公司的中文部，说她的房贷有一笔逾期罚款没有交清楚，要马上\n"
        "转账给他们。我很害怕。"
    )
    start = text.index("转账")
    assert sentence_span(text, start, start + 2) == (0, text.index("。") + 1)


def test_a_dash_that_goes_on_the_sentence_after_a_wrap_keeps_its_resolution() -> None:
    text = (
        "Hello, I'm the lady who filed the complaint about my escrow last spring\n"
        "-- that was all straightened out by a nice man named Curtis.\n\n"
        "I just need my 2025 Form 1098 for my accountant."
    )
    result = run(text)
    assert "complaint" not in {h.family for h in result.families}
    assert any(cue == "was all straightened out" for *_, cue in _suppressed(result, "resolution"))


def test_a_signature_delimiter_after_a_long_line_still_ends_the_sentence() -> None:
    text = "Please send me the payoff statement for the loan as soon as you are able to\n-- \nAna"
    start = text.index("payoff")
    assert sentence_span(text, start, start + 6)[1] == text.index("\n") + 1


def test_a_line_ending_in_a_closing_quote_goes_on_its_sentence() -> None:
    text = (
        "Since our loan was transferred, every payment we send is being put toward "
        '"escrow advance"\ninstead of our principal and interest.'
    )
    result = run(text)
    assert "notice_of_error" in result.request_kinds
    evidence = [e for k, e in result.kind_evidence if k == "notice_of_error"]
    assert any(text[e.start : e.end] == e.matched and "\n" in e.matched for e in evidence)


def test_a_quoted_title_ending_a_sentence_is_not_joined_to_the_next_line() -> None:
    norm = normalize('I read your letter "Important notice."\nthen I called.')
    assert unwrap(norm, None).text == norm.text


def test_the_rules_view_and_sentence_reading_measure_a_wrapped_korean_line_alike() -> None:
    # 48 Hangul characters are about 90 columns: a client wrapped this line. The rules'
    # joined view and the sentence reading use one measure, so both go on the sentence.
    line = "지난달에 자동이체로 월 상환금을 냈는데 이번 달 명세서에 연체료가 붙어 있습니다 그리고"
    text = line + "\n두 번이나 빠져나갔습니다."
    assert len(line) < 60 and wrapped_width(line)
    norm = normalize(text)
    assert soft_break(norm.text, len(line))
    assert "\n" not in unwrap(norm, None).text
