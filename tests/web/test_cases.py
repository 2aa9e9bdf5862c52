"""Case decisions and corrections from the case page, recorded through the archive."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from pipeline.cases.read import read_cases
from tests.web.conftest import Site


def _token(client: Any, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, page[-1500:]
    return match.group(1)


def _open_requests(site: Site) -> list[str]:
    runtime = site.deployment.runtime()
    view = read_cases(runtime.ledger.entries(), runtime.store, datetime.now(UTC))
    return [s.record_id for s in view.statuses if s.record.kinds and not s.resolved]


def test_the_case_page_lists_the_clocks_and_offers_corrections_to_supervisors(site: Site) -> None:
    rid = _open_requests(site)[0]
    supervisor = site.client("supervisor").get(f"/cases/{rid}").get_data(as_text=True)
    officer = site.client("officer").get(f"/cases/{rid}").get_data(as_text=True)
    assert "respond" in supervisor and "Mark not a request" in supervisor
    assert "respond" in officer and "Mark not a request" not in officer


def test_marking_not_a_request_is_recorded_with_actor_and_reason(site: Site) -> None:
    rid = _open_requests(site)[-1]
    client = site.client("supervisor")
    response = client.post(
        f"/cases/{rid}/not-a-request",
        data={"csrf_token": _token(client, f"/cases/{rid}"), "reason": "marketing reply"},
    )
    assert response.status_code == 303
    entry = [e for e in site.entries() if e.type == "case.not_a_request"][-1]
    assert entry.body["record_id"] == rid and entry.body["reason"] == "marketing reply"
    assert entry.actor == "person:supervisor"


def test_a_case_action_without_a_reason_is_not_recorded(site: Site) -> None:
    rid = _open_requests(site)[0]
    client = site.client("supervisor")
    before = len(site.entries())
    response = client.post(
        f"/cases/{rid}/resolve", data={"csrf_token": _token(client, f"/cases/{rid}"), "reason": ""}
    )
    assert response.status_code == 303
    assert len(site.entries()) == before
    assert "Not recorded" in client.get(f"/cases/{rid}").get_data(as_text=True)


def test_reclassifying_records_the_new_kinds(site: Site) -> None:
    rid = _open_requests(site)[0]
    client = site.client("supervisor")
    response = client.post(
        f"/cases/{rid}/reclassify",
        data={
            "csrf_token": _token(client, f"/cases/{rid}"),
            "kinds": ["request_for_information"],
            "reason": "asks for the payment history only",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[-800:]
    entry = [e for e in site.entries() if e.type == "case.reclassified"][-1]
    assert entry.body["record_id"] == rid
    assert "request_for_information" in str(entry.body)
