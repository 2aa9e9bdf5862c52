"""The local store's disk fills up mid-poll: the poll fails cleanly, and after space is freed
a rerun completes with nothing lost or doubled."""

from __future__ import annotations

import json
import random
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chaos._world import deployment, fill_mailbox, replay_hint, seeds, settle_and_check
from tests.conftest import ImapAccount
from tests.harness.smtp_sink import SmtpSink

DISK_BYTES = 24 * 1024 * 1024


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MiB tmpfs (skipped when this environment may not mount)."""
    mountpoint = tmp_path / "disk"
    mountpoint.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", str(mountpoint)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root/CAP_SYS_ADMIN): {mounted.stderr}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def _ballast(disk: Path, leave_free: int) -> Path:
    """Fill ``disk`` until only about ``leave_free`` bytes remain."""
    import os

    stats = os.statvfs(disk)
    free = stats.f_bavail * stats.f_frsize
    path = disk / "ballast"
    with path.open("wb") as handle:
        handle.write(b"\0" * max(0, free - leave_free))
    return path


def test_a_full_disk_fails_the_poll_naming_the_store_and_a_rerun_after_freeing_space_completes(
    imap_user: ImapAccount, acks: SmtpSink, small_disk: Path, tmp_path: Path
) -> None:
    fill_mailbox(imap_user, 14)
    for seed in seeds("disk-full", 1):
        hint = replay_hint(seed, "disk-full")
        rng = random.Random(seed)
        acks.clear()
        store = small_disk / f"store-{seed}"
        app = deployment(tmp_path / f"app-{seed}", imap_user, acks, store_dir=store)
        ballast = _ballast(small_disk, rng.randint(80, 600) * 1024)

        full = app.run("poll", "--json", "--no-dispatch")

        assert full.returncode == 1, f"{hint} {full.returncode} {full.stderr[-3000:]}"
        assert "Traceback" not in full.stderr, f"{hint} {full.stderr[-3000:]}"
        (box,) = json.loads(full.stdout)["mailboxes"]
        errors = box["errors"] + [e for f in box["folders"] for e in f["errors"]]
        assert any(f"local store at {store}" in e for e in errors), f"{hint} {errors}"
        assert any("No space left on device" in e for e in errors), f"{hint} {errors}"
        # The ledger written so far is intact even though a write failed (the disk may
        # have filled before its first batch, so an empty ledger is allowed here).
        verified = app.run("verify", "--allow-empty")
        assert verified.returncode == 0, f"{hint} {verified.stdout}{verified.stderr}"

        ballast.unlink()
        settle_and_check(app, imap_user, acks, hint)
