"""Who an OpenID Connect ID token says a person is, in this archive's terms (pure logic).

The token reaching here was already checked by Authlib (signature against the
provider's published keys, issuer, audience, expiry, nonce); this module only reads
its claims: the account name (``username_claim``, lower-cased), the e-mail domain
rule, and the groups that map to roles. It does no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

from pipeline.archive.people import FederatedIdentity, Role, valid_user_name
from pipeline.config import OidcConfig

__all__ = ["groups_of", "identity_from_claims", "method_of", "roles_for"]


def method_of(settings: OidcConfig) -> str:
    """How the ledger names sign-ins through this provider."""
    return f"oidc:{settings.issuer}"


def groups_of(claims: Mapping[str, object], claim: str) -> tuple[str, ...]:
    """The group names in ``claim``: a list of strings, or one string; anything else is none."""
    value = claims.get(claim)
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(item for item in value if isinstance(item, str))
    return ()


def roles_for(groups: tuple[str, ...], settings: OidcConfig) -> tuple[Role, ...]:
    """Every role any of ``groups`` maps to (sorted, each once); unknown groups give none."""
    roles: set[Role] = set()
    for group in groups:
        roles.update(settings.role_groups.get(group, ()))
    return tuple(sorted(roles))


def identity_from_claims(claims: Mapping[str, object], settings: OidcConfig) -> FederatedIdentity:
    """The person a checked ID token names, with the roles their groups map to.

    ``refusal`` is set when the claims alone keep the person out: no usable account
    name, an e-mail address the provider marks unverified, or a domain outside
    ``allowed_domains``.
    """
    subject = claims.get("sub")
    method = method_of(settings)
    raw = claims.get(settings.username_claim)
    name = raw.strip().lower() if isinstance(raw, str) else ""
    roles = roles_for(groups_of(claims, settings.groups_claim), settings)
    if not isinstance(subject, str) or not subject:
        return FederatedIdentity(method, "", None, roles, refusal="no subject in the token")
    if not valid_user_name(name):
        return FederatedIdentity(
            method, subject, None, roles, refusal=f"no usable {settings.username_claim} claim"
        )
    refusal = None
    if settings.username_claim == "email" and claims.get("email_verified") is False:
        refusal = "e-mail address not verified by the provider"
    elif settings.domains:
        _, at, domain = name.rpartition("@")
        if not at or domain not in settings.domains:
            refusal = "e-mail domain not allowed"
    return FederatedIdentity(method, subject, name, roles, refusal=refusal)
