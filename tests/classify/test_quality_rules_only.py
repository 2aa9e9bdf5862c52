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


@pytest.mark.usefixtures("restore_logging")
def test_rules_only_figures_cannot_be_recorded_as_the_baseline(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = quality.main(["--part", "dev", "--rules-only", "--record-baseline", "--no-write"])
    assert code == 2
    assert "--rules-only" in capsys.readouterr().err
