"""Request kinds, escalation families and the context that changes their meaning."""

from __future__ import annotations

import json

import pytest

from pipeline.classify.classifier import Classification, classify
from pipeline.classify.rules import MessageFields, load_default_rules

RULES = load_default_rules()


def run(text: str, subject: str = "", **kw: object) -> Classification:
    return classify(MessageFields(subject=subject, text=text, **kw), RULES)  # type: ignore[arg-type]


def test_notice_of_error_is_found_without_the_words_notice_of_error() -> None:
    c = run(
        "I paid on the 1st but you applied my whole payment to principal by mistake "
        "and charged me a late fee."
    )
    assert "notice_of_error" in c.request_kinds
    (noe,) = [h for h in c.families if h.family == "notice_of_error"]
    assert noe.route == "error-resolution"
    assert {e.signal for e in noe.evidence} == {"error_cue+servicing_object"}
    assert "notice of error" not in c.to_json()["matches"]


def test_a_configured_notice_of_error_rule_routes_to_error_resolution() -> None:
    c = run("Please accept this notice of error.")
    assert [(h.family, h.route) for h in c.families] == [("notice_of_error", "error-resolution")]


def test_who_owns_my_loan_is_a_request_for_information_about_the_owner() -> None:
    c = run("Who owns my loan now? I got a transfer letter.")
    assert c.request_kinds == ("request_for_information",)
    assert c.request_subkinds == ("owner_identity",)


def test_a_payment_history_request_is_a_request_for_information() -> None:
    c = run("Please send me my payment history for 2025.")
    assert c.request_kinds == ("request_for_information",)
    assert not c.escalated


def test_a_wrong_payoff_figure_is_a_payoff_balance_error() -> None:
    c = run("The payoff statement you sent is wrong, it includes fees I already paid.")
    assert "notice_of_error" in c.request_kinds
    assert "payoff_balance_error" in c.request_subkinds


def test_a_sale_while_an_application_is_pending_is_a_foreclosure_sale_error() -> None:
    c = run(
        "The sheriff sale is set for March 3, 2027 but my loan modification application "
        "is complete and under review."
    )
    assert "foreclosure_sale_error" in c.request_subkinds
    assert {"notice_of_error", "foreclosure_sale"} <= set(c.family_names)
    assert c.foreclosure_sale_date == "2027-03-03"


def test_a_negated_complaint_is_suppressed_with_its_cue() -> None:
    c = run("This is not a complaint, just a question about my escrow.")
    assert "complaint" not in c.family_names
    assert any(s.reason == "negation" and s.cue == "not" for s in c.suppressions)


def test_a_resolved_complaint_does_not_escalate() -> None:
    c = run("My complaint about the late fee was resolved, thank you.")
    assert not c.escalated
    assert any(s.reason == "resolution" for s in c.suppressions)


def test_escalation_words_only_in_quoted_history_do_not_escalate_a_polite_reply() -> None:
    c = run(
        "Thanks, that answers my question.\n\n"
        "On Mon, Jan 5, 2026 at 9:00 AM Borrower <b@example.com> wrote:\n"
        "> I am going to file a complaint with the CFPB and call my lawyer.\n"
    )
    assert not c.escalated
    assert {s.reason for s in c.suppressions} == {"quoted"}


def test_a_forwarded_complaint_escalates() -> None:
    c = run(
        "See below, my mother asked me to send this on.\n\n"
        "---------- Forwarded message ---------\n"
        "From: Rosa <rosa@example.com>\n"
        "I filed a complaint with the CFPB because nobody answers.\n",
        subject="Fwd: my mother's loan",
    )
    assert "regulator_complaint" in c.family_names


def test_attorney_client_in_a_confidentiality_footer_is_not_legal_representation() -> None:
    c = run(
        "Please send my 1098 form.\n\n"
        "CONFIDENTIALITY NOTICE: This email may contain privileged attorney-client "
        "material intended only for the named recipient. If you received this email in "
        "error, delete it."
    )
    assert "legal_representation" not in c.family_names
    assert any(s.reason == "disclaimer" for s in c.suppressions)


def test_my_lawyer_told_me_to_ask_is_no_legal_representation() -> None:
    c = run("My lawyer told me to ask for a copy of my note.")
    assert "legal_representation" not in c.family_names


def test_a_lawyer_writing_for_a_client_is_legal_representation() -> None:
    c = run("This office represents the borrower. Direct all communication to us.")
    assert [h.family for h in c.families] == ["legal_representation"]
    assert c.families[0].route == "legal"


def test_attachment_text_escalates_like_the_body() -> None:
    c = run(
        "See attached.",
        attachment_text=("I was deployed on active duty and ask for SCRA protection.",),
    )
    assert "servicemember" in c.family_names


@pytest.mark.parametrize(
    ("language", "text", "family"),
    [
        (
            "es",
            "Mi esposo falleció el mes pasado y soy la heredera de la casa.",
            "successor_in_interest",
        ),
        ("vi", "Tôi đã khai phá sản theo chương 13, xin cho biết phải trả thế nào.", "bankruptcy"),
        ("zh", "我父亲去世了，我是继承人，想继续还房贷。", "successor_in_interest"),
        (
            "pt",
            "Minha casa vai a leilão no dia 12 de março de 2027, preciso de ajuda.",
            "foreclosure_sale",
        ),
        (
            "fr",
            "Ma maison a été inondée par l'ouragan, je ne peux pas payer ce mois-ci.",
            "disaster_hardship",
        ),
        (
            "ko",
            "저는 현역 군인으로 해외에 파병되어 있습니다. 대출 관련 문의드립니다.",
            "servicemember",
        ),
        ("ar", "أنا ضحية سرقة الهوية، لم أوقع على هذا القرض.", "fraud_identity_theft"),
        (
            "tl",
            "Nasunog ang bahay namin dahil sa bagyo, hindi po ako makabayad ngayon.",
            "disaster_hardship",
        ),
        (
            "ht",
            "Mwen bezwen èd, siklòn nan kraze kay la epi mwen pa ka peye kounye a.",
            "disaster_hardship",
        ),
    ],
)
def test_each_supported_language_raises_its_family(language: str, text: str, family: str) -> None:
    c = run(text)
    assert c.language == language
    assert family in c.family_names


def test_statistical_language_choice_is_never_the_only_evidence_for_an_escalation() -> None:
    # Every family hit carries at least one rule match as evidence.
    c = run("I will take you to court and call the news about this wrong late fee.")
    assert c.families
    assert all(h.evidence and all(e.rule for e in h.evidence) for h in c.families)


def test_machine_mail_is_never_escalated_nor_given_a_kind() -> None:
    from pipeline.classify.machine import MachineHeaders

    fields = MessageFields(
        subject="Automatic reply: complaint about my loan",
        text="I am out of the office until Monday.",
        headers=MachineHeaders(x_autoreply="yes"),
    )
    c = classify(fields, RULES)
    assert c.machine.is_machine and c.machine.kind == "out_of_office"
    assert not c.escalated and c.request_kinds == () and c.families == ()
    assert c.to_json()["needs_acknowledgment"] is False


def test_classification_json_round_trips_with_families_and_suppressions() -> None:
    c = run("This is not a complaint. The late fee you charged me is wrong.", subject="Fee")
    data = json.loads(json.dumps(c.to_json()))
    assert Classification.from_json(data) == c
    assert data["schema"] == 2 and data["suppressions"] and data["escalation_families"]


def test_a_schema_1_record_is_still_readable_with_its_one_request_kind() -> None:
    old = {
        "schema": 1,
        "category": "document_request",
        "subcategory": "payoff_statement",
        "request_kind": "payoff_statement",
        "language": "en",
        "escalated": False,
        "severity": None,
        "routes": [],
        "error_asserted": False,
        "account_numbers": [],
        "matches": [],
        "sensitive": [],
    }
    c = Classification.from_json(old)
    assert c.request_kinds == ("payoff_statement",)
    assert c.primary_request_kind == "payoff_statement"


def test_words_below_the_signature_delimiter_do_not_escalate() -> None:
    c = run(
        "Please send my escrow analysis.\n\n-- \nJane Doe\nVolunteer, Consumer complaint hotline"
    )
    assert "complaint" not in c.family_names
    assert any(s.reason == "signature" for s in c.suppressions)


def test_a_lawyers_signature_still_shows_representation() -> None:
    c = run(
        "On behalf of our client we ask for the payment history.\n\n-- \n"
        "Jane Roe, attorney for the borrower"
    )
    assert "legal_representation" in c.family_names


def test_spoofed_mail_makes_no_request_and_keeps_its_claims_as_suppressed() -> None:
    from pipeline.classify.machine import MachineHeaders

    fields = MessageFields(
        subject="Payoff request",
        text="I am the borrower. Send the payoff to my new account and file this complaint.",
        headers=MachineHeaders(
            authentication_results="mx.servicer.example; dmarc=fail header.from=gmail.com",
        ),
    )
    c = classify(fields, RULES)
    assert c.request_kinds == ()
    assert any(s.reason == "spoofed" and s.rule for s in c.suppressions)


def test_a_spoofed_borrower_is_a_security_matter_not_an_escalation() -> None:
    from pipeline.classify.machine import MachineHeaders

    fields = MessageFields(
        subject="update bank info for autopay",
        text="Hi, this is Greg. Please change my autopay to the new account below, urgent.",
        headers=MachineHeaders(
            authentication_results="mx.servicer.example; dmarc=fail header.from=gmail.com",
        ),
    )
    c = classify(fields, RULES)
    assert (c.family_names, c.escalated) == ((), False)
    assert (c.category, c.subcategory) == ("other", "spoofed")


def test_a_spoofed_company_is_not_a_borrowers_identity_theft() -> None:
    from pipeline.classify.machine import MachineHeaders

    fields = MessageFields(
        subject="Wire instructions",
        text="Please wire the payoff to our new account.",
        headers=MachineHeaders(
            authentication_results="mx.servicer.example; dmarc=fail header.from=title.example",
        ),
    )
    c = classify(fields, RULES)
    assert c.family_names == () and c.request_kinds == () and not c.escalated
