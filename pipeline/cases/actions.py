"""A person's case decisions, checked against the ledger before they are appended.

``link``, ``extend``, ``resolve``, ``reopen`` and the corrections (reclassify, not a
request, foreclosure sale date, escalation added/removed, holding reply) each append one
``case.*`` entry; corrections record the due dates they change, old and new.
The checks run on the log as it is at the moment of appending: on the real
ledger through :meth:`pipeline.ledger.log.Ledger.append_with`, which re-runs them
after every lost race, so two people extending the same case at once cannot both
succeed (12 CFR 1024.35(e)(3)(ii) and 1024.36(d)(2)(ii) allow one extension).

Every body carries ``record_id`` (the inbound record), ``record_seq`` and ``reason``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from pipeline.cases.book import (
    CASE_ESCALATION_ADDED,
    CASE_ESCALATION_REMOVED,
    CASE_EXTENDED,
    CASE_HOLDING_REPLY,
    CASE_LINKED,
    CASE_NOT_A_REQUEST,
    CASE_RECLASSIFIED,
    CASE_REOPENED,
    CASE_RESOLVED,
    CASE_SALE_DATE_SET,
    CaseAction,
    CaseBook,
    CaseRecord,
    ResponseRecord,
    collect,
    normalize_message_id,
)
from pipeline.cases.deadlines import CaseStatus, effective_classification, evaluate_record
from pipeline.cases.linking import find_references, link_responses, reference_index
from pipeline.classify.clocks import DEFAULT_POLICY, ClockPolicy, extend, local_date
from pipeline.classify.kinds import REQUEST_KINDS, REQUEST_SUBKINDS
from pipeline.entries import decode_body, draft
from pipeline.entries.models import CaseBody, CaseHoldingReply
from pipeline.errors import CaseActionError, RecordNotFoundError
from pipeline.ledger.entry import EntryDraft, LedgerEntry
from pipeline.ledger.protocols import LedgerReader, LedgerWriter

__all__ = [
    "CaseLedger",
    "apply_action",
    "find_record",
    "find_response",
    "plan_escalation",
    "plan_extend",
    "plan_holding_reply",
    "plan_link",
    "plan_not_a_request",
    "plan_reclassify",
    "plan_reopen",
    "plan_resolve",
    "plan_sale_date",
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
    """The entry, checked against its model in the entry catalogue and encoded by it."""
    return draft(decode_body(kind, body), actor, now)


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
    *,
    language: str | None = None,
) -> Planner:
    """A ``case.extended`` entry, refused unless the regulation allows this extension.

    Refused: records with no extendable respond clock (payoff-balance and
    foreclosure-sale errors, owner-identity requests, payoff statements, internal
    targets), a second extension, an extension after the respond deadline passed or
    once it was met, or more than ``policy.extension_days`` (15 under
    1024.35(e)(3)(ii) / 1024.36(d)(2)(ii)). The extension takes effect when its
    written notice is sent (:mod:`handlers.extension_notice`); ``reason`` goes into it.
    """

    def plan(book: CaseBook) -> EntryDraft:
        record = find_record(book, ref)
        status = _status(book, record, now, policy)
        if status.not_applicable is not None:
            raise CaseActionError(
                f"record {record.record_id} has no clocks ({status.not_applicable}); nothing to"
                " extend"
            )
        responds = [d for d in status.deadlines if d.name == "respond"]
        if not responds:
            raise CaseActionError(f"record {record.record_id} has no respond deadline to extend")
        extendable = [d for d in responds if d.deadline.extendable]
        if not extendable:
            rules = ", ".join(d.deadline.rule for d in responds)
            raise CaseActionError(
                f"record {record.record_id} is a {status.request_kind.replace('_', ' ')}; its"
                f" respond deadline under {rules} allows no extension (only notices of error"
                " under 1024.35(e)(3)(i)(C) and requests for information under"
                " 1024.36(d)(2)(i)(B) may be extended, 12 CFR 1024.35(e)(3)(ii),"
                " 1024.36(d)(2)(ii))"
            )
        if days <= 0 or days > policy.extension_days:
            raise CaseActionError(
                f"an extension is 1 to {policy.extension_days} business days; got {days}"
            )
        earlier = next(
            (a for a in book.actions_for(record.record_id) if a.type == CASE_EXTENDED), None
        )
        if earlier is not None:
            raise CaseActionError(
                f"record {record.record_id} was already extended (ledger position"
                f" {earlier.seq}); the regulation allows one extension"
            )
        current = extendable[0]
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
        body: dict[str, Any] = {
            "record_id": record.record_id,
            "record_seq": record.seq,
            "reason": reason,
            "days": days,
            "previous_due": current.due.isoformat(),
            "due": extended.due.isoformat(),
            "rule": current.deadline.rule,
            "language": language or record.language,
        }
        return _draft(CASE_EXTENDED, body, actor, now)

    return plan


def _status(
    book: CaseBook,
    record: CaseRecord,
    now: datetime,
    policy: ClockPolicy,
    extra: CaseAction | None = None,
) -> CaseStatus:
    """The record's status, as if ``extra`` had been appended too."""
    if extra is not None:
        book = book.with_action(extra)
    links = link_responses(book).for_record(record.record_id)
    return evaluate_record(record, book, links, now, policy)


def _correction(
    kind: str,
    ref: str,
    fields: Callable[[CaseBook, CaseRecord], dict[str, Any]],
    reason: str,
    actor: str,
    now: datetime,
    policy: ClockPolicy,
) -> Planner:
    """A correction entry with actor, time and reason, recording every due date it changes.

    ``due_changes`` lists each clock whose due date the correction moves, appears or
    takes away, with the old and the new value, so the trail keeps both.
    """
    if not reason.strip():
        raise CaseActionError("a correction needs a reason (--reason): it is kept in the trail")

    def plan(book: CaseBook) -> EntryDraft:
        record = find_record(book, ref)
        body: dict[str, Any] = {
            "record_id": record.record_id,
            "record_seq": record.seq,
            "reason": reason,
            **fields(book, record),
        }
        before = _status(book, record, now, policy)
        probe_body = decode_body(kind, body)
        assert isinstance(probe_body, CaseBody)
        probe = CaseAction(kind, book.size, now, actor, record.record_id, probe_body)
        after = _status(book, record, now, policy, probe)
        old = {d.deadline.key: d.due.isoformat() for d in before.deadlines}
        new = {d.deadline.key: d.due.isoformat() for d in after.deadlines}
        body["due_changes"] = [
            {"clock": key, "previous_due": old.get(key), "due": new.get(key)}
            for key in sorted(set(old) | set(new))
            if old.get(key) != new.get(key)
        ]
        return _draft(kind, body, actor, now)

    return plan


def plan_reclassify(
    ref: str,
    kinds: Sequence[str],
    subkinds: Sequence[str],
    reason: str,
    actor: str,
    now: datetime,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> Planner:
    """A ``case.reclassified`` entry setting the record's request kinds (and subkinds)."""
    unknown = [k for k in kinds if k not in REQUEST_KINDS] + [
        k for k in subkinds if k not in REQUEST_SUBKINDS
    ]
    if unknown:
        raise CaseActionError(
            f"unknown request kind {unknown[0]!r}; kinds: {', '.join(REQUEST_KINDS)};"
            f" subkinds: {', '.join(REQUEST_SUBKINDS)}"
        )

    def fields(book: CaseBook, record: CaseRecord) -> dict[str, Any]:
        current = effective_classification(record, book.actions_for(record.record_id))
        return {
            "kinds": [k for k in REQUEST_KINDS if k in kinds],
            "subkinds": [k for k in REQUEST_SUBKINDS if k in subkinds],
            "previous_kinds": list(current.kinds),
            "previous_subkinds": list(current.subkinds),
        }

    return _correction(CASE_RECLASSIFIED, ref, fields, reason, actor, now, policy)


def plan_not_a_request(
    ref: str, reason: str, actor: str, now: datetime, policy: ClockPolicy = DEFAULT_POLICY
) -> Planner:
    """A ``case.not_a_request`` entry: the record's clocks no longer apply."""

    def fields(book: CaseBook, record: CaseRecord) -> dict[str, Any]:
        current = effective_classification(record, book.actions_for(record.record_id))
        if current.not_a_request is not None:
            raise CaseActionError(
                f"record {record.record_id} is already marked not a request (ledger position"
                f" {current.not_a_request.seq})"
            )
        return {"previous_kinds": list(current.kinds)}

    return _correction(CASE_NOT_A_REQUEST, ref, fields, reason, actor, now, policy)


def plan_sale_date(
    ref: str,
    sale_date: date,
    reason: str,
    actor: str,
    now: datetime,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> Planner:
    """A ``case.sale_date_set`` entry: the scheduled foreclosure sale date, set or changed."""

    def fields(book: CaseBook, record: CaseRecord) -> dict[str, Any]:
        current = effective_classification(record, book.actions_for(record.record_id))
        return {
            "sale_date": sale_date.isoformat(),
            "previous_sale_date": current.sale_date.isoformat() if current.sale_date else None,
        }

    return _correction(CASE_SALE_DATE_SET, ref, fields, reason, actor, now, policy)


def plan_escalation(
    ref: str,
    family: str,
    route: str | None,
    *,
    add: bool,
    reason: str,
    actor: str,
    now: datetime,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> Planner:
    """``case.escalation_added`` (with its route) or ``case.escalation_removed``."""
    if not family.strip():
        raise CaseActionError(
            "an escalation needs a family name (an escalation family, e.g. legal_representation)"
        )
    if add and not (route or "").strip():
        raise CaseActionError("an added escalation needs a route (--route)")

    def fields(book: CaseBook, record: CaseRecord) -> dict[str, Any]:
        current = dict(
            effective_classification(record, book.actions_for(record.record_id)).escalations
        )
        if not add and family not in current and family not in record.rules:
            raise CaseActionError(
                f"record {record.record_id} has no escalation {family!r} to remove"
            )
        out: dict[str, Any] = {"family": family}
        if add:
            out["route"] = route
        return out

    kind = CASE_ESCALATION_ADDED if add else CASE_ESCALATION_REMOVED
    return _correction(kind, ref, fields, reason, actor, now, policy)


def plan_holding_reply(
    response_ref: str,
    inbound_ref: str,
    reason: str,
    actor: str,
    now: datetime,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> Planner:
    """A ``case.holding_reply`` entry: a linked reply that does not answer the request.

    A holding reply ("we received your letter") does not meet the respond clock; only
    a response does (12 CFR 1024.35(e)(1), 1024.36(d)(1)).
    """

    def fields(book: CaseBook, record: CaseRecord) -> dict[str, Any]:
        response = find_response(book, response_ref)
        linked = link_responses(book).for_record(record.record_id)
        if not any(link.response_id == response.record_id for link in linked):
            raise CaseActionError(
                f"response {response.record_id} is not linked to {record.record_id}; link it"
                " first ('mailledger link')"
            )
        for action in book.actions_for(record.record_id):
            if (
                isinstance(action.body, CaseHoldingReply)
                and action.body.response_record_id == response.record_id
            ):
                raise CaseActionError(
                    f"response {response.record_id} is already marked a holding reply"
                    f" (ledger position {action.seq})"
                )
        return {"response_record_id": response.record_id, "response_seq": response.seq}

    return _correction(CASE_HOLDING_REPLY, inbound_ref, fields, reason, actor, now, policy)


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
