"""Crash safety: SIGKILL at random moments, a Dovecot restart mid-cycle, two pollers at once."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from typing import Any

from tests.conftest import ImapAccount
from tests.ingest._mail import filler_message
from tests.ingest.conftest import Deployment, mailbox_entry

MESSAGES = 300
SEED = 20260302
KILL_BUDGET_SECONDS = 40.0


def _fill(account: ImapAccount, count: int = MESSAGES) -> list[int]:
    return account.server.append_many(
        account.user, "INBOX", [filler_message(i, 3_000) for i in range(count)]
    )


def _assert_exactly_once(app: Deployment, uids: list[int]) -> None:
    records = app.records_by_uid()  # fails on a UID recorded twice
    assert sorted(records) == uids
    ids = [r.body["record_id"] for r in app.records()]
    assert len(ids) == len(set(ids)) == len(uids)
    verified = app.verify()
    assert verified.returncode == 0, verified.stdout + verified.stderr


def _kill_group(proc: subprocess.Popen[str]) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


def test_sigkill_at_random_moments_then_a_clean_poll_records_each_uid_once(
    imap_user: ImapAccount, deploy: Any
) -> None:
    uids = _fill(imap_user)
    app = deploy([mailbox_entry(imap_user, batch_messages=20)], parse_workers=2)
    rng = random.Random(SEED)
    deadline = time.monotonic() + KILL_BUDGET_SECONDS
    killed = 0
    for _ in range(10):
        if time.monotonic() > deadline:
            break
        proc = app.popen("poll", "--json")
        try:
            proc.communicate(timeout=rng.uniform(0.5, 3.0))
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            killed += 1
        else:
            break  # a run got to the end before its kill: nothing left to interrupt
    assert killed >= 3, "the kills never interrupted a poll"

    (box,) = app.poll_json()["mailboxes"]

    assert box["ok"]
    assert box["folders"][0]["gaps"] == []
    _assert_exactly_once(app, uids)


def test_dovecot_restart_mid_cycle_fails_the_mailbox_or_completes_and_a_rerun_completes(
    imap_user: ImapAccount, deploy: Any
) -> None:
    uids = _fill(imap_user)
    app = deploy([mailbox_entry(imap_user, batch_messages=10)])
    proc = app.popen("poll", "--json")
    time.sleep(1.2)
    # From this (the main) thread: the harness ties Dovecot's life to the starting thread.
    imap_user.server.restart()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode in (0, 1), err[-2000:]
    (box,) = json.loads(out)["mailboxes"]
    if proc.returncode == 1:
        assert not box["ok"]
        assert any(error.startswith("mailbox inbox:") for error in box["errors"]), box["errors"]

    (rerun,) = app.poll_json()["mailboxes"]

    assert rerun["ok"]
    assert rerun["folders"][0]["gaps"] == []
    _assert_exactly_once(app, uids)


def test_two_pollers_with_separate_state_on_one_mailbox_record_each_uid_once(
    imap_user: ImapAccount, deploy: Any
) -> None:
    uids = _fill(imap_user)
    first = deploy([mailbox_entry(imap_user, batch_messages=15)])
    second = deploy(
        [mailbox_entry(imap_user, batch_messages=15)],
        store_dir=first.root / "store",
        key_file=first.root / "keys" / "ledger.key",
    )
    procs = [first.popen("poll", "--json"), second.popen("poll", "--json")]
    outputs = [proc.communicate(timeout=120) for proc in procs]

    assert [proc.returncode for proc in procs] == [0, 0], [err[-2000:] for _out, err in outputs]
    _assert_exactly_once(first, uids)
