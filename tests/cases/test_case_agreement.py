"""Every view of a case says what the one case model says, for every status.

One real ledger (records made by assembly, signed checkpoints, the SQLite index)
holds a record in each status: met on time, met late, pending, missed, not
applicable (an auto-reply), extended with its notice sent, and replies linked by
In-Reply-To, by References, by the ML reference number only, by hand, and a linked
holding reply. ``cases`` (:func:`read_cases`, what ``cases --json`` prints),
``report sla``, ``trail``, the search index and the export must all agree.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape
from pathlib import Path

import pytest

from pipeline.archive import Archive, ArchiveSettings
from pipeline.cases import api
from pipeline.cases.read import CaseView, read_cases, read_record_cases
from pipeline.cli.case_commands import case_json
from pipeline.entries.references import reference_number
from pipeline.index.db import SearchCriteria
from pipeline.ledger.entry import LedgerEntry
from pipeline.report.sla import SlaReport, build_sla_report
from pipeline.storage.base import ObjectStore
from pipeline.trail import build_trail
from pipeline.trail.build import DeadlineView
from tests.index.factory import LedgerEnv, make_env

T = datetime(2026, 11, 2, 14, 5, tzinfo=UTC)  # Mon 09:05 in New York
NOW = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)
NOE_TEXT = "This is a notice of error: my payment of $500 was misapplied to escrow."


def _at(month: int, day: int, hour: int = 15) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def _raw(
    message_id: str,
    *,
    sender: str = "borrower@example.net",
    to: str = "servicing@servicer.example",
    subject: str = "My loan",
    text: str = NOE_TEXT,
    date: datetime = T,
    extra: dict[str, str] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    for name, value in (extra or {}).items():
        msg[name] = value
    msg.set_content(text)
    return bytes(msg)


class Ledger:
    """The scenario: record ids by name, and the positions of the replies."""

    def __init__(self, env: LedgerEnv) -> None:
        self.env = env
        self.ids: dict[str, str] = {}
        self.replies: dict[str, int] = {}
        self.correction: LedgerEntry | None = None

    def request(self, name: str, received: datetime = T, **kw: object) -> str:
        entry = self.env.record(
            _raw(f"<{name}@example.net>", date=received, **kw), received=received
        )
        self.ids[name] = entry.body["record_id"]
        return self.ids[name]

    def reply(self, name: str, at: datetime, **headers: str) -> int:
        subject = headers.pop("subject", "Your letter")
        raw = _raw(
            f"<reply-{name}@servicer.example>",
            sender="help@servicer.example",
            to="borrower@example.net",
            subject=subject,
            text="Here is our answer to your notice of error.",
            date=at,
            extra=headers,
        )
        entry = self.env.record(raw, mailbox="servicing", folder="Sent", received=at, outbound=True)
        self.replies[name] = entry.seq
        return entry.body["record_id"]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    env = make_env(tmp_path_factory.mktemp("agreement"))
    s = Ledger(env)
    ledger = env.runtime.ledger
    for name in ("on_time", "late", "missed", "extended", "by_ref", "by_hand", "holding"):
        s.request(name)
    s.request("pending", received=_at(12, 8))
    s.request("machine", extra={"Auto-Submitted": "auto-replied"})
    for name in ("on_time", "extended", "by_ref", "by_hand", "holding", "pending"):
        env.ack_sent(env.records[s.ids[name]], _at(11, 3) if name != "pending" else _at(12, 9))
    env.ack_sent(env.records[s.ids["late"]], _at(11, 16))
    s.reply("on_time", _at(11, 20), **{"In-Reply-To": "<on_time@example.net>"})
    s.reply("late", _at(11, 20), References="<older@example.net> <late@example.net>")
    # Only the reference number ties this reply to its request: the bug.
    s.reply("by_ref", _at(11, 20), subject=f"About {reference_number(s.ids['by_ref'])}")
    hand = s.reply("by_hand", _at(11, 20), subject="Following up")
    api.link_reply(
        ledger, hand, s.ids["by_hand"], actor="person:a", reason="phone call", now=_at(11, 21)
    )
    holding = s.reply("holding", _at(11, 5), **{"In-Reply-To": "<holding@example.net>"})
    api.mark_holding_reply(
        ledger,
        holding,
        s.ids["holding"],
        reason="only says we got it",
        actor="person:a",
        now=_at(11, 6),
    )
    s.correction = api.reclassify(
        ledger,
        s.ids["missed"],
        ["notice_of_error"],
        ["payoff_balance_error"],
        reason="disputes the payoff figure",
        actor="person:b",
        now=_at(11, 4),
    )
    extension = api.extend_case(
        ledger,
        s.ids["extended"],
        days=15,
        reason="need the servicing file",
        actor="person:a",
        now=_at(12, 1),
    )
    env.append(
        "extension_notice.sent",
        {
            "record_id": s.ids["extended"],
            "entry_seq": env.records[s.ids["extended"]].seq,
            "extension_seq": extension.seq,
            "intent_seq": extension.seq,
            "time": "2026-12-01T16:00:00.000000Z",
            "notice_message_id": "<extension.x.1@servicer.example>",
            "to": "borrower@example.net",
            "language": "en",
            "transport": "smtp",
            "notice_sha256": "0" * 64,
            "notice_size": 1,
        },
        time=_at(12, 1, 16),
    )
    # The last entry fixes "now" for the export, which reads its time from the log.
    env.append(
        "access.viewed",
        {"actor": "person:a", "record_ids": [s.ids["on_time"]], "what": "record", "reason": "x"},
        time=NOW,
    )
    return s


@pytest.fixture(scope="module")
def cases(scenario: Ledger) -> CaseView:
    env = scenario.env
    policy = env.config.classification.policy.clock
    return read_cases(env.runtime.ledger.entries(), env.runtime.store, NOW, policy)


def _clocks(view: CaseView, record_id: str) -> dict[str, tuple[str, str, int | None]]:
    case = view.for_record(record_id)
    assert case is not None
    return {d.deadline.key: (d.state, d.due.isoformat(), d.met_by_seq) for d in case.deadlines}


EXPECTED_STATE = {
    "on_time": "met",
    "late": "met",
    "pending": "pending",
    "missed": "missed",
    "machine": "not_applicable",
    "extended": "pending",
    "by_ref": "met",
    "by_hand": "met",
    "holding": "pending",
}


def test_the_case_model_gives_every_status_the_scenario_needs(scenario, cases):
    states = {name: cases.for_record(rid).state for name, rid in scenario.ids.items()}
    assert states == EXPECTED_STATE
    late = cases.for_record(scenario.ids["late"]).deadline("acknowledge")
    assert late.state == "met" and not late.status.on_time
    extended = cases.for_record(scenario.ids["extended"]).deadline("respond")
    assert extended.deadline.extended and extended.due > extended.original_due
    holding = cases.for_record(scenario.ids["holding"])
    assert holding.deadline("respond").state == "pending" and holding.holding_replies


def test_the_record_by_record_case_model_gives_every_record_the_same_status_and_replies(
    scenario, cases, tmp_path
):
    env = scenario.env
    policy = env.config.classification.policy.clock
    one_by_one = read_record_cases(
        env.runtime.ledger.entries(), env.runtime.store, NOW, tmp_path, policy
    )
    replies = [env.runtime.ledger.entry(seq).body["record_id"] for seq in scenario.replies.values()]
    for record_id in [*scenario.ids.values(), *replies, "r-unknown"]:
        assert one_by_one.for_record(record_id) == cases.for_record(record_id)
        assert one_by_one.response_seqs(record_id) == cases.response_seqs(record_id)
    assert one_by_one.response_seqs(scenario.ids["by_ref"]) == [scenario.replies["by_ref"]]


class _CountingStore:
    """The scenario's real store, noting every key read from it."""

    def __init__(self, store: ObjectStore) -> None:
        self._store = store
        self.read: list[str] = []

    def get(self, key: str, *, verify: bool = True) -> bytes:
        self.read.append(key)
        return self._store.get(key, verify=verify)

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)


def test_the_record_by_record_case_model_reads_only_the_bodies_headers_and_subjects_leave_unlinked(
    scenario, cases, tmp_path
):
    env = scenario.env
    policy = env.config.classification.policy.clock
    store = _CountingStore(env.runtime.store)
    one_by_one = read_record_cases(env.runtime.ledger.entries(), store, NOW, tmp_path, policy)  # type: ignore[arg-type]
    one_by_one.close()
    # by_hand's reply ("Following up") is the one response no header or subject links;
    # the others are linked by In-Reply-To, References or the reference in the subject
    hand = env.runtime.ledger.entry(scenario.replies["by_hand"]).body
    assert store.read == [hand["bodies"]["text"]["key"]]


def test_a_reply_linked_only_by_its_ml_reference_meets_the_respond_clock(scenario, cases):
    respond = cases.for_record(scenario.ids["by_ref"]).deadline("respond")
    assert (respond.state, respond.met_by_seq) == ("met", scenario.replies["by_ref"])


def test_cases_json_says_what_the_case_model_says(scenario, cases):
    for rid in scenario.ids.values():
        data = case_json(cases.for_record(rid))
        assert data["state"] == cases.for_record(rid).state
        shown = {(d["kind"] + ":" + d["name"], d["state"], d["due"]) for d in data["deadlines"]}
        assert shown == {(k, v[0], v[1]) for k, v in _clocks(cases, rid).items()}


def _trail(scenario: Ledger, record_id: str):
    env = scenario.env
    index = env.index()
    proofs = env.proofs()
    policy = env.config.classification.policy.clock
    return build_trail(
        record_id,
        index=index,
        ledger=env.runtime.ledger,
        proofs=proofs,
        policy=policy,
        now=NOW,
        store=env.runtime.store,
    )


@pytest.mark.parametrize("name", sorted(EXPECTED_STATE))
def test_trail_agrees_with_the_case_model(scenario, cases, name):
    rid = scenario.ids[name]
    trail = _trail(scenario, rid)
    assert trail.state == cases.for_record(rid).state
    shown = {
        (f"{d.kind or 'general'}:{d.name}", d.state, d.due, d.met_by_seq) for d in trail.deadlines
    }
    assert shown == {(k, *v) for k, v in _clocks(cases, rid).items()}


@pytest.mark.parametrize("name", ["on_time", "late", "by_ref", "by_hand", "holding"])
def test_the_index_backed_trail_holds_every_reply_the_case_model_links(scenario, name):
    trail = _trail(scenario, scenario.ids[name])
    assert scenario.replies[name] in {item.seq for item in trail.items}


def test_the_search_index_lists_every_request(scenario):
    index = scenario.env.index()
    found = {row.record_id for row in index.search(SearchCriteria(types=("message.received",)))}
    assert found == set(scenario.ids.values())


@pytest.fixture(scope="module")
def report(scenario: Ledger, cases: CaseView) -> SlaReport:
    policy = scenario.env.config.classification.policy.clock
    return build_sla_report(cases.statuses, NOW, policy, unlinked=cases.linked.unlinked)


def test_sla_report_lists_exactly_the_missed_and_late_clocks_of_the_case_model(
    scenario, cases, report
):
    expected = {
        (case.record_id, d.name, "missed" if d.state == "missed" else "late")
        for case in cases.statuses
        for d in case.deadlines
        if d.state == "missed" or (d.state == "met" and not d.status.on_time)
    }
    assert {(m.record_id, m.deadline, m.state) for m in report.missed} == expected
    assert (scenario.ids["missed"], "acknowledge", "missed") in expected
    assert scenario.ids["by_ref"] not in {m.record_id for m in report.missed}


def test_sla_report_counts_machine_mail_as_not_applicable_only(scenario, report):
    assert report.total.not_applicable == 1
    assert report.total.ack_missed == 1  # only the "missed" request, not the auto-reply
    assert scenario.ids["machine"] not in {m.record_id for m in report.missed}


def test_sla_report_respond_columns_match_the_case_model(cases, report):
    responds = [d for c in cases.statuses for d in c.deadlines if d.name == "respond"]
    met = [d for d in responds if d.state == "met"]
    assert report.total.respond_on_time + report.total.respond_late == len(met)
    assert report.total.respond_open == len(responds) - len(met)


@pytest.fixture(scope="module")
def exported(scenario: Ledger, tmp_path_factory: pytest.TempPathFactory) -> Path:
    env = scenario.env
    out = tmp_path_factory.mktemp("export") / "bundle"
    settings = ArchiveSettings(
        index_path=env.index_path, clock=env.config.classification.policy.clock
    )
    with Archive(
        env.runtime.store, env.runtime.ledger, settings, "person:a", clock=lambda: NOW
    ) as archive:
        archive.export(out, SearchCriteria(), reason="agreement test")
    return out


@pytest.mark.parametrize("name", sorted(EXPECTED_STATE))
def test_export_page_shows_what_the_case_model_says(scenario, cases, exported, name):
    manifest = json.loads((exported / "manifest.json").read_text())
    control = {r["record_id"]: r["control_number"] for r in manifest["records"]}
    page = (exported / "html" / f"{control[scenario.ids[name]]}.html").read_text()
    case = cases.for_record(scenario.ids[name])
    for result in case.deadlines:
        assert escape(DeadlineView.of(result).describe()) in page
    if case.not_applicable:
        assert escape(f"not applicable ({case.not_applicable})") in page
    assert ("MISSED" in page) == (case.state == "missed")


def test_a_correction_shows_who_why_and_the_old_and_new_due_date_in_trail_export_and_report(
    scenario, exported, report
):
    correction = scenario.correction
    assert correction is not None
    (change,) = correction.body["due_changes"]
    moved = f"{change['clock']} due {change['previous_due']} -> {change['due']}"
    trail = _trail(scenario, scenario.ids["missed"])
    (item,) = [i for i in trail.items if i.seq == correction.seq]
    assert item.summary.startswith("person:b: RECLASSIFIED notice_of_error ->")
    assert "(reason: disputes the payoff figure)" in item.summary and moved in item.summary
    manifest = json.loads((exported / "manifest.json").read_text())
    control = {r["record_id"]: r["control_number"] for r in manifest["records"]}
    page = (exported / "html" / f"{control[scenario.ids['missed']]}.html").read_text()
    assert escape(item.summary) in page
    (row,) = [r for r in report.corrections if r.type == "case.reclassified"]
    assert (row.seq, row.actor, row.reason) == (
        correction.seq,
        "person:b",
        "disputes the payoff figure",
    )
    assert (change["clock"], change["previous_due"], change["due"]) in row.due_changes
