"""The names of the ledger's entry types: the one place their spelling lives."""

from __future__ import annotations

from typing import Final

MESSAGE_SEALED: Final = "message.sealed"
MESSAGE_RECEIVED: Final = "message.received"
RESPONSE_SENT: Final = "response.sent"
MAILBOX_RECONCILED: Final = "mailbox.reconciled"
EVENT_DELIVERED: Final = "event.delivered"

ACKNOWLEDGMENT_INTENT: Final = "acknowledgment.intent"
ACKNOWLEDGMENT_SENT: Final = "acknowledgment.sent"
ACKNOWLEDGMENT_SKIPPED: Final = "acknowledgment.skipped"
ACKNOWLEDGMENT_FAILED: Final = "acknowledgment.failed"
ACKNOWLEDGMENT_UNCONFIRMED: Final = "acknowledgment.unconfirmed"

ESCALATION_INTENT: Final = "escalation.intent"
ESCALATION_NOTIFIED: Final = "escalation.notified"
ESCALATION_FAILED: Final = "escalation.failed"
ESCALATION_UNCONFIRMED: Final = "escalation.unconfirmed"

ACCESS_VIEWED: Final = "access.viewed"
EXPORT_CREATED: Final = "export.created"

CASE_LINKED: Final = "case.linked"
CASE_EXTENDED: Final = "case.extended"
CASE_RESOLVED: Final = "case.resolved"
CASE_REOPENED: Final = "case.reopened"
# corrections of what the pipeline decided (pipeline.cases.actions)
CASE_RECLASSIFIED: Final = "case.reclassified"
CASE_NOT_A_REQUEST: Final = "case.not_a_request"
CASE_SALE_DATE_SET: Final = "case.sale_date_set"
CASE_ESCALATION_ADDED: Final = "case.escalation_added"
CASE_ESCALATION_REMOVED: Final = "case.escalation_removed"
CASE_HOLDING_REPLY: Final = "case.holding_reply"

# the written notice of an extension (handlers.extension_notice)
EXTENSION_NOTICE_INTENT: Final = "extension_notice.intent"
EXTENSION_NOTICE_SENT: Final = "extension_notice.sent"
EXTENSION_NOTICE_SKIPPED: Final = "extension_notice.skipped"
EXTENSION_NOTICE_FAILED: Final = "extension_notice.failed"
EXTENSION_NOTICE_UNCONFIRMED: Final = "extension_notice.unconfirmed"

HOLD_ADDED: Final = "hold.added"
HOLD_REMOVED: Final = "hold.removed"
RECORD_DISPOSED: Final = "record.disposed"

EXPORT_GRANTED: Final = "export.granted"

USER_SIGNED_IN: Final = "user.signed_in"
USER_SIGN_IN_FAILED: Final = "user.sign_in_failed"
USER_SIGNED_OUT: Final = "user.signed_out"
USER_ROLES_CHANGED: Final = "user.roles_changed"

RECORD_TYPES: Final = (MESSAGE_RECEIVED, RESPONSE_SENT)
"""The entry types whose body is a whole message record."""

SEALED_TYPES: Final = (MESSAGE_SEALED,)
"""The entry types that seal a message on receipt, before it is assembled into a record."""
