"""The metrics textfile follows node-exporter's textfile conventions across one-shot runs."""

from __future__ import annotations

import stat
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import ImapAccount
from tests.ingest.conftest import Deployment, mailbox_entry, make_deployment


def _samples(app: Deployment) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = (app.root / "metrics" / "mailledger.prom").read_text()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


INBOX = (("mailbox", "inbox"),)


def _deployment(tmp_path: Path, account: ImapAccount, password: str | None = None) -> Deployment:
    return make_deployment(
        tmp_path / "app", [mailbox_entry(account, password=password)], parse_workers=1
    )


def test_a_failed_run_keeps_the_last_success_timestamp(
    tmp_path: Path, imap_user: ImapAccount
) -> None:
    good = _deployment(tmp_path, imap_user)
    assert good.run("poll").returncode == 0
    success = _samples(good)[("mailledger_last_success_timestamp_seconds", INBOX)]
    broken = _deployment(tmp_path, imap_user, password="wrong")  # same root, bad password
    assert broken.run("poll").returncode == 1
    assert _samples(broken)[("mailledger_last_success_timestamp_seconds", INBOX)] == success


def test_the_error_counter_is_cumulative_across_runs(
    tmp_path: Path, imap_user: ImapAccount
) -> None:
    broken = _deployment(tmp_path, imap_user, password="wrong")
    for _ in range(3):
        assert broken.run("poll").returncode == 1
    assert _samples(broken)[("mailledger_errors_total", INBOX)] == 3


def test_every_configured_mailbox_has_zero_valued_counters(
    tmp_path: Path, imap_user: ImapAccount
) -> None:
    app = _deployment(tmp_path, imap_user)
    assert app.run("poll").returncode == 0
    samples = _samples(app)
    for name in (
        "mailledger_errors_total",
        "mailledger_lease_held_total",
        "mailledger_messages_recorded_total",
    ):
        assert samples[(name, INBOX)] == 0
    for verdict in ("accepted", "rejected"):
        key = ("mailledger_attachments_total", (("mailbox", "inbox"), ("verdict", verdict)))
        assert samples[key] == 0


def test_no_created_series_are_written(tmp_path: Path, imap_user: ImapAccount) -> None:
    app = _deployment(tmp_path, imap_user)
    assert app.run("poll").returncode == 0
    text = (app.root / "metrics" / "mailledger.prom").read_text()
    assert "_created" not in text


def test_the_textfile_is_replaced_whole_and_readable_by_the_collector(
    tmp_path: Path, imap_user: ImapAccount
) -> None:
    app = _deployment(tmp_path, imap_user)
    assert app.run("poll").returncode == 0
    textfile = app.root / "metrics" / "mailledger.prom"
    inode = textfile.stat().st_ino
    assert app.run("poll").returncode == 0
    assert textfile.stat().st_ino != inode  # a new file renamed into place
    assert stat.S_IMODE(textfile.stat().st_mode) == 0o644
    assert stat.S_IMODE(textfile.parent.stat().st_mode) == 0o755
    assert [p.name for p in textfile.parent.iterdir()] == ["mailledger.prom"]  # no leftovers
