"""The records index: filters, full-text search, incremental sync and rebuilds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.errors import CacheAheadError
from pipeline.index.db import RecordIndex, SearchCriteria
from tests.index.factory import ids, make_env, make_raw, rid


def test_mailbox_filter_matches_only_that_mailbox(scenario):
    with scenario.env.index() as index:
        assert ids(index, mailbox="payoffs") == {rid(scenario.payoff)}
        assert rid(scenario.payoff) not in ids(index, mailbox="servicing")


def test_sender_filter_matches_address_case_insensitively_and_by_domain(scenario):
    with scenario.env.index() as index:
        assert ids(index, sender="JANE@other.org") == {rid(scenario.payoff)}
        assert ids(index, sender="@example.net") == {
            rid(scenario.notice),
            rid(scenario.imported),
        }


def test_account_filter_matches_full_number_with_or_without_separators(scenario):
    with scenario.env.index() as index:
        assert ids(index, account="1234567890") == {rid(scenario.notice)}
        assert ids(index, account="555-000-1234") == {rid(scenario.payoff)}
        assert ids(index, account="7890") == set()


def test_category_and_escalated_filters_exclude_other_records(scenario):
    category = scenario.notice.body["classification"]["category"]
    with scenario.env.index() as index:
        assert rid(scenario.notice) in ids(index, category=category)
        assert rid(scenario.imported) not in ids(index, category=category)
        assert ids(index, escalated=True) == {rid(scenario.notice)}


def test_received_range_is_inclusive_start_exclusive_end(scenario):
    with scenario.env.index() as index:
        november = ids(
            index,
            received_from="2026-11-01T00:00:00.000000Z",
            received_to="2026-11-10T14:05:00.000000Z",
        )
        assert november == {rid(scenario.notice)}
        assert ids(index, received_to="2026-11-01T00:00:00.000000Z") == {rid(scenario.imported)}


def test_text_search_finds_words_in_body_subject_and_attachment_names(scenario):
    with scenario.env.index() as index:
        assert ids(index, text="misapplied") == {rid(scenario.notice)}
        assert ids(index, text="payoff mortgage") == {rid(scenario.payoff)}
        assert ids(index, text="statement.pdf") == {rid(scenario.notice)}
        assert ids(index, text="misappl*") == {rid(scenario.notice)}
        assert ids(index, text="payoff misapplied") == set()


def test_text_search_treats_fts_syntax_as_plain_words(scenario):
    with scenario.env.index() as index:
        assert ids(index, text='escrow" OR "thank') == set()


def test_index_links_acks_escalations_and_accesses_to_the_record(scenario):
    with scenario.env.index() as index:
        types = [link.type for link in index.links(rid(scenario.notice))]
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
        incremental_links = incremental.links(rid(scenario.notice))
    for suffix in ("", "-wal", "-shm"):
        (env.index_path.parent / (env.index_path.name + suffix)).unlink(missing_ok=True)
    with env.index() as rebuilt:
        assert rebuilt.search(SearchCriteria()) == incremental_rows
        assert rebuilt.links(rid(scenario.notice)) == incremental_links
        assert ids(rebuilt, text="arrival") == ids(rebuilt, text="Late")


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
            rid(twin),
            rid(first),
        }
        assert [r.record_id for r in index.resolve("<shared@example.net>")] == [
            rid(twin),
            rid(first),
        ]


def test_resolve_by_raw_hash_position_and_linked_entry(scenario):
    with scenario.env.index() as index:
        notice = rid(scenario.notice)
        assert [r.record_id for r in index.resolve(scenario.notice.body["raw"]["sha256"])] == [
            notice
        ]
        assert [r.record_id for r in index.resolve(str(scenario.notice.seq))] == [notice]
        assert [r.record_id for r in index.resolve(str(scenario.ack.seq))] == [notice]
        assert index.resolve("r-000000000000000000000000") == []


def test_received_time_is_the_imap_internaldate(scenario):
    with scenario.env.index() as index:
        row = index.record(rid(scenario.payoff))
    assert row is not None
    assert row.received == "2026-11-10T14:05:00.000000Z"
    assert datetime.fromisoformat(row.recorded.replace("Z", "+00:00")) > datetime(
        2026, 1, 1, tzinfo=UTC
    )
