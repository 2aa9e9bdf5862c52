"""The example alert rules are valid, behave as their unit tests say (promtool), and
only use metrics that mailledger exports."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import generate_latest

from pipeline.worker.metrics import IngestMetrics

RULES_DIR = Path(__file__).resolve().parents[2] / "infra" / "prometheus"
RULES = RULES_DIR / "mailledger-alerts.yml"
RULE_TESTS = RULES_DIR / "mailledger-alerts.test.yml"


def _promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("promtool is missing (scripts/install-system-deps.sh installs it)")
        pytest.skip("promtool is not installed (Debian package prometheus)")
    return found


def test_promtool_accepts_the_alert_rules() -> None:
    done = subprocess.run(
        [_promtool(), "check", "rules", str(RULES)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 5 rules found" in done.stdout


def test_promtool_rule_unit_tests_pass() -> None:
    done = subprocess.run(
        [_promtool(), "test", "rules", RULE_TESTS.name],
        capture_output=True,
        text=True,
        cwd=RULES_DIR,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_metric_an_alert_uses_is_exported() -> None:
    metrics = IngestMetrics(["servicing"])
    metrics.gaps.labels(mailbox="servicing", folder="INBOX").set(0)
    metrics.last_success.labels(mailbox="servicing").set(0)
    metrics.events_pending.labels(sink="jsonl").set(0)
    exported = set(
        re.findall(r"^(mailledger_\w+)", generate_latest(metrics.registry).decode(), re.M)
    )
    rules = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    used = {
        name
        for group in rules["groups"]
        for rule in group["rules"]
        for name in re.findall(r"mailledger_\w+", rule["expr"])
    }
    assert used and used <= exported, used - exported
