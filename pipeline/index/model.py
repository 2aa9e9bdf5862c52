"""What the records index answers, as frozen values, and the lookup protocol readers use.

Readers above the index (trail, export, the archive service) code against
:class:`RecordLookup`, not against the SQLite :class:`pipeline.index.db.RecordIndex`,
so a trail can be built from any source that can resolve references and list the
entries of a record.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Literal, Protocol

from pipeline.entries.models import ExportCriteria
from pipeline.entries.names import MESSAGE_SEALED, RECORD_TYPES
from pipeline.ledger.entry import format_time
from pipeline.redact import mask_numbers

EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2100, 12, 31)
"""The days a search, a report period or a command's time may name, in the CLI and the web
app alike. Before 1970 there is no e-mail to have recorded; after 2100 is a typing slip,
and every deadline the clocks derive from such a day (counted day by day, up to a year
or so ahead) stays far inside what a date can hold."""


def check_day(day: date) -> date:
    """``day`` itself; ValueError naming the range when it is outside it."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(f"{day.isoformat()} is outside {EARLIEST_DAY} to {LATEST_DAY}")
    return day


def day_bound(day: date, zone: tzinfo, *, end: bool) -> str:
    """A day as a ledger time bound: the start of that day in ``zone`` (``end``: of the
    next day, so the day itself counts in); ValueError outside the days allowed."""
    start = check_day(day) + timedelta(days=1 if end else 0)
    return format_time(datetime.combine(start, time(), zone))


@dataclass(frozen=True)
class RecordRow:
    """One record as the index knows it."""

    seq: int
    record_id: str
    type: str
    mailbox: str
    folder: str
    uidvalidity: int | None
    uid: int | None
    received: str
    recorded: str
    sender: str
    sender_name: str
    recipients: str
    subject: str
    message_id: str | None
    raw_sha256: str
    raw_size: int
    category: str | None
    escalated: bool
    imported: bool
    direction: str
    accounts: tuple[str, ...]
    rules: tuple[str, ...]

    @property
    def assembled(self) -> bool:
        """False while the message is only sealed: stored and identified, not yet parsed."""
        return self.type != MESSAGE_SEALED

    @property
    def listed_subject(self) -> str:
        """The subject as a result list shows it, every run of six or more digits masked
        (:func:`pipeline.redact.mask_numbers`): a list shows index fields to whoever may
        search, with no access recorded; the subject whole is content, shown when the
        record is opened (and that opening recorded)."""
        return mask_numbers(self.subject, inside_words=True)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields (full account numbers included: callers mask for display)."""
        data = asdict(self)
        data["assembled"] = self.assembled
        data["accounts"] = list(self.accounts)
        data["rules"] = list(self.rules)
        return data


@dataclass(frozen=True)
class EntryLink:
    """An entry that concerns a record."""

    record_id: str
    seq: int
    type: str


def facet(name: str, value: str) -> str:
    """One word of the index's ``facets`` table, e.g. ``kind:notice_of_error``."""
    return f"{name}:{value}"


SearchOrder = Literal["position", "received"]
"""``position``: ledger order (arrival in the ledger). ``received``: by received time,
ties by ledger position; the order the search page shows, because every filter it
offers has an index ending in the received time."""


@dataclass(frozen=True)
class SearchCriteria:
    """Filters of ``search`` and ``export``; each given filter must match.

    ``received_from`` is inclusive and ``received_to`` exclusive, both in the
    ledger's UTC time format, so string comparison is time comparison.
    """

    received_from: str | None = None
    received_to: str | None = None
    mailbox: str | None = None
    sender: str | None = None
    account: str | None = None
    category: str | None = None
    escalated: bool | None = None
    text: str | None = None
    request_kind: str | None = None  # one of the record's request kinds (pipeline.classify.kinds)
    rule: str | None = None  # an escalation rule that matched
    escalation_family: str | None = None  # one of pipeline.classify.kinds.ESCALATION_FAMILIES
    language: str | None = None
    attachment_verdict: str | None = None  # "none", "accepted" (all) or "rejected" (any)
    # a state of the case model (pipeline.cases.read.DEADLINE_FILTERS): met, pending,
    # missed, not_applicable, due_this_week or overdue
    deadline_status: str | None = None
    # sealed messages not yet assembled are found too (by their source and receipt)
    types: tuple[str, ...] = (*RECORD_TYPES, MESSAGE_SEALED)
    limit: int | None = None
    offset: int = 0  # rows to skip, for paging
    newest_first: bool = False  # descending in the chosen order
    order: SearchOrder = "position"

    def export_criteria(self) -> ExportCriteria:
        """The filters as an ``export.created`` entry records them."""
        return ExportCriteria(**{name: getattr(self, name) for name in ExportCriteria.model_fields})

    def facets(self) -> list[str]:
        """The filters the index answers from its ``facets`` table, as facet words."""
        escalated = None if self.escalated is None else "yes" if self.escalated else "no"
        given = (
            ("escalated", escalated),
            ("kind", self.request_kind),
            ("family", self.escalation_family),
            ("rule", self.rule),
            ("verdict", self.attachment_verdict),
            ("category", self.category),
            ("language", self.language),
            ("status", self.deadline_status),
        )
        return [facet(name, value.strip()) for name, value in given if value and value.strip()]

    def to_json(self) -> dict[str, Any]:
        """The criteria that were given, for manifests and ledger entries."""
        out: dict[str, Any] = {}
        for name, value in asdict(self).items():
            if value is None or name in ("types", "offset", "newest_first", "order"):
                continue
            out[name] = value
        out["types"] = list(self.types)
        return out


class RecordLookup(Protocol):
    """Finding records and the entries that concern them."""

    def resolve(self, ref: str) -> list[RecordRow]:
        """Records a reference names: record id, Message-ID, raw SHA-256 or position."""
        ...

    def record(self, record_id: str) -> RecordRow | None:
        """The record with this id, if indexed."""
        ...

    def links(self, record_id: str) -> list[EntryLink]:
        """Every entry that concerns the record, in ledger order."""
        ...
