"""Whether an inbound message may be answered automatically, and to whom (RFC 3834).

Pure logic: no I/O, no clock. The rules, in the order they are checked:

* outbound mail (our own sent items) and imported (backfilled) mail are never answered;
  an acknowledgment for a years-old message would confuse the borrower;
* ``Auto-Submitted`` present with any value other than ``no`` (RFC 3834 section 5);
* ``Precedence: bulk | list | junk`` (RFC 3834 section 3.1.8, de-facto convention);
* any ``List-Id`` or other ``List-*`` header (RFC 2369 / RFC 2919; RFC 3834 section 2);
* ``X-Auto-Response-Suppress`` naming ``All``, ``AutoReply`` or ``OOF`` (a Microsoft
  convention, read from the raw message: the sender asked for no automatic replies);
* the classifier's machine-mail verdict (DSN, MDN, ``X-Autoreply``, out-of-office
  wording; see ``pipeline.classify.machine``);
* an empty return path ``<>``: the message is itself a bounce or an auto-response
  (RFC 3834 section 2, RFC 5321 section 4.5.5);
* senders whose local part says they are a machine (mailer-daemon, postmaster,
  no-reply, noreply, do-not-reply, ...), RFC 3834 section 2; list software (LISTSERV,
  majordomo), RFC 5230 section 4.6; Google Calendar's invitation replies;
* mail from one of our own addresses, so two responders cannot ping-pong;
* no usable sender address (missing or not a plain ``local@domain``);
* more than the configured number of acknowledgments in 24 hours to the sender
  (normalised: lower case, ``+tag`` removed, dots folded for gmail-like domains), to
  the sender's domain, or to anyone (each limit optional but the per-sender one).

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

from collections.abc import Iterable
from dataclasses import dataclass, field

from handlers.outbound import strict_addr_spec
from handlers.record import InboundRecord
from pipeline.classify.machine import is_machine_address

_REFUSED_PRECEDENCE = frozenset({"bulk", "list", "junk"})
_SUPPRESSING = frozenset({"all", "autoreply", "oof"})


@dataclass(frozen=True, slots=True)
class ReplyHeaders:
    """The header facts the decision needs (from the record, already decoded)."""

    from_addresses: tuple[str, ...]
    return_path: str | None = None
    auto_submitted: str | None = None
    precedence: str | None = None
    list_id: str | None = None
    list_headers: tuple[str, ...] = ()
    auto_response_suppress: tuple[str, ...] = ()
    # The classifier's machine-mail kind (bounce, read receipt, out-of-office, ...).
    machine_kind: str | None = None


@dataclass(frozen=True, slots=True)
class SourceFacts:
    """Where the message came from."""

    direction: str = "inbound"
    imported: bool = False


@dataclass(frozen=True, slots=True)
class AddressFolding:
    """How addresses are normalised for rate limits (see :func:`rate_key`)."""

    subaddress_separator: str = "+"
    dot_folding_domains: frozenset[str] = frozenset({"gmail.com", "googlemail.com"})


@dataclass(frozen=True, slots=True)
class RateState:
    """Limits per 24 hours and the acknowledgments already sent in the last 24 hours.

    ``sent_to`` holds the recipient addresses of those acknowledgments as recorded;
    they are normalised here with ``folding`` so ``a+x@d`` and ``a@d`` share a count.
    """

    limit_per_day: int
    sent_to: tuple[str, ...] = ()
    limit_per_domain: int | None = None
    limit_global: int | None = None
    folding: AddressFolding = field(default_factory=AddressFolding)

    def exceeded(self, target: str) -> str | None:
        """The name of the first limit ``target`` would exceed, or None."""
        key = rate_key(target, self.folding)
        domain = key.rsplit("@", 1)[1]
        keys = [rate_key(a, self.folding) for a in self.sent_to]
        if sum(1 for k in keys if k == key) >= self.limit_per_day:
            return "sender"
        if self.limit_per_domain is not None and (
            sum(1 for k in keys if k.rsplit("@", 1)[1] == domain) >= self.limit_per_domain
        ):
            return "domain"
        if self.limit_global is not None and len(keys) >= self.limit_global:
            return "global"
        return None


def rate_key(address: str, folding: AddressFolding) -> str:
    """``address`` lower-cased, without its sub-address tag, dots folded where they do not count.

    ``Ana.B+case1@Gmail.com`` and ``anab@gmail.com`` reach the same mailbox, so they share
    one rate-limit count.
    """
    local, _, domain = address.strip().lower().rpartition("@")
    if folding.subaddress_separator:
        local = local.split(folding.subaddress_separator, 1)[0]
    if domain in folding.dot_folding_domains:
        local = local.replace(".", "")
    return f"{local}@{domain}"


@dataclass(frozen=True, slots=True)
class Decision:
    """``reply`` with the address to answer, or not with the reason (a short code)."""

    reply: bool
    reason: str
    target: str | None = None


def normalize_address(address: str) -> str | None:
    """``address`` stripped and lower-cased if it is one plain addr-spec, else None.

    The same strict rule as the outbound headers (:func:`strict_addr_spec`: dot-atoms
    only, no quoting, comments or whitespace), so an address that passes here can be
    put into a header and an SMTP envelope as-is.
    """
    candidate = address.strip().removeprefix("<").removesuffix(">").strip()
    if strict_addr_spec(candidate) is None:
        return None
    return candidate.lower()


def facts_from_record(
    record: InboundRecord, auto_response_suppress: tuple[str, ...] = ()
) -> tuple[ReplyHeaders, SourceFacts]:
    """The decision's inputs, taken from a recorded message (and its raw header block)."""
    headers = ReplyHeaders(
        from_addresses=tuple(p.address for p in record.from_),
        return_path=record.return_path,
        auto_submitted=record.auto_submitted,
        precedence=record.precedence,
        list_id=record.list_id,
        list_headers=record.list_headers,
        auto_response_suppress=auto_response_suppress,
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
    if _SUPPRESSING.intersection(w.strip().lower() for w in headers.auto_response_suppress):
        return Decision(False, "auto-response-suppressed")
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
    limit = rate_state.exceeded(target)
    if limit is not None:
        return Decision(False, f"rate-limited-{limit}")
    return Decision(True, "ok", target)
