"""The SLA report as text, JSON or CSV (pure; returns strings).

CSV is one long table ``section,group,key,metric,value`` so that every figure,
including the lists, is one row a spreadsheet can filter or pivot.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from pipeline.report.sla import GroupStats, SlaReport

__all__ = ["fmt_days", "fmt_rate", "render_csv", "render_json", "render_text"]

_GROUP_COLUMNS = (
    ("received", "received"),
    ("n/a", "not_applicable"),
    ("ack ok", "ack_on_time"),
    ("ack late", "ack_late"),
    ("ack never", "ack_missed"),
    ("ack pend", "ack_pending"),
    ("resp ok", "respond_on_time"),
    ("resp late", "respond_late"),
    ("open", "respond_open"),
    ("overdue", "respond_overdue"),
)


def fmt_days(value: float | None) -> str:
    """Business days for display: ``-`` when there is no value, one decimal at most."""
    if value is None:
        return "-"
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def fmt_rate(value: float | None) -> str:
    """A rate as a percentage with one decimal, ``-`` when undefined."""
    return "-" if value is None else f"{value * 100:.1f}%"


def render_json(report: SlaReport) -> str:
    """Indented, key-sorted JSON."""
    return json.dumps(report.to_json(), indent=2, sort_keys=True) + "\n"


def _period(report: SlaReport) -> str:
    start = report.date_from.isoformat() if report.date_from else "first record"
    end = report.date_to.isoformat() if report.date_to else "last record"
    return f"{start} to {end}"


def _table(title: str, groups: tuple[GroupStats, ...]) -> list[str]:
    header = f"{title:<28}" + "".join(f"{label:>10}" for label, _ in _GROUP_COLUMNS)
    header += f"{'ack med':>9}{'ack p90':>9}{'resp med':>9}{'resp p90':>9}{'on time':>9}"
    lines = [header, "-" * len(header)]
    for g in groups:
        row = f"{g.key[:27]:<28}" + "".join(f"{getattr(g, a):>10}" for _, a in _GROUP_COLUMNS)
        row += (
            f"{fmt_days(g.ack_median):>9}{fmt_days(g.ack_p90):>9}"
            f"{fmt_days(g.respond_median):>9}{fmt_days(g.respond_p90):>9}"
            f"{fmt_rate(g.on_time_rate):>9}"
        )
        lines.append(row)
    return lines


def render_text(report: SlaReport) -> str:
    """A plain-text report for a terminal or an email."""
    out = [
        "mailledger SLA report",
        f"period: {_period(report)} (receipt dates, {report.timezone})",
        f"as of: {report.generated_at.isoformat()} (ledger size {report.ledger_size})",
        "Reg X days exclude weekends and 5 U.S.C. 6103(a) holidays on their own dates;"
        " payoff clocks count the servicer's open days",
        "",
    ]
    out += _table("category", (*report.by_category, report.total))
    out.append("")
    out += _table("escalation rule", report.by_rule) if report.by_rule else ["no escalations"]
    out += ["", f"missed or late deadlines: {len(report.missed)}"]
    for m in report.missed:
        status = (
            f"open, {m.late_by} business days past due"
            if m.state == "missed"
            else f"met {m.met_on} ({m.late_by} business days late)"
        )
        accounts = ",".join(m.masked_accounts) or "-"
        out.append(
            f"  {m.record_id} {m.reference} {m.deadline} due {m.due} [{m.rule}] {status};"
            f" from {m.sender or '-'}; accounts {accounts}; ledger positions"
            f" {', '.join(str(p) for p in m.positions)}"
        )
    out += ["", f"due in the next 5 business days: {len(report.upcoming)}"]
    for u in report.upcoming:
        out.append(
            f"  {u.due} {u.record_id} {u.reference} {u.deadline} ({u.days_left} business days"
            f" left) [{u.rule}] ledger position {u.record_seq}"
        )
    out += ["", "volume by day:"]
    out += [f"  {d.isoformat()} {n}" for d, n in report.volume_by_day]
    out += ["volume by hour of day:"]
    out += [f"  {h:02d}:00 {n}" for h, n in enumerate(report.volume_by_hour) if n]
    by_kind = ", ".join(f"{k} {n}" for k, n in report.sensitive_by_kind.items()) or "none"
    out += [
        "",
        f"borrowers who sent full sensitive numbers: {len(report.sensitive)} records ({by_kind})",
    ]
    out += [
        f"  {f.record_id} from {f.sender or '-'}: {', '.join(f.kinds)} (ledger position"
        f" {f.record_seq})"
        for f in report.sensitive
    ]
    if report.unlinked_responses:
        out += ["", f"responses not linked to any request: {len(report.unlinked_responses)}"]
        out += [f"  {rid} (ledger position {seq})" for rid, seq in report.unlinked_responses]
    if report.imported:
        out += [
            "",
            f"imported records (clocks counted, never auto-acknowledged): {report.imported}",
        ]
    if report.extensions_without_notice:
        out += [
            "",
            "extensions without a sent written notice (the original due date stands):"
            f" {len(report.extensions_without_notice)}",
        ]
        out += [
            f"  {rid} (case.extended at ledger position {seq})"
            for rid, seq in report.extensions_without_notice
        ]
    if report.corrections:
        out += ["", f"corrections: {len(report.corrections)}"]
        for c in report.corrections:
            moved = "; ".join(f"{k} {old or '-'} -> {new or '-'}" for k, old, new in c.due_changes)
            out.append(
                f"  {c.record_id} {c.type} by {c.actor} at {c.time.isoformat()}"
                f" (ledger position {c.seq}): {c.reason}{'; due ' + moved if moved else ''}"
            )
    if report.notes:
        out += ["", "notes:"] + [f"  {n}" for n in report.notes]
    return "\n".join(out) + "\n"


def _csv_rows(report: SlaReport) -> Iterator[list[str]]:
    yield ["section", "group", "key", "metric", "value"]
    yield ["meta", "", "", "generated_at", report.generated_at.isoformat()]
    yield ["meta", "", "", "ledger_size", str(report.ledger_size)]
    yield ["meta", "", "", "period", _period(report)]
    for g in (*report.by_category, *report.by_rule, report.total):
        for metric, value in g.to_json().items():
            if metric in ("group", "key"):
                continue
            yield ["summary", g.group, g.key, metric, "" if value is None else str(value)]
    for m in report.missed:
        for metric, value in m.to_json().items():
            if metric == "record_id":
                continue
            text = " ".join(str(v) for v in value) if isinstance(value, list) else str(value)
            yield ["missed", m.deadline, m.record_id, metric, text]
    for u in report.upcoming:
        yield ["upcoming", u.deadline, u.record_id, "due", u.due.isoformat()]
        yield ["upcoming", u.deadline, u.record_id, "business_days_left", str(u.days_left)]
    for d, n in report.volume_by_day:
        yield ["volume_by_day", "", d.isoformat(), "received", str(n)]
    for h, n in enumerate(report.volume_by_hour):
        yield ["volume_by_hour", "", f"{h:02d}", "received", str(n)]
    yield ["sensitive", "", "all", "records", str(len(report.sensitive))]
    for kind, n in report.sensitive_by_kind.items():
        yield ["sensitive", "", kind, "records", str(n)]
    for rid, seq in report.unlinked_responses:
        yield ["unlinked_response", "", rid, "ledger_position", str(seq)]
    for rid, seq in report.extensions_without_notice:
        yield ["extension_without_notice", "", rid, "ledger_position", str(seq)]
    for c in report.corrections:
        yield ["correction", c.type, c.record_id, "ledger_position", str(c.seq)]
        yield ["correction", c.type, c.record_id, "actor", c.actor]
        yield ["correction", c.type, c.record_id, "reason", c.reason]
        for key, old, new in c.due_changes:
            yield ["correction", c.type, c.record_id, f"due:{key}", f"{old or '-'} -> {new or '-'}"]


def render_csv(report: SlaReport) -> str:
    """The long-format CSV (RFC 4180, CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(_csv_rows(report))
    return buffer.getvalue()
