"""Escalation notifications: SNS (observed through a subscribed SQS queue), email, webhook."""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
import threading
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import httpx
import pytest

from handlers.config import EscalationConfig
from handlers.escalate import EscalationHandler, build_notifiers
from handlers.transports import NotSentError
from pipeline.errors import HandlerError, RetryLaterError
from tests.handlers.conftest import T0

MATCHES = [
    {
        "rule": "foreclosure",
        "field": "text",
        "item": 0,
        "start": 10,
        "end": 21,
        "matched": "foreclosure",
        "severity": "high",
        "route": "legal",
    },
    {
        "rule": "attorney",
        "field": "subject",
        "item": 0,
        "start": 0,
        "end": 8,
        "matched": "attorney",
        "severity": "critical",
        "route": "legal",
    },
    {
        "rule": "complaint",
        "field": "text",
        "item": 0,
        "start": 30,
        "end": 39,
        "matched": "complaint",
        "severity": "medium",
        "route": "complaints",
    },
]


def escalated(add_record, **kw):
    event, seq = add_record(matches=MATCHES, **kw)
    event["type"] = "message.escalated"
    return event, seq


@pytest.fixture
def sns_topic_with_queue(moto_server):
    sns, sqs = moto_server.client("sns"), moto_server.client("sqs")
    name = f"esc-{uuid.uuid4().hex[:8]}"
    topic = sns.create_topic(Name=name)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    return sns, sqs, topic, queue_url


def drain(sqs, queue_url):
    out = []
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        if not got.get("Messages"):
            return out
        for m in got["Messages"]:
            out.append(json.loads(json.loads(m["Body"])["Message"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])


def test_sns_route_is_published_once_with_evidence_and_recorded(
    sns_topic_with_queue, ledger, add_record, transport
):
    sns, sqs, topic, queue_url = sns_topic_with_queue
    config = EscalationConfig(
        routes={"legal": topic, "complaints": "mailto:cx@servicer.example"},
        from_address="ledger@servicer.example",
        transport={"kind": "ses", "region": "us-east-1"},
    )
    notifiers = build_notifiers(config, transport=transport, sns_client=sns)
    handler = EscalationHandler(ledger, config, "esc:test", notifiers, clock=lambda: T0)
    event, seq = escalated(add_record)
    handler.handle(event)
    handler.handle(event)  # duplicate delivery

    (published,) = drain(sqs, queue_url)
    assert published["record_id"] == "r-0123456789abcdef01234567"
    assert published["route"] == "legal" and published["severity"] == "critical"
    assert published["rules"] == ["attorney", "foreclosure"]
    assert {
        (m["rule"], m["field"], tuple(m["span"]), m["matched"]) for m in published["matches"]
    } == {
        ("foreclosure", "text", (10, 21), "foreclosure"),
        ("attorney", "subject", (0, 8), "attorney"),
    }
    assert published["account_numbers"] == ["****5678"]  # never the full number
    assert "0012345678" not in json.dumps(published)
    assert [d["name"] for d in published["deadlines"]] == ["acknowledge", "respond"]

    notified = [e.body for e in ledger.entries() if e.type == "escalation.notified"]
    assert sorted(n["route"] for n in notified) == ["complaints", "legal"]
    legal = next(n for n in notified if n["route"] == "legal")
    assert legal["target_kind"] == "sns" and legal["rules"] == ["attorney", "foreclosure"]
    assert legal["entry_seq"] == seq and len(legal["provider_ids"]) == 1
    assert len(transport.sent) == 1  # complaints route emailed once


def test_matched_words_holding_an_account_number_are_published_masked(
    sns_topic_with_queue, ledger, add_record, transport
):
    sns, sqs, topic, queue_url = sns_topic_with_queue
    config = EscalationConfig(
        routes={"legal": topic},
        from_address="ledger@servicer.example",
        transport={"kind": "ses", "region": "us-east-1"},
    )
    handler = EscalationHandler(
        ledger,
        config,
        "esc:test",
        build_notifiers(config, transport=transport, sns_client=sns),
        clock=lambda: T0,
    )
    match = dict(MATCHES[1], matched="attorney for loan 4417-829-301")
    event, _ = add_record(matches=[match])
    event["type"] = "message.escalated"
    handler.handle(event)

    (published,) = drain(sqs, queue_url)
    assert [m["matched"] for m in published["matches"]] == ["attorney for loan ****9301"]


def test_email_route_reaches_the_team_through_the_smtp_sink(
    smtp_inbox, monkeypatch, ledger, add_record
):
    monkeypatch.setenv("TEST_SMTP_PASSWORD", smtp_inbox.password)
    config = EscalationConfig(
        routes={"legal": "legal-team@servicer.example", "complaints": "cx@servicer.example"},
        from_address="ledger@servicer.example",
        transport={
            "kind": "smtp",
            "host": "localhost",
            "port": smtp_inbox.port,
            "tls": "starttls",
            "username": smtp_inbox.user,
            "password_env": "TEST_SMTP_PASSWORD",
            "ca_file": str(smtp_inbox.ca_file),
        },
    )
    handler = EscalationHandler(
        ledger, config, "esc:test", build_notifiers(config), clock=lambda: T0
    )
    event, _ = escalated(add_record)
    handler.handle(event)
    got = smtp_inbox.wait_for(2)
    by_rcpt = {m.rcpt_tos[0]: m.message for m in got}
    legal = by_rcpt["legal-team@servicer.example"]
    assert legal["Auto-Submitted"] == "auto-generated"
    assert "[Escalation critical] legal: attorney, foreclosure [Ref ML-" in legal["Subject"]
    text = legal.get_body().get_content()
    assert "foreclosure (high) in text at 10-21: 'foreclosure'" in text
    assert "****5678" in text and "0012345678" not in text
    notified = [e.body for e in ledger.entries() if e.type == "escalation.notified"]
    assert all(n["provider_ids"][0].startswith("2.0.0") for n in notified)


def test_email_route_refused_with_550_ends_that_route_and_the_other_is_notified(
    smtp_inbox, monkeypatch, ledger, add_record
):
    monkeypatch.setenv("TEST_SMTP_PASSWORD", smtp_inbox.password)
    smtp_inbox.refuse(rcpt={"legal-team@servicer.example": "550 5.1.1 no such user"})
    config = EscalationConfig(
        routes={"legal": "legal-team@servicer.example", "complaints": "cx@servicer.example"},
        from_address="ledger@servicer.example",
        transport={
            "kind": "smtp",
            "host": "localhost",
            "port": smtp_inbox.port,
            "tls": "starttls",
            "username": smtp_inbox.user,
            "password_env": "TEST_SMTP_PASSWORD",
            "ca_file": str(smtp_inbox.ca_file),
        },
    )
    handler = EscalationHandler(
        ledger, config, "esc:test", build_notifiers(config), clock=lambda: T0
    )
    event, _ = escalated(add_record)
    outcomes = {r.detail: r.outcome for r in handler.handle(event)}
    assert outcomes == {"legal": "failed-permanent", "complaints": "notified"}
    assert [m.rcpt_tos for m in smtp_inbox.wait_for(1)] == [("cx@servicer.example",)]
    size = ledger.size()
    assert {r.outcome for r in handler.handle(event)} == {"already-done"}
    assert ledger.size() == size


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).status)
        self.send_header("X-Request-Id", f"req-{len(type(self).received)}")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    _Receiver.received = []
    _Receiver.status = 200
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", _Receiver
    server.shutdown()


def test_webhook_route_is_posted_with_a_valid_hmac_signature(
    webhook, monkeypatch, ledger, add_record
):
    url, receiver = webhook
    monkeypatch.setenv("TEST_HOOK_SECRET", "hook-secret")
    config = EscalationConfig(
        routes={"legal": url, "complaints": url}, webhook_secret_env="TEST_HOOK_SECRET"
    )
    with httpx.Client(timeout=5) as client:
        handler = EscalationHandler(
            ledger,
            config,
            "esc:test",
            build_notifiers(config, http_client=client, clock=lambda: T0),
            clock=lambda: T0,
        )
        event, _ = escalated(add_record)
        handler.handle(event)
        handler.handle(event)
    assert len(receiver.received) == 2
    headers, body = receiver.received[0]
    expected = hmac.new(
        b"hook-secret", headers["X-Mailledger-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Mailledger-Signature"] == f"sha256={expected}"
    assert json.loads(body)["route"] in ("legal", "complaints")
    notified = [e.body for e in ledger.entries() if e.type == "escalation.notified"]
    assert {n["provider_ids"][0] for n in notified} == {"req-1", "req-2"}


def test_webhook_error_status_releases_the_claim_for_a_retry_after_the_backoff(
    webhook, monkeypatch, ledger, add_record
):
    url, receiver = webhook
    receiver.status = 503
    monkeypatch.setenv("TEST_HOOK_SECRET", "s")
    config = EscalationConfig(
        routes={"legal": url, "complaints": url}, webhook_secret_env="TEST_HOOK_SECRET"
    )
    now = {"t": T0}
    with httpx.Client(timeout=5) as client:
        handler = EscalationHandler(
            ledger, config, "e", build_notifiers(config, http_client=client), clock=lambda: now["t"]
        )
        event, _ = escalated(add_record)
        with pytest.raises(HandlerError, match="HTTP 503"):
            handler.handle(event)
        receiver.status = 200
        with pytest.raises(RetryLaterError, match="not before"):
            handler.handle(event)  # within the minute of back-off: nothing is tried
        now["t"] = T0 + timedelta(minutes=1)
        handler.handle(event)
    types = [e.type for e in ledger.entries() if e.type.startswith("escalation.")]
    assert types.count("escalation.failed") == 2 and types.count("escalation.notified") == 2
    assert len(receiver.received) == 4


def test_unconfigured_route_is_an_actionable_error_and_other_routes_still_notified(
    ledger, add_record, transport
):
    config = EscalationConfig(
        routes={"legal": "mailto:legal@servicer.example"},
        from_address="ledger@servicer.example",
        transport={"kind": "ses", "region": "us-east-1"},
    )
    handler = EscalationHandler(
        ledger, config, "e", build_notifiers(config, transport=transport), clock=lambda: T0
    )
    event, _ = escalated(add_record)
    with pytest.raises(
        HandlerError, match=r"route 'complaints' has no target in escalation.routes"
    ):
        handler.handle(event)
    assert len(transport.sent) == 1


def test_crash_after_escalation_claim_is_recorded_unconfirmed_not_resent(
    ledger, add_record, transport
):
    from datetime import timedelta

    config = EscalationConfig(
        routes={"legal": "legal@servicer.example", "complaints": "cx@servicer.example"},
        from_address="ledger@servicer.example",
        transport={"kind": "ses", "region": "us-east-1"},
    )
    transport.fail = RuntimeError("killed")
    event, _ = escalated(add_record)
    first = EscalationHandler(
        ledger, config, "e", build_notifiers(config, transport=transport), clock=lambda: T0
    )
    with pytest.raises(RuntimeError):
        first.handle(event)
    transport.fail = None
    later = EscalationHandler(
        ledger,
        config,
        "e",
        build_notifiers(config, transport=transport),
        clock=lambda: T0 + timedelta(hours=1),
    )
    results = later.handle(event)
    assert {r.outcome for r in results} == {"unconfirmed", "notified"}
    assert len(transport.sent) == 1  # only the route that was never claimed


def test_refused_sns_publish_is_not_sent(moto_server, ledger, add_record):
    from handlers.escalate import SnsNotifier

    notifier = SnsNotifier(moto_server.client("sns"))
    with pytest.raises(NotSentError, match="SNS refused"):
        notifier.notify(
            "legal", "arn:aws:sns:us-east-1:123456789012:does-not-exist", {"severity": "high"}
        )


def test_a_match_without_an_escalation_route_notifies_nobody(ledger, add_record, transport):
    # A request-kind rule (payoff, information request) matches with route "none": it
    # starts a clock but escalates nothing, so no route is looked up for it.
    kind_match = {**MATCHES[0], "rule": "payoff_request", "route": "none", "severity": "low"}
    config = EscalationConfig(
        routes={"legal": "mailto:legal@servicer.example"},
        from_address="ledger@servicer.example",
        transport={"kind": "ses", "region": "us-east-1"},
    )
    handler = EscalationHandler(
        ledger, config, "e", build_notifiers(config, transport=transport), clock=lambda: T0
    )
    event, _ = add_record(matches=[MATCHES[1], kind_match])
    event["type"] = "message.escalated"
    handler.handle(event)
    notified = [e.body for e in ledger.entries() if e.type == "escalation.notified"]
    assert [n["route"] for n in notified] == ["legal"]
    assert len(transport.sent) == 1


def test_a_family_found_without_a_keyword_match_is_escalated_with_its_evidence(
    ledger, add_record, transport
):
    config = EscalationConfig(
        routes={"error-resolution": "mailto:errors@servicer.example"},
        from_address="ledger@servicer.example",
        transport={"kind": "ses", "region": "us-east-1"},
    )
    handler = EscalationHandler(
        ledger, config, "e", build_notifiers(config, transport=transport), clock=lambda: T0
    )
    event, _ = add_record(
        matches=[],
        classification_extra={
            "escalated": True,
            "routes": ["error-resolution"],
            "escalation_families": [
                {
                    "family": "notice_of_error",
                    "route": "error-resolution",
                    "severity": "high",
                    "evidence": [
                        {
                            "rule": "error_assertion",
                            "field": "text",
                            "start": 4,
                            "end": 30,
                            "matched": "you charged me twice",
                            "language": "en",
                        }
                    ],
                }
            ],
        },
    )
    event["type"] = "message.escalated"
    handler.handle(event)
    (sent,) = transport.sent
    text = email.message_from_bytes(sent.data, policy=email.policy.default).get_content()
    assert "notice_of_error (high)" in text
    assert "error_assertion in text at 4-30 (en): 'you charged me twice'" in text
    notified = [e.body for e in ledger.entries() if e.type == "escalation.notified"]
    assert [n["route"] for n in notified] == ["error-resolution"]
