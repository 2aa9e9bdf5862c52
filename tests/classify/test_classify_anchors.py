"""Literal anchors must never change what a regex finds (pipeline.classify.anchors)."""

from __future__ import annotations

import random
import re
from collections.abc import Callable

import pytest

from pipeline.classify import category
from pipeline.classify.accounts import DEFAULT_ACCOUNT_PATTERN, _compiled
from pipeline.classify.anchors import (
    IGNORECASE_ASCII_TWINS,
    Guide,
    anchor_of,
    ascii_probe,
    guide_for,
    guided_finditer,
)
from pipeline.classify.literals import LiteralSet
from pipeline.classify.rules import (
    _compiled_rule,
    _rule_guide,
    _unless_guides,
    load_default_rules,
)


def test_ignorecase_twins_are_every_non_ascii_match_of_an_ascii_character() -> None:
    every = "".join(map(chr, range(0x80, 0x110000)))
    found: set[str] = set()
    for code in range(128):
        found.update(re.findall(re.escape(chr(code)), every, re.IGNORECASE))
    assert found == set(IGNORECASE_ASCII_TWINS)


def test_anchor_is_a_required_literal() -> None:
    assert anchor_of(r"(?:notice[\s\-_]+of[\s\-_]+error)", ignore_case=True) == "notice"
    assert anchor_of(r"complain(?:t|ts|ed)?", ignore_case=True) == "complain"
    assert anchor_of(r"QWR", ignore_case=True) == "qwr"
    # Nothing is required in every match: no anchor, so the regex always runs.
    assert anchor_of(r"(?:a|b)\d+", ignore_case=True) is None
    assert guide_for([r"foo", r"\d+"], ignore_case=True).anchors is None


def test_probe_refuses_text_with_case_twins() -> None:
    assert ascii_probe("Notice") == "notice"
    assert ascii_probe("caf\u00e9") == "caf\u00e9"
    assert ascii_probe("\u0131nformation") is None


def _cases() -> list[tuple[re.Pattern[str], Guide, bool]]:
    cases: list[tuple[re.Pattern[str], Guide, bool]] = []
    for rule in load_default_rules().rules:
        trigger, unless = _compiled_rule(rule)
        cases.append((trigger, _rule_guide(rule), True))
        cases.extend((u, g, True) for u, g in zip(unless, _unless_guides(rule), strict=True))
    cases.append((*_compiled(DEFAULT_ACCOUNT_PATTERN), True))
    cases.extend((rx, g, False) for rx, g in category._GUIDES.items())
    return cases


_SEPARATORS = [" ", "\n", "-", "_", ", ", ".", "", "a", "'", "1"]


def _random_text(rnd: random.Random, words: list[str], recase: Callable[[str], str]) -> str:
    """Up to 25 words with separators; recased half the time."""
    text = "".join(rnd.choice(words) + rnd.choice(_SEPARATORS) for _ in range(rnd.randint(1, 25)))
    return recase(text) if rnd.random() < 0.5 else text


@pytest.mark.parametrize("seed", range(4))
def test_guided_matching_equals_finditer(seed: int) -> None:
    cases = _cases()
    vocab: set[str] = set()
    for regex, _, _ in cases:
        vocab.update(re.findall(r"[a-z0-9'.\u00a7\u00b0]+", regex.pattern.lower()))
    words = [
        *sorted(vocab),
        "12 cfr 1024.35",
        "12 c.f.r. \u00a7 1024.36",
        "n\u00b0 de cuenta",
        "Loan No. 1234-5678",
        "NOTICE",
        "\u0130",
        "\u0131",
        "\u017f",
        "\u212a",
        "\u00e9",
    ]
    rnd = random.Random(seed)
    for _ in range(400):
        text = _random_text(rnd, words, str.lower)
        for regex, guide, ignore_case in cases:
            probe = ascii_probe(text) if ignore_case else text
            want = [(m.span(), m.groups()) for m in regex.finditer(text)]
            got = [(m.span(), m.groups()) for m in guided_finditer(regex, text, probe, guide)]
            assert got == want, (regex.pattern[:60], text)


@pytest.mark.parametrize("seed", range(2))
def test_guided_matching_with_one_literal_scan_equals_finditer(seed: int) -> None:
    cases = _cases()
    literals = LiteralSet(lit for _, guide, _ in cases for lit in guide.literals())
    words = [*sorted(literals.literals), "12 cfr 1024.35", "n\u00b0 de cuenta", "\u0130", "\u00e9"]
    rnd = random.Random(seed)
    for _ in range(300):
        text = _random_text(rnd, words, str.upper)
        for regex, guide, ignore_case in cases:
            probe = ascii_probe(text) if ignore_case else text
            if probe is None:
                continue
            found = literals.occurrences(probe)
            want = [(m.span(), m.groups()) for m in regex.finditer(text)]
            guided = guided_finditer(regex, text, probe, guide, found)
            got = [(m.span(), m.groups()) for m in guided]
            assert got == want, (regex.pattern[:60], text)


def test_guided_matching_with_the_scan_of_a_longer_text_equals_finditer() -> None:
    # An unquoted body is matched with the scan of the whole body it starts (the words
    # are lower case, so each text is its own probe).
    cases = _cases()
    literals = LiteralSet(lit for _, guide, _ in cases for lit in guide.literals())
    words = sorted(literals.literals)
    rnd = random.Random(7)
    for _ in range(200):
        text = " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 15)))
        longer = text + " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 15)))
        found = literals.occurrences(longer)
        for regex, guide, _ in cases:
            want = [(m.span(), m.groups()) for m in regex.finditer(text)]
            got = [(m.span(), m.groups()) for m in guided_finditer(regex, text, text, guide, found)]
            assert got == want, (regex.pattern[:60], text)
