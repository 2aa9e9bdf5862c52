"""Legal holds and lawful disposal on the local store (retention semantics of S3 Object Lock)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import structlog

from pipeline.entries.models import RetentionPolicy
from pipeline.hashing import object_key
from pipeline.ledger.entry import EntryDraft
from pipeline.ledger.log import Ledger
from pipeline.ledger.verify import verify_ledger
from pipeline.retention.lifecycle import (
    add_hold,
    cutoff_before,
    dispose,
    list_holds,
    plan_disposal,
    remove_hold,
)
from pipeline.storage.local import LocalStore
from tests.ledger.ledger_helpers import KEY, ORIGIN, ledger_on
from tests.storage.backends import local_store

OLD = datetime(2015, 3, 2, 9, 0, tzinfo=UTC)
NOW = datetime.now(UTC)


@pytest.fixture(autouse=True)
def _quiet_logs() -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))


def _blob(store: LocalStore, data: bytes) -> dict[str, object]:
    digest = hashlib.sha256(data).hexdigest()
    store.put(object_key(digest), data)
    return {"key": object_key(digest), "sha256": digest, "size": len(data)}


def _record(
    store: LocalStore,
    ledger: Ledger,
    record_id: str,
    *,
    when: datetime = OLD,
    attachment: bytes = b"%PDF shared statement",
) -> list[str]:
    """Append a message.received entry; returns its object keys (raw, attachment)."""
    raw = _blob(store, f"raw message {record_id}".encode())
    pdf = _blob(store, attachment)
    body = {
        "record_id": record_id,
        "source": {"kind": "imap", "mailbox": "servicing", "folder": "INBOX"},
        "headers": {"message_id": f"<{record_id}@example.com>"},
        "raw": raw,
        "attachments": [
            {
                **pdf,
                "filename": "statement.pdf",
                "safe_filename": "statement.pdf",
                "verdict": "accepted",
            }
        ],
    }
    ledger.append([EntryDraft("message.received", body, "worker:test", when)])
    return [str(raw["key"]), str(pdf["key"])]


def _retention_ended(store: LocalStore, key: str) -> None:
    """Write the protection sidecar as if retention ran out yesterday."""
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    path = store.root / ".protection" / (key + ".json")
    path.write_text(json.dumps({"retain_until": past, "mode": "COMPLIANCE", "hold": False}))


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return local_store(tmp_path / "store", retain_days=1, retention_mode="COMPLIANCE")


def _expire_all(store: LocalStore, keys: list[str]) -> None:
    for key in keys:
        _retention_ended(store, key)


def test_duration_counts_calendar_years_weeks_and_days_and_refuses_other_text() -> None:
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert cutoff_before(now, "7y") == datetime(2019, 11, 28, 12, 0, tzinfo=UTC)
    assert cutoff_before(now, "2555d") == now - timedelta(days=2555)
    assert cutoff_before(now, "52w") == now - timedelta(weeks=52)
    assert cutoff_before(now, "0d") == now
    for bad in ("7", "7 years", "-1d", "1m"):
        with pytest.raises(ValueError, match="duration"):
            cutoff_before(now, bad)


@pytest.mark.parametrize("text", ["99999999999999999y", "99999999999999d", "2027y"])
def test_a_duration_reaching_back_before_any_calendar_is_refused(text: str) -> None:
    now = datetime(2026, 12, 6, tzinfo=UTC)
    with pytest.raises(ValueError, match="reaches back before any record"):
        cutoff_before(now, text)


def test_seven_years_before_a_leap_day_keeps_records_longer_not_shorter() -> None:
    leap = datetime(2028, 2, 29, tzinfo=UTC)
    assert cutoff_before(leap, "7y") == datetime(2021, 2, 28, tzinfo=UTC)


def test_hold_add_holds_every_object_of_the_record_and_appends_hold_added(
    store: LocalStore,
) -> None:
    ledger = ledger_on(store)
    keys = _record(store, ledger, "r-1")
    change = add_hold(store, ledger, ledger, ["<r-1@example.com>"], reason="case 42", actor="me")
    assert change.record_ids == ["r-1"] and change.keys == sorted(keys)
    assert all(store.protection(k).legal_hold for k in keys)
    entry = ledger.entry(ledger.size() - 1)
    assert (entry.type, entry.actor, entry.body["reason"]) == ("hold.added", "me", "case 42")


def test_hold_remove_keeps_an_object_another_held_record_shares(store: LocalStore) -> None:
    ledger = ledger_on(store)
    raw1, pdf = _record(store, ledger, "r-1")
    raw2, _ = _record(store, ledger, "r-2")
    add_hold(store, ledger, ledger, ["r-1", "r-2"], reason=None, actor="me")
    change = remove_hold(store, ledger, ledger, ["r-1"], reason="matter closed", actor="me")
    assert change.keys == [raw1]
    assert not store.protection(raw1).legal_hold
    assert store.protection(pdf).legal_hold and store.protection(raw2).legal_hold


def test_hold_list_shows_current_holds_and_objects_the_store_does_not_hold(
    store: LocalStore,
) -> None:
    ledger = ledger_on(store)
    _record(store, ledger, "r-1")
    raw2, _ = _record(store, ledger, "r-2")
    add_hold(store, ledger, ledger, ["r-1", "r-2"], reason="case", actor="me")
    remove_hold(store, ledger, ledger, ["r-1"], reason="done", actor="me")
    store.set_legal_hold(raw2, False)  # lifted behind the ledger's back
    (view,) = list_holds(ledger, store)
    assert (view.record_id, view.reason, view.unheld_keys) == ("r-2", "case", [raw2])


def test_dispose_deletes_expired_content_and_verify_reports_it_disposed(
    store: LocalStore,
) -> None:
    ledger = ledger_on(store)
    keys = _record(store, ledger, "r-1")
    _expire_all(store, keys)
    plan = plan_disposal(store, ledger, cutoff=NOW - timedelta(days=365), now=NOW)
    done = dispose(
        store, ledger, plan, policy=RetentionPolicy(older_than="1y"), reason="schedule", actor="me"
    )
    assert [d.record_id for d in done] == ["r-1"]
    assert not any(store.exists(k) for k in keys)
    entry = ledger.entry(ledger.size() - 1)
    assert entry.type == "record.disposed" and entry.body["keys"] == sorted(keys)
    report = verify_ledger(store, [KEY.verifier], ORIGIN)
    assert report.ok and report.disposed == 2


def test_dispose_keeps_content_shared_with_a_newer_record(store: LocalStore) -> None:
    ledger = ledger_on(store)
    raw1, pdf = _record(store, ledger, "r-old")
    _record(store, ledger, "r-new", when=NOW - timedelta(days=1))
    _expire_all(store, [raw1, pdf])
    plan = plan_disposal(store, ledger, cutoff=NOW - timedelta(days=365), now=NOW)
    (done,) = dispose(store, ledger, plan, policy=RetentionPolicy(), reason=None, actor="me")
    assert (done.keys, done.kept_shared) == ([raw1], [pdf])
    assert store.exists(pdf) and not store.exists(raw1)
    assert verify_ledger(store, [KEY.verifier], ORIGIN).ok


def test_dispose_refuses_a_record_whose_retention_runs_and_deletes_nothing(
    store: LocalStore,
) -> None:
    ledger = ledger_on(store)
    raw, pdf = _record(store, ledger, "r-1")
    _retention_ended(store, raw)  # the attachment is still retained
    (planned,) = plan_disposal(store, ledger, cutoff=NOW - timedelta(days=365), now=NOW)
    assert planned.refused is not None and "retained until" in planned.refused
    assert (
        dispose(store, ledger, [planned], policy=RetentionPolicy(), reason=None, actor="me") == []
    )
    assert store.exists(raw) and store.exists(pdf)


def test_dispose_skips_a_record_under_legal_hold(store: LocalStore) -> None:
    ledger = ledger_on(store)
    keys = _record(store, ledger, "r-1")
    _expire_all(store, keys)
    add_hold(store, ledger, ledger, ["r-1"], reason="litigation", actor="me")
    assert plan_disposal(store, ledger, cutoff=NOW - timedelta(days=365), now=NOW) == []
    assert all(store.exists(k) for k in keys)


def test_dispose_leaves_records_newer_than_the_cutoff(store: LocalStore) -> None:
    ledger = ledger_on(store)
    keys = _record(store, ledger, "r-1", when=NOW - timedelta(days=30))
    _expire_all(store, keys)
    assert plan_disposal(store, ledger, cutoff=NOW - timedelta(days=365), now=NOW) == []


def test_content_gone_without_a_disposal_entry_is_reported_missing(store: LocalStore) -> None:
    ledger = ledger_on(store)
    keys = _record(store, ledger, "r-1")
    _expire_all(store, keys)
    store.delete(keys[0])
    report = verify_ledger(store, [KEY.verifier], ORIGIN)
    assert not report.ok
    assert "without a disposal entry" in report.problems[0].detail
