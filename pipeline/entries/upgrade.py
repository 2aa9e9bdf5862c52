"""The one place that maps bodies of older schema versions to the current models.

A body without a ``schema`` key is version 1 (everything written before the
catalogue existed). Each step takes a body of version ``n`` to ``n + 1``; a step
only fills in or renames what older writers wrote differently, so that the
models in :mod:`pipeline.entries.models` need not carry old shapes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipeline.entries import names

Step = Callable[[dict[str, Any]], dict[str, Any]]


def _record_v1_to_v2(body: dict[str, Any]) -> dict[str, Any]:
    """Version 1 records may lack what later writers always write.

    Deadlines written before clocks knew about extensions carry no ``start`` and no
    ``extendable``: no start is known, and such a clock is not extendable (the
    conservative reading: an extension it never had cannot move a due date later).
    Attachments written before nested parts were tracked carry no ``part`` and no
    ``nested_in``. Rule matches of the first handlers' format give ``span`` as
    ``[start, end]``.
    """
    out = dict(body)
    deadlines = out.get("deadlines")
    if isinstance(deadlines, list):
        out["deadlines"] = [
            {"start": None, "extendable": False, **d} if isinstance(d, dict) else d
            for d in deadlines
        ]
    attachments = out.get("attachments")
    if isinstance(attachments, list):
        out["attachments"] = [
            {"part": None, "nested_in": [], **a} if isinstance(a, dict) else a for a in attachments
        ]
    classification = out.get("classification")
    if isinstance(classification, dict) and isinstance(classification.get("matches"), list):
        matches = []
        for match in classification["matches"]:
            if isinstance(match, dict) and "span" in match:
                match = dict(match)
                span = match.pop("span")
                if isinstance(span, list) and len(span) == 2:
                    match.setdefault("start", span[0])
                    match.setdefault("end", span[1])
            matches.append(match)
        out["classification"] = {**classification, "matches": matches}
    return out


STEPS: dict[tuple[str, int], Step] = {
    (names.MESSAGE_RECEIVED, 1): _record_v1_to_v2,
    (names.RESPONSE_SENT, 1): _record_v1_to_v2,
}
"""(entry type, version) -> the step that makes that body one version newer."""


def upgrade(type_: str, version: int, current: int, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` (of ``version``) as a body of version ``current``."""
    while version < current:
        step = STEPS.get((type_, version))
        if step is not None:
            body = step(body)
        version += 1
    return body
