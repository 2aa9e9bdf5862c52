"""Every edge-case message CPython's own email tests use parses, and agrees with the stdlib."""

from __future__ import annotations

import email
import re
import sysconfig
from email import policy
from email.utils import getaddresses
from pathlib import Path

import pytest

from pipeline.parse import parse_message

DATA = Path(sysconfig.get_paths()["stdlib"]) / "test" / "test_email" / "data"
MESSAGES = sorted(DATA.glob("msg_*.txt")) if DATA.is_dir() else []


def _squash(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


pytestmark = pytest.mark.skipif(
    not MESSAGES, reason="this Python installation ships without test/test_email/data"
)


@pytest.mark.parametrize("path", MESSAGES, ids=[p.name for p in MESSAGES])
def test_cpython_message_parses_and_headers_match_stdlib(path):
    raw = path.read_bytes()
    parsed = parse_message(raw)
    modern = email.message_from_bytes(raw, policy=policy.default)
    legacy = email.message_from_bytes(raw, policy=policy.compat32)

    assert parsed.parse_error is None
    if legacy["Message-ID"]:
        assert parsed.message_id == _squash(str(legacy["Message-ID"]))
    if modern["Subject"] is not None:
        assert _squash(parsed.subject or "") == _squash(str(modern["Subject"]))
    if legacy["Date"] is not None:
        assert parsed.date_raw == _squash(str(legacy["Date"]))
        stdlib_date = modern["Date"].datetime
        if stdlib_date is not None:
            assert parsed.date == stdlib_date
    for name, ours in (("From", parsed.from_), ("To", parsed.to), ("Cc", parsed.cc)):
        values = legacy.get_all(name)
        if values and all(isinstance(v, str) for v in values) and len(values) == 1:
            theirs = [a for _, a in getaddresses(values) if a and a != "<>"]
            assert [a for _, a in ours] == theirs
