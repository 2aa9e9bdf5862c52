"""Exactly-once recording across reruns, UIDVALIDITY changes and after-record actions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from pipeline.config import MailboxConfig
from pipeline.fetch.imap import ImapClientSession
from pipeline.runtime import open_runtime
from pipeline.worker.build import open_poller
from tests.conftest import ImapAccount
from tests.ingest._mail import filler_message
from tests.ingest.conftest import mailbox_entry


def _folder(report: dict[str, Any], mailbox: str = "inbox") -> dict[str, Any]:
    (box,) = [m for m in report["mailboxes"] if m["mailbox"] == mailbox]
    (folder,) = box["folders"]
    return dict(folder)


def test_second_poll_fetches_nothing_and_appends_nothing(
    imap_user: ImapAccount, deploy: Any
) -> None:
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


def _recreate_folder(account: ImapAccount, folder: str, messages: list[bytes]) -> list[int]:
    """Delete and recreate ``folder`` with the same messages: a new UIDVALIDITY, same bytes."""
    with account.server.session(account.user) as imap:
        imap.delete_folder(folder)
    return account.server.append_many(account.user, folder, messages)


def _server_messages(account: ImapAccount, folder: str) -> list[bytes]:
    with account.server.session(account.user) as imap:
        imap.select_folder(folder, readonly=True)
        uids = sorted(imap.search("ALL"))
        got = imap.fetch(uids, [b"BODY.PEEK[]"])
    return [bytes(got[uid][b"BODY[]"]) for uid in uids]


def test_uidvalidity_change_rescans_without_duplicates(imap_user: ImapAccount, deploy: Any) -> None:
    server = imap_user.server
    server.append_many(imap_user.user, "Claims", [filler_message(i) for i in range(8)])
    app = deploy([mailbox_entry(imap_user, folders=["Claims"])])
    app.poll_json()
    before = server.uidvalidity(imap_user.user, "Claims")
    _recreate_folder(imap_user, "Claims", _server_messages(imap_user, "Claims"))
    assert server.uidvalidity(imap_user.user, "Claims") != before

    rescan = _folder(app.poll_json())

    assert (rescan["fetched"], rescan["recorded"], rescan["already_recorded"]) == (8, 0, 8)
    assert (rescan["server_count"], rescan["recorded_count"], rescan["gaps"]) == (8, 8, [])
    records = app.records()
    assert len(records) == 8
    assert {r.body["source"]["uidvalidity"] for r in records} == {before}


def test_after_a_uidvalidity_change_the_next_poll_fetches_nothing(
    imap_user: ImapAccount, deploy: Any
) -> None:
    imap_user.server.append_many(imap_user.user, "Claims", [filler_message(i) for i in range(8)])
    app = deploy([mailbox_entry(imap_user, folders=["Claims"])])
    app.poll_json()
    _recreate_folder(imap_user, "Claims", _server_messages(imap_user, "Claims"))
    app.poll_json()

    again = _folder(app.poll_json())

    assert (again["fetched"], again["recorded"], again["already_recorded"]) == (0, 0, 0)
    assert (again["server_count"], again["recorded_count"], again["gaps"]) == (8, 8, [])


def test_a_new_message_after_a_uidvalidity_change_is_recorded(
    imap_user: ImapAccount, deploy: Any
) -> None:
    imap_user.server.append_many(imap_user.user, "Claims", [filler_message(i) for i in range(4)])
    app = deploy([mailbox_entry(imap_user, folders=["Claims"])])
    app.poll_json()
    new_uids = _recreate_folder(
        imap_user, "Claims", [*_server_messages(imap_user, "Claims"), filler_message(99)]
    )

    rescan = _folder(app.poll_json())

    assert (rescan["recorded"], rescan["already_recorded"], rescan["gaps"]) == (1, 4, [])
    (new,) = [r for r in app.records() if r.body["source"]["uid"] == new_uids[-1]]
    assert new.body["headers"]["subject"] == "Generated message 00099"


def test_flag_is_added_only_after_the_messages_are_sealed(
    imap_user: ImapAccount, deploy: Any
) -> None:
    uids = imap_user.server.append_many(
        imap_user.user, "INBOX", [filler_message(i) for i in range(10)]
    )
    app = deploy([mailbox_entry(imap_user, after_record={"action": "flag"}, batch_messages=4)])
    committed_when_flagged: list[bool] = []

    class Watching:
        def __init__(self, config: MailboxConfig) -> None:
            self.inner = ImapClientSession(config)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

        def add_flag(self, folder: str, flag_uids: Sequence[int], flag: str) -> None:
            in_ledger = {e.body["source"]["uid"] for e in app.seals()}  # read afresh
            committed_when_flagged.append(set(flag_uids) <= in_ledger)
            self.inner.add_flag(folder, flag_uids, flag)

    with pytest.MonkeyPatch.context() as patch:
        for name, value in app.env.items():
            patch.setenv(name, value)
        config = app.config
        runtime = open_runtime(config, writable=True)
        with open_poller(config, runtime, session_factory=Watching) as poller:
            (report,) = poller.poll()

    assert report.ok, report.to_json()
    assert committed_when_flagged == [True, True, True]
    with imap_user.server.session(imap_user.user) as imap:
        imap.select_folder("INBOX", readonly=True)
        flags = imap.get_flags(uids)
    assert all(b"$Recorded" in flags[uid] for uid in uids)
    assert all(b"\\Seen" not in flags[uid] for uid in uids)


def test_move_to_processed_then_rerun_records_nothing_new(
    imap_user: ImapAccount, deploy: Any
) -> None:
    server = imap_user.server
    server.append_many(imap_user.user, "INBOX", [filler_message(i) for i in range(6)])
    app = deploy([mailbox_entry(imap_user, after_record={"action": "move"})])

    first = _folder(app.poll_json())

    assert (first["recorded"], first["after_record_done"]) == (6, 6)
    assert server.message_count(imap_user.user, "INBOX") == 0
    assert server.message_count(imap_user.user, "Processed") == 6
    rerun = _folder(app.poll_json())
    assert (rerun["fetched"], rerun["recorded"], rerun["server_count"]) == (0, 0, 0)
    records = app.records()
    assert len(records) == 6
    assert len({r.body["record_id"] for r in records}) == 6
