"""What the IMAP adapter needs to connect: its own small settings, not the application config.

Declared as read-only protocols, so the application's mailbox config (or anything
else with these attributes) can be passed as it is, and importing the adapter does
not import the whole configuration.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol


class OAuth2Settings(Protocol):
    """XOAUTH2 access token: from a command, or a client-credentials flow."""

    @property
    def token_command(self) -> Sequence[str] | None:
        """Command that prints an access token."""
        ...

    @property
    def token_url(self) -> str | None:
        """Token endpoint of a client-credentials flow."""
        ...

    @property
    def client_id(self) -> str | None:
        """Client id of the flow."""
        ...

    @property
    def client_secret_env(self) -> str | None:
        """Environment variable holding the client secret."""
        ...

    @property
    def client_secret_file(self) -> Path | None:
        """File holding the client secret."""
        ...

    @property
    def scope(self) -> str | None:
        """Scope to ask for."""
        ...


class ImapSettings(Protocol):
    """One IMAP account: where, how to secure the connection, how to log in."""

    @property
    def name(self) -> str:
        """The mailbox's name in logs, errors and the ledger."""
        ...

    @property
    def host(self) -> str:
        """Server host name."""
        ...

    @property
    def port(self) -> int:
        """Server port."""
        ...

    @property
    def tls(self) -> str:
        """``implicit``, ``starttls`` or ``none``."""
        ...

    @property
    def ca_file(self) -> Path | None:
        """CA bundle to trust instead of the system's."""
        ...

    @property
    def username(self) -> str:
        """Login name."""
        ...

    @property
    def auth(self) -> str:
        """``password`` or ``xoauth2``."""
        ...

    @property
    def password_env(self) -> str | None:
        """Environment variable holding the password."""
        ...

    @property
    def password_file(self) -> Path | None:
        """File holding the password."""
        ...

    @property
    def oauth2(self) -> OAuth2Settings | None:
        """Token settings for ``xoauth2``."""
        ...

    @property
    def timeout_seconds(self) -> float:
        """Socket timeout."""
        ...
