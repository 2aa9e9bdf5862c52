"""Sign-in through the organisation's OpenID Connect provider (Authlib does the protocol).

The authorization-code flow with PKCE (S256), a random ``state`` and ``nonce``; Authlib
fetches the provider's discovery document and keys, exchanges the code and checks the
ID token's signature, issuer (the configured one), audience (this client), expiry and
nonce. This module keeps the flow's state between the two requests and turns the
outcome into a sign-in through :meth:`People.sign_in_federated` (the same ledger
entries as a password sign-in), or a refusal recorded through :meth:`People.refuse`.

Why the flow's state has its own cookie: the session cookie is ``SameSite=Strict``,
which browsers leave out of the provider's redirect back (it comes from another
site), so state kept in the session would be missing at the callback. The flow
cookie is ``SameSite=Lax`` (sent on that top-level GET), signed with the app's key,
lives ten minutes and is spent by the callback; it carries no token and no session.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from typing import Any, cast

import structlog
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, current_app, redirect, render_template, request, session
from flask import url_for as flask_url_for
from flask.typing import ResponseReturnValue
from flask_login import login_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc.errors import JoseError

from pipeline.archive.people import FederatedIdentity
from pipeline.config import OidcConfig
from pipeline.errors import SignInError
from pipeline.secrets import read_secret
from pipeline.web.app import WebState, WebUser, archive_for
from pipeline.web.oidc import identity_from_claims, method_of

__all__ = ["FLOW_COOKIE", "blueprint", "install"]

log = structlog.get_logger(__name__)

blueprint = Blueprint("sso", __name__)

FLOW_COOKIE = "__Host-mailledger-sso"
FLOW_SECONDS = 600
"""How long a started sign-in may take at the provider."""

_ERROR_CODE = re.compile(r"^[a-z_]{1,40}$")  # OAuth error codes (RFC 6749 section 4.1.2.1)


@dataclass(frozen=True)
class Sso:
    """The configured provider and its Authlib client."""

    settings: OidcConfig
    client: Any  # authlib's FlaskOAuth2App (untyped)
    flows: URLSafeTimedSerializer


def install(app: Flask, settings: OidcConfig, secret_key: bytes) -> None:
    """Register the provider with Authlib and add the sign-in routes to ``app``.

    The client secret is read now (from its variable or file), so a missing secret
    stops ``mailledger serve`` at start with a message naming where it was looked for.
    """
    secret = read_secret(
        env=settings.client_secret_env,
        file=settings.client_secret_file,
        what="web.oidc client secret",
    )
    oauth = OAuth(app)
    client = oauth.register(
        "sso",
        client_id=settings.client_id,
        client_secret=secret,
        server_metadata_url=settings.issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": " ".join(settings.scopes),
            "code_challenge_method": "S256",
            "default_timeout": settings.timeout_seconds,
        },
    )
    app.extensions["mailledger.sso"] = Sso(
        settings, client, URLSafeTimedSerializer(secret_key, salt="mailledger-oidc-flow")
    )
    app.register_blueprint(blueprint)


def _sso() -> Sso:
    return cast(Sso, current_app.extensions["mailledger.sso"])


def _state() -> WebState:
    return cast(WebState, current_app.extensions["mailledger"])


@blueprint.get("/sign-in/sso")
def start() -> ResponseReturnValue:
    """Send the browser to the provider, with a new state, nonce and PKCE challenge."""
    sso = _sso()
    redirect_uri = sso.settings.redirect_uri or flask_url_for("sso.callback", _external=True)
    try:
        flow = sso.client.create_authorization_url(redirect_uri)
    except (OSError, ValueError, OAuthError) as exc:
        log.warning("sso.discovery_failed", error=type(exc).__name__)
        return _page(
            502,
            "Identity provider unreachable",
            "The identity provider did not answer; try again in a minute, or tell your"
            " administrator if it goes on.",
        )
    cookie = sso.flows.dumps(
        {
            "state": flow["state"],
            "nonce": flow["nonce"],
            "code_verifier": flow["code_verifier"],
            "redirect_uri": redirect_uri,
        }
    )
    response = redirect(flow["url"])
    response.set_cookie(
        FLOW_COOKIE,
        cookie,
        max_age=FLOW_SECONDS,
        secure=True,
        httponly=True,
        samesite="Lax",
        path="/",
    )
    return response


@blueprint.get("/sign-in/sso/callback")
def callback() -> ResponseReturnValue:
    """Finish the flow: check state, exchange the code, check the ID token, sign in."""
    sso = _sso()
    method = method_of(sso.settings)
    try:
        flow = _spend_flow(sso)
        claims = _checked_claims(sso, flow)
    except _FlowRefused as refused:
        st = _state()
        with archive_for(st, st.service_actor) as service:
            st.people.refuse(service, "(unknown)", method, refused.reason)
        return _page(
            400,
            "Sign-in not completed",
            f"The sign-in could not be completed ({refused.reason}). Start again from the"
            " sign-in page.",
            clear_flow=True,
        )
    identity = identity_from_claims(claims, sso.settings)
    return _sign_in(identity)


class _FlowRefused(Exception):
    """The flow failed before a checked ID token named anyone."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _spend_flow(sso: Sso) -> dict[str, str]:
    """The flow this browser started, if ``state`` matches it (else refused)."""
    error = request.args.get("error")
    if error:
        code = error if _ERROR_CODE.fullmatch(error) else "error"
        raise _FlowRefused(f"the provider answered {code}")
    raw = request.cookies.get(FLOW_COOKIE)
    if not raw:
        raise _FlowRefused("no sign-in in progress in this browser")
    try:
        flow = cast(dict[str, str], sso.flows.loads(raw, max_age=FLOW_SECONDS))
    except BadSignature:  # also the expired ones (SignatureExpired is a BadSignature)
        raise _FlowRefused("the sign-in took too long or its cookie was altered") from None
    state = request.args.get("state", "")
    if not hmac.compare_digest(state.encode(), flow["state"].encode()):
        raise _FlowRefused("state mismatch")
    if not request.args.get("code"):
        raise _FlowRefused("no authorization code")
    return flow


def _checked_claims(sso: Sso, flow: dict[str, str]) -> dict[str, object]:
    """Exchange the code (with the PKCE verifier) and check the ID token (Authlib)."""
    try:
        token = sso.client.fetch_access_token(
            redirect_uri=flow["redirect_uri"],
            code=request.args["code"],
            code_verifier=flow["code_verifier"],
        )
    except OAuthError as exc:
        raise _FlowRefused(f"the provider refused the code ({exc.error})") from None
    except (OSError, ValueError) as exc:
        log.warning("sso.token_failed", error=type(exc).__name__)
        raise _FlowRefused("the provider did not answer the code exchange") from None
    if "id_token" not in token:
        raise _FlowRefused("the provider sent no ID token")
    settings = sso.settings
    try:
        claims = sso.client.parse_id_token(
            token,
            nonce=flow["nonce"],
            claims_options={
                "iss": {"essential": True, "value": settings.issuer},
                "aud": {"essential": True, "values": [settings.client_id]},
                "exp": {"essential": True},
                "sub": {"essential": True},
            },
            leeway=60,
        )
    except JoseError as exc:
        raise _FlowRefused(f"ID token refused: {exc.description}") from None
    except (OSError, ValueError) as exc:
        log.warning("sso.keys_failed", error=type(exc).__name__)
        raise _FlowRefused("the provider's signing keys could not be read") from None
    return dict(claims)


def _sign_in(identity: FederatedIdentity) -> ResponseReturnValue:
    st = _state()
    before = st.people.directory.get(identity.name) if identity.name else None
    with archive_for(st, st.service_actor) as service:
        try:
            user = st.people.sign_in_federated(service, identity)
        except SignInError as exc:
            return _page(403, "Not signed in", str(exc), clear_flow=True)
    if before is not None and before.roles != user.roles:
        st.sessions.end_user(user.name)  # sessions under the old roles end, as on the users page
    # a new session id and a new cookie: nothing from before sign-in survives
    session.clear()
    sid = st.sessions.start(user.name, st.clock())
    login_user(WebUser(user, sid))
    session.permanent = True
    # a page, not a redirect: see sso_signed_in.html
    response = current_app.make_response(
        render_template("sso_signed_in.html", home=flask_url_for("web.home"))
    )
    response.delete_cookie(FLOW_COOKIE, path="/", secure=True, httponly=True, samesite="Lax")
    return response


def _page(
    status: int, title: str, message: str, *, clear_flow: bool = False
) -> ResponseReturnValue:
    response = current_app.make_response(
        (render_template("error.html", title=title, message=message), status)
    )
    if clear_flow:
        response.delete_cookie(FLOW_COOKIE, path="/", secure=True, httponly=True, samesite="Lax")
    return response
