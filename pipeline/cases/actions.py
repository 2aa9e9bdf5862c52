"""A person's case decisions, checked against the ledger before they are appended.

``link``, ``extend``, ``resolve`` and ``reopen`` each append one ``case.*`` entry.
The checks run on the log as it is at the moment of appending: on the real
ledger through :meth:`pipeline.ledger.log.Ledger.append_with`, which re-runs them
after every lost race, so two people extending the same case at once cannot both
succeed (12 CFR 1024.35(e)(3)(ii) and 1024.36(d)(2)(ii) allow one extension).

Every body carries ``record_id`` (the inbound record), ``record_seq`` and ``reason``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from pipeline.cases.book import (
    CASE_EXTENDED,
    CASE_LINKED,
    CASE_REOPENED,
    CASE_RESOLVED,
    CaseBook,
    CaseRecord,
    ResponseRecord,
    collect,
    normalize_message_id,
)
from pipeline.cases.deadlines import evaluate_record
from pipeline.cases.linking import find_references, link_responses, reference_index
from pipeline.classify.clocks import DEFAULT_POLICY, ClockPolicy, extend, local_date
from pipeline.errors import CaseActionError, RecordNotFoundError
from pipeline.ledger.entry import EntryDraft, LedgerEntry
from pipeline.ledger.protocols import LedgerReader, LedgerWriter

__all__ = [
    "CaseLedger",
    "apply_action",
    "find_record",
    "find_response",
    "plan_extend",
    "plan_link",
    "plan_reopen",
    "plan_resolve",
]

Planner = Callable[[CaseBook], EntryDraft]


class CaseLedger(LedgerReader, LedgerWriter, Protocol):
    """A ledger that can be both read and appended to."""


def find_record(book: CaseBook, ref: str) -> CaseRecord:
    """The inbound record named by a record id, a Message-ID or a reference number."""
    text = ref.strip()
    if text in book.inbound:
        return book.inbound[text]
    message_id = normalize_message_id(text)
    matches = [r for r in book.inbound.values() if message_id and r.message_id == message_id]
    if not matches and find_references(text) == [text.upper()]:
        ids = reference_index(book.inbound.values()).get(text.upper(), [])
        matches = [book.inbound[i] for i in ids]
    if not matches:
        raise RecordNotFoundError(
            f"no inbound record matches {text!r} (give a record id r-..., a Message-ID, or a"
            " reference number ML-XXXX-XXXX)"
        )
    if len(matches) > 1:
        raise CaseActionError(
            f"{text!r} matches {len(matches)} records ("
            + ", ".join(r.record_id for r in matches)
            + "); give the record id instead"
        )
    return matches[0]


def find_response(book: CaseBook, ref: str) -> ResponseRecord:
    """The recorded response named by its record id or its Message-ID."""
    text = ref.strip()
    if text in book.responses:
        return book.responses[text]
    message_id = normalize_message_id(text)
    matches = [r for r in book.responses.values() if message_id and r.message_id == message_id]
    if not matches:
        raise RecordNotFoundError(
            f"no recorded response (response.sent) matches {text!r}; give its record id or"
            " Message-ID"
        )
    if len(matches) > 1:
        raise CaseActionError(
            f"{text!r} matches {len(matches)} responses; give the record id instead"
        )
    return matches[0]


def _draft(kind: str, body: dict[str, Any], actor: str, now: datetime) -> EntryDraft:
    return EntryDraft(type=kind, body=body, actor=actor, time=now)


def plan_link(
    response_ref: str, inbound_ref: str, reason: str | None, actor: str, now: datetime
) -> Planner:
    """A ``case.linked`` entry tying a response to the inbound record it answers."""

    def plan(book: CaseBook) -> EntryDraft:
        response = find_response(book, response_ref)
        record = find_record(book, inbound_ref)
        if response.sent_at < record.received_at:
            raise CaseActionError(
                f"response {response.record_id} was sent {response.sent_at.isoformat()}, before"
                f" record {record.record_id} was received {record.received_at.isoformat()};"
                " it cannot answer it"
            )
        for link in link_responses(book).for_response(response.record_id):
            if link.record_id == record.record_id:
                raise CaseActionError(
                    f"response {response.record_id} is already linked to {record.record_id}"
                    f" ({link.method.replace('_', ' ')})"
                )
        return _draft(
            CASE_LINKED,
            {
                "record_id": record.record_id,
                "record_seq": record.seq,
                "response_record_id": response.record_id,
                "response_seq": response.seq,
                "reason": reason or "",
            },
            actor,
            now,
        )

    return plan


def plan_extend(
    ref: str,
    days: int,
    reason: str,
    actor: str,
    now: datetime,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> Planner:
    """A ``case.extended`` entry, refused unless the regulation allows this extension.

    Refused: kinds with no extendable clock (payoff statements under 12 CFR
    1026.36(c)(3), internal targets), a second extension, an extension after the
    respond deadline passed or once it was met, or more days than
    ``policy.extension_days`` (15 under 1024.35(e)(3)(ii) / 1024.36(d)(2)(ii)).
    """

    def plan(book: CaseBook) -> EntryDraft:
        record = find_record(book, ref)
        respond = next((d for d in record.deadlines if d.name == "respond"), None)
        if respond is None:
            raise CaseActionError(
                f"record {record.record_id} has no respond deadline to extend"
                + (" (imported mail starts no clocks)" if record.imported else "")
            )
        if not respond.extendable:
            raise CaseActionError(
                f"record {record.record_id} is a {record.request_kind.replace('_', ' ')}; its"
                f" respond deadline under {respond.rule} allows no extension (only notices of"
                " error and requests for information may be extended, 12 CFR"
                " 1024.35(e)(3)(ii), 1024.36(d)(2)(ii))"
            )
        if days <= 0 or days > policy.extension_days:
            raise CaseActionError(
                f"an extension is 1 to {policy.extension_days} business days; got {days}"
            )
        status = evaluate_record(
            record, book, link_responses(book).for_record(record.record_id), now, policy
        )
        current = status.deadline("respond")
        assert current is not None  # the record has a respond clock
        if current.extension_seq is not None:
            raise CaseActionError(
                f"record {record.record_id} was already extended (ledger position"
                f" {current.extension_seq}, now due {current.due.isoformat()}); the regulation"
                " allows one extension"
            )
        if current.state == "met":
            raise CaseActionError(
                f"record {record.record_id} was already answered on"
                f" {current.status.met_on} (ledger position {current.met_by_seq}); nothing to"
                " extend"
            )
        today = local_date(now, policy)
        if today > current.due:
            raise CaseActionError(
                f"the respond deadline of record {record.record_id} passed on"
                f" {current.due.isoformat()}; an extension must be sent before it expires"
                " (12 CFR 1024.35(e)(3)(ii), 1024.36(d)(2)(ii))"
            )
        extended = extend(current.deadline, days, notified_on=today, calendar=policy.calendar)
        return _draft(
            CASE_EXTENDED,
            {
                "record_id": record.record_id,
                "record_seq": record.seq,
                "reason": reason,
                "days": days,
                "previous_due": current.due.isoformat(),
                "due": extended.due.isoformat(),
                "rule": respond.rule,
            },
            actor,
            now,
        )

    return plan


def _resolved_seq(book: CaseBook, record_id: str) -> int | None:
    current: int | None = None
    for action in book.actions_for(record_id):
        if action.type == CASE_RESOLVED and current is None:
            current = action.seq
        elif action.type == CASE_REOPENED:
            current = None
    return current


def plan_resolve(ref: str, reason: str, actor: str, now: datetime) -> Planner:
    """A ``case.resolved`` entry; refused when the case already stands resolved."""

    def plan(book: CaseBook) -> EntryDraft:
        record = find_record(book, ref)
        seq = _resolved_seq(book, record.record_id)
        if seq is not None:
            raise CaseActionError(
                f"record {record.record_id} is already resolved (ledger position {seq});"
                " reopen it first"
            )
        body = {"record_id": record.record_id, "record_seq": record.seq, "reason": reason}
        return _draft(CASE_RESOLVED, body, actor, now)

    return plan


def plan_reopen(ref: str, reason: str | None, actor: str, now: datetime) -> Planner:
    """A ``case.reopened`` entry; refused unless the case stands resolved."""

    def plan(book: CaseBook) -> EntryDraft:
        record = find_record(book, ref)
        seq = _resolved_seq(book, record.record_id)
        if seq is None:
            raise CaseActionError(f"record {record.record_id} is not resolved; nothing to reopen")
        body = {
            "record_id": record.record_id,
            "record_seq": record.seq,
            "reason": reason or "",
            "resolved_seq": seq,
        }
        return _draft(CASE_REOPENED, body, actor, now)

    return plan


def apply_action(
    ledger: CaseLedger, plan: Planner, policy: ClockPolicy = DEFAULT_POLICY
) -> LedgerEntry:
    """Check ``plan`` against the current log and append its entry.

    With a ledger offering ``append_with`` the check is repeated after every lost
    race, so it always holds for the position the entry is written at.
    """
    append_with = getattr(ledger, "append_with", None)
    if callable(append_with):
        result = append_with(lambda current: [plan(collect(current.entries(), policy))])
        entries: list[LedgerEntry] = result.entries
    else:
        entries = ledger.append([plan(collect(ledger.entries(), policy))])
    return entries[0]
