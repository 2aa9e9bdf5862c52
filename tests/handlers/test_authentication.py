"""Trusting only our receiving MTA's Authentication-Results (RFC 8601 section 5)."""

from __future__ import annotations

import pytest

from handlers.inbound_headers import authentication_verdict, header_facts

MX = "mx.servicer.example"


def raw(*fields: str) -> bytes:
    head = "".join(f"{f}\r\n" for f in fields)
    return (head + "From: ana@borrower.example\r\nSubject: hi\r\n\r\nbody\r\n").encode()


def verdict(*fields: str, domain: str = "borrower.example"):
    return authentication_verdict(header_facts(raw(*fields)), MX, domain)


def test_dmarc_pass_from_our_mta_authenticates():
    v = verdict(f"Authentication-Results: {MX}; dmarc=pass header.from=borrower.example")
    assert (v.passed, v.method) == (True, "dmarc")


def test_spf_pass_aligned_with_the_from_domain_authenticates():
    v = verdict(f"Authentication-Results: {MX}; spf=pass smtp.mailfrom=ana@borrower.example")
    assert (v.passed, v.method) == (True, "spf-aligned")


def test_dkim_pass_aligned_with_the_from_domain_authenticates():
    v = verdict(f"Authentication-Results: {MX}; dkim=pass (good sig) header.d=borrower.example")
    assert (v.passed, v.method) == (True, "dkim-aligned")


def test_spf_pass_for_another_domain_does_not_authenticate():
    v = verdict(f"Authentication-Results: {MX}; spf=pass smtp.mailfrom=bounce@mailer.example")
    assert (v.passed, v.method) == (False, "no-aligned-pass")


def test_dmarc_fail_does_not_authenticate():
    v = verdict(f"Authentication-Results: {MX}; dmarc=fail header.from=borrower.example")
    assert v.passed is False


def test_forged_result_below_our_mtas_is_ignored():
    v = verdict(
        f"Authentication-Results: {MX}; dmarc=fail header.from=borrower.example",
        f"Authentication-Results: {MX}; dmarc=pass header.from=borrower.example",
    )
    assert v.passed is False


def test_topmost_result_with_another_authserv_id_is_not_trusted():
    v = verdict("Authentication-Results: mx.evil.example; dmarc=pass header.from=borrower.example")
    assert (v.passed, v.method) == (False, "foreign-authserv-id")


def test_no_authentication_results_does_not_authenticate():
    assert verdict().method == "no-authentication-results"


def test_results_in_comments_are_not_read():
    v = verdict(f"Authentication-Results: {MX}; none (dmarc=pass header.from=borrower.example)")
    assert v.passed is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [("All", ("all",)), ("DR, OOF", ("dr", "oof")), ("AutoReply", ("autoreply",))],
)
def test_x_auto_response_suppress_is_read_from_the_raw_header_block(value, expected):
    assert header_facts(raw(f"X-Auto-Response-Suppress: {value}")).auto_response_suppress == (
        expected
    )
