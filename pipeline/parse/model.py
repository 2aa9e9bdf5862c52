"""The parsed view of one message: frozen values that cross module lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

#: A mailbox as (display name, address); the name is "" when the sender gave none.
Address = tuple[str, str]


@dataclass(frozen=True, slots=True)
class ParsedAttachment:
    """One attachment, with its payload decoded from its transfer encoding.

    ``part_id`` names the MIME part the way IMAP section numbers do ("1", "2.1",
    ...), counted inside the message that holds it; ``nested_in`` is the chain of
    containers it came out of, outermost first, so that ``("2",)`` means "inside
    the message/rfc822 attachment at part 2 of the top-level message".  Parts
    unpacked from a winmail.dat have ``source == "tnef"`` and the winmail.dat
    part as the last element of ``nested_in``.
    """

    part_id: str
    filename: str | None
    content_type: str | None
    content_disposition: str | None
    content_id: str | None
    payload: bytes = field(repr=False)
    is_inline: bool
    nested_in: tuple[str, ...] = ()
    source: Literal["mime", "tnef"] = "mime"

    @property
    def size(self) -> int:
        """Number of payload bytes after transfer decoding."""
        return len(self.payload)


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    """Everything mailledger reads out of one RFC 5322 message.

    Header values are decoded (RFC 2047) and unfolded; absent headers are ``None``
    (single values) or empty tuples (lists).  ``defects`` lists every problem the
    parser noticed, in words a records officer can read; ``parse_error`` is set
    only when the message could not be parsed at all, in which case the other
    fields hold whatever could be salvaged.
    """

    message_id: str | None
    from_: tuple[Address, ...]
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    reply_to: tuple[Address, ...]
    date_raw: str | None
    date: datetime | None
    subject: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    auto_submitted: str | None
    precedence: str | None
    list_id: str | None
    return_path: str | None
    text: str
    html: str
    html_text: str
    attachments: tuple[ParsedAttachment, ...]
    defects: tuple[str, ...]
    parse_error: str | None = None
    # lowercased names of the List-* header fields present (RFC 2369)
    list_headers: tuple[str, ...] = ()
    # What the machine-mail decision also needs: responder headers and the top-level
    # Content-Type with its report-type.
    x_autoreply: str | None = None
    x_autorespond: str | None = None
    x_auto_response_suppress: str | None = None
    content_type: str | None = None
    authentication_results: str | None = None

    def to_record(self) -> dict[str, object]:
        """Return a JSON-able summary of the headers and parts for the ledger.

        Bodies and payloads are left out on purpose: the ledger entry names
        content by hash elsewhere and must never carry message text.
        """

        def addresses(values: tuple[Address, ...]) -> list[dict[str, str]]:
            return [{"name": name, "address": address} for name, address in values]

        return {
            "message_id": self.message_id,
            "from": addresses(self.from_),
            "to": addresses(self.to),
            "cc": addresses(self.cc),
            "reply_to": addresses(self.reply_to),
            "date_raw": self.date_raw,
            "date": self.date.isoformat() if self.date is not None else None,
            "subject": self.subject,
            "in_reply_to": self.in_reply_to,
            "references": list(self.references),
            "auto_submitted": self.auto_submitted,
            "precedence": self.precedence,
            "list_id": self.list_id,
            "list_headers": list(self.list_headers),
            "x_autoreply": self.x_autoreply,
            "x_autorespond": self.x_autorespond,
            "x_auto_response_suppress": self.x_auto_response_suppress,
            "content_type": self.content_type,
            "return_path": self.return_path,
            "attachments": [
                {
                    "part_id": a.part_id,
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "content_disposition": a.content_disposition,
                    "size": a.size,
                    "is_inline": a.is_inline,
                    "nested_in": list(a.nested_in),
                    "source": a.source,
                }
                for a in self.attachments
            ],
            "defects": list(self.defects),
            "parse_error": self.parse_error,
        }
