"""Where ``mailledger handle acknowledge|escalate`` reads events from: SQS or the JSONL outbox.

SQS: receive, handle, delete on success; on failure leave the message, so it comes
back after its visibility timeout (and goes to the dead-letter queue eventually).

Outbox: the local JSONL file the emit stage appends CloudEvents to. A small JSON
state file, replaced atomically after each line, keeps the byte offset of the next
unread line and the offsets of earlier lines to revisit. No line holds up the ones
after it:

* a line whose handling fails (a temporary refusal, a young claim, a back-off not
  yet over) is remembered in ``pending`` and tried again on every later run until
  it succeeds or ends for good; the lines after it are handled in the same run;
* a line that is not a CloudEvent (torn by a crash or a full disk while it was
  written) is quarantined: its offset, length, SHA-256 and bytes are appended to
  ``<outbox>.quarantined`` (mode 0600) beside the outbox, a log line gives the offset
  without the content, and it is skipped;
* a last line without a newline is still being written and is left for the next run.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

from handlers.acknowledge import HandleResult
from handlers.events import parse_event
from handlers.lambda_entry import EventHandler
from pipeline.errors import HandlerError, MailledgerError, RetryLaterError

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

log = structlog.get_logger(__name__)


@dataclass
class RunStats:
    """Counts of one run.

    ``failed`` counts items that failed in this run (temporary refusals, errors) and
    items that ended for good (``permanent``); ``deferred`` items were waiting (a
    back-off or a young claim) and are revisited on the next run.
    """

    handled: int = 0
    failed: int = 0
    deferred: int = 0
    permanent: int = 0
    quarantined: int = 0
    errors: list[str] = field(default_factory=list)


def run_sqs(
    handler: EventHandler,
    client: SQSClient,
    queue_url: str,
    *,
    max_batches: int | None = None,
    wait_seconds: int = 20,
    should_stop: Callable[[], bool] = lambda: False,
) -> RunStats:
    """Long-poll ``queue_url`` and handle messages until an empty poll, ``max_batches`` or stop."""
    from botocore.exceptions import BotoCoreError, ClientError

    stats = RunStats()
    batches = 0
    while not should_stop() and (max_batches is None or batches < max_batches):
        batches += 1
        try:
            response = client.receive_message(
                QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds
            )
        except (ClientError, BotoCoreError) as exc:
            raise HandlerError(f"cannot receive from {queue_url}: {exc}") from exc
        messages = response.get("Messages", [])
        if not messages:
            break
        for message in messages:
            message_id = message.get("MessageId", "")
            try:
                result = handler.handle(message.get("Body", ""))
            except RetryLaterError as exc:
                stats.deferred += 1
                log.info("sqs.deferred", message_id=message_id, error=str(exc))
                continue
            except MailledgerError as exc:
                stats.failed += 1
                stats.errors.append(f"{message_id}: {exc}")
                log.warning("sqs.left_for_redelivery", message_id=message_id, error=str(exc))
                continue
            permanent = "failed-permanent" in _outcomes(result)
            if permanent:
                # Finished for good (recorded in the ledger): delete it, but report it.
                stats.permanent += 1
                stats.failed += 1
                stats.errors.append(f"{message_id}: refused permanently, not retried")
            try:
                client.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            except (ClientError, BotoCoreError) as exc:
                # Handled but not deleted: redelivery is harmless, the claims make it a no-op.
                log.warning("sqs.delete_failed", message_id=message_id, error=str(exc))
            if not permanent:
                stats.handled += 1
    return stats


@dataclass(frozen=True, slots=True)
class _OutboxState:
    offset: int
    pending: tuple[int, ...] = ()


def _read_state(state: Path, outbox: Path) -> _OutboxState:
    try:
        data = json.loads(state.read_text("utf-8"))
    except FileNotFoundError:
        return _OutboxState(0)
    except (OSError, json.JSONDecodeError) as exc:
        raise HandlerError(
            f"outbox state file {state} is unreadable ({exc}); fix or delete it (deleting "
            "replays the whole outbox, which the handlers' claims make safe)"
        ) from exc
    offset = data.get("offset") if isinstance(data, dict) else None
    if not isinstance(offset, int) or offset < 0:
        raise HandlerError(f"outbox state file {state} has no valid offset")
    if data.get("outbox") not in (None, str(outbox)):
        raise HandlerError(
            f"outbox state file {state} belongs to {data.get('outbox')}, not {outbox}"
        )
    pending = data.get("pending", [])
    if not isinstance(pending, list) or not all(
        isinstance(p, int) and 0 <= p < offset for p in pending
    ):
        raise HandlerError(f"outbox state file {state} has an invalid pending list")
    return _OutboxState(offset, tuple(pending))


def _write_state(state: Path, outbox: Path, current: _OutboxState) -> None:
    state.parent.mkdir(parents=True, exist_ok=True)
    tmp = state.with_name(state.name + ".tmp")
    tmp.write_text(
        json.dumps(
            {"outbox": str(outbox), "offset": current.offset, "pending": list(current.pending)}
        ),
        "utf-8",
    )
    tmp.replace(state)


def quarantine_path(outbox: Path) -> Path:
    """Where unparseable outbox lines are kept: ``<outbox>.quarantined``, beside it."""
    return outbox.with_name(outbox.name + ".quarantined")


def _quarantine(outbox: Path, offset: int, line: bytes, reason: str) -> None:
    record = {
        "offset": offset,
        "length": len(line),
        "sha256": hashlib.sha256(line).hexdigest(),
        "reason": reason,
        "line_base64": base64.b64encode(line).decode("ascii"),
    }
    path = quarantine_path(outbox)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "ab") as handle:
        handle.write(json.dumps(record, sort_keys=True).encode("ascii") + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    # The offset and size only: the line may hold anything.
    log.warning("outbox.quarantined", offset=offset, length=len(line), reason=reason)


def _outcomes(result: object) -> list[str]:
    items = result if isinstance(result, list) else [result]
    return [r.outcome for r in items if isinstance(r, HandleResult)]


def _handle_line(handler: EventHandler, line: bytes, offset: int, stats: RunStats) -> bool:
    """Handle one event line; True when it is finished (done, or ended for good)."""
    try:
        result = handler.handle(line)
    except RetryLaterError as exc:
        stats.deferred += 1
        log.info("outbox.deferred", offset=offset, error=str(exc))
        return False
    except MailledgerError as exc:
        stats.failed += 1
        stats.errors.append(f"offset {offset}: {exc}")
        log.warning("outbox.item_failed", offset=offset, error=str(exc))
        return False
    if "failed-permanent" in _outcomes(result):
        stats.permanent += 1
        stats.failed += 1
        stats.errors.append(f"offset {offset}: refused permanently, not retried")
    else:
        stats.handled += 1
    return True


def _event_problem(line: bytes) -> str | None:
    """Why ``line`` is not an event the handlers can read, or None."""
    try:
        parse_event(line)
    except HandlerError as exc:
        return str(exc)
    return None


def run_outbox(handler: EventHandler, outbox: Path, state: Path) -> RunStats:
    """Handle pending lines, then the outbox's new complete lines (see module docstring)."""
    stats = RunStats()
    current = _read_state(state, outbox)
    try:
        handle = outbox.open("rb")
    except FileNotFoundError:
        return stats
    with handle:
        size = outbox.stat().st_size
        if current.offset > size:
            raise HandlerError(
                f"outbox {outbox} is shorter ({size} bytes) than the saved offset "
                f"{current.offset}; it was truncated or replaced: check it, then delete the "
                "state file"
            )
        still: list[int] = []
        for offset in current.pending:
            handle.seek(offset)
            if not _handle_line(handler, handle.readline(), offset, stats):
                still.append(offset)
        current = _OutboxState(current.offset, tuple(still))
        _write_state(state, outbox, current)
        handle.seek(current.offset)
        offset = current.offset
        for line in handle:
            if not line.endswith(b"\n"):
                break
            if line.strip():
                problem = _event_problem(line)
                if problem is not None:
                    _quarantine(outbox, offset, line, problem)
                    stats.quarantined += 1
                elif not _handle_line(handler, line, offset, stats):
                    still.append(offset)
            offset += len(line)
            current = _OutboxState(offset, tuple(still))
            _write_state(state, outbox, current)
    return stats
