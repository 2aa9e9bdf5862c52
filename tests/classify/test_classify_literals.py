"""One scan for many literals (pipeline.classify.literals)."""

from __future__ import annotations

from pipeline.classify.literals import MIN_INDEXED, LiteralSet


def test_occurrences_are_every_overlapping_start_in_order() -> None:
    found = LiteralSet(["ana", "nan", "bananas"]).occurrences("banana ana")
    assert found.starts == {"ana": [1, 3, 7], "nan": [2]}


def test_literals_shorter_than_the_minimum_are_not_indexed() -> None:
    literals = LiteralSet(["no", "x" * MIN_INDEXED])
    assert literals.literals == frozenset({"x" * MIN_INDEXED})


def test_contains_answers_indexed_literals_from_the_scan() -> None:
    text = "notice of error"
    found = LiteralSet(["error", "escrow"]).occurrences(text)
    assert found.contains("error", text)
    assert not found.contains("escrow", text)


def test_contains_searches_the_text_for_literals_not_indexed() -> None:
    text = "no error"
    found = LiteralSet(["error"]).occurrences(text)
    assert found.contains("no", text)
    assert not found.contains("ok", text)


def test_an_empty_literal_set_finds_nothing() -> None:
    found = LiteralSet(["a", ""]).occurrences("a banana")
    assert found.starts == {}
    assert found.searched == frozenset()


def test_non_ascii_literals_are_found_at_character_offsets() -> None:
    found = LiteralSet(["n\u00b0 de"]).occurrences("\u00e9\u00e9 n\u00b0 de cuenta")
    assert found.starts == {"n\u00b0 de": [3]}
