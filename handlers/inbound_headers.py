"""Facts read from the header block of a stored inbound message (pure; no I/O).

Two things the record does not carry are read from the raw bytes the pipeline
stored first: the ``Authentication-Results`` field our receiving MTA added
(RFC 8601) and ``X-Auto-Response-Suppress`` (a Microsoft convention: the sender
asks for no automatic replies).

Which ``Authentication-Results`` to trust (RFC 8601 section 5): any sender can
write the field, with any authserv-id, into the message they submit. Only the
receiving MTA's own instance is evidence, and an MTA adds its field at the top of
the header block, above everything that came with the message. So only the
topmost ``Authentication-Results`` is read, and only if its authserv-id is the one
configured; every other instance is ignored. This relies on the receiving MTA
adding the field to every message (and, as section 5 requires, removing
instances that claim its authserv-id); if it does not, a sender's forged field
would be the topmost, so ``require_authentication`` must only be turned on where
the MTA is configured that way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import compat32

_HEADER_LIMIT = 256 * 1024  # the header block is read from at most this many bytes


@dataclass(frozen=True, slots=True)
class RawHeaderFacts:
    """The header facts the acknowledgment policy needs from the raw message."""

    top_authentication_results: str | None = None
    auto_response_suppress: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AuthVerdict:
    """Whether the sender is authenticated, and by which method (for the ledger)."""

    passed: bool
    method: str


def header_facts(raw: bytes) -> RawHeaderFacts:
    """Read :class:`RawHeaderFacts` from a message's raw bytes."""
    head = raw[:_HEADER_LIMIT]
    end = re.search(rb"\r?\n\r?\n", head)
    if end is not None:
        head = head[: end.end()]
    parsed = BytesHeaderParser(policy=compat32).parsebytes(head)
    results = parsed.get_all("Authentication-Results") or []
    suppress = parsed.get_all("X-Auto-Response-Suppress") or []
    words = tuple(
        w.strip().lower() for value in suppress for w in str(value).split(",") if w.strip()
    )
    return RawHeaderFacts(
        top_authentication_results=" ".join(str(results[0]).split()) if results else None,
        auto_response_suppress=words,
    )


def _strip_comments(value: str) -> str:
    """``value`` without RFC 5322 comments (nested parentheses), quoted strings kept."""
    out: list[str] = []
    depth, quoted, escaped = 0, False, False
    for char in value:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(char)
            continue
        if char == "\\":
            escaped = True
            if depth == 0:
                out.append(char)
            continue
        if quoted:
            quoted = char != '"'
            out.append(char)
        elif char == '"' and depth == 0:
            quoted = True
            out.append(char)
        elif char == "(":
            depth += 1
        elif char == ")" and depth > 0:
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)


def _split(value: str, sep: str) -> list[str]:
    """Split on ``sep`` outside quoted strings."""
    parts, current, quoted = [], "", False
    for char in value:
        if char == '"':
            quoted = not quoted
        if char == sep and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _domain_of(value: str) -> str:
    value = value.strip().strip('"').strip("<>").lower()
    return value.rsplit("@", 1)[-1].rstrip(".")


def authentication_verdict(
    facts: RawHeaderFacts, authserv_id: str, from_domain: str
) -> AuthVerdict:
    """Pass when our MTA's result says ``dmarc=pass``, or ``spf``/``dkim=pass`` aligned.

    Alignment is strict (RFC 7489 section 3.1): the SPF ``smtp.mailfrom`` domain or the
    DKIM ``header.d`` domain must equal the From domain. Relaxed alignment needs the
    public suffix list, which the project does not carry; strict never trusts more.
    A ``dmarc=pass`` counts only with a ``header.from`` naming the From domain.
    """
    value = facts.top_authentication_results
    if value is None:
        return AuthVerdict(False, "no-authentication-results")
    parts = _split(_strip_comments(value), ";")
    ident = parts[0].split()
    if not ident or ident[0].lower() != authserv_id.lower():
        return AuthVerdict(False, "foreign-authserv-id")
    domain = from_domain.lower().rstrip(".")
    if not domain:
        return AuthVerdict(False, "no-from-domain")
    for part in parts[1:]:
        tokens = part.split()
        if not tokens or "=" not in tokens[0]:
            continue
        method, _, result = tokens[0].partition("=")
        props = {}
        for token in tokens[1:]:
            key, eq, val = token.partition("=")
            if eq:
                props[key.lower()] = val
        method, result = method.lower(), result.lower()
        if result != "pass":
            continue
        if method == "dmarc" and _domain_of(props.get("header.from", "")) == domain:
            return AuthVerdict(True, "dmarc")
        if method == "spf" and _domain_of(props.get("smtp.mailfrom", "")) == domain:
            return AuthVerdict(True, "spf-aligned")
        if method == "dkim":
            signer = props.get("header.d") or props.get("header.i", "")
            if signer and _domain_of(signer) == domain:
                return AuthVerdict(True, "dkim-aligned")
    return AuthVerdict(False, "no-aligned-pass")
