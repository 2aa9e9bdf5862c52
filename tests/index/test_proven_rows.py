"""Search results are rebuilt from their ledger entries, proven against the signed root:
an index row edited in SQLite changes nothing that is shown, and the edit is reported."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from typing import Any

import pytest
from click.testing import CliRunner

from pipeline.archive import service
from pipeline.archive_app import open_archive
from pipeline.cli.app import cli
from pipeline.errors import LedgerError
from pipeline.index.db import INDEX_FILE, SearchCriteria
from pipeline.index.proven import newest_signed, prove_rows
from pipeline.index.rows import record_row
from pipeline.ledger.log import Ledger
from pipeline.runtime import verifier_keys
from pipeline.storage.local import LocalStore
from tests.index.factory import Scenario, make_raw, rid, write_config
from tests.ledger.log_capture import captured_logs


def _edit(scenario: Scenario, sql: str, *args: Any) -> None:
    """Change the index the way someone with access to the state folder could."""
    scenario.env.index().close()  # synced, so the next command only reads it
    db = sqlite3.connect(scenario.env.config.state_dir / INDEX_FILE)
    with db:
        db.execute(sql, args)
    db.close()


def _unescalate_notice(scenario: Scenario) -> None:
    _edit(
        scenario,
        "update records set category = 'general', escalated = 0 where record_id = ?",
        rid(scenario.notice),
    )


def test_rows_of_an_unchanged_index_equal_their_entries_with_no_disagreement(scenario):
    with open_archive(scenario.env.runtime) as archive:
        page = archive.search_proven(SearchCriteria())
    assert page.disagreements == ()
    assert {p.row.record_id for p in page.rows} == {
        rid(scenario.notice),
        rid(scenario.payoff),
        rid(scenario.imported),
    }
    assert all(p.signed and p.index_differs == () for p in page.rows)
    assert page.checkpoint_size == scenario.env.runtime.ledger.size()


def test_an_edited_category_and_escalated_flag_are_shown_as_the_entry_says(scenario):
    _unescalate_notice(scenario)
    with open_archive(scenario.env.runtime) as archive:
        page = archive.search_proven(SearchCriteria(mailbox="servicing"))
    (shown,) = [p for p in page.rows if p.row.record_id == rid(scenario.notice)]
    classification = scenario.notice.body["classification"]
    assert shown.row.escalated is True
    assert shown.row.category == classification["category"] != "general"
    assert "notice_of_error" in shown.request_kinds
    assert shown.index_differs == ("category", "escalated")


def test_a_disagreeing_row_is_logged_as_a_warning_naming_its_fields(scenario):
    _unescalate_notice(scenario)
    with captured_logs(service) as logs, open_archive(scenario.env.runtime) as archive:
        page = archive.search_proven(SearchCriteria())
    warned = [e for e in logs if e["event"] == "search.index_disagrees"]
    assert [(e["record_id"], e["fields"], e["log_level"]) for e in warned] == [
        (rid(scenario.notice), ["category", "escalated"], "warning")
    ]
    assert [d.record_id for d in page.disagreements] == [rid(scenario.notice)]


def test_an_index_row_pointing_at_another_records_entry_shows_nothing(scenario):
    # the notice's row moved onto the payoff's position: "show" would open another borrower's
    # message, so the page refuses instead of showing either
    _edit(scenario, "delete from records where record_id = ?", rid(scenario.payoff))
    _edit(
        scenario,
        "update records set seq = ? where record_id = ?",
        scenario.payoff.seq,
        rid(scenario.notice),
    )
    with open_archive(scenario.env.runtime) as archive, pytest.raises(LedgerError) as caught:
        archive.search_proven(SearchCriteria(mailbox="servicing"))
    assert f"record {rid(scenario.notice)} at ledger position {scenario.payoff.seq}" in str(
        caught.value
    )


def test_rows_are_not_shown_against_a_checkpoint_whose_root_the_entries_do_not_give(scenario):
    ledger = scenario.env.runtime.ledger
    signed = newest_signed(ledger)
    forged = dataclasses.replace(
        signed, checkpoint=dataclasses.replace(signed.checkpoint, root=bytes(32))
    )
    candidates = [record_row(scenario.notice, _record_body(scenario))]
    with pytest.raises(LedgerError, match="do not give the root"):
        prove_rows(ledger, candidates, forged)


def test_a_page_reads_each_batch_it_shows_once_and_lists_the_store_once(scenario):
    env = scenario.env
    for n in range(2):  # newer batches than the page's, so its batches left the cache
        env.record(make_raw(subject=f"later {n}"))
    store = _CountingStore(LocalStore(env.root / "store", fsync=False))
    ledger = Ledger(store, env.config.origin, verifier_keys(env.config))
    size = ledger.refresh()
    store.gets.clear()
    store.lists.clear()
    shown = (scenario.notice, scenario.payoff, scenario.imported, scenario.notice)
    rows = [record_row(e, _body(e)) for e in shown]
    page = prove_rows(ledger, rows, newest_signed(ledger))
    assert [p.row.record_id for p in page.rows] == [r.record_id for r in rows]
    batches = [k for k in store.gets if k.startswith("ledger/entries/")]
    assert sorted(batches) == [f"ledger/entries/{e.seq:016d}.jsonl" for e in shown[:3]]
    # the newest checkpoint is the only other GET
    assert [k for k in store.gets if not k.startswith("ledger/entries/")] == [
        f"ledger/checkpoints/{size:016d}"
    ]
    # the checkpoints once, new batches once per step (finding the checkpoint, reading rows)
    assert store.lists.count("ledger/checkpoints/") == 1
    assert store.lists.count("ledger/entries/") == 2


def test_cli_search_shows_the_entrys_values_and_warns_about_the_edited_row(scenario):
    _unescalate_notice(scenario)
    config = write_config(scenario.env)
    result = CliRunner().invoke(cli, ["--config", str(config), "search", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["record_id"]: r for r in json.loads(result.stdout)}
    notice = rows[rid(scenario.notice)]
    assert notice["escalated"] is True
    assert notice["category"] == scenario.notice.body["classification"]["category"]
    assert notice["index_disagrees"] == ["category", "escalated"]
    assert f"disagrees with the ledger at ledger position {scenario.notice.seq}" in result.stderr
    assert rows[rid(scenario.payoff)]["index_disagrees"] == []


def test_cli_search_table_marks_the_edited_row(scenario):
    _unescalate_notice(scenario)
    config = write_config(scenario.env)
    result = CliRunner().invoke(cli, ["--config", str(config), "search"])
    assert result.exit_code == 0, result.output
    (line,) = [ln for ln in result.stdout.splitlines() if ln.startswith(f"{scenario.notice.seq}!")]
    assert " yes " in f" {line} "
    assert "!: the index disagreed" in result.stderr


def _record_body(scenario: Scenario) -> Any:
    return _body(scenario.notice)


def _body(entry: Any) -> Any:
    from pipeline.entries import decode_record

    return decode_record(entry).body


class _CountingStore:
    """A store that remembers the key of every GET (what S3 would bill)."""

    def __init__(self, inner: LocalStore) -> None:
        self.inner = inner
        self.gets: list[str] = []
        self.lists: list[str] = []

    def get(self, key: str, *, verify: bool = True) -> bytes:
        self.gets.append(key)
        return self.inner.get(key, verify=verify)

    def list(self, prefix: str, start_after: str | None = None) -> Any:
        self.lists.append(prefix)
        return self.inner.list(prefix, start_after)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
