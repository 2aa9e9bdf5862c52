"""The search page shows every row as its ledger entry (and the case model) says: an index
row edited in SQLite is shown with the proven values, marked, and reported."""

from __future__ import annotations

import html
import re
import sqlite3
from datetime import UTC, datetime

from pipeline.archive import service
from pipeline.cases.read import deadline_filters, read_cases
from pipeline.classify.clocks import local_date
from pipeline.index.db import INDEX_FILE
from tests.ledger.log_capture import captured_logs
from tests.web.conftest import Site, csrf


def _search(site: Site, **filters: str) -> str:
    client = site.client("officer")
    posted = client.post(
        "/search", data={"csrf_token": csrf(client, "/search"), "order": "newest", **filters}
    )
    assert posted.status_code == 302
    return client.get(posted.headers["Location"]).get_data(as_text=True)


def _edit(site: Site, sql: str, *args: object) -> None:
    """Change the index the way someone with access to the state folder could."""
    _search(site)  # the index is synced with the ledger first
    db = sqlite3.connect(site.deployment.config.state_dir / INDEX_FILE)
    with db:
        db.execute(sql, args)
    db.close()


def _cells(page: str, record_id: str) -> list[str]:
    """The text of each cell of the result row that links to ``record_id``."""
    rows = re.findall(r"<tr>(.*?)</tr>", page, flags=re.S)
    (row,) = [r for r in rows if f'href="/records/{record_id}"' in r]
    return [
        html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
        for c in re.findall(r"<td>(.*?)</td>", row, flags=re.S)
    ]


def test_an_edited_category_and_escalated_flag_show_the_ledgers_values_marked(site: Site) -> None:
    escalated = next(e for e in site.deployment.records() if e.body["classification"]["escalated"])
    rid = escalated.body["record_id"]
    category = escalated.body["classification"]["category"]
    _edit(site, "update records set category = 'tampered', escalated = 0 where record_id = ?", rid)
    with captured_logs(service) as logs:
        page = _search(site)
    cells = _cells(page, rid)
    assert cells[4] == (category or "")  # Category
    assert cells[5] == "yes"  # Escalated
    assert "index disagreed: category, escalated" in cells[2]
    assert "tampered" not in page
    assert 'role="alert"' in page and "The search index disagrees with the ledger" in page
    assert (
        f"ledger position {escalated.seq} ({rid}): the index said another category, escalated"
        in page
    )
    warned = [e for e in logs if e["event"] == "search.index_disagrees"]
    assert [(e["record_id"], e["fields"]) for e in warned] == [(rid, ["category", "escalated"])]


def test_rows_the_index_has_right_carry_no_marker(site: Site) -> None:
    page = _search(site, mailbox="no-such-mailbox")
    assert "disagrees" not in page
    other = next(e for e in site.deployment.records() if not e.body["classification"]["escalated"])
    cells = _cells(
        _search(site, sender=other.body["headers"]["from"][0]["address"]), other.body["record_id"]
    )
    assert "index disagreed" not in cells[2]


def test_an_edited_deadline_state_shows_the_case_models_status_and_reports_it(site: Site) -> None:
    now = datetime.now(UTC)
    policy = site.deployment.config.classification.policy.clock
    view = read_cases(site.entries(), site.deployment.runtime().store, now, policy)
    today = local_date(now, policy)
    case = next(s for s in view.statuses if "missed" not in deadline_filters(s, today))
    # one signed-in client: a sign-in is a ledger entry, after which deadline states are
    # rewritten from the case model anyway
    client = site.client("officer")
    posted = client.post(
        "/search",
        data={
            "csrf_token": csrf(client, "/search"),
            "order": "newest",
            "deadline_status": "missed",
        },
    )
    client.get(posted.headers["Location"])  # deadline states written into the index
    db = sqlite3.connect(site.deployment.config.state_dir / INDEX_FILE)
    with db:
        db.execute(
            "insert into facets (facet, received, seq)"
            " select 'status:missed', received, seq from records where record_id = ?",
            (case.record_id,),
        )
    db.close()
    page = client.get(posted.headers["Location"]).get_data(as_text=True)
    cells = _cells(page, case.record_id)
    shown = ", ".join(w.replace("_", " ") for w in deadline_filters(case, today)) or "none"
    assert cells[-2] == shown  # Deadline status, as the case model decides it
    assert "missed" not in shown
    assert f"({case.record_id}): the index said deadline status missed" in page
