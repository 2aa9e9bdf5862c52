"""Seal first, assemble behind: the poll's two stages against a real Dovecot."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import ImapAccount
from tests.ingest._mail import filler_message
from tests.ingest.conftest import mailbox_entry


def test_a_poll_seals_each_message_once_and_assembles_each_seal_once(
    imap_user: ImapAccount, deploy: Any
) -> None:
    imap_user.server.append_many(imap_user.user, "INBOX", [filler_message(i) for i in range(9)])
    app = deploy([mailbox_entry(imap_user, batch_messages=4)])
    (box,) = app.poll_json()["mailboxes"]
    assert (box["sealed"], box["recorded"]) == (9, 9)
    seals = {e.seq: e for e in app.seals()}
    named = sorted(r.body["sealed"]["seq"] for r in app.records())
    assert named == sorted(seals)
    # each seal's batch is committed (and checkpointed) before its records
    assert all(r.seq > r.body["sealed"]["seq"] for r in app.records())


def test_poll_seal_only_leaves_seals_that_assemble_records_later(
    imap_user: ImapAccount, deploy: Any
) -> None:
    imap_user.server.append_many(imap_user.user, "INBOX", [filler_message(i) for i in range(7)])
    app = deploy([mailbox_entry(imap_user)])
    (box,) = app.poll_json("--seal-only")["mailboxes"]
    assert (box["sealed"], box["recorded"]) == (7, 0)
    # the completeness report counts sealed messages: nothing is missing
    (folder,) = box["folders"]
    assert (folder["recorded_count"], folder["gaps"]) == (7, [])
    assert app.records() == []

    done = app.run("assemble", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "assembled": 7,
        "already_assembled": 0,
        "attachments_accepted": 0,
        "attachments_rejected": 0,
        "waiting": 0,
    }
    assert len(app.records()) == 7
    again = app.run("assemble", "--json")
    assert json.loads(again.stdout)["assembled"] == 0
    assert len(app.records()) == 7
