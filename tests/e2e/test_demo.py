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
        assert "servicing: ok: fetched 14, sealed 14, recorded 14" in out
        assert "servicing: ok: fetched 0, sealed 0, recorded 0" in out  # the second poll
        assert "VERIFIED: 14 records" in out
        assert out.count("OK: ") == 2  # verify, and verify against the saved checkpoint
        assert (base / "demo" / "sla-report.html").stat().st_size > 0
        assert "sign in as 'demo'" in out and "The app answered" in out
    finally:
        shutil.rmtree(base, ignore_errors=True)
