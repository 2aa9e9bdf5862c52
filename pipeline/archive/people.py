"""People who use the archive: local accounts, roles, what each role may do, sign-ins.

The records application (``pipeline.web``) and the ``mailledger web user`` commands
both go through this module, so the rules live once: which role may do what
(:data:`ROLE_PERMISSIONS`), how passwords are stored (Argon2id, via argon2-cffi),
and that every sign-in, refused sign-in, sign-out and role change is appended to
the ledger through the archive service before it takes effect.

Accounts are kept in a JSON file under ``state_dir`` (``web-users.json``), written
atomically under an exclusive lock. The file holds password hashes, never
passwords; the ledger holds names and roles, never hashes.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

import structlog
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from pipeline.archive.service import Archive
from pipeline.entries.models import (
    ExportCreated,
    UserRolesChanged,
    UserSignedIn,
    UserSignedOut,
    UserSignInFailed,
)
from pipeline.errors import AccountError, PermissionDeniedError, SignInError
from pipeline.ledger.entry import LedgerEntry

__all__ = [
    "ROLE_PERMISSIONS",
    "USERS_FILE",
    "FederatedIdentity",
    "People",
    "Permission",
    "Role",
    "User",
    "UserDirectory",
    "permissions_of",
    "valid_user_name",
]

log = structlog.get_logger(__name__)

USERS_FILE = "web-users.json"
"""File name of the accounts file inside ``config.state_dir``."""

NO_SUCH_ACCOUNT = "(no such account)"
"""How a refused sign-in names an account name that does not exist."""

MIN_PASSWORD = 12
"""Shortest password accepted (NIST SP 800-63B asks for at least 8; records warrant more)."""

_NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")


class Role(StrEnum):
    """What a person is in the organisation; decides what they may do."""

    RECORDS_OFFICER = "records_officer"
    COMPLIANCE_SUPERVISOR = "compliance_supervisor"
    EXAMINER = "examiner"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        """The role as people write it."""
        return self.value.replace("_", " ")


class Permission(StrEnum):
    """One kind of action in the archive."""

    SEARCH = "search"  # search and list records (index fields, masked numbers)
    VIEW = "view"  # open a record's content, download its .eml and attachments
    TRAIL = "trail"  # read a record's proven audit trail
    EXPORT = "export"  # build and download examination exports, grant them to examiners
    CASES = "cases"  # see the clocks dashboard
    CASE_ACTIONS = "case_actions"  # extend, resolve, reopen, link
    HOLDS = "holds"  # see legal holds
    HOLD_ACTIONS = "hold_actions"  # place and lift legal holds
    DISPOSAL = "disposal"  # run a disposal dry run
    REPORTS = "reports"  # the SLA report
    HEALTH = "health"  # checkpoint age, mailbox successes, pending events
    EXAMINE = "examine"  # download the exports granted to oneself; verify an upload
    USERS = "users"  # create accounts and change roles


_OFFICER = frozenset(
    {
        Permission.SEARCH,
        Permission.VIEW,
        Permission.TRAIL,
        Permission.EXPORT,
        Permission.CASES,
        Permission.HOLDS,
        Permission.REPORTS,
        Permission.HEALTH,
        Permission.EXAMINE,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.RECORDS_OFFICER: _OFFICER,
    Role.COMPLIANCE_SUPERVISOR: _OFFICER
    | {Permission.CASE_ACTIONS, Permission.HOLD_ACTIONS, Permission.DISPOSAL},
    # an examiner sees only what was granted to them, never the archive itself
    Role.EXAMINER: frozenset({Permission.EXAMINE}),
    Role.ADMINISTRATOR: frozenset({Permission.USERS, Permission.HEALTH}),
}
"""What each role may do: the one place this rule is written."""


def permissions_of(roles: Sequence[Role]) -> frozenset[Permission]:
    """Everything any of ``roles`` allows."""
    out: frozenset[Permission] = frozenset()
    for role in roles:
        out |= ROLE_PERMISSIONS[role]
    return out


def valid_user_name(name: str) -> bool:
    """Lower-case letters, digits and ``._@-``, at most 64 characters, not starting with a sign."""
    return bool(_NAME.fullmatch(name))


def parse_roles(values: Sequence[str]) -> tuple[Role, ...]:
    """Role names as given (``records_officer`` or ``records officer``), sorted, each once."""
    roles: set[Role] = set()
    for value in values:
        text = value.strip().lower().replace(" ", "_").replace("-", "_")
        try:
            roles.add(Role(text))
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise AccountError(f"unknown role {value!r}; roles are: {known}") from None
    return tuple(sorted(roles))


@dataclass(frozen=True)
class User:
    """One account."""

    name: str
    roles: tuple[Role, ...]
    password_hash: str | None = None  # None: signs in through the organisation's SSO only
    disabled: bool = False
    # "<method> <subject>" of the SSO identity that signed in to this account first; later
    # sign-ins must be that identity (an e-mail address can pass to someone else)
    sso_subject: str | None = None

    @property
    def permissions(self) -> frozenset[Permission]:
        """What this person may do."""
        return frozenset() if self.disabled else permissions_of(self.roles)

    def may(self, permission: Permission) -> bool:
        """True when the person's roles allow ``permission``."""
        return permission in self.permissions

    def require(self, permission: Permission) -> None:
        """Raise :class:`PermissionDeniedError` unless the roles allow ``permission``."""
        if not self.may(permission):
            raise PermissionDeniedError(
                f"{self.name}'s roles do not allow {permission.value}; an administrator"
                " can change roles"
            )

    @property
    def actor(self) -> str:
        """How ledger entries name this person."""
        return f"person:{self.name}"


class UserDirectory:
    """The accounts file: read fresh on every lookup, so role changes apply at once."""

    def __init__(self, path: Path) -> None:
        """``path`` is the JSON accounts file (created on the first account)."""
        self.path = path

    def _read(self) -> dict[str, User]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise AccountError(f"cannot read the accounts file {self.path}: {exc}") from exc
        try:
            return {
                item["name"]: User(
                    name=item["name"],
                    roles=parse_roles(item["roles"]),
                    password_hash=item.get("password_hash"),
                    disabled=bool(item.get("disabled", False)),
                    sso_subject=item.get("sso_subject"),
                )
                for item in raw["users"]
            }
        except (KeyError, TypeError) as exc:
            raise AccountError(
                f"the accounts file {self.path} is damaged ({exc}); restore it from backup"
            ) from exc

    def _write(self, users: dict[str, User]) -> None:
        data = {
            "users": [
                {
                    "name": u.name,
                    "roles": [r.value for r in u.roles],
                    "password_hash": u.password_hash,
                    "disabled": u.disabled,
                    "sso_subject": u.sso_subject,
                }
                for u in sorted(users.values(), key=lambda u: u.name)
            ]
        }
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2)
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(self.path)

    @contextmanager
    def _locked(self) -> Iterator[dict[str, User]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = self.path.with_name(self.path.name + ".lock")
        with lock.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            users = self._read()
            yield users
            self._write(users)

    def get(self, name: str) -> User | None:
        """The account called ``name``, if any."""
        return self._read().get(name)

    def all(self) -> list[User]:
        """Every account, by name."""
        return sorted(self._read().values(), key=lambda u: u.name)

    def _put(self, user: User, *, create: bool) -> User | None:
        """Store ``user``; returns the account it replaced."""
        with self._locked() as users:
            before = users.get(user.name)
            if create and before is not None:
                raise AccountError(f"an account called {user.name!r} already exists")
            if not create and before is None:
                raise AccountError(f"no account called {user.name!r}")
            users[user.name] = user
        return before


@dataclass(frozen=True)
class FederatedIdentity:
    """A person the organisation's identity provider vouched for, as this archive reads them.

    Built from an ID token whose signature, issuer, audience, expiry and nonce were
    already checked. ``refusal`` says why the claims alone refuse the person (no usable
    account name, a domain that is not allowed); ``roles`` are their groups mapped to roles.
    """

    method: str  # "oidc:<issuer>"
    subject: str  # the provider's stable ``sub`` for the person
    name: str | None  # the account name; None when the token carries no usable one
    roles: tuple[Role, ...]
    refusal: str | None = None

    @property
    def bound(self) -> str:
        """How an account records the identity it belongs to."""
        return f"{self.method} {self.subject}"


class People:
    """Accounts and sign-ins, each recorded in the ledger through an :class:`Archive`."""

    def __init__(self, directory: UserDirectory, hasher: PasswordHasher | None = None) -> None:
        """``hasher`` defaults to argon2-cffi's RFC 9106 low-memory profile."""
        self.directory = directory
        self.hasher = hasher or PasswordHasher()
        # verifying against this when the name is unknown takes as long as a real check,
        # so response times do not tell which accounts exist
        self._dummy = self.hasher.hash("not a password of anyone")

    def _hash(self, password: str) -> str:
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
        return self.hasher.hash(password)

    def add_user(
        self,
        archive: Archive,
        name: str,
        roles: Sequence[Role],
        password: str | None,
        reason: str | None = None,
    ) -> User:
        """Create an account; appends ``user.roles_changed`` (from no roles) first."""
        if not valid_user_name(name):
            raise AccountError(
                f"{name!r} is not a valid account name (lower-case letters, digits, ._@-)"
            )
        if not roles:
            raise AccountError("an account needs at least one role")
        if self.directory.get(name) is not None:
            raise AccountError(f"an account called {name!r} already exists")
        user = User(name, tuple(sorted(set(roles))), self._hash(password) if password else None)
        archive.append_audited(
            UserRolesChanged(
                user=name,
                actor=archive.actor,
                before=(),
                after=tuple(r.value for r in user.roles),
                reason=reason,
            )
        )
        self.directory._put(user, create=True)
        log.info("account.created", user=name, roles=[r.value for r in user.roles])
        return user

    def set_roles(
        self, archive: Archive, name: str, roles: Sequence[Role], reason: str | None = None
    ) -> User:
        """Change an account's roles (none: disabled); appends ``user.roles_changed`` first."""
        user = self.directory.get(name)
        if user is None:
            raise AccountError(f"no account called {name!r}")
        after = tuple(sorted(set(roles)))
        archive.append_audited(
            UserRolesChanged(
                user=name,
                actor=archive.actor,
                before=tuple(r.value for r in user.roles),
                after=tuple(r.value for r in after),
                reason=reason,
            )
        )
        changed = replace(user, roles=after, disabled=not after)
        self.directory._put(changed, create=False)
        log.info("account.roles_changed", user=name, roles=[r.value for r in after])
        return changed

    def grant_export(
        self, archive: Archive, export_seq: int, grantee: str, reason: str | None
    ) -> LedgerEntry:
        """Give the export recorded at ``export_seq`` to ``grantee``, who must hold an
        examiner's account that is not disabled (``export.granted``)."""
        account = self.directory.get(grantee)
        if account is None or account.disabled or Role.EXAMINER not in account.roles:
            raise AccountError(
                f"{grantee!r} is not an examiner's account; an administrator can give an"
                " account the examiner role"
            )
        return archive.grant_export(export_seq, grantee, reason)

    def take_export(
        self, archive: Archive, reader: User, manifest: str, reason: str | None
    ) -> ExportCreated:
        """The export ``manifest`` for ``reader``: people who build exports may take any,
        an examiner only one granted to them. The taking is recorded first."""
        if not reader.may(Permission.EXPORT):
            reader.require(Permission.EXAMINE)
            granted = archive.grants(reader.name)
            if not any(g.grant.manifest_sha256 == manifest for g in granted):
                raise PermissionDeniedError("this export was not granted to you")
        return archive.take_export(manifest, reason)

    def as_recorded(self, typed: str) -> str:
        """How a refused sign-in names what was typed as the account name: the account,
        or :data:`NO_SUCH_ACCOUNT`. A name that is no account is written nowhere, neither
        ledger nor log: people type their password into the name field, and the ledger
        keeps what it is given for good."""
        name = typed.strip().lower()
        known = valid_user_name(name) and self.directory.get(name) is not None
        return name if known else NO_SUCH_ACCOUNT

    def authenticate(self, archive: Archive, name: str, password: str) -> User:
        """The account if ``password`` is right; every outcome is appended to the ledger.

        ``archive`` acts for the sign-in service. Raises :class:`SignInError` with
        one message for every refusal, so the page does not tell which part was wrong.
        """
        typed = name.strip().lower()
        user = self.directory.get(typed) if valid_user_name(typed) else None
        shown = self.as_recorded(typed)
        reason: str | None = None
        if user is None or user.password_hash is None:
            self._verify(self._dummy, password)
            reason = "unknown user" if user is None else "no local password"
        elif not self._verify(user.password_hash, password):
            reason = "wrong password"
        elif user.disabled or not user.roles:
            reason = "disabled"
        if reason is not None or user is None:
            self.refuse(archive, shown, "password", reason or "unknown user")
            raise SignInError("the account name or password is not right")
        self._accept(archive, user, "password")
        return user

    def sign_in_federated(self, archive: Archive, identity: FederatedIdentity) -> User:
        """The account of a person the identity provider vouched for; every outcome recorded.

        The provider decides the roles: an account is made at the first sign-in, and
        roles that differ from the account's are recorded (``user.roles_changed`` by
        the provider's method) and applied before ``user.signed_in``. Refused, with
        ``user.sign_in_failed`` and a :class:`SignInError` saying what to do: claims
        refused on their own, a name that is a local password account or bound to
        another identity of the provider, and groups that map to no role.
        """
        shown = identity.name or "(no account name in the token)"

        def refused(reason: str, message: str) -> SignInError:
            self.refuse(archive, shown, identity.method, reason, identity.subject)
            return SignInError(message)

        if identity.refusal is not None or identity.name is None:
            reason = identity.refusal or "no account name"
            raise refused(reason, f"This sign-in is not accepted here: {reason}.")
        name = identity.name
        user = self.directory.get(name)
        if user is not None and user.password_hash is not None:
            raise refused(
                "local account",
                f"{name} is a local account here, which signs in with its password;"
                " an administrator can remove it so that the identity provider's account"
                " can sign in.",
            )
        if user is not None and user.sso_subject not in (None, identity.bound):
            raise refused(
                "another identity",
                f"The account {name} belongs to another identity at the identity provider;"
                " ask an administrator.",
            )
        before = user.roles if user is not None else ()
        after = tuple(sorted(set(identity.roles)))
        if after != before:
            archive.append_audited(
                UserRolesChanged(
                    user=name,
                    actor=identity.method,
                    before=tuple(r.value for r in before),
                    after=tuple(r.value for r in after),
                    reason="groups from the identity provider",
                )
            )
        if (user is None and after) or (
            user is not None and (after != before or user.sso_subject is None)
        ):
            stored = User(name, after, None, disabled=not after, sso_subject=identity.bound)
            self.directory._put(stored, create=user is None)
            log.info("account.roles_from_idp", user=name, roles=[r.value for r in after])
            user = stored
        if user is None or not after:
            raise refused(
                "no role",
                f"You signed in at the identity provider as {name}, but none of your groups"
                " gives a role in this archive. Ask your administrator to add you to a group"
                " that is mapped to a role.",
            )
        self._accept(archive, user, identity.method, identity.subject)
        return user

    def refuse(
        self, archive: Archive, name: str, method: str, reason: str, subject: str | None = None
    ) -> None:
        """Record a refused sign-in (``user.sign_in_failed``): who was named, how, and why."""
        archive.append_audited(
            UserSignInFailed(user=name, method=method, reason=reason, subject=subject)
        )
        log.info("sign_in.refused", user=name, method=method, reason=reason)

    def _accept(
        self, archive: Archive, user: User, method: str, subject: str | None = None
    ) -> None:
        archive.append_audited(
            UserSignedIn(
                user=user.name,
                method=method,
                roles=tuple(r.value for r in user.roles),
                subject=subject,
            )
        )
        log.info("sign_in.accepted", user=user.name, method=method)

    def signed_out(self, archive: Archive, name: str, reason: str) -> None:
        """Record that ``name``'s session ended (``signed out`` or ``expired``)."""
        archive.append_audited(UserSignedOut(user=name, reason=reason))

    def _verify(self, hashed: str, password: str) -> bool:
        try:
            return self.hasher.verify(hashed, password)
        except VerifyMismatchError:
            return False
        except (VerificationError, InvalidHashError):
            log.warning("sign_in.damaged_hash")
            return False
