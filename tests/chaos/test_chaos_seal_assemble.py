"""The two-stage path under SIGKILL: between seal and assembly (in ``poll``, and in ``run``
with its assembly thread), and assembly workers on SQS.

Every message ends sealed once and assembled into exactly one record, whatever is
killed: the poll after it sealed a batch and before its records were appended, or
``assemble`` workers holding a queue message (it comes back after its visibility
timeout and another worker assembles it; a redelivered seal is never recorded twice).
"""

from __future__ import annotations

import json
import random
import time
import uuid
from pathlib import Path

import yaml

from pipeline.ledger import layout
from tests.chaos._world import (
    check_seals,
    deployment,
    fill_mailbox,
    kill_group,
    replay_hint,
    run_ok,
    seeds,
    settle_and_check,
)
from tests.conftest import ImapAccount
from tests.harness.moto_server import MotoServer, fake_credentials_env
from tests.harness.smtp_sink import SmtpSink
from tests.ingest.conftest import Deployment

VISIBILITY_SECONDS = 3


def _stages(app: Deployment) -> tuple[int, int]:
    """(seals, records) in the ledger now."""
    types = [e.type for e in app.entries()]
    return types.count("message.sealed"), types.count("message.received")


def test_a_poll_killed_between_seal_and_assembly_leaves_sealed_messages_visible_then_recorded_once(
    imap_user: ImapAccount, acks: SmtpSink, tmp_path: Path
) -> None:
    fill_mailbox(imap_user, 21)
    for seed in seeds("seal-kill", 1):
        hint = replay_hint(seed, "seal-kill")
        rng = random.Random(seed)
        acks.clear()
        app = deployment(
            tmp_path / f"app-{seed}", imap_user, acks, batch_messages=rng.choice((10, 25))
        )
        proc = app.popen("poll", "--json", "--no-dispatch")
        deadline = time.monotonic() + 120
        # One batch is sealed before the previous one is recorded, so from the first seal
        # until the poll ends some seal waits for its record: kill in that window.
        while proc.poll() is None and time.monotonic() < deadline:
            seals, records = _stages(app)
            if seals > records:
                break
            time.sleep(0.02)
        kill_group(proc)
        seals, records = _stages(app)
        assert seals > records, f"{hint} the poll ended before it could be killed mid-way"
        tail = _unsigned_tail(app)
        assert tail in (0, _last_batch(app)), f"{hint} {tail} entries after the newest checkpoint"
        if tail:
            # killed between a batch and its checkpoint: the next writer signs the head
            # before it appends, as 'mailledger checkpoint' does here
            run_ok(app, hint, "checkpoint")

        found = json.loads(run_ok(app, hint, "search", "--json"))
        waiting = [r for r in found if not r["assembled"]]
        assert len(waiting) == seals - records, f"{hint} {len(waiting)} of {seals - records}"
        trail = json.loads(
            run_ok(app, hint, "trail", waiting[0]["record_id"], "--json", "--reason", "chaos")
        )
        assert [i["type"] for i in trail["items"]][:1] == ["message.sealed"], hint

        settle_and_check(app, imap_user, acks, f"{hint} killed at {seals} seals/{records}")


def _unsigned_tail(app: Deployment) -> int:
    """Entries after the newest signed checkpoint."""
    ledger = app.runtime().ledger
    latest = ledger.latest_checkpoint()
    return ledger.size() - (latest.checkpoint.size if latest is not None else 0)


def _last_batch(app: Deployment) -> int:
    """Entries in the newest batch (the most a kill can leave without a checkpoint)."""
    ledger = app.runtime().ledger
    first = max(
        seq for key in ledger.store.list(layout.ENTRIES) if (seq := layout.seq_of(key)) is not None
    )
    return ledger.size() - first


def _with_queue(app: Deployment, moto_server: MotoServer, queue_url: str) -> None:
    config = yaml.safe_load(app.config_path.read_text())
    config["worker"]["assembly_queue"] = {
        "queue_url": queue_url,
        "region": "us-east-1",
        "endpoint_url": moto_server.endpoint_url,
    }
    app.config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    app.env.update(fake_credentials_env())


def test_assemble_workers_killed_mid_work_on_sqs_leave_every_seal_assembled_once(
    imap_user: ImapAccount, acks: SmtpSink, moto_server: MotoServer, tmp_path: Path
) -> None:
    fill_mailbox(imap_user, 22)
    sqs = moto_server.client("sqs")
    for seed in seeds("assemble-kill", 1):
        hint = replay_hint(seed, "assemble-kill")
        rng = random.Random(seed)
        acks.clear()
        queue_url = sqs.create_queue(
            QueueName=f"assemble-{uuid.uuid4().hex[:12]}",
            Attributes={"VisibilityTimeout": str(VISIBILITY_SECONDS)},
        )["QueueUrl"]
        app = deployment(tmp_path / f"app-{seed}", imap_user, acks, batch_messages=15)
        _with_queue(app, moto_server, queue_url)

        # The sealer only seals and announces: nothing is assembled yet.
        run_ok(app, hint, "poll", "--json", "--no-dispatch")
        seals, records = _stages(app)
        assert (seals, records) == (len(app.entries()) - 1, 0), hint  # and one reconciliation

        args = ("assemble", "--until-empty", "--wait-seconds", "1", "--workers", "1")
        workers = [app.popen(*args) for _ in range(3)]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and _stages(app)[1] == 0:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.5))
        victims = rng.sample(workers, 2)
        for victim in victims:
            kill_group(victim)
        for worker in workers:
            if worker not in victims:
                _out, err = worker.communicate(timeout=300)
                assert worker.returncode == 0, f"{hint} {err[-2000:]}"

        # What the killed workers held comes back after its visibility timeout.
        for _ in range(20):
            seals, records = _stages(app)
            if records >= seals:
                break
            time.sleep(VISIBILITY_SECONDS + 0.5)
            run_ok(app, hint, *args)
        seals, records = _stages(app)
        assert records == seals, f"{hint} {seals - records} seals never assembled"

        settle_and_check(app, imap_user, acks, hint)


def test_run_killed_with_seals_waiting_for_its_assembly_thread_records_each_once_after_restart(
    imap_user: ImapAccount, acks: SmtpSink, tmp_path: Path
) -> None:
    fill_mailbox(imap_user, 23)
    for seed in seeds("run-kill", 1):
        hint = replay_hint(seed, "run-kill")
        rng = random.Random(seed)
        acks.clear()
        app = deployment(
            tmp_path / f"app-{seed}", imap_user, acks, batch_messages=rng.choice((5, 10, 25))
        )
        proc = app.popen("run")
        deadline = time.monotonic() + 120
        # The sealer hands each batch to the assembly thread and goes on: from the first
        # seal until the thread catches up some seal waits for its record.
        while proc.poll() is None and time.monotonic() < deadline:
            seals, records = _stages(app)
            if seals > records and rng.random() < 0.3:
                break
            time.sleep(0.02)
        kill_group(proc)
        seals, records = _stages(app)
        assert seals > records, f"{hint} run caught up before it could be killed mid-way"

        # The restarted worker's catch-up assembles every waiting seal, each once.
        restarted = app.run("run", "--once", "--no-idle", timeout=300)
        assert restarted.returncode == 0, f"{hint} {restarted.stderr[-3000:]}"
        after_restart = _stages(app)
        assert after_restart[0] == after_restart[1] >= seals, (
            f"{hint} {after_restart} {restarted.stderr[-3000:]}"
        )
        check_seals(app.entries(), f"{hint} after the restart")

        settle_and_check(app, imap_user, acks, f"{hint} killed at {seals} seals/{records}")
