"""Dovecot crashed and restarted while a poll is fetching: the poll fails cleanly or finishes."""

from __future__ import annotations

import json
import random
from pathlib import Path

from tests.chaos._world import deployment, fill_mailbox, replay_hint, seeds, settle_and_check
from tests.conftest import ImapAccount
from tests.harness.smtp_sink import SmtpSink


def test_a_hard_dovecot_restart_mid_fetch_never_loses_or_doubles_a_message(
    imap_user: ImapAccount, acks: SmtpSink, tmp_path: Path
) -> None:
    fill_mailbox(imap_user, 12)
    for seed in seeds("dovecot-restart", 1):
        hint = replay_hint(seed, "dovecot-restart")
        rng = random.Random(seed)
        acks.clear()
        app = deployment(tmp_path / f"app-{seed}", imap_user, acks, batch_messages=10)
        for _ in range(rng.randint(1, 2)):
            proc = app.popen("poll", "--json")
            try:
                proc.communicate(timeout=rng.uniform(0.3, 4.0))
            except Exception:  # noqa: BLE001 - still running: crash the server under it
                # From the main thread: the harness ties Dovecot's life to the starting thread.
                imap_user.server.restart(hard=True)
                out, err = proc.communicate(timeout=180)
                assert proc.returncode in (0, 1), f"{hint} exit {proc.returncode}: {err[-3000:]}"
                (box,) = json.loads(out)["mailboxes"]
                if proc.returncode == 1:
                    errors = box["errors"] + [e for f in box["folders"] for e in f["errors"]]
                    assert errors and all("inbox" in e for e in errors), f"{hint} {box}"

        settle_and_check(app, imap_user, acks, hint)
