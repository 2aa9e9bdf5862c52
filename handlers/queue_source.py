"""Where ``mailledger handle acknowledge|escalate`` reads events from: SQS or the JSONL outbox.

SQS: receive, handle, delete on success; on failure leave the message, so it comes
back after its visibility timeout (and goes to the dead-letter queue eventually).

Outbox: the local JSONL file the emit stage appends CloudEvents to. The byte offset
of the next unread line is kept in a small JSON state file, replaced atomically
after each handled line. On a failure the run stops at that line (the offset stays
before it), so the next run retries it and nothing after it is skipped. A last line
without a newline is still being written and is left for the next run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

from handlers.lambda_entry import EventHandler
from pipeline.errors import HandlerError, MailledgerError

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

log = structlog.get_logger(__name__)


@dataclass
class RunStats:
    """Counts of one run."""

    handled: int = 0
    failed: int = 0
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
                handler.handle(message.get("Body", ""))
            except MailledgerError as exc:
                stats.failed += 1
                stats.errors.append(f"{message_id}: {exc}")
                log.warning("sqs.left_for_redelivery", message_id=message_id, error=str(exc))
                continue
            try:
                client.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            except (ClientError, BotoCoreError) as exc:
                # Handled but not deleted: redelivery is harmless, the claims make it a no-op.
                log.warning("sqs.delete_failed", message_id=message_id, error=str(exc))
            stats.handled += 1
    return stats


def _read_offset(state: Path, outbox: Path) -> int:
    try:
        data = json.loads(state.read_text("utf-8"))
    except FileNotFoundError:
        return 0
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
    return offset


def _write_offset(state: Path, outbox: Path, offset: int) -> None:
    state.parent.mkdir(parents=True, exist_ok=True)
    tmp = state.with_name(state.name + ".tmp")
    tmp.write_text(json.dumps({"outbox": str(outbox), "offset": offset}), "utf-8")
    tmp.replace(state)


def run_outbox(handler: EventHandler, outbox: Path, state: Path) -> RunStats:
    """Handle the outbox's new complete lines; stop at the first failure."""
    stats = RunStats()
    offset = _read_offset(state, outbox)
    try:
        handle = outbox.open("rb")
    except FileNotFoundError:
        return stats
    with handle:
        size = outbox.stat().st_size
        if offset > size:
            raise HandlerError(
                f"outbox {outbox} is shorter ({size} bytes) than the saved offset {offset}; "
                "it was truncated or replaced: check it, then delete the state file"
            )
        handle.seek(offset)
        for line in handle:
            if not line.endswith(b"\n"):
                break
            if line.strip():
                try:
                    handler.handle(line)
                except MailledgerError as exc:
                    stats.failed += 1
                    stats.errors.append(f"offset {offset}: {exc}")
                    log.warning("outbox.stopped", offset=offset, error=str(exc))
                    break
                stats.handled += 1
            offset += len(line)
            _write_offset(state, outbox, offset)
    return stats
