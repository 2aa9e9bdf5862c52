"""Bad input to the records app: a page that says what to mend, with a client error's
status, never a server failure. Flask's test client against the app on a real ledger."""

from __future__ import annotations

import re

from tests.web.conftest import Site


def _token(client: object) -> str:
    page = client.get("/no-such-page").get_data(as_text=True)  # type: ignore[attr-defined]
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_a_search_to_the_last_day_a_calendar_has_is_refused_on_the_form(site: Site) -> None:
    client = site.client("officer")
    response = client.post("/search", data={"csrf_token": _token(client), "date_to": "9999-12-31"})
    assert response.status_code == 200
    assert "9999-12-31 is outside 1970-01-01 to 2100-12-31" in response.get_data(as_text=True)


def test_a_page_number_past_any_result_shows_an_empty_page(site: Site) -> None:
    client = site.client("officer")
    posted = client.post("/search", data={"csrf_token": _token(client), "order": "newest"})
    response = client.get(posted.headers["Location"] + "&page=" + "9" * 30)
    assert response.status_code == 200


def test_search_text_without_a_word_is_a_client_error_saying_so(site: Site) -> None:
    client = site.client("officer")
    posted = client.post("/search", data={"csrf_token": _token(client), "text": "*"})
    response = client.get(posted.headers["Location"])
    assert response.status_code == 400
    assert "has no word to look for" in response.get_data(as_text=True)


def test_a_report_period_outside_the_calendar_is_a_client_error(site: Site) -> None:
    client = site.client("officer")
    for path in ("/reports?from=0001-01-01&to=9999-12-31", "/reports/sla.csv?to=9999-12-31"):
        response = client.get(path)
        assert response.status_code == 400, path
        assert "outside 1970-01-01 to 2100-12-31" in response.get_data(as_text=True)


def test_granting_an_export_at_a_position_past_the_ledger_is_not_found(site: Site) -> None:
    client = site.client("officer")
    before = len(site.entries())
    response = client.post(
        "/exports/999999/grant",
        data={"csrf_token": _token(client), "examiner": "examiner", "reason": "probe"},
    )
    assert response.status_code == 404
    assert "no ledger entry at position 999999" in response.get_data(as_text=True)
    assert len(site.entries()) == before


def test_a_disposal_dry_run_below_the_configured_floor_is_shown_on_the_form(site: Site) -> None:
    client = site.client("supervisor")
    response = client.post(
        "/disposal/dry-run", data={"csrf_token": _token(client), "older_than": "0d"}
    )
    assert response.status_code == 200
    assert "retention.min_dispose_days" in response.get_data(as_text=True)
