"""The send step every claiming handler shares: send, and record a refusal the same way.

After a handler has won its claim (:mod:`handlers.claims`) it hands the message or
notification to a provider. How the provider refuses decides what happens next, and
that must not differ between an acknowledgment, an escalation and an extension notice:

* a permanent refusal (:class:`~handlers.transports.PermanentSendError`, SMTP 5xx at
  RCPT or DATA) appends ``<kind>.failed`` marked ``permanent``. That ends the key: a
  person has to act, and retrying would only hold up every other record;
* a temporary one (any other :class:`~handlers.transports.NotSentError`: 4xx, no
  connection) appends ``<kind>.failed`` with the attempt number and ``retry_after``
  (exponential back-off), which releases the claim, and raises so the run reports it.
  Until ``retry_after`` the key is deferred by :meth:`Channel.wait_out_backoff`.

A plain :class:`~pipeline.errors.HandlerError` from the provider (it is unknown
whether the message left) passes through untouched: the claim stays, and the next run
records ``<kind>.unconfirmed`` once the in-flight grace has passed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

import structlog

from handlers.claims import backoff, retry_after, temporary_failures
from handlers.config import AckConfig
from handlers.record import InboundRecord
from handlers.transports import NotSentError, PermanentSendError
from pipeline.entries.models import HandlerBody
from pipeline.errors import HandlerError, RetryLaterError
from pipeline.ledger.entry import LedgerEntry, format_time

__all__ = ["Channel", "Refused", "RetryPolicy", "failure_of"]

Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Back-off after a temporary refusal: ``base`` doubling per attempt, at most ``cap``."""

    base: timedelta
    cap: timedelta

    @classmethod
    def for_mail(cls, config: AckConfig) -> RetryPolicy:
        """The policy configured for mail to borrowers (acknowledgments, extension notices)."""
        return cls(
            timedelta(seconds=config.retry_base_seconds),
            timedelta(seconds=config.retry_max_seconds),
        )

    def next_try(self, attempt: int, now: datetime) -> datetime:
        """When the ``attempt``-th temporary refusal (1-based) allows the next attempt."""
        return now + backoff(attempt, self.base, self.cap)


@dataclass(frozen=True, slots=True)
class Refused:
    """A permanent refusal, recorded: ``entry`` is the ``.failed`` entry that ends the key."""

    entry: LedgerEntry
    error: str


@dataclass(frozen=True, slots=True)
class Channel:
    """How one handler sends and records refusals.

    ``kind`` is the entry-type prefix (``acknowledgment``), ``what`` the thing sent in
    words for error messages, ``events`` the prefix of the log events (``ack``), and
    ``append`` the handler's own ledger append (its actor and clock).
    """

    kind: str
    what: str
    events: str
    policy: RetryPolicy
    append: Callable[[HandlerBody], LedgerEntry]

    def wait_out_backoff(self, entries: Sequence[LedgerEntry], now: datetime, subject: str) -> None:
        """Raise :class:`RetryLaterError` while the key's last temporary refusal defers it.

        ``entries`` must be the key's own entries (a record, or one route or extension
        of it); ``subject`` names the key for a records officer (``record r-1``).
        """
        not_before = retry_after(entries, self.kind)
        if not_before is not None and now < not_before:
            raise RetryLaterError(
                f"{subject}: the provider refused the {self.what} for now; next attempt not "
                f"before {format_time(not_before)}"
            )

    def send(
        self,
        send: Callable[[], Result],
        subject: str,
        earlier: Sequence[LedgerEntry],
        now: datetime,
        failed: Callable[..., HandlerBody],
        bound: structlog.typing.FilteringBoundLogger,
    ) -> Result | Refused:
        """Call ``send``; record a refusal as ``failed(**refusal fields)``.

        ``failed`` is the key's ``<kind>.failed`` body with everything but the
        :class:`~pipeline.entries.models.SendFailure` fields already given (a
        :func:`failure_of`); ``earlier`` are the key's entries, to count its
        temporary refusals. Returns what ``send`` returned, or :class:`Refused` after a
        permanent refusal. A temporary refusal is recorded with its back-off and raised
        as a :class:`HandlerError` that says when the next attempt may run.
        """
        try:
            return send()
        except PermanentSendError as exc:
            entry = self.append(failed(error=str(exc), code=exc.code, permanent=True))
            bound.error(f"{self.events}.refused_permanently", code=exc.code, entry=entry.seq)
            return Refused(entry, str(exc))
        except NotSentError as exc:
            attempt = 1 + temporary_failures(earlier, self.kind)
            next_try = format_time(self.policy.next_try(attempt, now))
            entry = self.append(
                failed(
                    error=str(exc),
                    code=exc.code,
                    permanent=False,
                    attempt=attempt,
                    retry_after=next_try,
                )
            )
            bound.warning(f"{self.events}.not_sent", attempt=attempt, code=exc.code)
            raise HandlerError(
                f"{subject}: {self.what} not sent ({exc}); claim released (entry {entry.seq}), "
                f"next attempt after {next_try}"
            ) from exc


def failure_of(
    body: Callable[..., HandlerBody], record: InboundRecord, intent: LedgerEntry, **key: object
) -> Callable[..., HandlerBody]:
    """The ``<kind>.failed`` body type ``body`` for the claim ``intent`` on ``record``.

    ``key`` names the claim's key beyond the record (``route=``, ``extension_seq=``);
    :meth:`Channel.send` adds the refusal's fields.
    """
    return partial(
        body, record_id=record.record_id, entry_seq=record.seq, intent_seq=intent.seq, **key
    )
