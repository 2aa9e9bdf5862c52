"""The start-up refusal of Pythons without the CVE-2024-6923 email header fix."""

from __future__ import annotations

import email.policy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from pipeline.python_check import python_problem

ROOT = Path(__file__).resolve().parents[2]

# Runs an entry point on this interpreter with the fix's feature removed, as on 3.11.7.
_WITHOUT_FIX = """
import sys, email._policybase as p
del p.Policy.verify_generated_headers
sys.argv = ["mailledger", "--help"]
{call}
"""


def _run_without_fix(call: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _WITHOUT_FIX.format(call=call)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_this_python_has_the_fix():
    assert python_problem(email.policy.default) is None


def test_a_policy_without_the_feature_is_named_with_what_to_use():
    problem = python_problem(SimpleNamespace())
    assert problem is not None and "\n" not in problem
    assert "CVE-2024-6923" in problem and "3.11.10+" in problem and sys.executable in problem


def test_cli_on_a_python_without_the_fix_exits_2_with_one_line():
    done = _run_without_fix("from pipeline.cli import main; main()")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "CVE-2024-6923" in done.stderr


def test_lambda_entry_on_a_python_without_the_fix_exits_2():
    done = _run_without_fix(
        "from handlers.lambda_entry import acknowledge; acknowledge({'Records': []}, None)"
    )
    assert done.returncode == 2
    assert "CVE-2024-6923" in done.stderr and "Traceback" not in done.stderr


def test_find_python_prints_an_interpreter_that_has_the_fix():
    done = subprocess.run(
        ["sh", str(ROOT / "scripts" / "find-python.sh")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    chosen = done.stdout.strip()
    check = subprocess.run(
        [chosen, "-c", "import email.policy; print(email.policy.default.verify_generated_headers)"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert check.stdout.strip() == "True"
