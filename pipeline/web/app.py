"""The records web app: Flask, server-rendered, on the archive service.

Why Flask: it renders pages on the server with Jinja2 (autoescaping on), needs no
front-end build, and its maintained extensions give what must not be hand-written:
Flask-WTF (CSRF tokens on every form), Flask-Login (the signed-in user on each
request), Flask-Limiter (sign-in rate limits). Passwords are Argon2id (argon2-cffi),
email HTML is sanitised with nh3.

Every audited action goes through :class:`pipeline.archive.Archive` acting for the
signed-in person, so the ledger records it exactly as it records the CLI's; role
rules come from :mod:`pipeline.archive.people`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Network, IPv6Network, ip_address
from pathlib import Path
from typing import Any, cast

import structlog
from flask import Flask, Response, g, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin
from flask_wtf.csrf import CSRFError, CSRFProtect
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from pipeline.archive import Archive
from pipeline.archive.people import USERS_FILE, People, User, UserDirectory
from pipeline.archive_app import archive_settings
from pipeline.config import Config
from pipeline.errors import (
    AccountError,
    CaseActionError,
    ConfigError,
    ExportError,
    MailledgerError,
    PermissionDeniedError,
    RecordNotFoundError,
    RetentionError,
)
from pipeline.index.db import SearchTextError
from pipeline.runtime import Runtime, open_runtime
from pipeline.web.display import bidi_controls_shown
from pipeline.web.limit_store import LIMITS_FILE, storage_uri
from pipeline.web.sessions import SESSIONS_FILE, SessionStore

__all__ = ["FromProxies", "WebUser", "create_app"]

log = structlog.get_logger(__name__)

SECRET_FILE = "web-secret.key"  # noqa: S105 (the file name, not a secret)

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self';"
    " frame-ancestors 'none'; base-uri 'none'; frame-src 'self'"
)
"""No scripts at all, no remote loads; the sandboxed message frame inherits it."""
SCRIPT_CSP = "; script-src 'self'; connect-src 'self'"
"""Added on pages that load a script of the app's own (``g.scripts``): never the message pages."""


class WebUser(UserMixin):  # type: ignore[misc]
    """The signed-in person for Flask-Login: an account and the session id."""

    def __init__(self, user: User, sid: str) -> None:
        self.user = user
        self.sid = sid

    def get_id(self) -> str:
        """The session id (Flask-Login keeps it in the signed cookie)."""
        return self.sid


@dataclass
class WebState:
    """What the app keeps between requests."""

    config: Config
    runtime: Runtime
    people: People
    sessions: SessionStore
    clock: Callable[[], datetime]
    exports_dir: Path
    service_actor: str


def _secret_key(config: Config) -> bytes:
    path = config.web.secret_key_file or config.state_dir / SECRET_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        try:
            with path.open("xb") as out:  # create-only: two workers starting agree on one key
                path.chmod(0o600)
                out.write(key)
        except FileExistsError:
            return path.read_bytes()
        return key


class FromProxies:
    """Believe ``X-Forwarded-*`` (``hops`` of them) only on requests from ``networks``.

    Werkzeug's ProxyFix believes whoever connects; anyone reaching the app directly
    could then pick their own address (escaping sign-in limits) or scheme. Here a
    request whose peer is not one of the configured proxies is served as it came.
    """

    def __init__(self, app: Any, hops: int, networks: Sequence[IPv4Network | IPv6Network]) -> None:
        """``app``: the WSGI app; ``hops``: proxies in front; ``networks``: where they are."""
        self.plain = app
        self.fixed = ProxyFix(app, x_for=hops, x_proto=hops, x_host=hops)
        self.networks = tuple(networks)

    def _from_proxy(self, peer: str | None) -> bool:
        try:
            address = ip_address(peer or "")
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        """Serve the request, with forwarded headers applied only from a proxy."""
        if self._from_proxy(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        return self.plain(environ, start_response)


def archive_for(state: WebState, actor: str) -> Archive:
    """The archive acting for ``actor``, on the app's store and ledger and its clock."""
    return Archive(
        state.runtime.store,
        state.runtime.ledger,
        archive_settings(state.config),
        actor,
        clock=state.clock,
    )


def create_app(
    config: Config,
    *,
    runtime: Runtime | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Flask:
    """The WSGI app for ``config`` (the runtime needs the signing key: views append)."""
    app = Flask(__name__)
    web = config.web
    app.config.update(
        SECRET_KEY=_secret_key(config),
        SESSION_COOKIE_NAME="__Host-mailledger",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        # remember-me is never offered; Flask-Login still clears its cookie, safely flagged
        REMEMBER_COOKIE_SECURE=True,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=web.session_max_hours),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session, which expires
        WTF_CSRF_SSL_STRICT=True,
        MAX_CONTENT_LENGTH=512 * 1024 * 1024,  # examiner uploads of exports
        # every worker process counts sign-in attempts in one place (see limit_store)
        RATELIMIT_STORAGE_URI=storage_uri(config.state_dir / LIMITS_FILE),
        RATELIMIT_HEADERS_ENABLED=True,
    )
    if web.trusted_proxies:
        app.wsgi_app = FromProxies(  # type: ignore[method-assign]
            app.wsgi_app, web.trusted_proxies, web.proxy_addresses
        )
    state = WebState(
        config=config,
        runtime=runtime or open_runtime(config, writable=True),
        people=People(UserDirectory(config.state_dir / USERS_FILE)),
        sessions=SessionStore(
            config.state_dir / SESSIONS_FILE,
            idle=timedelta(minutes=web.session_idle_minutes),
            lifetime=timedelta(hours=web.session_max_hours),
        ),
        clock=clock or (lambda: datetime.now(UTC)),
        exports_dir=config.state_dir / "web-exports",
        service_actor="service:web-sign-in",
    )
    app.extensions["mailledger"] = state

    CSRFProtect(app)
    limiter = Limiter(get_remote_address, app=app, default_limits=[])
    login = LoginManager(app)
    login.login_view = "web.sign_in"
    login.login_message = "Sign in to continue."
    login.session_protection = "strong"

    def load_user(sid: str) -> WebUser | None:
        live, expired = state.sessions.touch(sid, state.clock())
        if expired is not None:
            with archive_for(state, f"person:{expired.user}") as archive:
                state.people.signed_out(archive, expired.user, "expired")
            return None
        if live is None:
            return None
        user = state.people.directory.get(live.user)
        if user is None or user.disabled:
            state.sessions.end(sid)
            return None
        return WebUser(user, sid)

    login.user_loader(load_user)

    from pipeline.web import views

    app.register_blueprint(views.blueprint)
    limited = limiter.limit(web.sign_in_limit, methods=["POST"])(app.view_functions["web.sign_in"])
    app.view_functions["web.sign_in"] = cast(Any, limited)
    if web.oidc is not None:
        from pipeline.web import sso

        sso.install(app, web.oidc, app.config["SECRET_KEY"])
        limited = limiter.limit(web.sign_in_limit)(app.view_functions["sso.callback"])
        app.view_functions["sso.callback"] = cast(Any, limited)

    local_sign_in = web.oidc is None or not web.oidc.disable_local_accounts

    def shown(value: Any) -> Any:
        # every text a page prints, whoever wrote it; markup the app made itself is left be
        if isinstance(value, str) and not isinstance(value, Markup):
            return bidi_controls_shown(value)
        return value

    app.jinja_env.finalize = shown

    @app.context_processor
    def sign_in_options() -> dict[str, Any]:
        return {
            "local_sign_in": local_sign_in,
            "sso_label": web.oidc.label if web.oidc is not None else None,
        }

    @app.before_request
    def local_accounts_off() -> Any:
        # CSRFProtect's check ran first (it was registered first)
        if local_sign_in or request.endpoint != "web.sign_in" or request.method != "POST":
            return None
        shown = state.people.as_recorded(request.form.get("name") or "")
        with archive_for(state, state.service_actor) as service:
            state.people.refuse(service, shown, "password", "local accounts disabled")
        return page(
            403, "Local accounts are off", "Sign in with your organisation's account (SSO)."
        )

    @app.after_request
    def security_headers(response: Response) -> Response:
        # a page that needs its own small script says so (only the export progress page)
        response.headers["Content-Security-Policy"] = CSP + (SCRIPT_CSP if g.get("scripts") else "")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        # same-origin: Flask-WTF checks the Referer of HTTPS posts; other sites get nothing
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.teardown_request
    def close_archive(exc: BaseException | None) -> None:
        archive = g.pop("archive", None)
        if archive is not None:
            archive.close()

    def page(status: int, title: str, message: str) -> tuple[str, int]:
        return render_template("error.html", title=title, message=message), status

    @app.errorhandler(CSRFError)
    def csrf_failed(exc: CSRFError) -> tuple[str, int]:
        return page(
            400,
            "Form expired",
            "The form was not accepted (its security token is "
            "missing or old). Go back, reload the page and try again.",
        )

    @app.errorhandler(PermissionDeniedError)
    def denied(exc: PermissionDeniedError) -> tuple[str, int]:
        return page(403, "Not allowed", str(exc))

    @app.errorhandler(RecordNotFoundError)
    def not_found(exc: RecordNotFoundError) -> tuple[str, int]:
        return page(404, "Not found", str(exc))

    @app.errorhandler(SearchTextError)
    def bad_search(exc: SearchTextError) -> tuple[str, int]:
        return page(400, "Not searched", f"{exc}; give at least one word.")

    @app.errorhandler(CaseActionError)
    @app.errorhandler(RetentionError)
    @app.errorhandler(ExportError)
    @app.errorhandler(AccountError)
    @app.errorhandler(ConfigError)
    def refused(exc: MailledgerError) -> tuple[str, int]:
        return page(409, "Not done", str(exc))

    @app.errorhandler(MailledgerError)
    def failed(exc: MailledgerError) -> tuple[str, int]:
        log.warning("web.action_failed", error=type(exc).__name__, endpoint=request.endpoint)
        return page(500, "Failed", str(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        if exc.code == 429:
            return page(
                429,
                "Too many attempts",
                "Too many sign-in attempts from here; wait a minute and try again.",
            )
        return page(exc.code or 500, exc.name, exc.description or exc.name)

    return app
