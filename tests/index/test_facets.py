"""The search page's filters as index ranges: request kinds, escalation families,
languages, attachment verdicts, sender domains, received order, and the layout bump."""

from __future__ import annotations

import sqlite3
from dataclasses import fields

from pipeline.entries.models import ExportCriteria
from pipeline.index.db import SCHEMA_VERSION, SearchCriteria
from tests.index.factory import ids, rid


def test_request_kind_filter_finds_only_records_of_that_kind(scenario):
    with scenario.env.index() as index:
        assert ids(index, request_kind="notice_of_error") == {rid(scenario.notice)}
        assert ids(index, request_kind="payoff_statement") == {rid(scenario.payoff)}
        assert ids(index, request_kind="loss_mitigation_application") == set()


def test_escalation_family_filter_finds_records_the_classifier_escalated(scenario):
    with scenario.env.index() as index:
        assert ids(index, escalation_family="notice_of_error") == {rid(scenario.notice)}
        assert ids(index, escalation_family="bankruptcy") == set()


def test_attachment_verdict_filter_separates_accepted_from_none(scenario):
    with scenario.env.index() as index:
        assert ids(index, attachment_verdict="accepted") == {rid(scenario.notice)}
        assert ids(index, attachment_verdict="none") == {
            rid(scenario.payoff),
            rid(scenario.imported),
        }
        assert ids(index, attachment_verdict="rejected") == set()


def test_language_filter_matches_the_detected_language(scenario):
    with scenario.env.index() as index:
        assert len(ids(index, language="en")) == 3
        assert ids(index, language="es") == set()


def test_two_facets_match_only_records_with_both(scenario):
    with scenario.env.index() as index:
        for order in ("received", "position"):
            assert ids(
                index, request_kind="notice_of_error", attachment_verdict="accepted", order=order
            ) == {rid(scenario.notice)}
            assert (
                ids(index, request_kind="payoff_statement", attachment_verdict="accepted") == set()
            )


def test_received_order_is_newest_received_first_whatever_the_ledger_order(scenario):
    # the imported record was recorded last but received first
    with scenario.env.index() as index:
        by_received = index.search(SearchCriteria(order="received", newest_first=True))
        by_position = index.search(SearchCriteria(newest_first=True))
    assert [r.record_id for r in by_received] == [
        rid(scenario.payoff),
        rid(scenario.notice),
        rid(scenario.imported),
    ]
    assert [r.record_id for r in by_position] == [
        rid(scenario.imported),
        rid(scenario.payoff),
        rid(scenario.notice),
    ]


def test_facet_search_in_received_order_walks_one_index_range(scenario):
    with scenario.env.index() as index:
        plan = index.explain(
            SearchCriteria(request_kind="notice_of_error", order="received", newest_first=True)
        )
    assert plan[0].startswith("SEARCH f0 USING PRIMARY KEY (facet=?")
    assert not any("TEMP B-TREE" in step for step in plan)


def test_domain_search_is_a_range_of_the_domain_index(scenario):
    with scenario.env.index() as index:
        plan = index.explain(SearchCriteria(sender="@Example.NET", order="received"))
        assert ids(index, sender="@Example.NET") == {
            rid(scenario.notice),
            rid(scenario.imported),
        }
    assert len(plan) == 1
    assert plan[0].startswith("SEARCH r USING") and "INDEX records_domain (domain=?)" in plan[0]


def test_one_month_in_received_order_is_a_range_of_the_received_index(scenario):
    with scenario.env.index() as index:
        plan = index.explain(
            SearchCriteria(
                received_from="2026-11-01T00:00:00.000000Z",
                received_to="2026-12-01T00:00:00.000000Z",
                order="received",
                newest_first=True,
            )
        )
    assert len(plan) == 1
    assert plan[0].startswith("SEARCH r USING")
    assert "INDEX records_received (received>? AND received<?)" in plan[0]


def test_index_of_an_older_layout_is_rebuilt_from_the_ledger(scenario):
    path = scenario.env.index_path
    path.parent.mkdir(parents=True, exist_ok=True)
    old = sqlite3.connect(path)
    # the layout before sender domains and facets, with one stale row
    old.executescript(
        "create table meta (name text primary key, value text not null);"
        "insert into meta values ('schema', '4'), ('next_seq', '1');"
        "create table records (seq integer primary key, record_id text, sender text,"
        " kinds text, verdict text);"
        "insert into records values (0, 'r-stale', 'x@y.z', '', 'none');"
    )
    old.commit()
    old.close()
    with scenario.env.index() as index:
        assert index.db.execute("select value from meta where name = 'schema'").fetchone() == (
            SCHEMA_VERSION,
        )
        assert index.size == scenario.env.runtime.ledger.size()
        assert index.record("r-stale") is None
        assert ids(index, request_kind="notice_of_error") == {rid(scenario.notice)}


def test_a_facet_search_in_received_order_still_checks_the_other_fields(scenario):
    with scenario.env.index() as index:
        for mailbox, expected in (("payoffs", set()), ("servicing", {rid(scenario.notice)})):
            criteria = SearchCriteria(
                request_kind="notice_of_error",
                attachment_verdict="accepted",
                mailbox=mailbox,
                order="received",
            )
            assert {r.record_id for r in index.search(criteria)} == expected
            assert index.count(criteria, at_most=10) == len(expected)


def test_an_export_records_every_filter_of_the_search_it_was_made_with() -> None:
    criteria = SearchCriteria(
        received_from="2026-01-01T00:00:00.000000Z",
        mailbox="servicing",
        escalated=True,
        request_kind="notice_of_error",
        deadline_status="overdue",
        limit=50,
    )
    recorded = criteria.export_criteria()
    assert set(ExportCriteria.model_fields) <= {f.name for f in fields(SearchCriteria)}
    assert {name: getattr(recorded, name) for name in ExportCriteria.model_fields} == {
        name: getattr(criteria, name) for name in ExportCriteria.model_fields
    }
