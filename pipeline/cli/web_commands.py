"""``serve`` (the records web app) and ``web user`` (its local accounts).

Account changes go through :mod:`pipeline.archive.people`, which appends a
``user.roles_changed`` entry before the accounts file changes.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from pipeline.archive.people import USERS_FILE, People, UserDirectory, parse_roles
from pipeline.cli.app import AppContext, pass_app
from pipeline.cli.archive import open_archive
from pipeline.cli.output import echo
from pipeline.errors import ConfigError


@click.command()
@click.option("--host", help="Address to listen on (default: web.host in the config).")
@click.option("--port", type=click.IntRange(0, 65535), help="Port (default: web.port).")
@pass_app
def serve(app: AppContext, host: str | None, port: int | None) -> None:
    """Serve the records web app (TLS when web.tls_cert_file and web.tls_key_file are set)."""
    from gunicorn.app.base import BaseApplication

    from pipeline.web.app import create_app

    config = app.config
    web = config.web
    if (web.tls_cert_file is None) != (web.tls_key_file is None):
        raise ConfigError("web.tls_cert_file and web.tls_key_file must be set together")
    app.runtime(writable=True)  # fail here, in one line, when the signing key is missing
    bind = f"{host or web.host}:{web.port if port is None else port}"
    options: dict[str, Any] = {
        "bind": bind,
        "workers": web.workers,
        "worker_class": "sync",
        "timeout": 600,  # large exports are built inside one request
        "accesslog": None,  # request lines would carry query strings
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "mailledger-web",
    }
    if web.tls_cert_file is not None and web.tls_key_file is not None:
        options["certfile"] = str(web.tls_cert_file)
        options["keyfile"] = str(web.tls_key_file)
    if web.trusted_proxies:
        # gunicorn believes X-Forwarded-Proto from the same proxies the app believes
        options["forwarded_allow_ips"] = ",".join(str(n) for n in web.proxy_addresses)

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for name, value in options.items():
                self.cfg.set(name, value)

        def load(self) -> Any:
            return create_app(config)

    scheme = "https" if "certfile" in options else "http"
    click.echo(f"mailledger web app on {scheme}://{bind}/ (Ctrl-C stops it)", err=True)
    Server().run()


@click.group()
def web() -> None:
    """Local accounts of the records web app."""


def _password(password_env: str | None) -> str:
    if password_env:
        value = os.environ.get(password_env)
        if not value:
            raise ConfigError(f"--password-env {password_env}: that variable is not set")
        return value
    if not sys.stdin.isatty():
        raise ConfigError("no terminal to ask for the password: pass --password-env NAME")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@web.group()
def user() -> None:
    """Create accounts and change their roles (each change is recorded in the ledger)."""


@user.command("add")
@click.argument("name")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    help="records_officer, compliance_supervisor, examiner or administrator (repeatable).",
)
@click.option("--password-env", metavar="NAME", help="Read the password from this variable.")
@click.option("--sso-only", is_flag=True, help="No local password (signs in through SSO).")
@click.option("--reason", metavar="TEXT", help="Why the account is created.")
@pass_app
def user_add(
    app: AppContext,
    name: str,
    roles: tuple[str, ...],
    password_env: str | None,
    sso_only: bool,
    reason: str | None,
) -> None:
    """Create the local account NAME."""
    people = People(UserDirectory(app.config.state_dir / USERS_FILE))
    password = None if sso_only else _password(password_env)
    with open_archive(app, writable=True) as archive:
        created = people.add_user(archive, name, parse_roles(roles), password, reason)
    echo(f"account {created.name} created ({', '.join(r.label for r in created.roles)})")


@user.command("roles")
@click.argument("name")
@click.option("--role", "roles", multiple=True, help="The new roles (none: disable the account).")
@click.option("--reason", required=True, metavar="TEXT", help="Why the roles change.")
@pass_app
def user_roles(app: AppContext, name: str, roles: tuple[str, ...], reason: str) -> None:
    """Set the roles of NAME (replacing the old ones)."""
    people = People(UserDirectory(app.config.state_dir / USERS_FILE))
    with open_archive(app, writable=True) as archive:
        changed = people.set_roles(archive, name, parse_roles(roles), reason)
    echo(f"account {changed.name}: {', '.join(r.label for r in changed.roles) or 'disabled'}")


@user.command("list")
@pass_app
def user_list(app: AppContext) -> None:
    """List accounts and their roles."""
    for account in UserDirectory(app.config.state_dir / USERS_FILE).all():
        roles = ", ".join(r.label for r in account.roles) or "disabled"
        echo(f"{account.name}: {roles}{'' if account.password_hash else ' (SSO only)'}")


def register(group: click.Group) -> None:
    """Add this module's commands to the group."""
    group.add_command(serve)
    group.add_command(web)


__all__ = ["register"]
