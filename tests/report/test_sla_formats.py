"""HTML (parsed), CSV, JSON and text renderings of the fixture report."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser

import pytest

from pipeline.report.html import CHART_NAMES, render_html
from pipeline.report.render import render_csv, render_json, render_text
from tests.report.fixture import B, D
from tests.report.test_sla_figures import make_report


class _Page(HTMLParser):
    """Collects chart figures (with their SVG content) and external references."""

    def __init__(self) -> None:
        super().__init__()
        self.charts: dict[str, dict[str, int]] = {}
        self.current: str | None = None
        self.external: list[str] = []
        self.text: list[str] = []
        self.svg_text: dict[str, list[str]] = {}
        self.in_svg = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "figure" and "data-chart" in values:
            self.current = values["data-chart"]
            self.charts[self.current] = {"svg": 0, "elements": 0}
            self.svg_text[self.current] = []
        elif self.current is not None:
            if tag == "svg":
                self.charts[self.current]["svg"] += 1
                self.in_svg = True
            elif self.in_svg:
                self.charts[self.current]["elements"] += 1
        for name in ("src", "href", "xlink:href"):
            value = values.get(name)
            if value and not value.startswith("#"):
                self.external.append(value)
        if tag in ("script", "link", "img", "iframe"):
            self.external.append(tag)

    def handle_endtag(self, tag):
        if tag == "svg":
            self.in_svg = False
        elif tag == "figure":
            self.current = None

    def handle_data(self, data):
        self.text.append(data)
        if self.current is not None and self.in_svg:
            self.svg_text[self.current].append(data)


@pytest.fixture(scope="module")
def report():
    return make_report()[0]


@pytest.fixture(scope="module")
def page(report):
    parser = _Page()
    parser.feed(render_html(report))
    return parser


def test_html_has_every_chart_as_non_empty_inline_svg(page):
    assert set(page.charts) == set(CHART_NAMES)
    for name, counts in page.charts.items():
        assert counts["svg"] == 1, name
        assert counts["elements"] > 10, name


def test_html_is_self_contained(page):
    assert page.external == []


def test_html_shows_expected_numbers(page, report):
    text = " ".join(page.text)
    assert "66.7%" in text  # overall on-time rate, in the table
    assert "0.0%" in " ".join(page.svg_text["on_time_by_category"])  # document_request bar
    assert "Missed or late deadlines (3)" in text
    assert "Due in the next 5 business days (2)" in text
    assert B in text and D in text and "****7890" in text
    assert "1234567890" not in text


def test_html_is_deterministic(report):
    assert render_html(report) == render_html(report)


def test_no_full_account_number_in_any_format(report):
    for rendered in (
        render_html(report),
        render_csv(report),
        render_json(report),
        render_text(report),
    ):
        assert "1234567890" not in rendered


def test_csv_long_format(report):
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))

    def value(section, group, key, metric):
        (row,) = [
            r
            for r in rows
            if (r["section"], r["group"], r["key"], r["metric"]) == (section, group, key, metric)
        ]
        return row["value"]

    assert value("summary", "total", "all", "received") == "7"
    assert value("summary", "total", "all", "ack_p90_days") == "6"
    assert value("summary", "category", "document_request", "respond_late") == "1"
    assert value("summary", "rule", "notice_of_error", "respond_median_days") == "11.0"
    assert value("missed", "acknowledge", D, "late_by_business_days") == "4"
    assert value("volume_by_hour", "", "10", "received") == "5"
    assert value("sensitive", "", "ssn", "records") == "1"


def test_json_round_trips_the_figures(report):
    data = json.loads(render_json(report))
    assert data["total"]["received"] == 7
    assert data["total"]["respond_on_time_rate"] == pytest.approx(2 / 3)
    assert [m["record_id"] for m in data["missed_deadlines"]][-1] == D
    assert data["missed_deadlines"][-1]["masked_accounts"] == ["****7890"]
    assert data["sensitive"] == {
        "records": 1,
        "by_kind": {"ssn": 1},
        "flagged": [
            {"record_id": D, "ledger_position": 9, "sender": "dan@example.com", "kinds": ["ssn"]}
        ],
    }


def test_text_lists_positions_for_missed(report):
    text = render_text(report)
    assert "missed or late deadlines: 3" in text
    assert "ledger positions 9" in text
