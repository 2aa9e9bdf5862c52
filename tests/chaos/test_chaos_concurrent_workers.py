"""Two and three workers with separate state polling (and acknowledging) the same mailbox."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.chaos._world import (
    deployment,
    fill_mailbox,
    outbox_path,
    replay_hint,
    seeds,
    settle_and_check,
)
from tests.conftest import ImapAccount
from tests.harness.smtp_sink import SmtpSink


@pytest.mark.parametrize("workers", [2, 3])
def test_overlapping_workers_record_each_message_once_and_acknowledge_it_at_most_once(
    workers: int, imap_user: ImapAccount, acks: SmtpSink, tmp_path: Path
) -> None:
    fill_mailbox(imap_user, 15 + workers)
    for seed in seeds(f"workers-{workers}", 1):
        hint = replay_hint(seed, f"workers-{workers}")
        rng = random.Random(seed)
        acks.clear()
        first = deployment(tmp_path / f"w0-{seed}", imap_user, acks, batch_messages=15)
        apps = [first] + [
            deployment(
                tmp_path / f"w{i}-{seed}",
                imap_user,
                acks,
                store_dir=first.root / "store",
                key_file=first.root / "keys" / "ledger.key",
                batch_messages=rng.choice((7, 15, 40)),
                outbox=outbox_path(first),
            )
            for i in range(1, workers)
        ]
        polls = [app.popen("poll", "--json", "--no-dispatch") for app in apps]
        results = [proc.communicate(timeout=300) for proc in polls]
        assert [p.returncode for p in polls] == [0] * workers, (
            hint,
            [e[-2000:] for _, e in results],
        )
        first.run("dispatch")
        # Every worker's handler reads the same outbox (each with its own offset).
        handlers = [app.popen("handle", "acknowledge", "--json") for app in apps]
        for proc in handlers:
            proc.communicate(timeout=600)
            assert proc.returncode in (0, 1), hint

        outcome = settle_and_check(first, imap_user, acks, hint, handle_attempts=2)

        assert sum(outcome.acks_received.values()) == len(outcome.acks_received), hint
