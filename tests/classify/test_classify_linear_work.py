"""Classification and the sensitive-number scan do work linear in the message size.

Work is counted deterministically: the number of Python lines executed inside
``pipeline/classify`` (a ``sys.settrace`` line counter), never wall-clock time. Doubling
the input must not much more than double the count; quadratic overlap checks (a list
of spans scanned once per match) quadruple it. A budget stops the count early, so a
quadratic implementation fails quickly instead of running for minutes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

import pipeline.classify
from pipeline.classify.classifier import classify
from pipeline.classify.rules import MessageFields, load_default_rules
from pipeline.classify.sensitive import find_sensitive

CLASSIFY_DIR = str(Path(pipeline.classify.__file__).resolve().parent)
RULES = load_default_rules()


class _Budget(Exception):
    pass


def count_lines(fn: Callable[[], Any], budget: int) -> int:
    """Lines executed in pipeline/classify while ``fn`` runs (raises past ``budget``)."""
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
            if count > budget:
                raise _Budget
        return local

    def global_(frame: FrameType, event: str, arg: Any) -> Any:
        return local if frame.f_code.co_filename.startswith(CLASSIFY_DIR) else None

    sys.settrace(global_)
    try:
        fn()
    except _Budget:
        return budget + 1
    finally:
        sys.settrace(None)
    return count


def quoted_body(size: int) -> str:
    # Every line is quoted history and holds words several rules fire on, so every
    # match is tested against the quoted spans.
    line = "> Re: my complaint about the lawyer and the foreclosure, see attorney letter\n"
    return "Thanks, see below.\n\n" + line * (size // len(line))


def digit_groups(size: int) -> str:
    # SSN-shaped groups and card-shaped runs: many overlapping candidates of several kinds.
    chunk = "123 45 6789 4111 1111 1111 1111 "
    return chunk * (size // len(chunk))


def test_classify_work_on_a_4mb_quoted_body_grows_linearly() -> None:
    small = quoted_body(2_000_000)
    large = quoted_body(4_000_000)
    base = count_lines(
        lambda: classify(MessageFields(subject="Re: account", text=small), RULES), budget=50_000_000
    )
    doubled = count_lines(
        lambda: classify(MessageFields(subject="Re: account", text=large), RULES),
        budget=3 * base,
    )
    assert base > 0
    assert doubled <= 2.5 * base, f"work went from {base} to {doubled} lines for twice the input"


def test_sensitive_scan_work_on_3mb_of_digit_groups_grows_linearly() -> None:
    small = digit_groups(1_500_000)
    large = digit_groups(3_000_000)
    base = count_lines(lambda: find_sensitive(small), budget=50_000_000)
    doubled = count_lines(lambda: find_sensitive(large), budget=3 * base)
    assert base > 0
    assert doubled <= 2.5 * base, f"work went from {base} to {doubled} lines for twice the input"


def test_sensitive_scan_keeps_the_most_sensitive_reading_of_overlapping_numbers() -> None:
    # The linear sweep must keep the old precedence: an SSN-shaped group inside a card
    # number run is reported once, as the more sensitive kind, and text order is kept.
    text = "ssn 123-45-6789 and card 4111 1111 1111 1111 and ssn 234-56-7890"
    kinds = [f.kind for f in find_sensitive(text)]
    assert kinds == ["ssn", "card_number", "ssn"]


@pytest.mark.parametrize(
    ("spans", "probe", "expected"),
    [
        ([(0, 5), (10, 20)], (5, 10), False),
        ([(0, 5), (10, 20)], (4, 6), True),
        ([(10, 20), (0, 5)], (19, 30), True),
        ([(0, 5), (3, 12)], (11, 13), True),
        ([], (0, 100), False),
    ],
)
def test_span_set_overlap_matches_the_pairwise_definition(
    spans: list[tuple[int, int]], probe: tuple[int, int], expected: bool
) -> None:
    from pipeline.classify.intervals import SpanSet

    pairwise = any(probe[0] < e and s < probe[1] for s, e in spans)
    assert pairwise == expected
    assert SpanSet(spans).overlaps(*probe) == expected
