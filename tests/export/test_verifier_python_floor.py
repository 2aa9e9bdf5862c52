"""The shipped verify.py on a Python older than it supports names the Python it needs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

import pipeline.export.bundle_verifier as bundle_verifier

OLD_PYTHON_CANDIDATES = (
    Path("/root/.pyenv/versions/3.8.18/bin/python"),
    Path("/usr/bin/python3.8"),
    Path("/usr/local/bin/python3.8"),
)


def _old_python() -> Path:
    found = shutil.which("python3.8")
    for candidate in (*OLD_PYTHON_CANDIDATES, *([Path(found)] if found else [])):
        if candidate.is_file():
            return candidate
    pytest.skip("no Python 3.8 interpreter on this machine")


def test_verify_py_on_python_38_says_which_python_and_exits_2(tmp_path: Path) -> None:
    verifier = tmp_path / "verify.py"
    verifier.write_bytes(Path(bundle_verifier.__file__).read_bytes())

    result = subprocess.run(
        [str(_old_python()), str(verifier), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "needs Python 3.9 or newer" in lines[0]
    assert "this is Python 3.8" in lines[0]
