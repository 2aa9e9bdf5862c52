"""Assembly across machines: the sealer announces sealed batches on SQS, workers assemble them.

One SQS message per sealed batch names the ledger positions of its ``message.sealed``
entries. A worker receives one message, assembles and records those seals, and only
then deletes the message. A worker killed mid-work leaves the message in the queue;
it comes back after the visibility timeout and another worker assembles it. The
record is appended only when the ledger holds none for that seal, so a redelivered
or duplicated announcement records nothing twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import structlog

from pipeline.errors import MailledgerError, QueueError
from pipeline.record.identities import IdentityIndex
from pipeline.worker.assembler import Assembler, AssemblyReport

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

log = structlog.get_logger(__name__)

_MAX_SEQS = 1000
"""Positions per announcement (a few KB, far below SQS's 256 KiB message limit)."""


class AssemblyQueue(Protocol):
    """Where the sealer announces sealed messages for assembly elsewhere."""

    def announce(self, seqs: Sequence[int]) -> None:
        """Announce the ``message.sealed`` entries at ``seqs`` (no-op when empty)."""
        ...

    def announce_missed(self, identities: IdentityIndex) -> None:
        """Announce sealed messages without a record that were never announced (the
        sealer stopped between sealing and announcing)."""
        ...


def encode_announcement(origin: str, seqs: Sequence[int]) -> str:
    """The message body: the log it concerns and the positions of the seals."""
    return json.dumps({"origin": origin, "seqs": list(seqs)}, separators=(",", ":"))


def decode_announcement(origin: str, body: str) -> list[int]:
    """The positions an announcement names; :class:`QueueError` when it is not one of ours."""
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise QueueError(f"assembly queue message is not JSON: {exc}") from exc
    seqs = data.get("seqs") if isinstance(data, dict) else None
    if not isinstance(seqs, list) or not all(
        isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seqs
    ):
        raise QueueError("assembly queue message has no list of ledger positions ('seqs')")
    if data.get("origin") != origin:
        raise QueueError(
            f"assembly queue message is for log {data.get('origin')!r}, not {origin!r}:"
            " two deployments share one queue"
        )
    return list(seqs)


class SqsAssemblyQueue:
    """An :class:`AssemblyQueue` on SQS.

    ``mark`` keeps the highest seal position this sealer announced, so after a crash
    between sealing and announcing the next cycle announces exactly the seals after
    it that still lack a record, instead of the whole backlog the queue already holds.
    """

    def __init__(self, client: SQSClient, queue_url: str, origin: str, mark: Path) -> None:
        self.client = client
        self.queue_url = queue_url
        self.origin = origin
        self.mark = mark

    def announce(self, seqs: Sequence[int]) -> None:
        """Send one message per (at most ``_MAX_SEQS``) sealed positions."""
        from botocore.exceptions import BotoCoreError, ClientError

        for start in range(0, len(seqs), _MAX_SEQS):
            chunk = seqs[start : start + _MAX_SEQS]
            body = encode_announcement(self.origin, chunk)
            try:
                self.client.send_message(QueueUrl=self.queue_url, MessageBody=body)
            except (ClientError, BotoCoreError) as exc:
                # The seals are committed; the next poll announces them (announce_missed).
                raise QueueError(
                    f"cannot announce sealed messages on {self.queue_url}: {exc}; they stay"
                    " sealed and are announced again by the next poll"
                ) from exc
            self._write_mark(max(chunk))

    def announce_missed(self, identities: IdentityIndex) -> None:
        """Announce sealed messages without a record after the last announced position."""
        after = self._read_mark()
        while seqs := identities.unassembled(_MAX_SEQS, after):
            log.info("assembly.announcing_missed", count=len(seqs), after=after)
            self.announce(seqs)
            after = seqs[-1]

    def _read_mark(self) -> int:
        try:
            data = json.loads(self.mark.read_text("utf-8"))
        except FileNotFoundError:
            return -1
        except (OSError, ValueError) as exc:
            raise QueueError(
                f"assembly queue state {self.mark} is unreadable ({exc}); delete it to"
                " announce every sealed message without a record again (harmless: a"
                " duplicate announcement records nothing twice)"
            ) from exc
        through = data.get("announced_through") if isinstance(data, dict) else None
        if data.get("queue_url") != self.queue_url or not isinstance(through, int):
            return -1  # another queue: announce the whole backlog to this one
        return through

    def _write_mark(self, through: int) -> None:
        if through <= self._read_mark():
            return
        self.mark.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.mark.with_name(self.mark.name + ".tmp")
        tmp.write_text(
            json.dumps({"queue_url": self.queue_url, "announced_through": through}), "utf-8"
        )
        tmp.replace(self.mark)


def consume(
    client: SQSClient,
    queue_url: str,
    origin: str,
    assembler: Assembler,
    *,
    should_stop: Callable[[], bool] = lambda: False,
    wait_seconds: int = 20,
    until_empty: bool = False,
) -> AssemblyReport:
    """Receive announcements one at a time and assemble them, until stopped.

    A message is deleted only after its records are committed. With ``until_empty``
    the loop ends at the first receive that returns nothing.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    report = AssemblyReport()
    while not should_stop():
        try:
            response = client.receive_message(
                QueueUrl=queue_url, MaxNumberOfMessages=1, WaitTimeSeconds=wait_seconds
            )
        except (ClientError, BotoCoreError) as exc:
            raise QueueError(f"cannot receive from {queue_url}: {exc}") from exc
        messages = response.get("Messages", [])
        if not messages:
            if until_empty:
                break
            continue
        for message in messages:
            message_id = message.get("MessageId", "")
            try:
                seqs = decode_announcement(origin, message.get("Body", ""))
                done = assembler.assemble(seqs)
            except MailledgerError as exc:
                # Left in the queue: it comes back, and after maxReceiveCount goes to the
                # dead-letter queue, where an operator sees it.
                log.error("assembly.left_for_redelivery", message_id=message_id, error=str(exc))
                continue
            report.assembled += done.assembled
            report.already_assembled += done.already_assembled
            report.attachments_accepted += done.attachments_accepted
            report.attachments_rejected += done.attachments_rejected
            try:
                client.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            except (ClientError, BotoCoreError) as exc:
                # Assembled but not deleted: the redelivery finds the records and does nothing.
                log.warning("assembly.delete_failed", message_id=message_id, error=str(exc))
            log.info(
                "assembly.batch_done",
                message_id=message_id,
                seals=len(seqs),
                assembled=done.assembled,
            )
    return report
