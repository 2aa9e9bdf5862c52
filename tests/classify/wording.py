"""Shared by the wording tests: classify a short message with the default rule packs."""

from __future__ import annotations

from pipeline.classify.classifier import Classification, classify
from pipeline.classify.rules import MessageFields, load_default_rules

RULES = load_default_rules()


def run(text: str, subject: str = "") -> Classification:
    """The classification of a message with this body and subject."""
    return classify(MessageFields(subject=subject, text=text), RULES)


def families(text: str) -> set[str]:
    """The escalation families found in a message with this body."""
    return {h.family for h in run(text).families}
