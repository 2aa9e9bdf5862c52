"""The quality figures on the labelled corpus do not fall below the recorded ones.

``bench/quality_baseline.json`` records the headline figures of ``python -m
bench.quality`` per corpus part. A part is evaluated when at least one of its figures
is recorded; each recorded figure must be met within 2 points. Figures left null are
not checked yet (the held-out part's are recorded by whoever runs it, never by the
person tuning rules on the development part).
"""

from __future__ import annotations

import pytest

from bench import quality

BASELINE = quality.load_baseline()


@pytest.mark.slow
@pytest.mark.parametrize("part", quality.parts_to_check(BASELINE))
def test_headline_figures_hold_against_the_recorded_baseline(part: str) -> None:
    measured = quality.evaluate_part(part, timed=False)["headline"]
    assert quality.regressions(part, BASELINE[part], measured) == []


def test_development_figures_are_recorded() -> None:
    # Without recorded figures the test above would check nothing.
    assert "dev" in quality.parts_to_check(BASELINE)
    assert all(BASELINE["dev"][k] is not None for k in quality.HEADLINE)


def test_a_figure_more_than_two_points_below_the_baseline_is_a_regression() -> None:
    recorded = dict.fromkeys(quality.HEADLINE, 0.90)
    measured = dict.fromkeys(quality.HEADLINE, 0.90)
    measured["escalation_recall"] = 0.879
    assert quality.regressions("heldout", recorded, measured) == [
        "heldout: escalation_recall 0.8790 is below the baseline 0.9000"
    ]


def test_a_figure_within_two_points_is_not_a_regression() -> None:
    recorded = dict.fromkeys(quality.HEADLINE, 0.90)
    measured = dict.fromkeys(quality.HEADLINE, 0.881)
    assert quality.regressions("heldout", recorded, measured) == []


def test_a_recorded_figure_that_cannot_be_measured_is_a_regression() -> None:
    recorded = dict.fromkeys(quality.HEADLINE, 0.90)
    measured = dict.fromkeys(quality.HEADLINE, 0.95)
    measured["ack_language_right"] = None
    assert quality.regressions("heldout", recorded, measured) == [
        "heldout: ack_language_right could not be measured (baseline 0.9000)"
    ]


def test_a_baseline_missing_a_headline_figure_is_a_regression() -> None:
    recorded: dict[str, float | None] = dict.fromkeys(quality.HEADLINE[1:], 0.5)
    measured = dict.fromkeys(quality.HEADLINE, 0.95)
    assert quality.regressions("heldout", recorded, measured) == [
        f"heldout: baseline has no entry for {quality.HEADLINE[0]}"
    ]


def test_a_part_with_a_recorded_figure_is_evaluated_and_one_without_is_not() -> None:
    baseline = {
        "dev": dict.fromkeys(quality.HEADLINE, None),
        "heldout": {**dict.fromkeys(quality.HEADLINE, None), "escalation_recall": 0.9},
    }
    assert quality.parts_to_check(baseline) == ["heldout"]


def test_a_part_with_recorded_figures_but_no_corpus_fails(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(quality, "DATA", tmp_path)
    with pytest.raises(quality.CorpusError):
        quality.evaluate_part("heldout")


def _part(tp: int, fp: int, fn: int, acked: int) -> dict[str, object]:
    counts = {"tp": tp, "fp": fp, "fn": fn}
    return {
        "messages": tp + fp + fn,
        "escalation": counts,
        "families_micro": counts,
        "kinds": dict.fromkeys(quality.KINDS, counts),
        "languages": {"vi": {"escalation": counts}},
        "machine": {
            "messages": 10,
            "acknowledged": acked,
            "human_taken_for_machine": 0,
            "human_messages": 5,
        },
        "ack_language": {"right": 4, "total": 5},
        "category_preferred": {"right": 3, "total": 5},
    }


def test_pooled_figures_sum_the_unseen_held_out_parts_only() -> None:
    read = sorted(quality.READ_PARTS)[0]
    results = {
        "dev": _part(100, 0, 0, 0),
        "heldout": _part(8, 2, 1, 1),
        "heldout2": _part(10, 0, 3, 0),
        read: _part(0, 50, 50, 9),
    }
    pooled = quality.pooled(results)
    assert pooled["parts"] == ["heldout", "heldout2"]
    assert pooled["left_out_as_read"] == [read]
    assert pooled["escalation"]["precision"] == round(18 / 20, 4)
    assert pooled["escalation"]["recall"] == round(18 / 22, 4)
    assert pooled["machine"]["acknowledged"] == 1
    assert (pooled["languages"]["vi"]["tp"], pooled["languages"]["vi"]["fn"]) == (18, 4)
    assert pooled["ack_language"] == {"right": 8, "total": 10, "value": 0.8}


def test_pooled_figures_scored_other_than_as_shipped_say_so() -> None:
    results = {"heldout": {**_part(8, 2, 1, 1), "model_doubt": True}}
    assert "MODEL DOUBT ON" in quality.render_pooled(quality.pooled(results)).splitlines()[0]
