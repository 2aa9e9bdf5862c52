"""A fixed set of records with hand-computed SLA figures (see test_sla_figures).

All in March 2026, servicer time America/New_York (EST until Mar 8, EDT after);
"now" is Fri 2026-03-20 12:00 EDT. No federal holidays fall in the period.

A  NOE, payment_clarification, rules notice_of_error. Mon Mar 2 10:00. Ack Wed Mar 4
   (2 bd, due Mar 9, on time). Response Mon Mar 16 by In-Reply-To (10 bd, due Apr 13).
B  RFI, account_inquiry, rule request_for_information. Tue Mar 3 10:00. Ack Wed Mar 11
   (6 bd, due Tue Mar 10: late by 1). No response (due Apr 14: pending).
C  payoff, document_request. Wed Mar 4 15:00. Response Mon Mar 16 by reference number in
   subject (8 bd, due Fri Mar 13: late by 1).
D  general, other. Thu Mar 12 10:00. Sent a full SSN; account 1234567890. Never
   acknowledged (due Mon Mar 16, missed by 4 as of Mar 20). Respond due Thu Mar 26
   (pending, 4 left: upcoming).
E  payoff, document_request. Wed Mar 11 10:00. Due Fri Mar 20 (today: 0 left, upcoming).
F  NOE, complaint_legal, rules lawsuit + notice_of_error. Mon Mar 2 11:00. Ack Tue Mar 3
   (1 bd). Resolved Wed Mar 18 (12 bd, on time).
G  an auto-reply (Auto-Submitted: auto-replied) classified NOE, Thu Mar 5 10:00: machine
   mail, not applicable: received, never in a clock column.
R  a response nothing links (unlinked).
"""

from __future__ import annotations

from pipeline.entries.references import reference_number
from pipeline.ledger.memory import MemoryLedger
from tests.cases.builders import ack, action, inbound, response, rid, utc

NOW = utc("2026-03-20T16:00")
A, B, C, D, E, F, G = (rid(n) for n in range(1, 8))
R_A, R_C, R_X = rid(21), rid(23), rid(29)


def build() -> tuple[MemoryLedger, dict[str, int]]:
    """The ledger and the position of each named entry."""
    ledger = MemoryLedger()
    seq: dict[str, int] = {}
    seq["A"] = inbound(
        ledger,
        A,
        "2026-03-02T15:00",
        "notice_of_error",
        category="payment_clarification",
        rules=["notice_of_error"],
        message_id="<a@example.com>",
        sender="ann@example.com",
    ).seq
    seq["F"] = inbound(
        ledger,
        F,
        "2026-03-02T16:00",
        "notice_of_error",
        category="complaint_legal",
        rules=["lawsuit", "notice_of_error"],
        sender="fred@example.com",
    ).seq
    seq["B"] = inbound(
        ledger,
        B,
        "2026-03-03T15:00",
        "request_for_information",
        category="account_inquiry",
        rules=["request_for_information"],
        sender="bea@example.com",
    ).seq
    seq["ackF"] = ack(ledger, F, "2026-03-03T18:00").seq
    seq["C"] = inbound(
        ledger,
        C,
        "2026-03-04T20:00",
        "payoff_statement",
        category="document_request",
        sender="cal@example.com",
    ).seq
    seq["ackA"] = ack(ledger, A, "2026-03-04T18:00").seq
    seq["G"] = inbound(
        ledger, G, "2026-03-05T15:00", "notice_of_error", auto_submitted="auto-replied"
    ).seq
    seq["E"] = inbound(
        ledger,
        E,
        "2026-03-11T14:00",
        "payoff_statement",
        category="document_request",
        sender="eve@example.com",
    ).seq
    seq["ackB"] = ack(ledger, B, "2026-03-11T18:00").seq
    seq["D"] = inbound(
        ledger,
        D,
        "2026-03-12T14:00",
        "general",
        category="other",
        sender="dan@example.com",
        accounts=["1234567890"],
        sensitive=["ssn"],
    ).seq
    seq["R_A"] = response(ledger, R_A, "2026-03-16T14:00", in_reply_to="<a@example.com>").seq
    seq["R_C"] = response(
        ledger, R_C, "2026-03-16T15:00", subject=f"Payoff statement [Ref {reference_number(C)}]"
    ).seq
    seq["resF"] = action(ledger, "case.resolved", F, "2026-03-18T15:00").seq
    seq["R_X"] = response(ledger, R_X, "2026-03-19T15:00", subject="Following up").seq
    return ledger, seq
