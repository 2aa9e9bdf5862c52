"""The records index: filters, full-text search, incremental sync and rebuilds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.errors import CacheAheadError
from pipeline.index.db import RecordIndex, SearchCriteria
from tests.index.factory import Scenario, build_scenario, make_env, make_raw


@pytest.fixture
def scenario(tmp_path) -> Scenario:
    return build_scenario(tmp_path)


def _ids(index: RecordIndex, **criteria) -> set[str]:
    return {r.record_id for r in index.search(SearchCriteria(**criteria))}


def _rid(entry) -> str:
    return entry.body["record_id"]


def test_mailbox_filter_matches_only_that_mailbox(scenario):
    with scenario.env.index() as index:
        assert _ids(index, mailbox="payoffs") == {_rid(scenario.payoff)}
        assert _rid(scenario.payoff) not in _ids(index, mailbox="servicing")


def test_sender_filter_matches_address_case_insensitively_and_by_domain(scenario):
    with scenario.env.index() as index:
        assert _ids(index, sender="JANE@other.org") == {_rid(scenario.payoff)}
        assert _ids(index, sender="@example.net") == {
            _rid(scenario.notice),
            _rid(scenario.imported),
        }


def test_account_filter_matches_full_number_with_or_without_separators(scenario):
    with scenario.env.index() as index:
        assert _ids(index, account="1234567890") == {_rid(scenario.notice)}
        assert _ids(index, account="555-000-1234") == {_rid(scenario.payoff)}
        assert _ids(index, account="7890") == set()


def test_category_and_escalated_filters_exclude_other_records(scenario):
    category = scenario.notice.body["classification"]["category"]
    with scenario.env.index() as index:
        assert _rid(scenario.notice) in _ids(index, category=category)
        assert _rid(scenario.imported) not in _ids(index, category=category)
        assert _ids(index, escalated=True) == {_rid(scenario.notice)}


def test_received_range_is_inclusive_start_exclusive_end(scenario):
    with scenario.env.index() as index:
        november = _ids(
            index,
            received_from="2026-11-01T00:00:00.000000Z",
            received_to="2026-11-10T14:05:00.000000Z",
        )
        assert november == {_rid(scenario.notice)}
        assert _ids(index, received_to="2026-11-01T00:00:00.000000Z") == {_rid(scenario.imported)}


def test_text_search_finds_words_in_body_subject_and_attachment_names(scenario):
    with scenario.env.index() as index:
        assert _ids(index, text="misapplied") == {_rid(scenario.notice)}
        assert _ids(index, text="payoff mortgage") == {_rid(scenario.payoff)}
        assert _ids(index, text="statement.pdf") == {_rid(scenario.notice)}
        assert _ids(index, text="misappl*") == {_rid(scenario.notice)}
        assert _ids(index, text="payoff misapplied") == set()


def test_text_search_treats_fts_syntax_as_plain_words(scenario):
    with scenario.env.index() as index:
        assert _ids(index, text='escrow" OR "thank') == set()


def test_index_links_acks_escalations_and_accesses_to_the_record(scenario):
    with scenario.env.index() as index:
        types = [link.type for link in index.links(_rid(scenario.notice))]
    assert types == [
        "message.sealed",
        "message.received",
        "acknowledgment.sent",
        "escalation.notified",
        "access.viewed",
    ]


def test_incremental_sync_reads_only_new_entries_and_equals_rebuild(scenario, tmp_path):
    env = scenario.env
    with env.index() as index:
        assert index.size == env.runtime.ledger.size()
    env.record(make_raw(subject="Late arrival", text="another escrow question"))
    with env.index() as incremental:
        incremental_rows = incremental.search(SearchCriteria())
        incremental_links = incremental.links(_rid(scenario.notice))
        incremental_leaves = incremental.leaf_hashes(incremental.size)
    for suffix in ("", "-wal", "-shm"):
        (env.index_path.parent / (env.index_path.name + suffix)).unlink(missing_ok=True)
    with env.index() as rebuilt:
        assert rebuilt.search(SearchCriteria()) == incremental_rows
        assert rebuilt.links(_rid(scenario.notice)) == incremental_links
        assert rebuilt.leaf_hashes(rebuilt.size) == incremental_leaves
        assert _ids(rebuilt, text="arrival") == _ids(rebuilt, text="Late")


def test_index_ahead_of_the_ledger_fails_naming_both_sizes_and_keeps_its_rows(scenario, tmp_path):
    other = make_env(tmp_path / "other")
    other.record(make_raw(subject="Only in the other log"))
    with RecordIndex(scenario.env.index_path) as index:
        size = index.sync(scenario.env.runtime.ledger, scenario.env.runtime.store)
        with pytest.raises(CacheAheadError) as failure:
            index.sync(other.runtime.ledger, other.runtime.store)
        assert (
            f"records {size} ledger entries but the ledger has {other.runtime.ledger.size()}"
            in str(failure.value)
        )
        assert index.size == size


def test_index_of_a_rewritten_ledger_of_the_same_size_fails_naming_the_position(scenario, tmp_path):
    other = make_env(tmp_path / "other")
    other.record(make_raw(subject="Only in the other log"))
    with RecordIndex(tmp_path / "index.sqlite") as index:
        index.sync(other.runtime.ledger, other.runtime.store)
        rewritten = make_env(tmp_path / "rewritten")
        rewritten.record(make_raw(subject="Rewritten in its place"))
        with pytest.raises(CacheAheadError) as failure:
            index.sync(rewritten.runtime.ledger, rewritten.runtime.store)
        assert "with a different entry at position 0" in str(failure.value)
        assert [r.subject for r in index.search(SearchCriteria())] == ["Only in the other log"]
        assert index.size == other.runtime.ledger.size() == 2  # its seal and its record


def test_resolve_finds_records_by_message_id_with_or_without_brackets(scenario):
    env = scenario.env
    twin = env.record(make_raw(subject="Copy", message_id="<shared@example.net>"), folder="Sent")
    first = env.record(make_raw(subject="Orig", message_id="<shared@example.net>"))
    with env.index() as index:
        assert {r.record_id for r in index.resolve("shared@example.net")} == {
            _rid(twin),
            _rid(first),
        }
        assert [r.record_id for r in index.resolve("<shared@example.net>")] == [
            _rid(twin),
            _rid(first),
        ]


def test_resolve_by_raw_hash_position_and_linked_entry(scenario):
    with scenario.env.index() as index:
        rid = _rid(scenario.notice)
        assert [r.record_id for r in index.resolve(scenario.notice.body["raw"]["sha256"])] == [rid]
        assert [r.record_id for r in index.resolve(str(scenario.notice.seq))] == [rid]
        assert [r.record_id for r in index.resolve(str(scenario.ack.seq))] == [rid]
        assert index.resolve("r-000000000000000000000000") == []


def test_received_time_is_the_imap_internaldate(scenario):
    with scenario.env.index() as index:
        row = index.record(_rid(scenario.payoff))
    assert row is not None
    assert row.received == "2026-11-10T14:05:00.000000Z"
    assert datetime.fromisoformat(row.recorded.replace("Z", "+00:00")) > datetime(
        2026, 1, 1, tzinfo=UTC
    )
