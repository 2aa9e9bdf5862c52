"""Personal numbers quoted by third-party libraries never reach stderr in plain text.

mail-parser logs ``Failed decoding header part: <raw Subject>`` through the standard
``logging`` module; the poll and import below feed it a subject that fails to decode
and carries a full account number and SSN.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import ImapAccount
from tests.ingest.conftest import mailbox_entry, make_deployment

ACCOUNT = "123456789012"
SSN = "123-45-6789"
# A base64 encoded-word with broken padding: the standard library's decoder raises,
# and mail-parser logs the whole raw header.
SUBJECT = f"=?utf-8?b?QWNjd?= loan {ACCOUNT} ssn {SSN}"


def _message() -> bytes:
    return (
        "From: Pat Borrower <pat@borrower.example>\r\n"
        "To: service@servicer.example\r\n"
        f"Subject: {SUBJECT}\r\n"
        "Message-ID: <malformed-subject@borrower.example>\r\n"
        "Date: Thu, 03 Dec 2026 09:00:00 +0000\r\n"
        "\r\n"
        "Please look at my escrow.\r\n"
    ).encode()


def _assert_no_personal_numbers(stderr: str) -> None:
    assert ACCOUNT not in stderr
    assert SSN not in stderr
    assert "123 45 6789" not in stderr


def _json_lines(stderr: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stderr.splitlines() if line.strip()]


def test_poll_in_worker_processes_logs_no_account_number_or_ssn_from_a_bad_subject(
    tmp_path: Path, imap_user: ImapAccount
) -> None:
    imap_user.server.append(imap_user.user, "INBOX", _message())
    app = make_deployment(tmp_path / "app", [mailbox_entry(imap_user)], parse_workers=2)

    done = app.run("poll")

    assert done.returncode == 0, done.stderr[-2000:]
    _assert_no_personal_numbers(done.stderr)
    events = [line["event"] for line in _json_lines(done.stderr)]
    assert "Failed decoding header part" in events  # the library did speak, through us
    assert len(app.records()) == 1


def test_import_logs_no_account_number_or_ssn_from_a_bad_subject(tmp_path: Path) -> None:
    app = make_deployment(tmp_path / "app", [])
    eml = tmp_path / "bad-subject.eml"
    eml.write_bytes(_message())

    done = app.run("import", str(eml))

    assert done.returncode == 0, done.stderr[-2000:]
    _assert_no_personal_numbers(done.stderr)
    assert all(line["level"] for line in _json_lines(done.stderr))  # every line is JSON
