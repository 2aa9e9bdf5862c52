"""Which inbound record(s) each response answers (pure; no I/O).

A response meets the Regulation X respond clock (12 CFR 1024.35(e), 1024.36(d))
or the Regulation Z payoff clock (12 CFR 1026.36(c)(3)) only for the request it
answers, so every ``response.sent`` must be tied to inbound records. In order:

1. Headers. ``In-Reply-To`` and ``References`` (RFC 5322 section 3.6.4) naming an
   inbound Message-ID, or the Message-ID of our acknowledgment of a record
   (``<ack.{record_id}@domain>``, so a borrower replying to the acknowledgment and
   us answering that thread still links). Every inbound record the headers name is
   linked: a reply in a thread answers the open requests in that thread, and a
   request already answered keeps its first answer.
2. Reference number. ``ML-XXXX-XXXX`` (printed in the acknowledgment subject) in
   the response's subject, then in its text body, mapped back through
   :func:`handlers.ack_compose.reference_number`. Used only when the headers name
   nothing we know: staff often start a new message instead of replying.
3. Otherwise the response is *unlinked* and listed for a person, who links it with
   ``mailledger link`` (a ``case.linked`` entry, applied in addition to the above).

A response only answers records received before it was sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from pipeline.cases.book import CaseBook, CaseRecord, ResponseRecord
from pipeline.entries.models import CaseLinked
from pipeline.entries.references import reference_number

__all__ = [
    "REFERENCE_PATTERN",
    "Link",
    "LinkResult",
    "ack_record_id",
    "find_references",
    "link_responses",
    "reference_index",
]

LinkMethod = Literal["in_reply_to", "references", "reference_number", "manual"]

# RFC 4648 base32 alphabet (A-Z, 2-7), the form reference_number() prints.
REFERENCE_PATTERN = re.compile(r"\bML-([A-Z2-7]{4})-([A-Z2-7]{4})\b", re.IGNORECASE)
_ACK_ID = re.compile(r"^<ack\.([A-Za-z0-9.-]+)@[^>]+>$")


@dataclass(frozen=True, slots=True)
class Link:
    """One response answering one inbound record, and how we know."""

    response_id: str
    response_seq: int
    record_id: str
    record_seq: int
    method: LinkMethod
    detail: str
    link_seq: int | None = None  # the case.linked entry, for manual links


@dataclass(frozen=True, slots=True)
class LinkResult:
    """All links, and the responses nothing could link (for a person to review)."""

    links: tuple[Link, ...]
    unlinked: tuple[ResponseRecord, ...]

    def for_record(self, record_id: str) -> list[Link]:
        """Links to ``record_id``, earliest response first."""
        return [link for link in self.links if link.record_id == record_id]

    def for_response(self, response_id: str) -> list[Link]:
        """Links from ``response_id``."""
        return [link for link in self.links if link.response_id == response_id]


def ack_record_id(message_id: str) -> str | None:
    """The record id inside one of our acknowledgment Message-IDs, else None."""
    match = _ACK_ID.match(message_id)
    return match.group(1) if match else None


def find_references(text: str) -> list[str]:
    """``ML-XXXX-XXXX`` reference numbers in ``text``, upper-cased, in order, once each."""
    found: list[str] = []
    for match in REFERENCE_PATTERN.finditer(text):
        ref = f"ML-{match.group(1).upper()}-{match.group(2).upper()}"
        if ref not in found:
            found.append(ref)
    return found


def reference_index(records: Iterable[CaseRecord]) -> dict[str, list[str]]:
    """Reference number -> record ids (a list: 40-bit references can collide)."""
    index: dict[str, list[str]] = {}
    for record in records:
        index.setdefault(reference_number(record.record_id), []).append(record.record_id)
    return index


def _adder(
    book: CaseBook, response: ResponseRecord, found: dict[str, Link]
) -> Callable[[str, LinkMethod, str], None]:
    """A function adding a link from ``response`` to a record, once, if it came earlier."""

    def add(record_id: str, method: LinkMethod, detail: str) -> None:
        record = book.inbound.get(record_id)
        if record is None or record_id in found or record.received_at > response.sent_at:
            return
        found[record_id] = Link(
            response.record_id, response.seq, record_id, record.seq, method, detail
        )

    return add


def link_responses(
    book: CaseBook,
    body_text: Callable[[ResponseRecord], str | None] | None = None,
) -> LinkResult:
    """Link every response in ``book`` to the inbound records it answers.

    ``body_text`` returns a response's text body (read from the object store by the
    caller) for the reference-number search; without it only subjects are searched.
    """
    by_message_id: dict[str, str] = {}
    for record in book.inbound.values():
        if record.message_id:
            by_message_id.setdefault(record.message_id, record.record_id)
    ack_ids: Mapping[str, str] = book.ack_message_ids
    refs = reference_index(book.inbound.values())
    links: list[Link] = []
    unlinked: list[ResponseRecord] = []
    responses = sorted(book.responses.values(), key=lambda r: r.seq)

    for response in responses:
        found: dict[str, Link] = {}
        add = _adder(book, response, found)
        header_ids: list[tuple[LinkMethod, str]] = [
            ("in_reply_to", m) for m in response.in_reply_to
        ]
        header_ids += [("references", m) for m in response.references]
        for method, message_id in header_ids:
            target = by_message_id.get(message_id) or ack_ids.get(message_id)
            if target is None:
                target = ack_record_id(message_id)
            if target is not None:
                add(target, method, message_id)
        if not found:
            for ref in find_references(response.subject):
                for record_id in refs.get(ref, []):
                    add(record_id, "reference_number", f"{ref} in subject")
        if not found and body_text is not None:
            text = body_text(response)
            if text:
                for ref in find_references(text):
                    for record_id in refs.get(ref, []):
                        add(record_id, "reference_number", f"{ref} in body")
        links.extend(found.values())
        if not found:
            unlinked.append(response)

    # Manual links from people, in ledger order; they add to automatic ones.
    manual_for: set[str] = set()
    automatic = {(link.response_id, link.record_id) for link in links}
    for action in book.actions:
        if not isinstance(action.body, CaseLinked):
            continue
        resp = book.responses.get(action.body.response_record_id)
        inbound = book.inbound.get(action.record_id)
        if resp is None or inbound is None or (resp.record_id, inbound.record_id) in automatic:
            continue
        automatic.add((resp.record_id, inbound.record_id))
        manual_for.add(resp.record_id)
        links.append(
            Link(
                resp.record_id,
                resp.seq,
                inbound.record_id,
                inbound.seq,
                "manual",
                action.body.reason,
                link_seq=action.seq,
            )
        )
    links.sort(key=lambda link: (link.response_seq, link.record_seq))
    return LinkResult(tuple(links), tuple(r for r in unlinked if r.record_id not in manual_for))
