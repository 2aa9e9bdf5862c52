"""The README's main-job command: `mailledger demo` runs every step and ends verified."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from pipeline.demo.dovecot import dovecot_available


def test_demo_runs_every_step_and_ends_with_a_verified_ledger_and_export() -> None:
    if not dovecot_available():
        pytest.skip("dovecot is not installed (scripts/install-system-deps.sh)")
    base = Path(tempfile.mkdtemp(prefix="mailledger-demo-test-"))
    base.chmod(0o755)  # Dovecot's unprivileged processes must reach the demo's mail
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pipeline", "demo", "--dir", str(base / "demo")],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
        out = done.stdout
        assert "servicing: ok: fetched 16, sealed 16, recorded 16" in out
        assert "servicing: ok: fetched 0, sealed 0, recorded 0" in out  # the second poll
        assert "VERIFIED: 16 records" in out
        # The notice of error in the borrower's own words is still found, with evidence.
        own_words = out.split("no 'notice of error' in it")[1].split("\n## ")[0]
        assert "request kind notice_of_error:" in own_words
        # The negated complaint is shown suppressed, with its reason and cue.
        false_alarm = out.split("the only escalation word is negated")[1].split("\n## ")[0]
        assert "SUPPRESSED rule complaint:" in false_alarm and "(cue 'not')" in false_alarm
        assert "escalation complaint" not in false_alarm
        spanish = out.split("The Spanish sender's acknowledgment")[1]
        assert "Subject: Recibimos su mensaje [Ref ML-" in spanish
        assert "| Estimado(a) cliente:" in spanish
        assert out.count("OK: ") == 2  # verify, and verify against the saved checkpoint
        assert (base / "demo" / "sla-report.html").stat().st_size > 0
        assert "sign in as 'demo'" in out and "The app answered" in out
    finally:
        shutil.rmtree(base, ignore_errors=True)
