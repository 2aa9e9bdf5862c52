"""Assembly can do at start what the first message would otherwise wait for."""

from __future__ import annotations

import pickle

from pipeline.attachments.policy import AttachmentPolicy
from pipeline.classify import language, rules
from pipeline.classify.classifier import ClassifyPolicy
from pipeline.classify.rules import load_default_rules
from pipeline.record.assemble import RecordSettings, warm_up


def test_warm_up_compiles_every_rule_and_loads_the_language_models() -> None:
    shipped = RecordSettings(AttachmentPolicy(), load_default_rules(), ClassifyPolicy())
    # As a fresh worker process gets them: unpickled rules compile afresh, and language
    # models load at the first text that needs them.
    settings = pickle.loads(pickle.dumps(shipped))  # noqa: S301 - our own bytes
    rules._compiled_rule.cache_clear()
    language._DETECTORS.clear()

    warm_up(settings)

    assert rules._compiled_rule.cache_info().currsize == len(settings.rules.rules)
    assert "full" in language._DETECTORS
