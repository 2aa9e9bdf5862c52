"""SIGKILL of ``mailledger poll`` at random moments, then a clean run: nothing lost or doubled."""

from __future__ import annotations

import random
from pathlib import Path

from tests.chaos._world import (
    deployment,
    fill_mailbox,
    replay_hint,
    run_then_kill,
    seeds,
    settle_and_check,
)
from tests.conftest import ImapAccount
from tests.harness.smtp_sink import SmtpSink


def test_polls_killed_at_random_moments_leave_each_message_recorded_once(
    imap_user: ImapAccount, acks: SmtpSink, tmp_path: Path
) -> None:
    fill_mailbox(imap_user, 11)
    for seed in seeds("poll-kill", 1):
        hint = replay_hint(seed, "poll-kill")
        rng = random.Random(seed)
        acks.clear()
        app = deployment(
            tmp_path / f"app-{seed}",
            imap_user,
            acks,
            batch_messages=rng.choice((5, 20, 60)),
            parse_workers=rng.choice((1, 2)),
        )
        kills = 0
        for _ in range(rng.randint(2, 4)):
            killed, done = run_then_kill(app, ("poll", "--json"), rng.uniform(0.3, 6.0))
            kills += killed
            if not killed:
                assert done is not None and done.returncode == 0, (hint, done and done.stderr)

        settle_and_check(app, imap_user, acks, f"{hint} kills={kills}")
