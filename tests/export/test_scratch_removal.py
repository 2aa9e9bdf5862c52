"""An export's scratch directory holds copies of records: what cannot be removed is
reported, by path only, for an operator to delete."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import structlog
from structlog.testing import capture_logs

from pipeline.export import bundle
from pipeline.export.bundle import remove_scratch


def test_scratch_that_cannot_be_removed_is_reported_by_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / ".export.zip.x.scratch"
    scratch.mkdir()
    (scratch / "rows").write_bytes(b"Pat Borrower, 4111 1111 1111 1111")

    def refuse(path: str | os.PathLike[str], *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(os, "unlink", refuse)
    with capture_logs() as logs:
        # a logger bound now, so the capture sees it whatever configured logging before
        monkeypatch.setattr(bundle, "log", structlog.get_logger(bundle.__name__))
        remove_scratch(scratch)
    (event,) = [e for e in logs if e["event"] == "export.scratch_not_removed"]
    assert event["scratch"] == str(scratch)
    assert "4111" not in repr(event)


def test_removed_scratch_logs_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = tmp_path / "s.scratch"
    scratch.mkdir()
    (scratch / "rows").write_bytes(b"x")
    with capture_logs() as logs:
        monkeypatch.setattr(bundle, "log", structlog.get_logger(bundle.__name__))
        remove_scratch(scratch)
    assert not scratch.exists()
    assert logs == []
