"""Fuzzing ``assemble``: any bytes become a record body that canonicalizes, without raising.

``MAILLEDGER_FUZZ_EXAMPLES`` raises the number of examples per property for long runs
(the CI default keeps the whole folder well under a minute).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import Config
from pipeline.ledger.entry import canonical_json
from pipeline.record.assemble import assemble
from pipeline.record.source import MessageSource
from pipeline.worker.build import record_settings
from tests.fuzz.strategies import email_message

EXAMPLES = int(os.environ.get("MAILLEDGER_FUZZ_EXAMPLES", "150"))
DEADLINE_MS = int(os.environ.get("MAILLEDGER_FUZZ_DEADLINE_MS", "2000"))

SETTINGS = record_settings(Config())
SOURCE = MessageSource(
    kind="imap",
    mailbox="servicing",
    folder="INBOX",
    uidvalidity=7,
    uid=42,
    internaldate=datetime(2026, 3, 2, 14, 15, tzinfo=UTC),
    direction="inbound",
)

_fuzz = settings(
    max_examples=EXAMPLES,
    deadline=DEADLINE_MS,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=os.environ.get("MAILLEDGER_FUZZ_RANDOM") is None,
)


def _assert_record(raw: bytes) -> None:
    record = assemble(raw, SOURCE, SETTINGS)
    encoded = canonical_json(record.body)
    assert encoded
    assert record.raw_size == len(raw)
    assert record.body["raw"]["size"] == len(raw)
    for item in record.body["attachments"]:
        safe = item["safe_filename"]
        assert safe is None or ("/" not in safe and "\x00" not in safe and ".." not in safe)
    keys = {blob.key for blob in record.blobs}
    for item in record.body["attachments"]:
        assert item["key"] in keys
        assert item["key"].startswith(
            "objects/" if item["verdict"] == "accepted" else "quarantine/"
        )


@_fuzz
@given(raw=st.binary(max_size=4000))
def test_arbitrary_bytes_assemble_into_a_canonical_record(raw: bytes) -> None:
    _assert_record(raw)


@_fuzz
@given(raw=email_message())
def test_generated_mime_trees_assemble_into_a_canonical_record(raw: bytes) -> None:
    _assert_record(raw)
