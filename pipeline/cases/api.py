"""Case decisions and corrections as library calls (what the CLI and the web app use).

Each call checks the request against the ledger as it is when appending (see
:func:`pipeline.cases.actions.apply_action`), appends exactly one ``case.*`` entry
carrying the actor, the time and the reason, and returns it. A refused request
raises :class:`pipeline.errors.CaseActionError` and appends nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from pipeline.cases.actions import (
    CaseLedger,
    apply_action,
    plan_escalation,
    plan_extend,
    plan_holding_reply,
    plan_link,
    plan_not_a_request,
    plan_reclassify,
    plan_reopen,
    plan_resolve,
    plan_sale_date,
)
from pipeline.classify.clocks import DEFAULT_POLICY, ClockPolicy
from pipeline.ledger.entry import LedgerEntry

__all__ = [
    "add_escalation",
    "extend_case",
    "link_reply",
    "mark_holding_reply",
    "mark_not_a_request",
    "reclassify",
    "remove_escalation",
    "reopen_case",
    "resolve_case",
    "set_sale_date",
]


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def link_reply(
    ledger: CaseLedger,
    response_ref: str,
    inbound_ref: str,
    *,
    actor: str,
    reason: str | None = None,
    now: datetime | None = None,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> LedgerEntry:
    """Record that a response answers an inbound request (``case.linked``)."""
    plan = plan_link(response_ref, inbound_ref, reason, actor, _now(now))
    return apply_action(ledger, plan, policy)


def extend_case(
    ledger: CaseLedger,
    ref: str,
    *,
    days: int,
    reason: str,
    actor: str,
    language: str | None = None,
    now: datetime | None = None,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> LedgerEntry:
    """Extend the respond clock once (``case.extended``); effective once its notice is sent."""
    plan = plan_extend(ref, days, reason, actor, _now(now), policy, language=language)
    return apply_action(ledger, plan, policy)


def resolve_case(
    ledger: CaseLedger,
    ref: str,
    *,
    reason: str,
    actor: str,
    now: datetime | None = None,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> LedgerEntry:
    """Mark a case resolved (``case.resolved``); this meets its respond clock."""
    return apply_action(ledger, plan_resolve(ref, reason, actor, _now(now)), policy)


def reopen_case(
    ledger: CaseLedger,
    ref: str,
    *,
    actor: str,
    reason: str | None = None,
    now: datetime | None = None,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> LedgerEntry:
    """Reopen a resolved case (``case.reopened``)."""
    return apply_action(ledger, plan_reopen(ref, reason, actor, _now(now)), policy)


def reclassify(
    ledger: CaseLedger,
    ref: str,
    kinds: Sequence[str],
    subkinds: Sequence[str] = (),
    *,
    reason: str,
    actor: str,
    now: datetime | None = None,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> LedgerEntry:
    """Set the request kinds (``case.reclassified``); the clocks are recomputed."""
    plan = plan_reclassify(ref, kinds, subkinds, reason, actor, _now(now), policy)
    return apply_action(ledger, plan, policy)


def mark_not_a_request(
    ledger: CaseLedger,
    ref: str,
    *,
    reason: str,
    actor: str,
    now: datetime | None = None,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> LedgerEntry:
    """Mark a message not a request (``case.not_a_request``): its clocks no longer apply."""
    plan = plan_not_a_request(ref, reason, actor, _now(now), policy)
    return apply_action(ledger, plan, policy)


def set_sale_date(
    ledger: CaseLedger,
    ref: str,
    sale_date: date,
    *,
    reason: str,
    actor: str,
    now: datetime | None = None,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> LedgerEntry:
    """Set or change the foreclosure sale date (``case.sale_date_set``)."""
    plan = plan_sale_date(ref, sale_date, reason, actor, _now(now), policy)
    return apply_action(ledger, plan, policy)


def add_escalation(
    ledger: CaseLedger,
    ref: str,
    family: str,
    route: str,
    *,
    reason: str,
    actor: str,
    now: datetime | None = None,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> LedgerEntry:
    """Escalate by hand to ``route`` (``case.escalation_added``)."""
    plan = plan_escalation(
        ref, family, route, add=True, reason=reason, actor=actor, now=_now(now), policy=policy
    )
    return apply_action(ledger, plan, policy)


def remove_escalation(
    ledger: CaseLedger,
    ref: str,
    family: str,
    *,
    reason: str,
    actor: str,
    now: datetime | None = None,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> LedgerEntry:
    """Withdraw an escalation family (``case.escalation_removed``)."""
    plan = plan_escalation(
        ref, family, None, add=False, reason=reason, actor=actor, now=_now(now), policy=policy
    )
    return apply_action(ledger, plan, policy)


def mark_holding_reply(
    ledger: CaseLedger,
    response_ref: str,
    inbound_ref: str,
    *,
    reason: str,
    actor: str,
    now: datetime | None = None,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> LedgerEntry:
    """Mark a linked reply as a holding reply (``case.holding_reply``): it answers nothing."""
    plan = plan_holding_reply(response_ref, inbound_ref, reason, actor, _now(now), policy)
    return apply_action(ledger, plan, policy)
