"""RFC 3834 loop-safety decisions."""

from __future__ import annotations

import pytest

from handlers.loop_safety import (
    AddressFolding,
    RateState,
    ReplyHeaders,
    SourceFacts,
    should_auto_reply,
)

OWN = ("service@servicer.example", "escalations@servicer.example")
NO_RATE = RateState(limit_per_day=3)
INBOUND = SourceFacts()


def decide(headers: ReplyHeaders, source: SourceFacts = INBOUND, rate: RateState = NO_RATE):
    return should_auto_reply(headers, source, OWN, rate)


def customer(**kw) -> ReplyHeaders:
    values = {"from_addresses": ("Ana@Borrower.example",), "return_path": "<ana@borrower.example>"}
    values.update(kw)
    return ReplyHeaders(**values)


def test_normal_customer_email_is_answered_to_the_from_address():
    d = decide(customer())
    assert (d.reply, d.reason, d.target) == (True, "ok", "ana@borrower.example")


def test_auto_replied_message_from_another_system_is_not_answered():
    d = decide(customer(auto_submitted="auto-replied"))
    assert (d.reply, d.reason) == (False, "auto-submitted")


def test_auto_submitted_no_is_answered():
    assert decide(customer(auto_submitted="no")).reply is True


def test_mailing_list_with_list_id_is_not_answered():
    d = decide(customer(list_id="<announce.lists.example>"))
    assert (d.reply, d.reason) == (False, "mailing-list")


def test_other_list_header_is_not_answered():
    d = decide(customer(list_headers=("List-Unsubscribe",)))
    assert (d.reply, d.reason) == (False, "mailing-list")


def test_precedence_list_is_not_answered():
    d = decide(customer(precedence="List"))
    assert (d.reply, d.reason) == (False, "precedence-bulk-list-junk")


def test_bounce_with_empty_return_path_is_not_answered():
    d = decide(customer(return_path="<>"))
    assert (d.reply, d.reason) == (False, "empty-return-path")


def test_mailer_daemon_sender_is_not_answered():
    d = decide(customer(from_addresses=("MAILER-DAEMON@mx.borrower.example",), return_path=None))
    assert (d.reply, d.reason) == (False, "machine-sender")


def test_noreply_sender_is_not_answered():
    for sender in ("noreply@bank.example", "no-reply@bank.example", "do-not-reply@bank.example"):
        d = decide(customer(from_addresses=(sender,), return_path=None))
        assert (d.reply, d.reason) == (False, "machine-sender"), sender


def test_a_noreply_word_after_a_system_prefix_is_not_answered():
    # systems name their senders after the service: voicemail, e-filing, file sharing
    for sender in (
        "vm-noreply@voice.example",
        "efiling-noreply@clerk.example",
        "drive-shares-dm-noreply@google.com",
        "consumer.noreply@insurer.example",
        "alerts+donotreply@bank.example",
    ):
        d = decide(customer(from_addresses=(sender,), return_path=None))
        assert (d.reply, d.reason) == (False, "machine-sender"), sender


def test_a_name_that_only_contains_reply_letters_is_answered():
    # the word must stand between separators: a person's "renoreplyx" or "noreplies" is
    # no system's no-reply sender
    for sender in ("snoreply@mail.example", "noreplies.smith@mail.example"):
        d = decide(customer(from_addresses=(sender,), return_path=None))
        assert d.reply, sender


def test_our_own_address_is_not_answered():
    d = decide(customer(from_addresses=("Escalations@Servicer.example",), return_path=None))
    assert (d.reply, d.reason) == (False, "own-address")


def test_imported_mail_is_not_answered():
    d = decide(customer(), SourceFacts(imported=True))
    assert (d.reply, d.reason) == (False, "imported-message")


def test_outbound_mail_is_not_answered():
    d = decide(customer(), SourceFacts(direction="outbound"))
    assert (d.reply, d.reason) == (False, "outbound-message")


def test_sender_without_usable_address_is_not_answered():
    assert decide(customer(from_addresses=())).reason == "no-usable-sender"
    assert decide(customer(from_addresses=("ana@x.example\r\nBcc: v@x.example",))).reason == (
        "no-usable-sender"
    )


def test_several_from_addresses_are_not_answered():
    d = decide(customer(from_addresses=("a@x.example", "b@x.example")))
    assert (d.reply, d.reason) == (False, "no-usable-sender")


def test_rate_limit_exceeded_is_not_answered():
    d = decide(customer(), rate=RateState(2, ("ana@borrower.example",) * 2))
    assert (d.reply, d.reason) == (False, "rate-limited-sender")


def test_below_rate_limit_is_answered():
    assert decide(customer(), rate=RateState(2, ("ana@borrower.example",))).reply is True


def test_plus_tags_and_case_share_one_sender_count():
    sent = ("Ana+1@Borrower.example", "ana+two@borrower.example")
    d = decide(customer(from_addresses=("ana+3@borrower.example",)), rate=RateState(2, sent))
    assert (d.reply, d.reason) == (False, "rate-limited-sender")


def test_dots_fold_only_for_gmail_like_domains():
    gmail = RateState(1, ("a.n.a@gmail.com",))
    assert decide(customer(from_addresses=("ana@gmail.com",)), rate=gmail).reason == (
        "rate-limited-sender"
    )
    other = RateState(1, ("a.n.a@borrower.example",))
    assert decide(customer(from_addresses=("ana@borrower.example",)), rate=other).reply is True


def test_dot_folding_domains_are_configurable():
    folding = AddressFolding(dot_folding_domains=frozenset({"borrower.example"}))
    rate = RateState(1, ("a.n.a@borrower.example",), folding=folding)
    assert decide(customer(), rate=rate).reason == "rate-limited-sender"


def test_per_domain_limit_counts_every_sender_of_the_domain():
    rate = RateState(5, ("bo@borrower.example", "cy@borrower.example"), limit_per_domain=2)
    assert decide(customer(), rate=rate).reason == "rate-limited-domain"


def test_global_limit_counts_every_acknowledgment():
    rate = RateState(5, ("bo@a.example", "cy@b.example"), limit_global=2)
    assert decide(customer(), rate=rate).reason == "rate-limited-global"


@pytest.mark.parametrize("value", [("all",), ("AutoReply",), ("dr", "OOF")])
def test_x_auto_response_suppress_stops_the_reply(value):
    d = decide(customer(auto_response_suppress=value))
    assert (d.reply, d.reason) == (False, "auto-response-suppressed")


def test_x_auto_response_suppress_for_receipts_only_still_allows_the_reply():
    assert decide(customer(auto_response_suppress=("dr", "rn", "nrn"))).reply is True


@pytest.mark.parametrize(
    "address",
    ['"a b"@borrower.example', "a..b@borrower.example", ".a@borrower.example", "a@-x.example"],
)
def test_sender_that_is_not_one_plain_addr_spec_is_not_answered(address):
    d = decide(customer(from_addresses=(address,)))
    assert (d.reply, d.reason) == (False, "no-usable-sender")


def test_list_software_and_calendar_replies_are_not_answered():
    # RFC 5230 section 4.6 names LISTSERV and majordomo; Google Calendar sends the
    # replies to an invitation from one fixed address
    for sender in (
        "LISTSERV@lists.example",
        "majordomo@lists.example",
        "calendar-notification@google.com",
    ):
        d = decide(customer(from_addresses=(sender,), return_path=None))
        assert (d.reply, d.reason) == (False, "machine-sender"), sender


def test_people_writing_from_role_mailboxes_are_answered():
    # a title company, a law firm, a regulator's complaint portal: people read these
    for sender in (
        "payoff-request@title.example",
        "owner-relations@hoa.example",
        "notifications@consumerfinance.gov",
        "legal-notifications@firm.example",
    ):
        d = decide(customer(from_addresses=(sender,), return_path=None))
        assert d.reply, sender
