"""The webhook server records requests and answers as planned."""

from __future__ import annotations

import http.client
import json

import pytest

from tests.harness.webhook_server import WebhookServer


def _post(server: WebhookServer, payload: dict[str, object]) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.request(
            "POST",
            "/hook",
            body=json.dumps(payload).encode(),
            headers={"Content-Type": "application/cloudevents+json", "X-Sig": "abc"},
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_post_is_recorded_with_headers_and_body(webhook_server: WebhookServer) -> None:
    assert _post(webhook_server, {"id": "1"}) == 200
    [req] = webhook_server.wait_for(1)
    assert req.method == "POST" and req.path == "/hook"
    assert req.header("x-sig") == "abc"
    assert req.header("Content-Type") == "application/cloudevents+json"
    assert req.json() == {"id": "1"}


def test_planned_statuses_come_first(webhook_server: WebhookServer) -> None:
    webhook_server.respond_with(500, 503)
    assert [_post(webhook_server, {"n": i}) for i in range(3)] == [500, 503, 200]
    assert [r.status for r in webhook_server.requests] == [500, 503, 200]


def test_wait_for_times_out_when_nothing_arrives(webhook_server: WebhookServer) -> None:
    with pytest.raises(TimeoutError):
        webhook_server.wait_for(1, timeout=0.1)
