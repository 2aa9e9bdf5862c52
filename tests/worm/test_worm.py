"""WORM guarantees that only a real S3 server shows (Ceph RGW with Object Lock).

moto lets COMPLIANCE retention be shortened and accepts wrong checksums, so these tests
skip on it rather than pass falsely.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import structlog
from botocore.exceptions import ClientError

from pipeline.errors import ObjectConflictError, RetentionError
from pipeline.hashing import object_key
from pipeline.ledger import layout
from pipeline.ledger.audit import Fault
from pipeline.ledger.entry import EntryDraft
from pipeline.ledger.verify import verify_ledger
from pipeline.retention.lifecycle import plan_disposal
from pipeline.storage.base import PutOutcome
from pipeline.storage.s3 import S3Store
from tests.ledger.ledger_helpers import KEY, ORIGIN, build, ledger_on
from tests.storage.backends import raw_key, rgw_store

pytestmark = pytest.mark.real_s3

MOTO_REASON = (
    "moto lets COMPLIANCE retention be shortened and accepts wrong checksums;"
    " WORM needs a real server"
)


@pytest.fixture(autouse=True)
def _quiet_logs() -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))


@pytest.fixture(params=["rgw", "moto"])
def worm(request: pytest.FixtureRequest) -> Callable[..., S3Store]:
    """``worm(**settings)``: a store on a real Object Lock bucket (RGW)."""
    if request.param == "moto":
        pytest.skip(MOTO_REASON)
    server = request.getfixturevalue("rgw")
    return lambda **overrides: rgw_store(server, **overrides)


def _locked(worm: Callable[..., S3Store]) -> S3Store:
    return worm(lock_mode="COMPLIANCE", retain_days=1)


def _refused(call: Callable[[], Any]) -> int:
    with pytest.raises(ClientError) as info:
        call()
    return int(info.value.response["ResponseMetadata"]["HTTPStatusCode"])


def test_a_locked_version_cannot_be_deleted(worm: Callable[..., S3Store]) -> None:
    store = _locked(worm)
    store.put("kept/a", b"record")
    with pytest.raises(RetentionError, match="kept/a"):
        store.delete("kept/a")
    assert store.get("kept/a") == b"record"


def test_compliance_retention_cannot_be_shortened(worm: Callable[..., S3Store]) -> None:
    store = _locked(worm)
    store.put("kept/a", b"record")
    until = store.protection("kept/a").retain_until
    assert until is not None
    status = _refused(
        lambda: store.client.put_object_retention(
            Bucket=store.settings.bucket,
            Key=raw_key(store, "kept/a"),
            Retention={"Mode": "COMPLIANCE", "RetainUntilDate": datetime.now(UTC)},
        )
    )
    assert status in (400, 403)  # AWS answers 400, Ceph RGW 16 403 AccessDenied
    assert store.protection("kept/a").retain_until == until


def test_legal_hold_blocks_deletion(worm: Callable[..., S3Store]) -> None:
    store = worm()
    store.put("held/a", b"evidence")
    store.set_legal_hold("held/a", True)
    with pytest.raises(RetentionError):
        store.delete("held/a")
    assert store.get("held/a") == b"evidence"


def test_a_plain_delete_adds_a_marker_that_verify_reports_and_the_content_is_still_found(
    worm: Callable[..., S3Store],
) -> None:
    store = _locked(worm)
    ledger = build(store, [3], with_objects=True)
    key = ledger.entry(0).body["raw"]["key"]
    store.client.delete_object(Bucket=store.settings.bucket, Key=raw_key(store, key))
    report = verify_ledger(store, [KEY.verifier], ORIGIN)
    assert [(p.position, p.fault) for p in report.problems] == [(0, Fault.DELETE_MARKER)]
    assert key in report.problems[0].detail
    assert report.objects_checked == 3
    assert store.get(key) == b"message 0"


def test_a_wrong_content_md5_is_refused_with_bad_digest(worm: Callable[..., S3Store]) -> None:
    store = worm()
    wrong = base64.b64encode(hashlib.md5(b"other bytes").digest()).decode()
    with pytest.raises(ClientError) as info:
        store.client.put_object(
            Bucket=store.settings.bucket,
            Key=raw_key(store, "md5/a"),
            Body=b"payload",
            ContentMD5=wrong,
        )
    assert info.value.response["Error"]["Code"] == "BadDigest"
    assert not store.exists("md5/a")


def test_two_racing_writers_of_one_ledger_key_on_a_locked_bucket_exactly_one_wins(
    worm: Callable[..., S3Store],
) -> None:
    first = _locked(worm)
    second = worm(lock_mode="COMPLIANCE", retain_days=1, prefix=first.settings.prefix)
    key = layout.batch_key(0)
    barrier = threading.Barrier(2)

    def write(store_and_data: tuple[S3Store, bytes]) -> PutOutcome | Exception:
        store, data = store_and_data
        barrier.wait()
        try:
            return store.put(key, data)
        except ObjectConflictError as exc:
            return exc

    payloads = [(first, b"writer one\n"), (second, b"writer two\n")]
    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(write, payloads))
    winners = [
        data for (_, data), o in zip(payloads, outcomes, strict=True) if o is PutOutcome.CREATED
    ]
    assert len(winners) == 1
    assert sum(isinstance(o, ObjectConflictError) for o in outcomes) == 1
    assert first.get(key) == second.get(key) == winners[0]


def test_disposal_of_objects_under_compliance_retention_is_refused(
    worm: Callable[..., S3Store],
) -> None:
    store = _locked(worm)
    ledger = ledger_on(store)
    raw = store_blob(store, b"raw message kept by law")
    old = datetime(2015, 3, 2, tzinfo=UTC)
    body = {
        "record_id": "r-old",
        "source": {"kind": "imap", "mailbox": "servicing", "folder": "INBOX"},
        "raw": raw,
    }
    ledger.append([EntryDraft("message.received", body, "worker:test", old)])
    now = datetime.now(UTC)
    (planned,) = plan_disposal(store, ledger, cutoff=now - timedelta(days=365), now=now)
    assert planned.refused is not None and "retained until" in planned.refused
    with pytest.raises(RetentionError):
        store.delete(str(raw["key"]))
    assert store.exists(str(raw["key"]))


def store_blob(store: S3Store, data: bytes) -> dict[str, object]:
    digest = hashlib.sha256(data).hexdigest()
    store.put(object_key(digest), data)
    return {"key": object_key(digest), "sha256": digest, "size": len(data)}
