"""``python -m bench.quality --rules-only`` scores the rules alone.

The recogniser was trained on the development part, so the figures with it flatter the
rules there; the rules-only figures must really leave it out, and must never be taken
for (or recorded as) the shipped ones.
"""

from __future__ import annotations

import pytest

from bench import quality


def test_rules_only_settings_leave_the_recogniser_out() -> None:
    assert quality._settings(rules_only=True).recogniser is None


def test_shipped_settings_keep_the_recogniser() -> None:
    assert quality._settings().recogniser is not None


def test_shipped_settings_leave_the_model_doubt_off() -> None:
    assert quality._settings().classify_policy.model_doubt is False


def test_model_doubt_settings_turn_the_policy_on() -> None:
    assert quality._settings(model_doubt=True).classify_policy.model_doubt is True


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.parametrize("flag", ["--rules-only", "--model-doubt"])
def test_figures_other_than_the_shipped_policy_cannot_be_recorded_as_the_baseline(
    flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = quality.main(["--part", "dev", flag, "--record-baseline", "--no-write"])
    assert code == 2
    assert flag in capsys.readouterr().err
