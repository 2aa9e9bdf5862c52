"""``serve`` (the records web app) and ``web user`` (its local accounts).

Account changes go through :mod:`pipeline.archive.people`, which appends a
``user.roles_changed`` entry before the accounts file changes.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import sys
from typing import Any

import click

from pipeline.archive.people import USERS_FILE, People, UserDirectory, parse_roles
from pipeline.cli.app import AppContext, pass_app
from pipeline.cli.archive import open_archive
from pipeline.cli.output import echo
from pipeline.errors import ConfigError, OperationalError


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
    bind = listen_address(
        host or web.host,
        web.port if port is None else port,
        "--host" if host else f"web.host in {config.source_path or 'the config'}",
    )
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


def listen_address(host: str, port: int, where: str) -> str:
    """The address for the server to bind, after binding it once here.

    The server reports an address it cannot bind in a dozen lines over several seconds
    of retries; here it is one line: a host that does not resolve, or is not an
    address of this machine, is a usage error (``where`` names the option or setting),
    a port in use or not allowed is the machine's (exit 3).
    """
    if host.startswith(("unix:", "fd://")):
        return host  # a socket file or an inherited descriptor: the server binds it
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]  # [::1], as in a URL
    ipv6 = _is_ipv6(host)
    family = socket.AF_INET6 if ipv6 else socket.AF_INET  # as the server chooses
    try:
        socket.getaddrinfo(host, port, family, socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ConfigError(f"{where}: cannot resolve {host!r} ({exc.strerror})") from exc
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # as the server does: a port whose last connections are closing is free
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRNOTAVAIL:
                raise ConfigError(
                    f"{where}: {host} is not an address of this machine ({exc.strerror})"
                ) from exc
            raise OperationalError(
                f"cannot listen on {host} port {port} ({exc.strerror})"
                + (
                    ": another program listens there; stop it or choose another --port"
                    if exc.errno == errno.EADDRINUSE
                    else ""
                )
            ) from exc
    return f"[{host}]:{port}" if ipv6 else f"{host}:{port}"


def _is_ipv6(host: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(host), ipaddress.IPv6Address)
    except ValueError:
        return False


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
