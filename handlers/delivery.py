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
  Until ``retry_after`` the key is deferred by :func:`wait_out_backoff`.

A plain :class:`~pipeline.errors.HandlerError` from the provider (it is unknown
whether the message left) passes through untouched: the claim stays, and the next run
records ``<kind>.unconfirmed`` once the in-flight grace has passed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import structlog

from handlers.claims import backoff, retry_after, temporary_failures
from handlers.config import AckConfig
from handlers.transports import NotSentError, PermanentSendError
from pipeline.entries.models import HandlerBody
from pipeline.errors import HandlerError, RetryLaterError
from pipeline.ledger.entry import LedgerEntry, format_time

__all__ = [
    "Attempt",
    "Refusal",
    "Refused",
    "RetryPolicy",
    "send_and_record",
    "wait_out_backoff",
]

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
class Refusal:
    """How the provider refused: the fields every ``<kind>.failed`` entry carries."""

    error: str
    code: int | None
    permanent: bool
    attempt: int | None = None
    retry_after: str | None = None


@dataclass(frozen=True, slots=True)
class Refused:
    """A permanent refusal, recorded: ``entry`` is the ``.failed`` entry that ends the key."""

    entry: LedgerEntry
    error: str


@dataclass(frozen=True, slots=True)
class Attempt:
    """One claimed send, and what a refusal of it is recorded and reported as.

    ``subject`` names the key for a records officer (``record r-1 route 'legal'``),
    ``what`` the thing sent (``acknowledgment``); ``earlier`` are the key's entries
    from before this attempt's claim (to count temporary refusals); ``events`` is the
    prefix of the log events (``ack``).
    """

    kind: str
    subject: str
    what: str
    earlier: tuple[LedgerEntry, ...]
    now: datetime
    policy: RetryPolicy
    events: str


def wait_out_backoff(
    entries: Sequence[LedgerEntry], kind: str, now: datetime, subject: str, what: str
) -> None:
    """Raise :class:`RetryLaterError` while the key's last temporary refusal defers it.

    ``entries`` must be the key's own entries (one record, or one route or extension of it).
    """
    not_before = retry_after(entries, kind)
    if not_before is not None and now < not_before:
        raise RetryLaterError(
            f"{subject}: the provider refused the {what} for now; next attempt not before "
            f"{format_time(not_before)}"
        )


def send_and_record(
    send: Callable[[], Result],
    attempt: Attempt,
    failed: Callable[[Refusal], HandlerBody],
    append: Callable[[HandlerBody], LedgerEntry],
    bound: structlog.typing.FilteringBoundLogger,
) -> Result | Refused:
    """Call ``send``; record a refusal as ``failed(refusal)`` through ``append``.

    Returns what ``send`` returned, or :class:`Refused` after a permanent refusal.
    A temporary refusal is recorded with its back-off and raised as a
    :class:`HandlerError` that says when the next attempt may run.
    """
    try:
        return send()
    except PermanentSendError as exc:
        entry = append(failed(Refusal(str(exc), exc.code, permanent=True)))
        bound.error(f"{attempt.events}.refused_permanently", code=exc.code, entry=entry.seq)
        return Refused(entry, str(exc))
    except NotSentError as exc:
        number = 1 + temporary_failures(attempt.earlier, attempt.kind)
        next_try = format_time(attempt.policy.next_try(number, attempt.now))
        entry = append(
            failed(Refusal(str(exc), exc.code, False, attempt=number, retry_after=next_try))
        )
        bound.warning(f"{attempt.events}.not_sent", attempt=number, code=exc.code)
        raise HandlerError(
            f"{attempt.subject}: {attempt.what} not sent ({exc}); claim released (entry "
            f"{entry.seq}), next attempt after {next_try}"
        ) from exc
