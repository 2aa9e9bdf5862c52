"""Sign-in through OpenID Connect, against a real provider the tests start.

The app is Flask's test client on a deployment whose ``web.oidc`` points at
oidc-provider-mock (discovery, signing keys, the code flow with PKCE and nonce, its
sign-in form). The provider's form is posted with httpx; the app's callback gets
the code the provider issued.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask import session as flask_session
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf

from pipeline.web.sso import FLOW_COOKIE
from tests.ingest.conftest import Deployment
from tests.web.conftest import HttpsClient, build_app
from tests.web.oidc_provider import (
    CLIENT_ID,
    GROUPS,
    ROLE_GROUPS,
    Provider,
    oidc_deployment,
    query_of,
    running_provider,
)

HOME = {
    "officer": "/search",
    "supervisor": "/search",
    "examiner": "/examine",
    "admin": "/admin/users",
}


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider() as running:
        yield running


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory, provider: Provider) -> Deployment:
    return oidc_deployment(tmp_path_factory.mktemp("oidc"), provider)


@pytest.fixture(scope="module")
def app(deployment: Deployment) -> Flask:
    return build_app(deployment)


def client_of(app: Flask) -> FlaskClient:
    app.test_client_class = HttpsClient
    return app.test_client()


def start(client: FlaskClient) -> str:
    """Click "Sign in with SSO"; returns the provider URL the app sends the browser to."""
    response = client.get("/sign-in/sso")
    assert response.status_code == 302
    return str(response.headers["Location"])


def callback_path(location: str) -> str:
    """The app-relative part of the provider's redirect back."""
    assert location.startswith("https://localhost/sign-in/sso/callback?"), location
    return location.removeprefix("https://localhost")


def sso_sign_in(client: FlaskClient, provider: Provider, sub: str) -> Any:
    """The whole flow for ``sub``; returns the app's answer to the callback."""
    back = provider.approve(start(client), sub)
    return client.get(callback_path(back))


def entries(deployment: Deployment, type_: str) -> list[Any]:
    return [e for e in deployment.entries() if e.type == type_]


def person(provider: Provider, sub: str, email: str, *groups: str, **extra: Any) -> None:
    provider.put_user(sub, email=email, email_verified=True, groups=list(groups), **extra)


def test_the_sign_in_page_offers_sso_and_the_authorize_request_uses_pkce_state_and_nonce(
    app: Flask, provider: Provider
) -> None:
    client = client_of(app)
    page = client.get("/sign-in").get_data(as_text=True)
    assert 'href="/sign-in/sso"' in page and "Sign in with SSO" in page
    url = start(client)
    query = query_of(url)
    assert url.startswith(f"{provider.issuer}/oauth2/authorize?")
    assert query["client_id"] == CLIENT_ID
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) >= 43
    assert len(query["state"]) >= 20 and len(query["nonce"]) >= 20
    assert set(query["scope"].split()) == {"openid", "email", "profile"}
    assert query["redirect_uri"] == "https://localhost/sign-in/sso/callback"
    cookie = client.get_cookie(FLOW_COOKIE)
    assert cookie is not None and cookie.secure and cookie.http_only
    assert cookie.same_site == "Lax"


@pytest.mark.parametrize("role", ["officer", "supervisor", "examiner", "admin"])
def test_each_mapped_group_signs_in_with_its_role_and_the_ledger_names_method_and_subject(
    app: Flask, provider: Provider, deployment: Deployment, role: str
) -> None:
    sub = f"sub-{role}-0001"
    email = f"{role}@servicer.example"
    person(provider, sub, email, GROUPS[role], "some-unmapped-group")
    client = client_of(app)
    answer = sso_sign_in(client, provider, sub)
    assert answer.status_code == 200
    assert '<meta http-equiv="refresh" content="0;url=/">' in answer.get_data(as_text=True)
    assert client.get("/").headers["Location"] == HOME[role]
    assert client.get(HOME[role]).status_code == 200
    signed = entries(deployment, "user.signed_in")[-1]
    assert signed.body["user"] == email
    assert signed.body["method"] == f"oidc:{provider.issuer}"
    assert signed.body["subject"] == sub
    assert signed.body["roles"] == ROLE_GROUPS[GROUPS[role]]
    created = [e for e in entries(deployment, "user.roles_changed") if e.body["user"] == email]
    assert [(c.body["before"], c.body["after"]) for c in created] == [
        ([], ROLE_GROUPS[GROUPS[role]])
    ]
    assert created[0].body["actor"] == f"oidc:{provider.issuer}"
    assert client.get_cookie(FLOW_COOKIE) is None  # the flow is spent


def test_a_person_whose_groups_map_to_no_role_is_refused_with_a_page_and_a_ledger_entry(
    app: Flask, provider: Provider, deployment: Deployment
) -> None:
    person(provider, "sub-nobody", "nobody@servicer.example", "grp-canteen")
    client = client_of(app)
    answer = sso_sign_in(client, provider, "sub-nobody")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 403
    assert "none of your groups gives a role in this archive" in page
    assert client.get("/search").status_code == 302  # still signed out
    failed = entries(deployment, "user.sign_in_failed")[-1]
    assert failed.body["user"] == "nobody@servicer.example"
    assert failed.body["reason"] == "no role"
    assert failed.body["subject"] == "sub-nobody"
    assert failed.body["method"] == f"oidc:{provider.issuer}"
    assert not any(
        e.body["user"] == "nobody@servicer.example"
        for e in entries(deployment, "user.roles_changed")
    )


def test_groups_changed_at_the_provider_are_recorded_as_a_role_change_at_the_next_sign_in(
    app: Flask, provider: Provider, deployment: Deployment
) -> None:
    person(provider, "sub-mover", "mover@servicer.example", GROUPS["officer"])
    assert sso_sign_in(client_of(app), provider, "sub-mover").status_code == 200
    person(provider, "sub-mover", "mover@servicer.example", GROUPS["supervisor"])
    client = client_of(app)
    assert sso_sign_in(client, provider, "sub-mover").status_code == 200
    changes = [
        (e.body["before"], e.body["after"], e.body["reason"])
        for e in entries(deployment, "user.roles_changed")
        if e.body["user"] == "mover@servicer.example"
    ]
    assert changes == [
        ([], ["records_officer"], "groups from the identity provider"),
        (["records_officer"], ["compliance_supervisor"], "groups from the identity provider"),
    ]
    assert entries(deployment, "user.signed_in")[-1].body["roles"] == ["compliance_supervisor"]


def test_a_token_for_another_audience_is_refused_although_the_provider_signed_it(
    app: Flask, provider: Provider, deployment: Deployment
) -> None:
    person(
        provider,
        "sub-aud",
        "aud@servicer.example",
        GROUPS["officer"],
        aud="another-app",
        azp=CLIENT_ID,
    )
    client = client_of(app)
    answer = sso_sign_in(client, provider, "sub-aud")
    assert answer.status_code == 400
    assert "ID token refused" in answer.get_data(as_text=True)
    failed = entries(deployment, "user.sign_in_failed")[-1]
    assert failed.body["reason"].startswith("ID token refused") and "aud" in failed.body["reason"]
    assert client.get("/search").status_code == 302
    assert not any(
        e.body["user"] == "aud@servicer.example" for e in entries(deployment, "user.signed_in")
    )


def test_a_tampered_state_is_refused_before_the_code_is_used(
    app: Flask, provider: Provider, deployment: Deployment
) -> None:
    person(provider, "sub-state", "state@servicer.example", GROUPS["officer"])
    client = client_of(app)
    back = provider.approve(start(client), "sub-state")
    query = query_of(back)
    tampered = f"/sign-in/sso/callback?code={query['code']}&state={query['state'][:-2]}xx"
    answer = client.get(tampered)
    assert answer.status_code == 400
    failed = entries(deployment, "user.sign_in_failed")[-1]
    assert failed.body["reason"] == "state mismatch"
    assert client.get("/search").status_code == 302


def test_a_replayed_code_is_refused_even_with_the_flow_cookie_copied(
    app: Flask, provider: Provider, deployment: Deployment
) -> None:
    person(provider, "sub-replay", "replay@servicer.example", GROUPS["officer"])
    client = client_of(app)
    back = provider.approve(start(client), "sub-replay")
    flow = client.get_cookie(FLOW_COOKIE)
    assert flow is not None
    assert client.get(callback_path(back)).status_code == 200  # signed in once

    again = client_of(app)  # someone who copied the callback URL and the flow cookie
    again.set_cookie(FLOW_COOKIE, flow.value, domain="localhost", secure=True)
    answer = again.get(callback_path(back))
    assert answer.status_code == 400
    assert entries(deployment, "user.sign_in_failed")[-1].body["reason"] == (
        "the provider refused the code (invalid_grant)"
    )
    assert again.get("/search").status_code == 302

    without = client_of(app)  # the URL alone
    assert without.get(callback_path(back)).status_code == 400
    assert entries(deployment, "user.sign_in_failed")[-1].body["reason"] == (
        "no sign-in in progress in this browser"
    )


def test_a_local_password_account_cannot_be_taken_over_by_an_sso_identity_of_the_same_name(
    app: Flask, provider: Provider, deployment: Deployment
) -> None:
    deployment.env["OIDC_TEST_PASSWORD"] = "a long local password here"
    made = deployment.run(
        "web",
        "user",
        "add",
        "local@servicer.example",
        "--role",
        "administrator",
        "--password-env",
        "OIDC_TEST_PASSWORD",
    )
    assert made.returncode == 0, made.stderr
    person(provider, "sub-local", "local@servicer.example", GROUPS["officer"])
    answer = sso_sign_in(client_of(app), provider, "sub-local")
    assert answer.status_code == 403
    assert entries(deployment, "user.sign_in_failed")[-1].body["reason"] == "local account"


def test_no_token_or_code_reaches_the_ledger(
    app: Flask, provider: Provider, deployment: Deployment
) -> None:
    person(provider, "sub-secret", "secret@servicer.example", GROUPS["officer"])
    client = client_of(app)
    back = provider.approve(start(client), "sub-secret")
    code = query_of(back)["code"]
    assert client.get(callback_path(back)).status_code == 200
    ledger = json.dumps([e.body for e in deployment.entries()])
    assert code not in ledger
    assert "eyJ" not in ledger  # no JWT (ID or access token) anywhere


def test_with_local_accounts_disabled_the_password_form_is_gone_and_a_right_password_is_refused(
    tmp_path: Path, provider: Provider
) -> None:
    deployment = oidc_deployment(tmp_path / "sso-only", provider, disable_local_accounts=True)
    deployment.env["OIDC_TEST_PASSWORD"] = "a long local password here"
    made = deployment.run(
        "web",
        "user",
        "add",
        "keeper",
        "--role",
        "administrator",
        "--password-env",
        "OIDC_TEST_PASSWORD",
    )
    assert made.returncode == 0, made.stderr
    app = build_app(deployment)
    client = client_of(app)
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Sign in with SSO" in page and 'name="password"' not in page
    # the page has no form now, so the CSRF token is made as Flask-WTF makes it
    with app.test_request_context():
        token = generate_csrf()
        raw = flask_session["csrf_token"]
    with client.session_transaction() as stored:
        stored["csrf_token"] = raw
    answer = client.post(
        "/sign-in",
        data={"csrf_token": token, "name": "keeper", "password": "a long local password here"},
    )
    assert answer.status_code == 403
    assert client.get("/admin/users").status_code == 302  # not signed in
    failed = entries(deployment, "user.sign_in_failed")[-1]
    assert (failed.body["user"], failed.body["method"], failed.body["reason"]) == (
        "keeper",
        "password",
        "local accounts disabled",
    )
    assert entries(deployment, "user.signed_in") == []


def test_an_account_stays_bound_to_the_subject_that_first_signed_in(
    app: Flask, provider: Provider, deployment: Deployment
) -> None:
    person(provider, "sub-first", "shared@servicer.example", GROUPS["officer"])
    assert sso_sign_in(client_of(app), provider, "sub-first").status_code == 200
    # the provider later gives the same address to another person
    person(provider, "sub-second", "shared@servicer.example", GROUPS["admin"])
    client = client_of(app)
    answer = sso_sign_in(client, provider, "sub-second")
    assert answer.status_code == 403
    assert "belongs to another identity" in answer.get_data(as_text=True)
    failed = entries(deployment, "user.sign_in_failed")[-1]
    assert (failed.body["reason"], failed.body["subject"]) == ("another identity", "sub-second")
    assert client.get("/admin/users").status_code == 302


def test_a_session_cookie_planted_before_sso_sign_in_is_not_signed_in_afterwards(
    app: Flask, provider: Provider
) -> None:
    person(provider, "sub-fix", "fixed@servicer.example", GROUPS["officer"])
    client = client_of(app)
    client.get("/sign-in")
    planted = client.get_cookie("__Host-mailledger")
    assert planted is not None
    assert sso_sign_in(client, provider, "sub-fix").status_code == 200
    after = client.get_cookie("__Host-mailledger")
    assert after is not None and after.value != planted.value
    assert client.get("/search").status_code == 200
    attacker = client_of(app)
    attacker.set_cookie("__Host-mailledger", planted.value, domain="localhost")
    assert attacker.get("/search").status_code == 302
