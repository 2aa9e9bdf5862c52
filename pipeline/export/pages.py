"""Human-readable pages of an export: one per message, and the summary ``index.html``.

Everything shown is escaped (message content is untrusted input: a subject can
hold markup), pages carry no scripts and load nothing from elsewhere, and the
output depends only on its inputs so re-exports are byte-identical.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from pipeline.classify.accounts import mask_account
from pipeline.entries import RecordBody
from pipeline.entries.models import MessageSealed, Party
from pipeline.trail.build import Trail
from pipeline.trail.explain import explain_classification

_STYLE = (
    "body{font-family:sans-serif;margin:2em;max-width:60em}"
    "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em;"
    "text-align:left;vertical-align:top}pre{white-space:pre-wrap;background:#f4f4f4;"
    "padding:1em}.ok{color:#060}.bad{color:#a00;font-weight:bold}small{color:#555}"
)


def _page(title: str, body: str) -> bytes:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>\n<body>\n"
        f"{body}\n</body></html>\n"
    ).encode()


def _parties(parties: Sequence[Party]) -> str:
    return ", ".join(f"{p.name} <{p.address}>" if p.name else p.address for p in parties)


def _table(rows: Iterable[Sequence[str]], head: Sequence[str] | None = None) -> str:
    """Rows of already-escaped cells."""
    parts = ["<table>"]
    if head:
        parts.append("<tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>")
    parts.extend(_row(row) for row in rows)
    parts.append("</table>")
    return "\n".join(parts)


def message_page(
    control: str,
    body: RecordBody,
    text: str,
    attachment_paths: Mapping[str, str],
    trail: Trail,
) -> bytes:
    """The page of one message: headers, body text, attachments, audit trail."""
    h, src, raw, c = body.headers, body.source, body.raw, body.classification
    header_rows = [
        ("Control number", control),
        ("Record id", body.record_id),
        ("From", _parties(h.from_)),
        ("To", _parties(h.to)),
        ("Cc", _parties(h.cc)),
        ("Subject", h.subject),
        ("Date", h.date or ""),
        ("Message-ID", h.message_id or ""),
        ("Mailbox / folder", f"{src.mailbox} / {src.folder}"),
        ("UID (UIDVALIDITY)", f"{src.uid} ({src.uidvalidity})"),
        ("INTERNALDATE", src.internaldate or ""),
        (
            "Raw SHA-256",
            f"{raw.sha256} ({raw.size} bytes)" if raw else "None (None bytes)",
        ),
        ("Category", c.category or ""),
        ("Escalated", f"yes ({c.severity})" if c.escalated else "no"),
        ("Account numbers", ", ".join(mask_account(a) for a in c.account_numbers)),
    ]
    native = f"../natives/{control}.eml"
    parts = [
        f"<h1>{escape(control)}</h1>",
        f'<p><a href="{escape(native)}">Original message (.eml)</a> &middot; '
        f'<a href="../text/{escape(control)}.txt">Extracted text</a> &middot; '
        '<a href="../index.html">Summary</a></p>',
        _table((escape(k), escape(v)) for k, v in header_rows),
        "<h2>Attachments</h2>",
    ]
    rows = []
    for a in body.attachments:
        path = attachment_paths.get(a.sha256)
        name = escape(a.safe_filename)
        link = f'<a href="../{escape(path)}">{name}</a>' if path else f"{name} (withheld)"
        rows.append(
            (
                link,
                escape(str(a.size)),
                escape(str(a.detected_type)),
                escape(a.verdict),
                escape(", ".join(a.reasons)),
                escape(a.sha256),
            )
        )
    parts.append(
        _table(rows, ("File", "Bytes", "Detected type", "Verdict", "Reasons", "SHA-256"))
        if rows
        else "<p>None.</p>"
    )
    decisions = explain_classification(c)
    parts += [
        "<h2>Classification decisions</h2>",
        "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in decisions) + "</ul>"
        if decisions
        else "<p>None recorded.</p>",
    ]
    parts += ["<h2>Body text</h2>", f"<pre>{escape(text)}</pre>", trail_html(trail)]
    return _page(f"{control} {h.subject}", "\n".join(parts))


def sealed_page(control: str, seal: MessageSealed, trail: Trail) -> bytes:
    """The page of a message sealed on receipt but not yet assembled: source, hash, trail."""
    src, raw = seal.source, seal.raw
    header_rows = [
        ("Control number", control),
        ("Record id", seal.record_id),
        ("State", "sealed on receipt, not yet assembled (no parsed headers or text yet)"),
        ("Mailbox / folder", f"{src.mailbox} / {src.folder}"),
        ("UID (UIDVALIDITY)", f"{src.uid} ({src.uidvalidity})"),
        ("INTERNALDATE", src.internaldate or ""),
        ("Raw SHA-256", f"{raw.sha256} ({raw.size} bytes)"),
    ]
    parts = [
        f"<h1>{escape(control)}</h1>",
        f'<p><a href="../natives/{escape(control)}.eml">Original message (.eml)</a> &middot; '
        '<a href="../index.html">Summary</a></p>',
        _table((escape(k), escape(v)) for k, v in header_rows),
        trail_html(trail),
    ]
    return _page(f"{control} (sealed)", "\n".join(parts))


def trail_html(trail: Trail) -> str:
    """The audit trail section of a message page."""
    deadlines = [(escape(d.name), escape(d.describe())) for d in trail.deadlines]
    if trail.not_applicable:
        deadlines = [("all", escape(f"not applicable ({trail.not_applicable})"))]
    deadlines += [("note", escape(n)) for n in trail.notes]
    items = []
    for item in trail.items:
        proof = (
            f'<span class="ok">verified ({len(item.proof.path)} hashes)</span>'
            if item.proof.verified
            else '<span class="bad">NOT VERIFIED</span>'
        )
        lines = "".join(f"<br><small>{escape(d)}</small>" for d in item.details)
        items.append(
            (
                escape(str(item.seq)),
                escape(item.time),
                escape(item.type),
                escape(item.actor),
                escape(item.summary) + lines,
                proof,
            )
        )
    return "\n".join(
        [
            "<h2>Deadlines</h2>",
            _table(deadlines, ("Clock", "Status")) if deadlines else "<p>None.</p>",
            "<h2>Audit trail</h2>",
            f"<p>Inclusion proofs checked against the signed checkpoint of {escape(trail.origin)}"
            f" at size {trail.checkpoint_size} (root {escape(trail.checkpoint_root)}); status as"
            f" of {escape(trail.as_of)}. Ledger entries are in <code>ledger/</code>.</p>",
            _table(items, ("Position", "Time", "Entry", "Actor", "What", "Inclusion proof")),
        ]
    )


@dataclass
class Summary:
    """Counts for ``index.html``, gathered while records are written.

    The listing of every record is not kept here: :meth:`add` returns each record's
    row, which the exporter writes out as it goes, so memory does not grow with the
    number of records.
    """

    mailboxes: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    escalated: Counter[str] = field(default_factory=Counter)
    deadlines: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, control: str, trail: Trail) -> str:
        """Count one record; return its row of the listing in ``index.html``."""
        r = trail.record
        self.mailboxes[r.mailbox] += 1
        self.categories[r.category or "(none)"] += 1
        self.escalated["escalated" if r.escalated else "not escalated"] += 1
        if trail.not_applicable:
            self.deadlines[("all", "not applicable")] += 1
        for d in trail.deadlines:
            if d.state == "met":
                outcome = "on time" if d.on_time else "late"
            else:
                outcome = "missing (overdue)" if d.state == "missed" else "pending"
            self.deadlines[(d.name, outcome)] += 1
        cells = (
            f'<a href="html/{escape(control)}.html">{escape(control)}</a>',
            *(
                escape(cell)
                for cell in (
                    r.received,
                    r.mailbox,
                    r.sender,
                    r.subject,
                    r.category or "",
                    "yes" if r.escalated else "no",
                )
            ),
        )
        return _row(cells)


def _row(cells: Sequence[str]) -> str:
    """One table row of already-escaped cells."""
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


_LISTING_HEAD = ("Control", "Received", "Mailbox", "From", "Subject", "Category", "Escalated")


def index_page(
    summary: Summary, meta: Mapping[str, Any], listing: Iterable[str]
) -> Iterator[bytes]:
    """The export's front page, in pieces: what it holds and how it was made.

    ``listing`` is every record's row (from :meth:`Summary.add`), in control-number
    order; it is consumed as the page is produced.
    """

    def counts(counter: Counter[str]) -> str:
        return _table(((escape(k), str(v)) for k, v in sorted(counter.items())), ("", "Records"))

    compliance = [
        (escape(name), escape(outcome), str(n))
        for (name, outcome), n in sorted(summary.deadlines.items())
    ]
    about = [(escape(k), escape(str(v))) for k, v in meta.items()]
    head = "\n".join(
        [
            "<h1>Examination export</h1>",
            _table(about),
            "<p>Run <code>python3 verify.py</code> in this folder to check every file against"
            " the signed ledger checkpoint, with the servicer's public key obtained separately"
            " (<code>--public-key</code>).</p>",
            "<h2>Records per mailbox</h2>",
            counts(summary.mailboxes),
            "<h2>Records per category</h2>",
            counts(summary.categories),
            "<h2>Escalation</h2>",
            counts(summary.escalated),
            "<h2>Deadline compliance</h2>",
            _table(compliance, ("Clock", "Outcome", "Records")) if compliance else "<p>None.</p>",
            "<h2>Records</h2>",
            # the listing, as _table writes it, one row at a time
            "<table>",
            "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in _LISTING_HEAD) + "</tr>",
        ]
    )
    prefix, suffix = _page("Examination export", "\0").split(b"\0")
    yield prefix + head.encode()
    chunk: list[str] = []
    for row in listing:
        chunk.append("\n" + row)
        if len(chunk) >= 1024:
            yield "".join(chunk).encode()
            chunk = []
    yield ("".join(chunk) + "\n</table>").encode() + suffix
