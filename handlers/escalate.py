"""Notifying the team behind each escalation route, at most once per (record, route).

The evidence comes from the record's classification in the ledger: rule names,
fields, spans, matched words and severities, plus the record's deadlines and
masked account numbers. Each route's target is an SNS topic, a team email address
(sent through a :class:`~handlers.transports.MailTransport`) or an HTTPS webhook
signed with HMAC-SHA256. The claim protocol of :mod:`handlers.claims` applies per
route: ``escalation.intent`` before, ``escalation.notified`` after, and
``escalation.unconfirmed`` if a claim was never confirmed. A duplicate page to an
on-call team is cheap compared with a borrower email, but an unconfirmed entry is
still better than a silent duplicate: it is what the audit needs to see.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any, Protocol

import structlog

from handlers import delivery
from handlers.ack_compose import clean_text
from handlers.acknowledge import HandleResult
from handlers.claims import ClaimingHandler, Ledger, claim_view, first_active_intent, utc_now
from handlers.config import EscalationConfig, read_secret, route_kind
from handlers.events import parse_event
from handlers.index import AckIndex
from handlers.outbound import (
    HeaderValue,
    Mailbox,
    MsgIds,
    OutboundMessage,
    Text,
    Token,
    build_message,
)
from handlers.record import InboundRecord, Match, record_from_entry
from handlers.transports import MailTransport, NotSentError
from pipeline.entries import decode, names
from pipeline.entries.models import (
    EscalationBody,
    EscalationFailed,
    EscalationIntent,
    EscalationNotified,
    EscalationUnconfirmed,
)
from pipeline.entries.references import reference_number
from pipeline.errors import HandlerError, LedgerError, RetryLaterError
from pipeline.ledger.entry import LedgerEntry
from pipeline.redact import evidence_words

if TYPE_CHECKING:
    import httpx
    from mypy_boto3_sns import SNSClient

log = structlog.get_logger(__name__)

KIND = "escalation"
NOTIFIED = names.ESCALATION_NOTIFIED
# Back-off per route after a temporary refusal: 1 minute, doubling, at most 1 hour
# (shorter than an acknowledgment's: a team waiting for an escalation is time-critical).
RETRY = delivery.RetryPolicy(timedelta(minutes=1), timedelta(hours=1))
_SEVERITY = {"low": 0, "medium": 1, "high": 2, "critical": 3}


class Notifier(Protocol):
    """Delivers one notification; returns the provider's id for it."""

    def notify(self, route: str, target: str, payload: Mapping[str, Any]) -> str:
        """Send ``payload`` to ``target``; raise :class:`NotSentError` if certainly not sent."""
        ...


def escalation_payload(record: InboundRecord, route: str, matches: list[Match]) -> dict[str, Any]:
    """The notification document: evidence, deadlines and record references only."""
    families = [f for f in record.families if f.route == route]
    # A family found by a signal rather than a keyword rule has no match of its own:
    # the route's severity is the highest of its matches and its families.
    severities = [m.severity for m in matches] + [f.severity for f in families]
    severity = max(severities, key=lambda s: _SEVERITY.get(s, -1), default="unknown")
    return {
        "type": "mailledger.escalation",
        "record_id": record.record_id,
        "reference": reference_number(record.record_id),
        "entry_seq": record.seq,
        "mailbox": record.mailbox,
        "received_at": record.received_at.astimezone(UTC).isoformat(),
        "category": record.category,
        "route": route,
        "severity": severity,
        "rules": sorted({m.rule for m in matches}),
        "families": [
            {
                "family": f.family,
                "severity": f.severity,
                "evidence": [
                    {
                        "rule": e.rule,
                        "field": e.field,
                        "span": [e.start, e.end],
                        "matched": evidence_words(clean_text(e.matched, 200)),
                        "language": e.language,
                    }
                    for e in f.evidence
                ],
            }
            for f in families
        ],
        "matches": [
            {
                "rule": m.rule,
                "field": m.field,
                "span": [m.start, m.end],
                "matched": evidence_words(clean_text(m.matched, 200)),
                "severity": m.severity,
            }
            for m in matches
        ],
        "deadlines": [
            {
                "name": d.name,
                "due": d.due.isoformat(),
                "business_days": d.business_days,
                "rule": d.rule,
            }
            for d in record.deadlines
        ],
        "account_numbers": list(record.masked_accounts),
    }


class SnsNotifier:
    """Publishes the payload as JSON to an SNS topic."""

    def __init__(self, client: SNSClient) -> None:
        """``client``: a boto3 SNS client."""
        self._client = client

    def notify(self, route: str, target: str, payload: Mapping[str, Any]) -> str:
        """Publish; the SNS MessageId is the provider id."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self._client.publish(
                TopicArn=target,
                Message=json.dumps(payload, sort_keys=True),
                Subject=f"Escalation {payload['severity']}: {route}"[:99],
                MessageAttributes={
                    "route": {"DataType": "String", "StringValue": route},
                    "severity": {"DataType": "String", "StringValue": str(payload["severity"])},
                },
            )
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise NotSentError(
                f"SNS refused the publish to {target}: {error.get('Code')} {error.get('Message')}"
            ) from exc
        except BotoCoreError as exc:
            raise HandlerError(f"SNS publish to {target} failed: {exc}") from exc
        return response["MessageId"]


class EmailNotifier:
    """Emails the payload to a team address through a mail transport."""

    def __init__(self, transport: MailTransport, from_address: str, domain: str) -> None:
        """``domain`` is the right-hand side of the deterministic Message-IDs."""
        self._transport = transport
        self._from = from_address
        self._domain = domain

    def build(self, route: str, target: str, payload: Mapping[str, Any]) -> OutboundMessage:
        """The notification email (deterministic Message-ID per record and route).

        Headers hold only configured values (route, rule names, addresses) and the
        record id; nothing from the inbound message.
        """
        safe_route = re.sub(r"[^A-Za-z0-9.-]", "-", route)
        safe_record = re.sub(r"[^A-Za-z0-9.-]", "", str(payload["record_id"]))
        subject = clean_text(
            f"[Escalation {payload['severity']}] {route}: {', '.join(payload['rules'])} "
            f"[Ref {payload['reference']}]",
            200,
        )
        headers: list[tuple[str, HeaderValue]] = [
            ("From", Mailbox(self._from, "mailledger escalations")),
            ("To", Mailbox(target.removeprefix("mailto:"))),
            ("Subject", Text(subject)),
            ("Date", Token(format_datetime(datetime.now(UTC)))),
            ("Message-ID", MsgIds((f"<esc.{safe_record}.{safe_route}@{self._domain}>",))),
            # RFC 3834 section 5: machine-generated, so responders must not answer it.
            ("Auto-Submitted", Token("auto-generated")),
        ]
        lines = [
            f"Record {payload['record_id']} (reference {payload['reference']}, ledger entry "
            f"{payload['entry_seq']}) in mailbox {payload['mailbox']} matched escalation rules "
            f"for route {route} (severity {payload['severity']}).",
            "",
            "Families:",
            *(f"  - {f['family']} ({f['severity']})" for f in payload["families"]),
            "",
            "Evidence:",
            *(
                f"  - {m['rule']} ({m['severity']}) in {m['field']} "
                f"at {m['span'][0]}-{m['span'][1]}: {m['matched']!r}"
                for m in payload["matches"]
            ),
            *(
                f"  - {f['family']}: {e['rule']} in {e['field']} "
                f"at {e['span'][0]}-{e['span'][1]} ({e['language']}): {e['matched']!r}"
                for f in payload["families"]
                for e in f["evidence"]
            ),
            "",
            "Deadlines:",
            *(f"  - {d['name']}: {d['due']} ({d['rule']})" for d in payload["deadlines"]),
            "",
            f"Account numbers (masked): {', '.join(payload['account_numbers']) or 'none'}",
        ]
        return build_message(headers, "\n".join(lines) + "\n")

    def notify(self, route: str, target: str, payload: Mapping[str, Any]) -> str:
        """Send; the transport's provider id is returned."""
        return self._transport.send(self.build(route, target, payload)).provider_id


class WebhookNotifier:
    """POSTs the payload as JSON with an HMAC-SHA256 signature.

    Signature: ``X-Mailledger-Signature: sha256=<hex HMAC(secret, timestamp + "." + body)>``
    with the Unix ``X-Mailledger-Timestamp``, so a receiver can reject replays.
    """

    def __init__(self, secret: str, client: httpx.Client, clock: Callable[[], datetime]) -> None:
        """``client`` is an httpx client (its timeout applies)."""
        self._secret = secret.encode("utf-8")
        self._client = client
        self._clock = clock

    def sign(self, timestamp: str, body: bytes) -> str:
        """The signature header value for a body sent at ``timestamp``."""
        mac = hmac.new(self._secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256)
        return "sha256=" + mac.hexdigest()

    def notify(self, route: str, target: str, payload: Mapping[str, Any]) -> str:
        """POST; a 2xx answer is success, its request id (or status) the provider id."""
        import httpx

        body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("utf-8")
        timestamp = str(int(self._clock().timestamp()))
        headers = {
            "Content-Type": "application/json",
            "X-Mailledger-Timestamp": timestamp,
            "X-Mailledger-Signature": self.sign(timestamp, body),
            "Idempotency-Key": f"esc-{payload['record_id']}-{route}",
        }
        try:
            response = self._client.post(target, content=body, headers=headers)
        except (httpx.ConnectError, httpx.InvalidURL) as exc:
            raise NotSentError(f"webhook {target} unreachable: {exc}") from exc
        except httpx.HTTPError as exc:
            raise HandlerError(f"webhook {target} failed mid-request: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise NotSentError(f"webhook {target} answered HTTP {response.status_code}")
        return response.headers.get("x-request-id") or f"HTTP {response.status_code}"


class EscalationHandler(ClaimingHandler):
    """Notifies each matched route of a record once (see the module docstring)."""

    def __init__(
        self,
        ledger: Ledger,
        config: EscalationConfig,
        actor: str,
        notifiers: Mapping[str, Notifier],
        index: AckIndex | None = None,
        clock: Callable[[], datetime] = utc_now,
        in_flight_grace: timedelta = timedelta(minutes=15),
    ) -> None:
        """``notifiers`` maps target kind (``sns``, ``email``, ``webhook``) to a notifier."""
        super().__init__(ledger, actor, index, clock, in_flight_grace)
        self._config = config
        self._notifiers = notifiers
        self._channel = delivery.Channel(KIND, "notification", KIND, RETRY, self._append)

    def handle(self, event: Mapping[str, Any] | str | bytes) -> list[HandleResult]:
        """Notify every route of the record's matches; raise after trying all if any failed."""
        ref = parse_event(event)
        if not ref.type.endswith("message.escalated"):
            return [HandleResult("ignored", ref.record_id, detail=ref.type)]
        try:
            entry = self._ledger.entry(ref.entry_seq)
        except LedgerError as exc:
            raise HandlerError(
                f"event {ref.id}: ledger has no entry {ref.entry_seq} ({exc}); retry later"
            ) from exc
        record = record_from_entry(entry, ref.record_id)
        # Only the routes classification decided to escalate to: a kind or signal rule's
        # match carries no route of its own ("none") and must not be notified.
        by_route: dict[str, list[Match]] = {
            route: [m for m in record.matches if m.route == route] for route in record.routes
        }
        results: list[HandleResult] = []
        errors: list[HandlerError] = []
        for route, matches in by_route.items():
            try:
                results.append(self._route(record, route, matches))
            except HandlerError as exc:
                errors.append(exc)
        if errors:
            text = "; ".join(str(e) for e in errors)
            # Only waiting routes: the event is deferred, not failed.
            if all(isinstance(e, RetryLaterError) for e in errors):
                raise RetryLaterError(text)
            raise HandlerError(text)
        return results

    def _route(self, record: InboundRecord, route: str, matches: list[Match]) -> HandleResult:
        bound = log.bind(record_id=record.record_id, entry_seq=record.seq, route=route)
        target = self._config.routes.get(route)
        if target is None:
            raise HandlerError(
                f"record {record.record_id}: rule route {route!r} has no target in "
                "escalation.routes; add one (SNS topic ARN, email address or https URL)"
            )
        kind = route_kind(target)
        notifier = self._notifiers.get(kind)
        if notifier is None:
            raise HandlerError(f"route {route!r}: no {kind} notifier is configured")

        def same_route(e: LedgerEntry) -> bool:
            body = decode(e).body
            return isinstance(body, EscalationBody) and body.route == route

        now = self._clock()
        earlier = self._index.for_record(record.record_id, f"{KIND}.")
        view = claim_view(earlier, KIND, (NOTIFIED,), now, self._grace, same_route)
        if view.state == "done":
            return HandleResult("already-done", record.record_id, detail=route)
        if view.state == "in-flight":
            raise RetryLaterError(
                f"record {record.record_id} route {route!r}: a notification claim is in flight; "
                "retry later"
            )
        if view.state == "stale":
            assert view.intent is not None
            entry = self._append(
                EscalationUnconfirmed(
                    record_id=record.record_id,
                    entry_seq=record.seq,
                    route=route,
                    intent_seq=view.intent.seq,
                    reason="claimed but never confirmed; check the target before re-sending",
                )
            )
            bound.warning("escalation.unconfirmed", intent_seq=view.intent.seq)
            return HandleResult("unconfirmed", record.record_id, (entry.seq,), route)
        mine = [e for e in earlier if same_route(e)]
        subject = f"record {record.record_id} route {route!r}"
        self._channel.wait_out_backoff(mine, now, subject)
        rules = sorted({m.rule for m in matches})
        intent = self._append(
            EscalationIntent(
                record_id=record.record_id, entry_seq=record.seq, route=route, rules=tuple(rules)
            )
        )
        winner = first_active_intent(
            self._index.for_record(record.record_id, f"{KIND}."), KIND, same_route
        )
        if winner is None or winner.seq != intent.seq:
            return HandleResult("lost-claim", record.record_id, (intent.seq,), route)
        payload = escalation_payload(record, route, matches)
        failed = delivery.failure_of(EscalationFailed, record, intent, route=route)
        # A route refused for good is recorded for a person and not retried, so the other
        # routes and records are not held up.
        provider_id = self._channel.send(
            lambda: notifier.notify(route, target, payload), subject, mine, now, failed, bound
        )
        if isinstance(provider_id, delivery.Refused):
            return HandleResult(
                "failed-permanent", record.record_id, (intent.seq, provider_id.entry.seq), route
            )
        entry = self._append(
            EscalationNotified(
                record_id=record.record_id,
                entry_seq=record.seq,
                intent_seq=intent.seq,
                route=route,
                target_kind=kind,
                rules=tuple(rules),
                severity=payload["severity"],
                provider_ids=(provider_id,),
            )
        )
        bound.info("escalation.notified", kind=kind, entry=entry.seq)
        return HandleResult("notified", record.record_id, (intent.seq, entry.seq), route)


def build_notifiers(
    config: EscalationConfig,
    transport: MailTransport | None = None,
    sns_client: SNSClient | None = None,
    http_client: httpx.Client | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> dict[str, Notifier]:
    """Notifiers for the target kinds the configured routes use."""
    kinds = {route_kind(t) for t in config.routes.values()}
    out: dict[str, Notifier] = {}
    if "sns" in kinds:
        if sns_client is None:
            import boto3

            sns_client = boto3.client(
                "sns", region_name=config.sns_region, endpoint_url=config.sns_endpoint_url
            )
        out["sns"] = SnsNotifier(sns_client)
    if "email" in kinds:
        if transport is None:
            from handlers.transports import build_transport

            assert config.transport is not None
            transport = build_transport(config.transport)
        assert config.from_address is not None
        out["email"] = EmailNotifier(
            transport, config.from_address, config.from_address.rsplit("@", 1)[1]
        )
    if "webhook" in kinds:
        import httpx

        secret = read_secret(
            config.webhook_secret_env, config.webhook_secret_file, "webhook secret"
        )
        client = http_client or httpx.Client(timeout=config.webhook_timeout_seconds)
        out["webhook"] = WebhookNotifier(secret, client, clock)
    return out
