"""A writer killed with SIGKILL at random moments never leaves a ledger that fails to verify."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.ledger import layout
from pipeline.ledger.verify import verify_ledger
from pipeline.storage.base import ObjectStore
from tests.ledger.ledger_helpers import KEY, ORIGIN, draft, ledger_on
from tests.storage.backends import (
    fake_aws_env,
    local_store,
    new_bucket,
    rgw_credentials_env,
    rgw_store,
    s3_settings,
)

REPO = Path(__file__).resolve().parents[2]


def _kill_loop(
    args: list[str], store: ObjectStore, env: dict[str, str], rounds: int, seed: int
) -> None:
    rng = random.Random(seed)
    for round_ in range(rounds):
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.ledger.appender", *args, f"w{round_}", "0", "3"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert proc.stdout is not None
        proc.stdout.readline()  # started appending: at least one batch is in
        time.sleep(rng.uniform(0.0, 0.15))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        proc.stdout.close()
        report = verify_ledger(store, [KEY.verifier], ORIGIN)
        assert report.ok, (round_, report.problems)
        if report.unsigned_tail:
            assert any("not yet by the log key" in note for note in report.notes)
    ledger_on(store).append([draft(0, {"writer": "rerun"})])
    size = ledger_on(store, signing=False).size()
    final = verify_ledger(store, [KEY.verifier], ORIGIN)
    assert final.ok and final.unsigned_tail == 0
    assert store.exists(layout.checkpoint_key(size))
    assert ledger_on(store, signing=False).latest_checkpoint().checkpoint.size == size


def test_local_ledger_survives_sigkill_at_random_moments(tmp_path) -> None:
    _kill_loop(["local", str(tmp_path)], local_store(tmp_path), dict(os.environ), 15, 6962)


@pytest.mark.slow
def test_s3_ledger_survives_sigkill_at_random_moments(moto_server) -> None:
    from pipeline.storage.s3 import S3Store

    fake_aws_env()
    bucket = new_bucket(moto_server)
    env = {**os.environ, **moto_server.env()}
    store = S3Store(s3_settings(moto_server.endpoint_url, bucket))
    _kill_loop(["s3", moto_server.endpoint_url, bucket], store, env, 6, 9162)


@pytest.mark.real_s3
def test_rgw_ledger_survives_sigkill_at_random_moments(rgw) -> None:
    store = rgw_store(rgw)
    env = {**os.environ, **rgw_credentials_env(rgw)}
    args = ["rgw", rgw.endpoint_url, store.settings.bucket, store.settings.prefix]
    _kill_loop(args, store, env, 4, 2104)
