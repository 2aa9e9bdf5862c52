"""S3 failing under the poll (500, 503 SlowDown, resets, resets after the write, timeouts)."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from tests.chaos._world import deployment, fill_mailbox, replay_hint, seeds, settle_and_check
from tests.conftest import ImapAccount, S3Bucket
from tests.harness.fault_proxy import FaultProxy
from tests.harness.smtp_sink import SmtpSink

# Every ledger append is several round trips to moto; keep the S3 mailbox smaller in CI.
S3_MESSAGES = int(os.environ.get("MAILLEDGER_CHAOS_S3_MESSAGES", "40"))
# Dispatch and acknowledge under faults too (slow against moto: off in CI by default).
HANDLERS_UNDER_FAULTS = os.environ.get("MAILLEDGER_CHAOS_ITERATIONS") is not None


def test_s3_faults_during_a_poll_fail_it_cleanly_and_a_clean_rerun_completes(
    imap_user: ImapAccount,
    acks: SmtpSink,
    moto_bucket: S3Bucket,
    fault_proxy: FaultProxy,
    tmp_path: Path,
) -> None:
    fill_mailbox(imap_user, 13, S3_MESSAGES)
    for seed in seeds("s3-faults", 1):
        hint = replay_hint(seed, "s3-faults")
        rng = random.Random(seed)
        acks.clear()
        bucket = S3Bucket(
            name=f"{moto_bucket.name}-{seed % 100000}",
            client=moto_bucket.client,
            endpoint_url=fault_proxy.endpoint_url,
        )
        moto_bucket.client.create_bucket(Bucket=bucket.name)
        app = deployment(
            tmp_path / f"app-{seed}", imap_user, acks, bucket=bucket, batch_messages=25
        )
        total = rng.uniform(0.02, 0.15)
        weights = [rng.random() for _ in range(5)]
        rates = [total * w / sum(weights) for w in weights]
        fault_proxy.configure(
            error_500=rates[0],
            slowdown_503=rates[1],
            reset=rates[2],
            reset_after=rates[3],
            delay=rates[4] / 4,
            delay_seconds=2.0,
            seed=seed,
        )
        faulty = app.run("poll", "--json", "--no-dispatch", timeout=600)
        assert faulty.returncode in (0, 1), f"{hint} {faulty.stderr[-3000:]}"
        assert "Traceback" not in faulty.stderr, f"{hint} {faulty.stderr[-3000:]}"
        if faulty.returncode == 1:
            (box,) = json.loads(faulty.stdout)["mailboxes"]
            errors = box["errors"] + [e for f in box["folders"] for e in f["errors"]]
            assert errors, f"{hint} exit 1 without an error: {box}"
        if HANDLERS_UNDER_FAULTS:
            # The event and acknowledgment path under the same faults: may fail, never doubles.
            app.run("dispatch", timeout=600)
            app.run("handle", "acknowledge", timeout=600)
        fault_proxy.clear()

        settle_and_check(
            app,
            imap_user,
            acks,
            f"{hint} injected={dict(fault_proxy.counts)}",
            allow_unconfirmed=True,
        )
