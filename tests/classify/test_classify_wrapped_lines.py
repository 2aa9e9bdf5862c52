"""Rules read a sentence wrapped onto the next line as one line.

Plain-text mail is hard-wrapped and text taken from a PDF breaks at every printed
line; a pattern's spaces and ``[^.\\n]`` must not stop at such a break. What really
separates text (a blank line, a list item, a quoted line, a header-like line, a
sentence's end) still does, and evidence points at the original text.
"""

from __future__ import annotations

import re

import pytest

from pipeline.classify.anchors import guided_finditer
from pipeline.classify.literals import LiteralSet
from pipeline.classify.normalize import normalize
from pipeline.classify.rules import (
    EscalationRule,
    MessageFields,
    PreparedFields,
    RuleSet,
    match_rules,
    match_rules_detailed,
    rule_guides,
)
from pipeline.classify.wrap import unwrap
from tests.classify.wording import run

# A request cue written as a pattern (literal spaces, as the packs write them).
TELL = EscalationRule(
    name="tell_me",
    patterns=(r"(?:and|also) tell (?:me|us) what (?:was|has been) changed",),
    kind="request_for_information",
)
RULES = RuleSet(rules=(TELL,))


def _matches(text: str, rules: RuleSet = RULES, field: str = "text") -> list[tuple[int, int, str]]:
    fields = MessageFields(**{field: text})  # type: ignore[arg-type]
    return [(m.start, m.end, m.matched) for m in match_rules(rules, fields)]


def test_a_pattern_wrapped_onto_the_next_line_matches_with_its_original_span() -> None:
    text = "Please lock the account and tell\nme what was changed, thanks."
    start = text.index("and tell")
    end = text.index(", thanks")
    assert _matches(text) == [(start, end, "and tell\nme what was changed")]


def test_spaces_around_the_break_and_folded_letters_keep_the_original_span() -> None:
    # Format=flowed mail leaves a space before the break, PDF text indents the next
    # line, and "ß" folds to two letters: the span still lands on the original text.
    text = "Straße 5: I paid, and tell \n   me what was changed."
    start = text.index("and tell")
    end = text.index(".", start)
    assert _matches(text) == [(start, end, "and tell \n   me what was changed")]


@pytest.mark.parametrize("field", ["text", "html_text"])
def test_every_body_field_joins_wrapped_lines(field: str) -> None:
    assert _matches("Fix it and tell\nme what was changed.", field=field)


def test_attachment_text_joins_wrapped_lines() -> None:
    fields = MessageFields(attachment_text=("Fix it and tell\nme what was changed.",))
    assert [m.field for m in match_rules(RULES, fields)] == ["attachment_text"]


@pytest.mark.parametrize(
    "text",
    [
        # A blank line: a new paragraph.
        "Please fix the fee and tell\n\nme what was changed.",
        # A list item.
        "Please do the following and tell\n- me what was changed.",
        # A quoted line of an earlier message, before or after the break.
        "Please fix it and tell\n> me what was changed.",
        "> Please fix it and tell\nme what was changed.",
        # A line that ends a sentence, and one whose next line opens with a capital.
        "I paid and tell.\nme what was changed.",
        "I paid and tell\nMe what was changed.",
    ],
)
def test_what_really_separates_lines_still_does(text: str) -> None:
    assert _matches(text) == []


@pytest.mark.parametrize(
    "text",
    [
        # A lettered list item.
        "Please send me\na) the payoff\nb) my history",
        # A header-like line of a forwarded block, written in lower case.
        "See what they sent me\nfrom: Ocwen Loan Servicing\nsent: Monday",
    ],
)
def test_a_lettered_item_or_a_header_line_is_not_joined_to_the_line_before(text: str) -> None:
    norm = normalize(text)
    assert unwrap(norm, None).text == norm.text


def test_an_unless_pattern_wrapped_across_lines_still_blocks() -> None:
    rule = EscalationRule(name="auction", phrases=("auction",), unless=(r"car auction",))
    assert _matches("We bought it at a car\nauction last year.", RuleSet(rules=(rule,))) == []


def test_the_anchor_guide_does_not_skip_a_wrapped_match() -> None:
    # The guide's literal holds a space ("tell me what"): looked up in the folded text
    # ("tell\nme what") it is absent, and the guide would skip the match the regex
    # finds in the joined view. Probe and occurrences must be the view's.
    guide = rule_guides(RULES)[0]
    assert any(" " in lit for lit in guide.literals())
    text = "Please fix the fee and tell\nme what was changed."
    literals = LiteralSet(guide.literals())
    fields = MessageFields(text=text)
    prepared = PreparedFields(fields, literals)
    view = prepared.get("text").view
    trigger, _ = TELL.compiled()
    occurrences = prepared.occurrences(view.probe) if view.probe is not None else None
    found = [m.span() for m in guided_finditer(trigger, view.text, view.probe, guide, occurrences)]
    assert found == [m.span() for m in trigger.finditer(view.text)] != []
    # ...and through rule matching with the shared literal scan.
    matches, _ = match_rules_detailed(RULES, fields, prepared)
    assert [m.matched for m in matches] == ["and tell\nme what was changed"]


@pytest.mark.parametrize(
    "text",
    [
        "Hello, I am selling the house. We have never\nfiled for bankruptcy, so please "
        "send the payoff.",
        "Hi, just a question about escrow. I do not\nwant to file a complaint, I only want "
        "to know the new amount.",
    ],
)
def test_a_negation_on_the_line_before_a_wrap_still_negates(text: str) -> None:
    # A short line wrapped mid-clause: the negation and what it denies are one clause.
    assert run(text).families == ()


def test_a_negation_before_a_blank_line_does_not_reach_the_next_paragraph() -> None:
    rule = EscalationRule(name="late", phrases=("late fee",), negatable=True, family="complaint")
    fields = MessageFields(text="Thanks, I have no\n\nlate fee charged twice now, fix it.")
    matches, suppressed = match_rules_detailed(RuleSet(rules=(rule,)), fields)
    assert [m.matched for m in matches] == ["late fee"] and suppressed == ()


def test_chinese_lines_are_not_joined_with_a_space() -> None:
    norm = normalize("请告诉\n我们改了什么")
    assert unwrap(norm, None).text == norm.text


@pytest.mark.parametrize(
    ("text", "family"),
    [
        # "Nobody ever answered me", broken after "ever".
        (
            "Bonjou,\nMwen voye aplikasyon an twa fwa depi oktòb. Pèsonn pa janm\n"
            "reponn mwen pou di si li konplè.",
            "complaint",
        ),
        # "was not paid", broken after "not".
        (
            "Mi préstamo tiene un cargo raro. La contribución del segundo semestre no\n"
            "fue pagada por ustedes aunque la cobran en mi pago.",
            "notice_of_error",
        ),
    ],
)
def test_a_family_wrapped_onto_the_next_line_is_found(text: str, family: str) -> None:
    assert family in {h.family for h in run(text).families}


def test_the_view_maps_every_joined_character_back_to_the_folded_text() -> None:
    norm = normalize("Ça va\nêtre  \n  ok, très\nbien\nDe : X")
    view = unwrap(norm, None)
    assert view.text == "ca va etre ok, tres bien\nde : x"
    for i, ch in enumerate(view.text):
        folded = norm.text[view.folded_pos(i)]
        assert folded == ch or (ch == " " and re.fullmatch(r"\s", folded))


def test_a_denial_of_applying_wrapped_across_lines_is_still_the_impostors_act() -> None:
    # The error cue now matches "I did not\napply"; the identity-theft report reads it
    # as the writer denying the impostor's application, wrapped or not.
    text = (
        "My credit report shows a home equity line of $48,000 serviced by you, opened in\n"
        "January against my house. I did not\napply for this, I never signed anything. I have\n"
        "filed an identity theft report with the FTC and the police."
    )
    result = run(text)
    assert "fraud_identity_theft" in {h.family for h in result.families}
    assert "notice_of_error" not in result.request_kinds


def test_a_folded_span_maps_to_the_view_and_back() -> None:
    norm = normalize("I did not  \n  apply, nor\nsign.")
    view = unwrap(norm, None)
    assert view.text == "i did not apply, nor sign."
    start, end = norm.text.index("not"), norm.text.index("apply") + len("apply")
    vstart, vend = view.view_span(start, end)
    assert view.text[vstart:vend] == "not apply"
    assert view.folded_span(vstart, vend) == (start, end)
