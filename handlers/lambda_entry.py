"""AWS Lambda entry points for an SQS event source with partial batch responses.

Each SQS record body is one CloudEvent (JSON). A record whose handling raises is
reported in ``batchItemFailures`` so SQS redelivers only that one (the event source
mapping must enable ``ReportBatchItemFailures``); after the queue's ``maxReceiveCount``
it goes to the dead-letter queue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import structlog

from pipeline.errors import HandlerError, MailledgerError
from pipeline.python_check import require_safe_python

log = structlog.get_logger(__name__)


class EventHandler(Protocol):
    """Anything with ``handle(event)`` that raises on failure."""

    def handle(self, event: Mapping[str, Any] | str | bytes) -> object:
        """Handle one CloudEvent."""
        ...


@dataclass(frozen=True)
class HandlerContext:
    """The handlers a process uses, built once from configuration."""

    acknowledgment: EventHandler
    escalation: EventHandler


def _no_context_builder() -> HandlerContext:
    raise HandlerError(
        "no handler context builder is installed: deploy the entry points of"
        " pipeline.handler_app (pipeline.handler_app.acknowledge / .escalate), which build"
        " the handlers from the mailledger config"
    )


build_context: Callable[[], HandlerContext] = _no_context_builder
"""The seam: :mod:`pipeline.handler_app` installs the config-based builder; tests theirs."""

_context: HandlerContext | None = None


def _get_context() -> HandlerContext:
    # Built once per execution environment (cold start) and reused by warm invocations.
    global _context
    if _context is None:
        _context = build_context()
    return _context


def reset_context() -> None:
    """Forget the cached context (after replacing :data:`build_context`)."""
    global _context
    _context = None


def process_sqs_event(event: Mapping[str, Any], handler: EventHandler) -> dict[str, Any]:
    """Handle each SQS record; return the partial-batch response."""
    failures: list[dict[str, str]] = []
    records = event.get("Records")
    if not isinstance(records, list):
        raise HandlerError("Lambda event has no Records list; is the trigger an SQS queue?")
    for record in records:
        message_id = str(record.get("messageId", "")) if isinstance(record, Mapping) else ""
        try:
            if not isinstance(record, Mapping) or not isinstance(record.get("body"), str):
                raise HandlerError("SQS record has no string body")
            handler.handle(record["body"])
        except MailledgerError as exc:
            log.warning("sqs.record_failed", message_id=message_id, error=str(exc))
            failures.append({"itemIdentifier": message_id})
        except Exception as exc:  # one bad record must not fail the batch
            log.exception("sqs.record_crashed", message_id=message_id, error=type(exc).__name__)
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}


def acknowledge(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    """Lambda handler: acknowledgments for ``message.received`` events."""
    require_safe_python()
    return process_sqs_event(event, _get_context().acknowledgment)


def escalate(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    """Lambda handler: notifications for ``message.escalated`` events."""
    require_safe_python()
    return process_sqs_event(event, _get_context().escalation)
