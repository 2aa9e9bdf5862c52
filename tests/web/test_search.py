"""Search filters of the web app, checked against counts computed from the ledger itself."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from pipeline.cases.book import request_kinds_of
from pipeline.cases.read import DEADLINE_FILTERS, deadline_filters, read_cases
from pipeline.classify.clocks import local_date
from pipeline.entries import decode
from pipeline.entries.models import ClassificationBody
from pipeline.index.rows import record_row
from tests.web.conftest import Site


def _token(client: Any) -> str:
    page = client.get("/search").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


def _found(site: Site, **filters: str) -> int:
    client = site.client("officer")
    posted = client.post(
        "/search", data={"csrf_token": _token(client), "order": "newest", **filters}
    )
    assert posted.status_code == 302
    page = client.get(posted.headers["Location"]).get_data(as_text=True)
    match = re.search(r"(\d+) records? found", page)
    assert match, page[-2000:]
    return int(match.group(1))


def _expected(site: Site, keep: Callable[[dict[str, Any]], bool]) -> int:
    return sum(1 for e in site.deployment.records() if keep(e.body))


def _verdicts(body: dict[str, Any]) -> set[str]:
    return {a["verdict"] for a in body.get("attachments", [])}


@pytest.mark.parametrize(
    ("filters", "keep"),
    [
        (
            {"request_kind": "notice_of_error"},
            lambda b: (
                "notice_of_error"
                in request_kinds_of(ClassificationBody.model_validate(b["classification"]))
            ),
        ),
        ({"language": "es"}, lambda b: b["classification"].get("language") == "es"),
        ({"attachment_verdict": "rejected"}, lambda b: "rejected" in _verdicts(b)),
        ({"attachment_verdict": "accepted"}, lambda b: _verdicts(b) == {"accepted"}),
        ({"attachment_verdict": "none"}, lambda b: not _verdicts(b)),
        ({"escalated": "yes"}, lambda b: b["classification"].get("escalated") is True),
        ({"sender": "@hostile.example"}, lambda b: "hostile.example" in str(b["headers"]["from"])),
    ],
    ids=["kind", "language", "rejected", "accepted", "no-attachments", "escalated", "domain"],
)
def test_each_filter_finds_exactly_the_records_the_ledger_says(
    site: Site, filters: dict[str, str], keep: Callable[[dict[str, Any]], bool]
) -> None:
    expected = _expected(site, keep)
    assert _found(site, **filters) == expected


def test_the_filters_pick_out_something_in_the_sample_mail(site: Site) -> None:
    # guards the test above against passing on filters that match nothing at all
    assert _found(site, attachment_verdict="rejected") > 0
    assert _found(site, request_kind="notice_of_error") > 0
    assert _found(site) == len(site.deployment.records())


def test_an_export_of_a_search_by_attachment_verdict_holds_and_records_it(site: Site) -> None:
    client = site.client("officer")
    token = _token(client)
    posted = client.post(
        "/search", data={"csrf_token": token, "order": "newest", "attachment_verdict": "rejected"}
    )
    search_id = re.search(r"q=([^&]+)", posted.headers["Location"]).group(1)
    response = client.post(
        "/exports", data={"csrf_token": token, "search": search_id, "reason": "exam"}
    )
    assert response.status_code == 303
    page = _finished(client, response.headers["Location"])
    assert "Export finished" in page, page[-2000:]
    assert "export-progress.js" not in page  # finished: nothing left to poll
    created = site.entries_of("export.created")[-1].body
    expected = {
        e.body["record_id"] for e in site.deployment.records() if "rejected" in _verdicts(e.body)
    }
    assert created["criteria"]["attachment_verdict"] == "rejected"
    assert set(created["record_ids"]) == expected


def test_pages_hold_the_configured_number_of_rows_and_link_onwards(site: Site) -> None:
    from tests.web.conftest import build_app

    small = Site(site.deployment, build_app(site.deployment, web={"page_size": 5}), [], "")
    client = small.client("officer")
    posted = client.post("/search", data={"csrf_token": _token(client), "order": "oldest"})
    first = client.get(posted.headers["Location"]).get_data(as_text=True)
    assert first.count("<tr>") == 1 + 5  # header row and five records
    assert "Next page" in first and "Previous page" not in first
    total = len(site.deployment.records())
    last_page = -(-total // 5)
    last = client.get(posted.headers["Location"] + f"&page={last_page}").get_data(as_text=True)
    assert last.count("<tr>") == 1 + (total - 5 * (last_page - 1))
    assert "Previous page" in last and "Next page" not in last


def test_a_search_matching_more_than_the_count_limit_says_more_than(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.web import views

    monkeypatch.setattr(views, "COUNT_AT_MOST", 3)
    client = site.client("officer")
    posted = client.post("/search", data={"csrf_token": _token(client), "order": "newest"})
    page = client.get(posted.headers["Location"]).get_data(as_text=True)
    assert "more than 3 records found" in page
    assert page.count("<tr>") == 1 + min(len(site.deployment.records()), 50)


@pytest.mark.parametrize("dated", [False, True], ids=["no-dates", "date-range"])
def test_newest_and_oldest_first_order_by_received_time_then_position(
    site: Site, dated: bool
) -> None:
    client = site.client("officer")
    seqs = {}
    for order in ("newest", "oldest"):
        data = {"csrf_token": _token(client), "order": order}
        if dated:
            data.update({"date_from": "2000-01-01", "date_to": "2100-01-01"})
        posted = client.post("/search", data=data)
        page = client.get(posted.headers["Location"]).get_data(as_text=True)
        seqs[order] = [int(s) for s in re.findall(r"<td>(\d+)</td>\s*</tr>", page)]
    every = [
        seq
        for _received, seq in sorted(
            (record_row(e, decode(e).body).received, e.seq) for e in site.deployment.records()
        )
    ]
    assert seqs["oldest"] == every
    assert seqs["newest"] == every[::-1]


@pytest.mark.parametrize("status", DEADLINE_FILTERS)
def test_deadline_status_filter_shows_what_the_case_model_decides(site: Site, status: str) -> None:
    now = datetime.now(UTC)
    policy = site.deployment.config.classification.policy.clock
    view = read_cases(site.entries(), site.deployment.runtime().store, now, policy)
    today = local_date(now, policy)
    expected = {s.record_id for s in view.statuses if status in deadline_filters(s, today)}
    client = site.client("officer")
    posted = client.post(
        "/search", data={"csrf_token": _token(client), "order": "newest", "deadline_status": status}
    )
    page = client.get(posted.headers["Location"]).get_data(as_text=True)
    shown = set(re.findall(r'href="/records/(r-[0-9a-f]+)"', page))
    assert shown == expected
    if expected:
        assert '<th scope="col">Deadline status</th>' in page
        assert status.replace("_", " ") in page


def test_the_sample_mail_has_pending_and_not_applicable_cases(site: Site) -> None:
    # guards the test above against passing on states no record is in
    now = datetime.now(UTC)
    view = read_cases(site.entries(), site.deployment.runtime().store, now)
    states = {s.state for s in view.statuses}
    assert {"pending", "not_applicable"} <= states


def _finished(client: Any, job_page: str) -> str:
    """The job page once it says the export finished or failed (it is built in the
    background; until then the page offers a link to look again, and a script)."""
    for _ in range(3000):
        page = client.get(job_page).get_data(as_text=True)
        if "Export finished" in page or "Export failed" in page:
            return page
        assert "export-progress.js" in page and "<progress" in page
        assert "Check the progress again" in page  # works without the script too
        time.sleep(0.1)
    raise AssertionError("the export job never finished")


def test_an_export_job_is_shown_only_to_the_person_who_started_it(site: Site) -> None:
    client = site.client("officer")
    token = _token(client)
    posted = client.post("/search", data={"csrf_token": token, "order": "newest"})
    search_id = re.search(r"q=([^&]+)", posted.headers["Location"]).group(1)
    started = client.post(
        "/exports", data={"csrf_token": token, "search": search_id, "reason": "exam"}
    )
    job_page = started.headers["Location"]
    _finished(client, job_page)
    other = site.client("supervisor")
    assert other.get(job_page).status_code == 404
    assert client.get(job_page).status_code == 200


def test_only_the_export_progress_page_may_run_the_apps_own_script(site: Site) -> None:
    from pipeline.web.app import CSP, SCRIPT_CSP

    client = site.client("officer")
    token = _token(client)
    posted = client.post("/search", data={"csrf_token": token, "order": "newest"})
    search_id = re.search(r"q=([^&]+)", posted.headers["Location"]).group(1)
    started = client.post(
        "/exports", data={"csrf_token": token, "search": search_id, "reason": "exam"}
    )
    running = client.get(started.headers["Location"])
    state = client.get(started.headers["Location"] + "/state").get_json()
    assert state["state"] in ("running", "done") and 0 <= state["step"] <= state["steps"]
    if "export-progress.js" in running.get_data(as_text=True):
        assert running.headers["Content-Security-Policy"] == CSP + SCRIPT_CSP
    finished = _finished(client, started.headers["Location"])
    assert "Export finished" in finished
    assert client.get(started.headers["Location"]).headers["Content-Security-Policy"] == CSP
    assert client.get("/search").headers["Content-Security-Policy"] == CSP
