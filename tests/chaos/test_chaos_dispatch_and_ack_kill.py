"""SIGKILL of ``dispatch`` and ``handle acknowledge`` at random points: every event is delivered
at least once, every acknowledgment sent at most once, and the ledger verifies."""

from __future__ import annotations

import random
from pathlib import Path

from tests.chaos._world import (
    deployment,
    fill_mailbox,
    handle_later,
    replay_hint,
    run_ok,
    run_then_kill,
    seeds,
    settle_and_check,
)
from tests.conftest import ImapAccount
from tests.harness.smtp_sink import SmtpSink


def test_killed_dispatchers_and_ack_handlers_never_lose_an_event_or_double_an_ack(
    imap_user: ImapAccount, acks: SmtpSink, tmp_path: Path
) -> None:
    fill_mailbox(imap_user, 16)
    for seed in seeds("dispatch-ack-kill", 1):
        hint = replay_hint(seed, "dispatch-ack-kill")
        rng = random.Random(seed)
        acks.clear()
        app = deployment(tmp_path / f"app-{seed}", imap_user, acks)
        run_ok(app, hint, "poll", "--no-dispatch")
        for _ in range(rng.randint(1, 3)):
            run_then_kill(app, ("dispatch",), rng.uniform(0.5, 3.0))
        run_ok(app, hint, "dispatch")
        kills = 0
        for _ in range(rng.randint(2, 4)):
            killed, _done = run_then_kill(app, ("handle", "acknowledge"), rng.uniform(1.0, 6.0))
            kills += killed
        # Claims left in flight by a kill become "unconfirmed" once their grace has passed.
        handle_later(app, minutes=30)

        outcome = settle_and_check(app, imap_user, acks, f"{hint} handler kills={kills}")

        unconfirmed = [e for e in outcome.entries if e.type == "acknowledgment.unconfirmed"]
        assert len(outcome.acks_received) + len(unconfirmed) >= len(outcome.records) - sum(
            1 for e in outcome.entries if e.type == "acknowledgment.skipped"
        ), hint
