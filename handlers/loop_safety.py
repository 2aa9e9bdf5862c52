"""Whether an inbound message may be answered automatically, and to whom (RFC 3834).

Pure logic: no I/O, no clock. The rules, in the order they are checked:

* outbound mail (our own sent items) and imported (backfilled) mail are never answered;
  an acknowledgment for a years-old message would confuse the borrower;
* ``Auto-Submitted`` present with any value other than ``no`` (RFC 3834 section 5);
* ``Precedence: bulk | list | junk`` (RFC 3834 section 3.1.8, de-facto convention);
* any ``List-Id`` or other ``List-*`` header (RFC 2369 / RFC 2919; RFC 3834 section 2);
* the classifier's machine-mail verdict (DSN, MDN, ``X-Autoreply``, out-of-office
  wording; see ``pipeline.classify.machine``);
* an empty return path ``<>``: the message is itself a bounce or an auto-response
  (RFC 3834 section 2, RFC 5321 section 4.5.5);
* senders whose local part says they are a machine (mailer-daemon, postmaster,
  no-reply, noreply, do-not-reply, ...), RFC 3834 section 2;
* mail from one of our own addresses, so two responders cannot ping-pong;
* no usable sender address (missing or not a plain ``local@domain``);
* more than the configured number of acknowledgments to the sender in 24 hours.

Reply target: the (single) ``From`` address. RFC 3834 section 4 sends service
responses to the return path and lets responses meant for a person go to the
author; it never sends them to ``Cc`` recipients. Our acknowledgment is a personal
notice to the borrower that Regulation X requires the servicer to give, so it goes
to the author. ``Reply-To`` is deliberately not used: it is set by whoever composed
the message and can point at a list or a third party, and the acknowledgment names
the borrower's case. A ``From`` with several mailboxes is not answered (ambiguous).
The return path still decides *whether* to answer (empty means no).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from handlers.record import InboundRecord

# A deliberately strict addr-spec: no quoting, no comments, no whitespace or control
# characters, so the value can be put into a header and an SMTP envelope as-is.
_ADDR = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?"
)
_MACHINE_LOCAL = re.compile(
    r"(?:mailer[-_.]?daemon|postmaster|no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply|"
    r"bounces?|auto[-_.]?reply|autoresponder)(?:[-+_.].*)?",
    re.IGNORECASE,
)
_REFUSED_PRECEDENCE = frozenset({"bulk", "list", "junk"})


@dataclass(frozen=True, slots=True)
class ReplyHeaders:
    """The header facts the decision needs (from the record, already decoded)."""

    from_addresses: tuple[str, ...]
    return_path: str | None = None
    auto_submitted: str | None = None
    precedence: str | None = None
    list_id: str | None = None
    list_headers: tuple[str, ...] = ()
    # The classifier's machine-mail kind (bounce, read receipt, out-of-office, ...).
    machine_kind: str | None = None


@dataclass(frozen=True, slots=True)
class SourceFacts:
    """Where the message came from."""

    direction: str = "inbound"
    imported: bool = False


@dataclass(frozen=True, slots=True)
class RateState:
    """Acknowledgments already sent per sender (lower-case address) in the last 24 hours."""

    limit_per_day: int
    sent_last_24h: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Decision:
    """``reply`` with the address to answer, or not with the reason (a short code)."""

    reply: bool
    reason: str
    target: str | None = None


def normalize_address(address: str) -> str | None:
    """``address`` stripped and lower-cased if it is a plain, safe addr-spec, else None."""
    candidate = address.strip().strip("<>").strip()
    if _ADDR.fullmatch(candidate) is None:
        return None
    return candidate.lower()


def is_machine_address(address: str) -> bool:
    """True for mailer-daemon, postmaster, no-reply and similar automated senders."""
    local = address.rsplit("@", 1)[0]
    return _MACHINE_LOCAL.fullmatch(local) is not None


def facts_from_record(record: InboundRecord) -> tuple[ReplyHeaders, SourceFacts]:
    """The decision's inputs, taken from a recorded message."""
    headers = ReplyHeaders(
        from_addresses=tuple(p.address for p in record.from_),
        return_path=record.return_path,
        auto_submitted=record.auto_submitted,
        precedence=record.precedence,
        list_id=record.list_id,
        list_headers=record.list_headers,
        machine_kind=record.machine_kind,
    )
    return headers, SourceFacts(direction=record.direction, imported=record.imported)


def should_auto_reply(
    headers: ReplyHeaders,
    source: SourceFacts,
    own_addresses: Iterable[str],
    rate_state: RateState,
) -> Decision:
    """Decide whether to acknowledge automatically; see the module docstring for the rules."""
    if source.direction != "inbound":
        return Decision(False, "outbound-message")
    if source.imported:
        return Decision(False, "imported-message")
    auto = (headers.auto_submitted or "").strip()
    # RFC 3834 section 5: the field value is a keyword, optionally followed by parameters.
    if auto and auto.split(";", 1)[0].strip().lower() != "no":
        return Decision(False, "auto-submitted")
    if (headers.precedence or "").strip().lower() in _REFUSED_PRECEDENCE:
        return Decision(False, "precedence-bulk-list-junk")
    if headers.list_id or any(h.lower().startswith("list-") for h in headers.list_headers):
        return Decision(False, "mailing-list")
    if headers.machine_kind is not None:
        # Bounces, read receipts and out-of-office replies the headers alone miss.
        return Decision(False, f"machine-mail:{headers.machine_kind}")
    if headers.return_path is not None and headers.return_path.strip() in ("<>", ""):
        return Decision(False, "empty-return-path")
    if len(headers.from_addresses) != 1:
        return Decision(False, "no-usable-sender")
    target = normalize_address(headers.from_addresses[0])
    if target is None:
        return Decision(False, "no-usable-sender")
    if is_machine_address(target):
        return Decision(False, "machine-sender")
    if headers.return_path is not None:
        path = normalize_address(headers.return_path)
        if path is not None and is_machine_address(path):
            return Decision(False, "machine-sender")
    own = {a for a in (normalize_address(x) for x in own_addresses) if a is not None}
    if target in own:
        return Decision(False, "own-address")
    if rate_state.sent_last_24h.get(target, 0) >= rate_state.limit_per_day:
        return Decision(False, "rate-limited")
    return Decision(True, "ok", target)
