"""Security of the records app: roles on every route, CSRF, XSS, path tricks, sessions.

Runs Flask's test client against the app on a real ledger (mail polled from Dovecot)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from markupsafe import Markup

from pipeline.archive.people import ROLE_PERMISSIONS, Permission, Role
from pipeline.web.app import CSP
from tests.web.conftest import ROLES, Site, build_app, sign_in

DUMMY_RID = "r-" + "0" * 24
DUMMY_SHA = "0" * 64

# (method, path, permission); {rid} is a real record id. None: any signed-in person.
ROUTES: list[tuple[str, str, Permission | None]] = [
    ("GET", "/search", Permission.SEARCH),
    ("POST", "/search", Permission.SEARCH),
    ("GET", "/records/{rid}", Permission.SEARCH),
    ("POST", "/records/{rid}/open", Permission.VIEW),
    ("POST", "/records/{rid}/eml", Permission.VIEW),
    ("POST", f"/records/{{rid}}/attachments/{DUMMY_SHA}", Permission.VIEW),
    ("POST", "/records/{rid}/trail", Permission.TRAIL),
    ("GET", "/cases", Permission.CASES),
    ("GET", "/cases/{rid}", Permission.CASES),
    ("POST", "/cases/{rid}/extend", Permission.CASE_ACTIONS),
    ("POST", "/cases/{rid}/resolve", Permission.CASE_ACTIONS),
    ("POST", "/cases/{rid}/reopen", Permission.CASE_ACTIONS),
    ("POST", "/cases/{rid}/link", Permission.CASE_ACTIONS),
    ("GET", "/holds", Permission.HOLDS),
    ("POST", "/holds/place", Permission.HOLD_ACTIONS),
    ("POST", "/holds/lift", Permission.HOLD_ACTIONS),
    ("POST", "/disposal/dry-run", Permission.DISPOSAL),
    ("GET", "/exports", Permission.EXPORT),
    ("POST", "/exports", Permission.EXPORT),
    ("GET", "/exports/jobs/nojob", Permission.EXPORT),
    ("GET", "/exports/jobs/nojob/state", Permission.EXPORT),
    ("POST", "/exports/0/grant", Permission.EXPORT),
    ("GET", "/examine", Permission.EXAMINE),
    ("POST", "/examine/verify", Permission.EXAMINE),
    ("GET", "/reports", Permission.REPORTS),
    ("GET", "/reports/sla.csv", Permission.REPORTS),
    ("GET", "/health", Permission.HEALTH),
    ("GET", "/admin/users", Permission.USERS),
    ("POST", "/admin/users", Permission.USERS),
    ("POST", "/admin/users/officer/roles", Permission.USERS),
    ("GET", "/", None),
    ("POST", "/sign-out", None),
]


def _cases() -> list[tuple[str, str, str, Permission | None]]:
    return [
        (account, method, path, permission)
        for account in ROLES
        for method, path, permission in ROUTES
        if permission is not None and permission not in ROLE_PERMISSIONS[Role(ROLES[account])]
    ]


def test_the_route_table_covers_every_route_of_the_app(site: Site) -> None:
    adapter = site.app.url_map.bind("localhost")
    covered = {adapter.match(p.format(rid=DUMMY_RID), method=m)[0] for m, p, _ in ROUTES}
    # sign-in and liveness are public; export downloads are checked per grant below
    public = {"static", "web.healthz", "web.sign_in", "web.download_export"}
    every = {rule.endpoint for rule in site.app.url_map.iter_rules()} - public
    assert every - covered == set()


@pytest.mark.parametrize(("account", "method", "path", "permission"), _cases())
def test_a_role_without_the_permission_gets_403_and_nothing_is_appended(
    site: Site, account: str, method: str, path: str, permission: Permission
) -> None:
    client = site.client(account)
    token = _any_token(client)
    before = len(site.entries())
    url = path.format(rid=site.hostile_id)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(
            url, data={"csrf_token": token, "reason": "probe", "records": site.hostile_id}
        )
    assert response.status_code == 403, (account, path, response.status_code)
    assert len(site.entries()) == before


def _any_token(client: object) -> str:
    """A valid CSRF token of the signed-in session (from the error page's sign-out form)."""
    page = client.get("/no-such-page").get_data(as_text=True)  # type: ignore[attr-defined]
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p, _ in ROUTES])
def test_anonymous_requests_are_sent_to_sign_in(site: Site, method: str, path: str) -> None:
    client = site.client(None)
    url = path.format(rid=site.hostile_id)
    response = client.get(url) if method == "GET" else client.post(url, data={})
    if method == "POST" and response.status_code == 400:
        return  # refused by CSRF before the sign-in check: also nothing done
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_examiner_cannot_download_an_export_not_granted_to_them(site: Site) -> None:
    client = site.client("examiner")
    name = site.deployment.config.state_dir / "web-exports" / f"{'a' * 64}.zip"
    name.parent.mkdir(parents=True, exist_ok=True)
    name.write_bytes(b"PK")  # a file on disk, so only the grant can refuse it
    before = len(site.entries())
    try:
        response = client.post(
            f"/exports/{'a' * 64}.zip", data={"csrf_token": _any_token(client), "reason": "probe"}
        )
    finally:
        name.unlink()
    assert response.status_code == 403
    assert len(site.entries()) == before


def test_an_export_is_never_taken_by_a_get(site: Site) -> None:
    assert site.client("officer").get(f"/exports/{'a' * 64}.zip").status_code == 405


def test_a_post_without_csrf_token_is_refused_and_appends_nothing(site: Site) -> None:
    client = site.client("officer")
    before = len(site.entries())
    response = client.post(f"/records/{site.hostile_id}/open", data={"reason": "no token"})
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert len(site.entries()) == before


def test_a_csrf_token_of_another_session_is_refused(site: Site) -> None:
    victim = site.client("officer")
    attacker = site.client("officer")
    stolen = _any_token(attacker)
    response = victim.post(
        f"/records/{site.hostile_id}/open", data={"csrf_token": stolen, "reason": "forged"}
    )
    assert response.status_code == 400


def test_hostile_html_is_shown_sanitised_in_a_sandboxed_frame(site: Site) -> None:
    client = site.client("officer")
    token = _any_token(client)
    response = client.post(
        f"/records/{site.hostile_id}/open", data={"csrf_token": token, "reason": "xss check"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    frame = re.search(r'<iframe[^>]*sandbox=""[^>]*srcdoc="([^"]*)"', page)
    assert frame, "the HTML body is not in a sandboxed srcdoc frame"
    srcdoc = frame.group(1)
    assert "Notice of &lt;b&gt;error&lt;/b&gt;" in srcdoc
    for bad in (
        "script",
        "onload",
        "onerror",
        "javascript:",
        "https://",
        "&lt;img",
        "&lt;iframe",
        "&lt;form",
        "&lt;svg",
        "&lt;style",
        "refresh",
    ):
        assert bad not in srcdoc, bad
    assert response.headers["Content-Security-Policy"] == CSP
    assert "script-src" not in CSP and "default-src 'none'" in CSP


def test_markup_in_headers_is_escaped_on_every_page_that_shows_them(site: Site) -> None:
    client = site.client("officer")
    token = _any_token(client)
    pages = [
        client.get(f"/records/{site.hostile_id}").get_data(as_text=True),
        client.post(
            f"/records/{site.hostile_id}/open", data={"csrf_token": token, "reason": "xss"}
        ).get_data(as_text=True),
        client.post(
            f"/records/{site.hostile_id}/trail", data={"csrf_token": token, "reason": "xss"}
        ).get_data(as_text=True),
    ]
    for page in pages:
        assert "<script>window.pwned" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page


@pytest.mark.parametrize(
    "path",
    [
        "/records/..%2F..%2Fetc%2Fpasswd/eml",
        f"/records/{DUMMY_RID}/attachments/..%2F..%2F..%2Fetc%2Fpasswd",
        "/records/r-../../../etc/passwd",
        f"/records/{{rid}}/attachments/{'A' * 64}",
    ],
)
def test_path_tricks_in_download_urls_find_nothing(site: Site, path: str) -> None:
    client = site.client("officer")
    token = _any_token(client)
    response = client.post(
        path.format(rid=site.hostile_id), data={"csrf_token": token, "reason": "path"}
    )
    assert response.status_code == 404
    assert b"root:" not in response.data


@pytest.mark.parametrize(
    "name", ["..%2F..%2Fweb-users.json", "%2E%2E", "0" * 63, "../../state/web-users"]
)
def test_path_tricks_in_export_downloads_find_nothing(site: Site, name: str) -> None:
    client = site.client("officer")
    response = client.post(
        f"/exports/{name}.zip", data={"csrf_token": _any_token(client), "reason": "probe"}
    )
    assert response.status_code == 404
    assert b"password_hash" not in response.data


def test_a_session_cookie_planted_before_sign_in_is_not_signed_in_afterwards(site: Site) -> None:
    client = site.client(None)
    client.get("/sign-in")
    planted = client.get_cookie("__Host-mailledger")
    assert planted is not None
    sign_in(client, "officer")
    after = client.get_cookie("__Host-mailledger")
    assert after is not None and after.value != planted.value
    attacker = site.client(None)
    attacker.set_cookie("__Host-mailledger", planted.value, domain="localhost")
    assert attacker.get("/search").status_code == 302


def test_a_copied_session_cookie_stops_working_after_sign_out(site: Site) -> None:
    client = site.client("officer")
    cookie = client.get_cookie("__Host-mailledger")
    assert cookie is not None
    token = _any_token(client)
    assert client.post("/sign-out", data={"csrf_token": token}).status_code == 302
    thief = site.client(None)
    thief.set_cookie("__Host-mailledger", cookie.value, domain="localhost")
    assert thief.get("/search").status_code == 302
    assert site.entries_of("user.signed_out")[-1].body["reason"] == "signed out"


def test_the_session_cookie_is_secure_httponly_and_same_site_strict(site: Site) -> None:
    client = site.client(None)
    response = client.get("/sign-in")
    headers = response.headers.getlist("Set-Cookie")
    header = next(h for h in headers if h.startswith("__Host-mailledger="))
    for flag in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
        assert flag in header


def test_a_name_that_is_no_account_is_recorded_as_no_such_account(site: Site) -> None:
    # people type their password into the name field; the ledger keeps it for good
    refused = sign_in(site.client(None), "hunter2.summer-2026", password="x" * 12)
    assert refused.status_code == 401
    failed = site.entries_of("user.sign_in_failed")[-1]
    assert failed.body["user"] == "(no such account)"
    assert "hunter2" not in str(failed.body)


def test_sign_in_and_refused_sign_in_are_recorded_without_the_password(site: Site) -> None:
    client = site.client(None)
    refused = sign_in(client, "officer", password="wrong password here")
    assert refused.status_code == 401
    failed = site.entries_of("user.sign_in_failed")[-1]
    assert failed.body["user"] == "officer" and failed.body["reason"] == "wrong password"
    assert sign_in(client, "officer").status_code == 302
    signed = site.entries_of("user.signed_in")[-1]
    assert signed.body["user"] == "officer" and signed.body["roles"] == ["records_officer"]
    assert "wrong password here" not in str(failed.body) and "horse" not in str(signed.body)


def test_search_filters_never_reach_the_url_and_results_mask_account_numbers(site: Site) -> None:
    client = site.client("officer")
    token = _any_token(client)
    posted = client.post(
        "/search", data={"csrf_token": token, "account": "1234567890", "order": "newest"}
    )
    location = posted.headers["Location"]
    assert "1234567890" not in location and "7890" not in location
    page = client.get(location).get_data(as_text=True)
    assert "1 record found" in page
    assert "****7890" in page and "1234567890" not in page


def test_every_text_a_page_prints_shows_bidirectional_overrides_as_what_they_are(
    site: Site,
) -> None:
    template = site.app.jinja_env.from_string("{{ name }} {{ made }}")
    with site.app.app_context():
        page = template.render(name="invoice\u202efdp.exe", made=Markup("<b>\u202e</b>"))
    assert page == "invoice[U+202E]fdp.exe <b>\u202e</b>"


def test_search_filters_never_travel_in_the_session_cookie(site: Site) -> None:
    client = site.client("officer")
    posted = client.post(
        "/search",
        data={
            "csrf_token": _any_token(client),
            "account": "1234567890",
            "text": "123-45-6789",
            "order": "newest",
        },
    )
    cookie = client.get_cookie("__Host-mailledger")
    assert cookie is not None
    # Flask's cookie is signed, not encrypted: what it holds, anyone holding it reads
    held = site.app.session_interface.get_signing_serializer(site.app).loads(cookie.value)
    assert "1234567890" not in str(held) and "123-45-6789" not in str(held)
    assert client.get(posted.headers["Location"]).status_code == 200


def test_a_saved_search_is_not_found_from_another_session(site: Site) -> None:
    mine = site.client("officer")
    posted = mine.post(
        "/search", data={"csrf_token": _any_token(mine), "account": "1234567890", "order": "newest"}
    )
    theirs = site.client("officer")
    page = theirs.get(posted.headers["Location"]).get_data(as_text=True)
    assert "record found" not in page and "records found" not in page


def test_many_saved_searches_keep_the_cookie_small_and_the_newest_search_working(
    site: Site,
) -> None:
    client = site.client("officer")
    for n in range(30):
        posted = client.post(
            "/search",
            data={"csrf_token": _any_token(client), "text": f"payment {n} " + "x" * 400},
        )
    cookie = client.get_cookie("__Host-mailledger")
    assert cookie is not None and len(cookie.value) < 1024
    posted = client.post(
        "/search", data={"csrf_token": _any_token(client), "account": "1234567890"}
    )
    assert "1 record found" in client.get(posted.headers["Location"]).get_data(as_text=True)


def test_the_session_ends_after_the_idle_time_and_the_expiry_is_recorded(site: Site) -> None:
    now = [datetime.now(UTC)]
    app = build_app(site.deployment, clock=lambda: now[0])
    site_app = Site(site.deployment, app, site.record_ids, site.hostile_id)
    client = site_app.client("supervisor")
    assert client.get("/search").status_code == 200
    now[0] += timedelta(minutes=31)
    assert client.get("/search").status_code == 302
    expired = site.entries_of("user.signed_out")[-1]
    assert expired.body == {"user": "supervisor", "reason": "expired", "schema": 1}


def test_sign_in_attempts_are_limited_per_address(site: Site) -> None:
    app = build_app(site.deployment, web={"sign_in_limit": "5 per minute"})
    limited = Site(site.deployment, app, site.record_ids, site.hostile_id)
    client = limited.client(None)
    codes = [sign_in(client, "nobody", password="x" * 12).status_code for _ in range(6)]
    assert codes[:5] == [401] * 5
    assert codes[5] == 429


def test_sign_in_attempts_are_counted_once_for_every_worker_process(site: Site) -> None:
    # two apps on one state directory, as two gunicorn workers are: nothing in memory shared
    first, second = (
        Site(
            site.deployment,
            build_app(site.deployment, web={"sign_in_limit": "4 per minute"}),
            site.record_ids,
            site.hostile_id,
        )
        for _ in range(2)
    )
    codes = [
        sign_in(worker.client(None), "nobody", password="y" * 12).status_code
        for worker in (first, second, first, second, first)
    ]
    assert codes == [401, 401, 401, 401, 429]


def test_a_role_change_is_recorded_and_ends_the_accounts_sessions(site: Site) -> None:
    examiner = site.client("examiner")
    assert examiner.get("/examine").status_code == 200
    admin = site.client("admin")
    token = _any_token(admin)
    response = admin.post(
        "/admin/users/examiner/roles",
        data={"csrf_token": token, "roles": ["examiner"], "reason": "re-certified"},
    )
    assert response.status_code == 303
    changed = site.entries_of("user.roles_changed")[-1]
    assert changed.body["user"] == "examiner" and changed.body["actor"] == "person:admin"
    assert changed.body["reason"] == "re-certified"
    assert examiner.get("/examine").status_code == 302
