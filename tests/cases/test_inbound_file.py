"""The export's case model keeps inbound records in a scratch file: reading them back
means what the in-memory book's ``dict.setdefault`` in ledger order means."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

import pipeline.cases.read as read
from pipeline.cases.book import CaseRecord

T = datetime(2026, 11, 2, 14, 5, tzinfo=UTC)


def _record(record_id: str, seq: int) -> CaseRecord:
    return CaseRecord(
        record_id=record_id,
        seq=seq,
        received_at=T,
        message_id=f"<{record_id}@example.net>",
        sender="borrower@example.net",
        subject=f"My loan {seq}",
        category="servicing",
        subcategory="",
        kinds=("notice_of_error",),
        subkinds=(),
        sale_date=None,
        rules=("noe.cue",),
        escalated=True,
        masked_accounts=("****1234",),
        sensitive_kinds=(),
        imported=False,
    )


def _file(records: list[CaseRecord], scratch: Path) -> read._InboundFile:
    spill = read._InboundFile(scratch)
    for record in records:
        spill.add(record)
    spill.finish()
    return spill


def test_every_record_reads_back_equal_and_an_unknown_id_reads_none(tmp_path):
    records = [_record(f"r-{n:04d}", n) for n in range(300)]
    spill = _file(records, tmp_path)
    try:
        assert [spill.get(r.record_id) for r in records] == records
        assert spill.get("r-unknown") is None
        assert list(spill.values()) == records
    finally:
        spill.close()


def test_the_first_recording_of_an_id_wins_and_values_skip_later_ones(tmp_path):
    first, other, again = _record("r-a", 1), _record("r-b", 2), _record("r-a", 3)
    spill = _file([first, other, again], tmp_path)
    try:
        assert spill.get("r-a") == first
        assert list(spill.values()) == [first, other]
    finally:
        spill.close()


def test_ids_whose_keys_collide_are_told_apart_by_the_record_id(monkeypatch, tmp_path):
    monkeypatch.setattr(read, "_id_key", lambda record_id: 7)  # every id shares one key
    records = [_record("r-c", 5), _record("r-a", 1), _record("r-b", 2), _record("r-a", 9)]
    spill = _file(records, tmp_path)
    try:
        assert [spill.get(i) for i in ("r-a", "r-b", "r-c")] == [
            records[1],
            records[2],
            records[0],
        ]
        assert list(spill.values()) == records[:3]
    finally:
        spill.close()


@pytest.mark.parametrize("count", [0, 1])
def test_an_empty_or_single_file_reads_back(count, tmp_path):
    records = [_record("r-x", 0)][:count]
    spill = _file(records, tmp_path)
    try:
        assert list(spill.values()) == records
        assert spill.get("r-x") == (records[0] if records else None)
    finally:
        spill.close()
