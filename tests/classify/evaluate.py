"""Precision/recall of the default rule pack and category accuracy on the labelled set.

Run:  python -m tests.classify.evaluate   (or by path). Prints a table per rule,
category and request-kind accuracy, and lists the misclassified messages with
``--errors``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.classify.classifier import classify
from pipeline.classify.rules import MessageFields, RuleSet, load_default_rules

DATA = Path(__file__).resolve().parent.parent / "data" / "labelled" / "emails.jsonl"


@dataclass
class RuleScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Report:
    total: int = 0
    per_rule: dict[str, RuleScore] = field(default_factory=dict)
    category_correct: int = 0
    kind_correct: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def category_accuracy(self) -> float:
        return self.category_correct / self.total if self.total else 0.0

    @property
    def request_kind_accuracy(self) -> float:
        return self.kind_correct / self.total if self.total else 0.0


def load_rows(path: Path = DATA) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# Rules renamed or split since this set was labelled: a scheduled sale is now its own
# rule (foreclosure_sale), which this set's labels call "foreclosure"; "stop calling me"
# (stop_contact) was part of cease_and_desist.
ALIASES = {"foreclosure_sale": "foreclosure", "stop_contact": "cease_and_desist"}


def _kind_matches(got: str, want: str) -> bool:
    """This set was labelled when only the literal phrases "request for information" and
    "notice of error" (or a few error words) made those kinds; a question about a late
    fee or a request for a payment history was labelled ``general``. Regulation X
    counts both (1024.35(a), 1024.36(a)), and the quality corpus labels them so; here
    such a message is right as ``general`` or as the kind its wording now shows. A
    labelled kind must still be found exactly."""
    if want == "general":
        return got in ("general", "request_for_information", "notice_of_error")
    return got == want


def evaluate(rules: RuleSet | None = None, path: Path = DATA) -> Report:
    rules = rules or load_default_rules()
    rows = load_rows(path)
    # This set labels the first (English/Spanish) rule pack's rules; language packs
    # are measured on the quality corpus (python -m bench.quality).
    labelled = {name for row in rows for name in row["expected_rules"]}  # type: ignore[attr-defined]
    report = Report(per_rule={r.name: RuleScore() for r in rules.rules if r.name in labelled})
    for row in rows:
        fields = MessageFields(
            subject=str(row["subject"]),
            text=str(row["text"]),
            attachment_names=tuple(row.get("attachment_names", []) or []),  # type: ignore[arg-type]
        )
        c = classify(fields, rules)
        got = {ALIASES.get(name, name) for name in c.rules} & labelled
        want = set(row["expected_rules"])  # type: ignore[arg-type]
        report.total += 1
        for name, score in report.per_rule.items():
            if name in got and name in want:
                score.tp += 1
            elif name in got:
                score.fp += 1
            elif name in want:
                score.fn += 1
        if c.category == row["expected_category"]:
            report.category_correct += 1
        kind_ok = _kind_matches(c.request_kind, str(row["expected_request_kind"]))
        if kind_ok:
            report.kind_correct += 1
        if got != want or c.category != row["expected_category"] or not kind_ok:
            report.errors.append(
                f"{row['id']}: rules +{sorted(got - want)} -{sorted(want - got)}; "
                f"category {c.category}/{c.subcategory} (want {row['expected_category']}); "
                f"kind {c.request_kind} (want {row['expected_request_kind']})"
            )
    return report


# Floors enforced by test_labelled_quality. Precision is 0.85 rather than 0.9
# because each hard-negative template renders 2-3 messages: for a rule with ~15
# positives one realistic negative moves precision by ~0.1. Recall stays at 0.9
# because a missed escalation (lawsuit, bankruptcy, foreclosure) costs more.
MIN_PRECISION = 0.85
MIN_RECALL = 0.9
MIN_CATEGORY_ACCURACY = 0.9
MIN_REQUEST_KIND_ACCURACY = 0.9


def floor_violations(report: Report) -> list[str]:
    """Every quality floor the report falls below (empty when all hold)."""
    out = [
        f"{name}: precision {s.precision:.3f} < {MIN_PRECISION}"
        for name, s in report.per_rule.items()
        if s.precision < MIN_PRECISION
    ]
    out += [
        f"{name}: recall {s.recall:.3f} < {MIN_RECALL}"
        for name, s in report.per_rule.items()
        if s.recall < MIN_RECALL
    ]
    out += [
        f"{name}: no positive examples in the labelled set"
        for name, s in report.per_rule.items()
        if s.tp + s.fn == 0
    ]
    if report.category_accuracy < MIN_CATEGORY_ACCURACY:
        out.append(f"category accuracy {report.category_accuracy:.3f} < {MIN_CATEGORY_ACCURACY}")
    if report.request_kind_accuracy < MIN_REQUEST_KIND_ACCURACY:
        out.append(
            f"request kind accuracy {report.request_kind_accuracy:.3f}"
            f" < {MIN_REQUEST_KIND_ACCURACY}"
        )
    return out


def without_negation(rules: RuleSet) -> RuleSet:
    """The same rules with negation handling switched off (to measure what it buys)."""
    return rules.model_copy(
        update={"rules": tuple(r.model_copy(update={"negatable": False}) for r in rules.rules)}
    )


def format_report(report: Report) -> str:
    lines = [
        f"{report.total} labelled messages",
        "",
        f"{'rule':<28}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}",
    ]
    for name, s in report.per_rule.items():
        lines.append(f"{name:<28}{s.tp:>5}{s.fp:>5}{s.fn:>5}{s.precision:>11.3f}{s.recall:>8.3f}")
    lines += [
        "",
        f"category accuracy:     {report.category_accuracy:.3f}",
        f"request kind accuracy: {report.request_kind_accuracy:.3f}",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    report = evaluate()
    print(format_report(report))
    plain = evaluate(without_negation(load_default_rules()))
    print("\nwithout negation handling:")
    for name, s in plain.per_rule.items():
        base = report.per_rule[name]
        if (s.tp, s.fp, s.fn) != (base.tp, base.fp, base.fn):
            print(f"  {name:<26} precision {s.precision:.3f} recall {s.recall:.3f}")
    violations = floor_violations(report)
    print("\nfloors: " + ("all met" if not violations else "; ".join(violations)))
    if "--errors" in argv:
        print("\nmisclassified:")
        for e in report.errors:
            print("  " + e)
    return 0


if __name__ == "__main__":
    if __package__ in (None, ""):
        sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(main(sys.argv[1:]))
