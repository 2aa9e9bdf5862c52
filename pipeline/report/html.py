"""The SLA report as one self-contained HTML page with inline SVG charts.

The page has no scripts, fonts, stylesheets or images from anywhere else, so it can
be attached to an examination response and opened offline years later. Charts
are drawn by matplotlib on the Agg canvas and saved as SVG with text kept as text
(``svg.fonttype: none``, so the numbers in a chart can be searched), a fixed
``svg.hashsalt`` per chart (stable element ids that do not clash between charts)
and no date in the metadata: the same ledger and the same ``now`` give the same
bytes. Every value shown is escaped; account numbers appear masked only.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from html import escape

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from pipeline.report.render import fmt_days, fmt_rate
from pipeline.report.sla import GroupStats, SlaReport

__all__ = ["CHART_NAMES", "render_html"]

CHART_NAMES = ("volume_by_day", "volume_by_hour", "respond_histogram", "on_time_by_category")
_XML_PROLOGUE = re.compile(r"^\s*<\?xml[^>]*\?>\s*(<!DOCTYPE[^>]*>\s*)?", re.DOTALL)
_STYLE = (
    "body{font-family:sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin:1em 0}"
    "th,td{border:1px solid #bbb;padding:.25em .5em;text-align:right}"
    "th:first-child,td:first-child{text-align:left}"
    "figure{margin:1em 0}figcaption{font-size:.9em;color:#555}"
    ".note{font-size:.9em;color:#555}"
)


def _svg(name: str, fig: Figure) -> str:
    FigureCanvasAgg(fig)
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": f"mailledger-{name}", "svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return _XML_PROLOGUE.sub("", buffer.getvalue())


def _no_data(fig: Figure, title: str) -> Figure:
    ax = fig.add_subplot()
    ax.set_title(title)
    ax.text(0.5, 0.5, "no data in this period", ha="center", va="center")
    ax.set_axis_off()
    return fig


def _volume_by_day(report: SlaReport) -> Figure:
    fig = Figure(figsize=(8, 3))
    title = "Messages received per day"
    if not report.volume_by_day:
        return _no_data(fig, title)
    ax = fig.add_subplot()
    labels = [d.isoformat() for d, _ in report.volume_by_day]
    counts = [n for _, n in report.volume_by_day]
    ax.bar(range(len(counts)), counts, color="#4472c4")
    step = max(1, len(labels) // 12)
    ax.set_xticks(range(0, len(labels), step), labels[::step], rotation=45, ha="right")
    ax.set_ylabel("messages")
    ax.set_title(title)
    return fig


def _volume_by_hour(report: SlaReport) -> Figure:
    fig = Figure(figsize=(8, 3))
    ax = fig.add_subplot()
    ax.bar(range(24), report.volume_by_hour, color="#4472c4")
    ax.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)])
    ax.set_xlabel(f"hour of day ({report.timezone})")
    ax.set_ylabel("messages")
    ax.set_title("Messages received by hour of day")
    return fig


def _respond_histogram(report: SlaReport) -> Figure:
    fig = Figure(figsize=(8, 3))
    title = "Business days to respond"
    values = report.total.respond_days
    if not values:
        return _no_data(fig, title)
    ax = fig.add_subplot()
    top = max(values)
    counts = [values.count(d) for d in range(top + 1)]
    ax.bar(range(top + 1), counts, color="#70ad47")
    ax.set_xlabel("business days from receipt to response")
    ax.set_ylabel("requests")
    ax.set_title(title)
    return fig


def _on_time_by_category(report: SlaReport) -> Figure:
    fig = Figure(figsize=(8, 3))
    title = "Responded on time, by category"
    rated = [(g.key, g.on_time_rate) for g in report.by_category if g.on_time_rate is not None]
    if not rated:
        return _no_data(fig, title)
    ax = fig.add_subplot()
    names = [k for k, _ in rated]
    rates = [100 * (r or 0.0) for _, r in rated]
    bars = ax.barh(range(len(rates)), rates, color="#ed7d31")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlim(0, 110)
    ax.set_xlabel("% of decided requests answered by the due date")
    ax.bar_label(bars, labels=[fmt_rate(r) for _, r in rated], padding=3)
    ax.set_title(title)
    return fig


def _group_table(title: str, groups: Sequence[GroupStats]) -> str:
    head = (
        f"<tr><th>{escape(title)}</th><th>received</th><th>not applicable</th>"
        "<th>ack on time</th><th>ack late</th>"
        "<th>ack never</th><th>ack pending</th><th>responded on time</th><th>responded late</th>"
        "<th>open</th><th>of which overdue</th><th>ack median</th><th>ack p90</th>"
        "<th>respond median</th><th>respond p90</th><th>on-time rate</th></tr>"
    )
    rows = []
    for g in groups:
        cells = [
            g.key,
            g.received,
            g.not_applicable,
            g.ack_on_time,
            g.ack_late,
            g.ack_missed,
            g.ack_pending,
            g.respond_on_time,
            g.respond_late,
            g.respond_open,
            g.respond_overdue,
            fmt_days(g.ack_median),
            fmt_days(g.ack_p90),
            fmt_days(g.respond_median),
            fmt_days(g.respond_p90),
            fmt_rate(g.on_time_rate),
        ]
        rows.append("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in cells) + "</tr>")
    return f'<table data-table="{escape(title)}">{head}{"".join(rows)}</table>'


def _list_table(name: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    if not rows:
        return '<p class="note">none</p>'
    head = "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr>"
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f'<table data-table="{escape(name)}">{head}{body}</table>'


def render_html(report: SlaReport) -> str:
    """The whole report as one HTML document."""
    charts = {
        "volume_by_day": (_volume_by_day(report), "Volume over time (receipt date)."),
        "volume_by_hour": (_volume_by_hour(report), "Volume by hour of day."),
        "respond_histogram": (
            _respond_histogram(report),
            "Distribution of business days to respond (all categories).",
        ),
        "on_time_by_category": (
            _on_time_by_category(report),
            "On-time response rate by category: on time / (on time + late + overdue).",
        ),
    }
    period = (
        f"{report.date_from.isoformat() if report.date_from else 'first record'} to "
        f"{report.date_to.isoformat() if report.date_to else 'last record'}"
    )
    missed_rows = [
        (
            m.record_id,
            m.reference,
            m.sender or "-",
            ", ".join(m.masked_accounts) or "-",
            m.category,
            m.deadline,
            m.rule,
            m.due.isoformat(),
            "open" if m.state == "missed" else f"met {m.met_on}",
            m.late_by,
            ", ".join(str(p) for p in m.positions),
        )
        for m in report.missed
    ]
    upcoming_rows = [
        (u.due.isoformat(), u.record_id, u.reference, u.category, u.deadline, u.rule, u.days_left)
        for u in report.upcoming
    ]
    sensitive_rows = [
        (f.record_id, f.sender or "-", ", ".join(f.kinds), f.record_seq) for f in report.sensitive
    ]
    by_kind = ", ".join(f"{k}: {n}" for k, n in report.sensitive_by_kind.items()) or "none"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>mailledger SLA report</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>SLA report</h1>",
        f"<p>Period: {escape(period)} (receipt dates, {escape(report.timezone)}). As of "
        f"{escape(report.generated_at.isoformat())}, ledger size "
        f'<span data-figure="ledger_size">{report.ledger_size}</span>. Business days exclude '
        "weekends and US federal legal public holidays (5 U.S.C. 6103). Clocks: 12 CFR "
        "1024.35(d)/(e), 1024.36(c)/(d) (acknowledge 5, respond 30, one 15-day extension), "
        "12 CFR 1026.36(c)(3) (payoff statement 7).</p>",
        "<h2>By category</h2>",
        _group_table("category", [*report.by_category, report.total]),
        "<h2>By escalation rule</h2>",
        _group_table("escalation rule", report.by_rule)
        if report.by_rule
        else '<p class="note">none</p>',
        f"<h2>Missed or late deadlines ({len(report.missed)})</h2>",
        '<p class="note">Ledger positions: the record, any extension, and the entry that '
        "met the clock late.</p>",
        _list_table(
            "missed",
            (
                "record",
                "reference",
                "sender",
                "accounts",
                "category",
                "deadline",
                "rule",
                "due",
                "status",
                "business days late",
                "ledger positions",
            ),
            missed_rows,
        ),
        f"<h2>Due in the next 5 business days ({len(report.upcoming)})</h2>",
        _list_table(
            "upcoming",
            ("due", "record", "reference", "category", "deadline", "rule", "business days left"),
            upcoming_rows,
        ),
        "<h2>Charts</h2>",
    ]
    for name in CHART_NAMES:
        fig, caption = charts[name]
        parts.append(
            f'<figure data-chart="{name}">{_svg(name, fig)}'
            f"<figcaption>{escape(caption)}</figcaption></figure>"
        )
    parts += [
        f"<h2>Borrowers who sent full sensitive numbers ({len(report.sensitive)})</h2>",
        f'<p class="note">By kind: {escape(by_kind)}. The numbers themselves are never '
        "copied into reports.</p>",
        _list_table("sensitive", ("record", "sender", "kinds", "ledger position"), sensitive_rows),
    ]
    if report.unlinked_responses:
        parts += [
            f"<h2>Responses not linked to a request ({len(report.unlinked_responses)})</h2>",
            _list_table("unlinked", ("record", "ledger position"), report.unlinked_responses),
        ]
    if report.imported:
        parts.append(
            f'<p class="note">Imported records (clocks counted, never acknowledged'
            f" automatically): {report.imported}</p>"
        )
    if report.extensions_without_notice:
        parts += [
            "<h2>Extensions without a sent written notice"
            f" ({len(report.extensions_without_notice)})</h2>",
            _list_table(
                "extensions_without_notice",
                ("record", "extension ledger position"),
                report.extensions_without_notice,
            ),
        ]
    if report.corrections:
        parts += [
            f"<h2>Corrections ({len(report.corrections)})</h2>",
            _list_table(
                "corrections",
                ("record", "ledger position", "correction", "by", "at", "reason", "due dates"),
                [
                    (
                        c.record_id,
                        c.seq,
                        c.type,
                        c.actor,
                        c.time.isoformat(),
                        c.reason,
                        "; ".join(
                            f"{k}: {old or '-'} -> {new or '-'}" for k, old, new in c.due_changes
                        ),
                    )
                    for c in report.corrections
                ],
            ),
        ]
    if report.notes:
        parts += ["<h2>Notes</h2><ul>"] + [f"<li>{escape(n)}</li>" for n in report.notes]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
