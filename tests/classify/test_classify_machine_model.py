"""The recogniser's machine model: consulted last, for mail the rules found nothing in;
it makes such mail a notification when its score reaches its threshold, names the
score and the n-grams as evidence, and never decides for mail that asks or claims
something, nor for a forgery."""

from __future__ import annotations

import json

import pytest

from pipeline.classify.classifier import classify
from pipeline.classify.machine import MachineHeaders, machine_text, machine_verdict
from pipeline.classify.recogniser import KindModel, Recogniser, load_recogniser
from pipeline.classify.rules import MessageFields, load_default_rules

RULES = load_default_rules()
# A machine model that knows one made-up word, so a test decides what it says.
TOY = Recogniser(
    {
        "notice_of_error": KindModel({}, -9.0, 0.0),
        "request_for_information": KindModel({}, -9.0, 0.0),
    },
    machine=KindModel({"zzqx": 6.0}, -2.0, 3.0),
)
HEADERS = MachineHeaders()


def _fields(text: str, headers: MachineHeaders = HEADERS) -> MessageFields:
    return MessageFields(subject="Update", text=text, headers=headers)


def test_mail_asking_nothing_that_the_model_scores_past_its_threshold_is_a_notification() -> None:
    c = classify(_fields("Zzqx portal: your document is ready to view."), RULES, None, TOY)
    assert (c.machine.is_machine, c.machine.kind) == (True, "notification")
    assert c.machine.evidence[0].startswith("model:machine 4.00 (recogniser threshold 3)")
    assert "'zzqx'" in c.machine.evidence[1]


def test_a_score_below_the_threshold_decides_nothing() -> None:
    weak = Recogniser(TOY.kinds, machine=KindModel({"zzqx": 4.0}, -2.0, 3.0))
    c = classify(_fields("Zzqx portal: your document is ready to view."), RULES, None, weak)
    assert not c.machine.is_machine


def test_mail_that_asks_for_something_is_never_decided_by_the_model() -> None:
    text = "Zzqx. Please send me a payoff statement for loan 4471200836 good through 12/23."
    c = classify(_fields(text), RULES, None, TOY)
    assert not c.machine.is_machine
    assert "payoff_statement" in c.request_kinds


def test_a_forgery_is_never_decided_by_the_model() -> None:
    forged = MachineHeaders(authentication_results="mx.example; dmarc=fail header.from=x.example")
    score = TOY.machine_score(machine_text("Update", "zzqx"))
    assert score is not None and score.passes
    assert not machine_verdict(forged, "Update", "zzqx", False, score).is_machine


def test_without_a_machine_model_the_rules_alone_decide() -> None:
    plain = Recogniser(TOY.kinds)
    assert plain.machine_score(machine_text("Update", "zzqx")) is None
    c = classify(_fields("Zzqx portal: your document is ready to view."), RULES, None, plain)
    assert not c.machine.is_machine


def test_the_machine_model_survives_the_model_file_round_trip() -> None:
    again = Recogniser.from_json(json.loads(json.dumps(TOY.to_json())))
    assert again.machine == TOY.machine


def test_the_machine_text_is_the_folded_subject_and_body_without_numbers() -> None:
    assert machine_text("Payment RECEIVED", "Loan 4471 — Café") == "payment received\nloan   — cafe"


def test_the_shipped_model_has_a_machine_model() -> None:
    shipped = load_recogniser()
    assert shipped.machine is not None
    assert shipped.machine.threshold == 4.0


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        ("Closing date", "Our closing is 04/15/2024 at 10:00 AM.\n\nJohn"),
        (
            "Appraisal",
            "The appraiser will be at the property 03/12/2024 between 10:00 and 12:00.\n\n"
            "Tom | ABC Realty | tom@abcrealty.com",
        ),
        ("Hẹn", "Hẹn gặp lúc 10:00 ngày 15/04/2024 tại văn phòng.\n\nLan | lan@gmail.com"),
        ("RES: Vistoria do imóvel", "Combinado: 12/03/2024 às 10:00."),
        ("答复: 看房时间", "好的，周六上午十点。"),
    ],
)
def test_the_shipped_model_takes_no_short_note_with_a_date_or_a_reply_for_automatic_mail(
    subject: str, text: str
) -> None:
    fields = MessageFields(subject=subject, text=text, headers=HEADERS)
    assert not classify(fields, RULES, None, load_recogniser()).machine.is_machine


def test_numbers_are_read_as_nothing_by_the_machine_model() -> None:
    assert machine_text("At 10:00", "on 04/15/2024") == "at  \non  "
