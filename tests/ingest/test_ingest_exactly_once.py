"""Exactly-once recording across reruns, UIDVALIDITY changes and after-record actions."""

from __future__ import annotations

from typing import Any

from tests.conftest import ImapAccount
from tests.ingest._mail import filler_message
from tests.ingest.conftest import mailbox_entry


def _folder(report: dict[str, Any], mailbox: str = "inbox") -> dict[str, Any]:
    (box,) = [m for m in report["mailboxes"] if m["mailbox"] == mailbox]
    (folder,) = box["folders"]
    return dict(folder)


def test_second_poll_fetches_nothing_and_appends_nothing(imap_user: ImapAccount, deploy: Any) -> None:
    uids = imap_user.server.append_many(
        imap_user.user, "INBOX", [filler_message(i) for i in range(12)]
    )
    app = deploy([mailbox_entry(imap_user)])
    first = _folder(app.poll_json())
    assert (first["fetched"], first["recorded"], first["already_recorded"]) == (12, 12, 0)
    size_after_first = len(app.entries())

    second = _folder(app.poll_json())

    assert (second["fetched"], second["recorded"], second["already_recorded"]) == (0, 0, 0)
    assert (second["server_count"], second["recorded_count"], second["gaps"]) == (12, 12, [])
    assert len(app.entries()) == size_after_first
    assert sorted(app.records_by_uid()) == uids
