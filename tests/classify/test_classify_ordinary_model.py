"""The recogniser's ordinary-mail model, a servicer's choice (off by default): with
``model_doubt`` on, when the sender's own words read overwhelmingly as mail needing no
escalation, the families the rules raised are withheld (a notice of error with its
kind) and kept as suppressed evidence naming the score and the words; a family rated
critical is never withheld."""

from __future__ import annotations

from pathlib import Path

from pipeline.classify.classifier import Classification, ClassifyPolicy, classify
from pipeline.classify.machine import MachineHeaders
from pipeline.classify.recogniser import KindModel, Recogniser, load_recogniser
from pipeline.classify.rules import MessageFields, load_default_rules
from pipeline.config import load_config
from pipeline.entries.models import ClassificationBody
from pipeline.trail.explain import explain_classification

RULES = load_default_rules()
KINDS = {
    "notice_of_error": KindModel({}, -9.0, 0.0),
    "request_for_information": KindModel({}, -9.0, 0.0),
}
# An ordinary-mail model that knows one made-up word, so a test decides what it says.
TOY = Recogniser(KINDS, ordinary=KindModel({"zzqo": 8.0}, 0.0, 6.0))
DOUBT = ClassifyPolicy(model_doubt=True)
DISASTER = "Hurricane Milton tore the roof off our house and FEMA declared a disaster. zzqo"


def _classify(text: str, model: Recogniser = TOY, policy: ClassifyPolicy = DOUBT) -> Classification:
    return classify(MessageFields(subject="Loan", text=text), RULES, policy, model)


def test_a_family_in_mail_the_model_reads_as_ordinary_is_withheld() -> None:
    c = _classify(DISASTER)
    assert (c.escalated, c.families, c.routes) == (False, (), ())


def test_the_withheld_family_is_kept_as_suppressed_evidence_with_the_score_and_words() -> None:
    doubted = [s for s in _classify(DISASTER).suppressions if s.reason == "model_doubt"]
    assert doubted, "the withheld family must stay on the record"
    assert doubted[0].rule == "en_disaster_hardship"
    assert doubted[0].cue.startswith("ordinary mail 8.00 (recogniser threshold 6)")
    assert "'zzqo'" in doubted[0].cue


def test_a_forgery_keeps_its_families_as_spoofed_not_as_doubted() -> None:
    headers = MachineHeaders(authentication_results="mx.example; dmarc=fail")
    fields = MessageFields(subject="Loan", text=DISASTER, headers=headers)
    c = classify(fields, RULES, DOUBT, TOY)
    reasons = {s.reason for s in c.suppressions}
    assert "spoofed" in reasons
    assert "model_doubt" not in reasons


def test_a_score_below_the_threshold_withholds_nothing() -> None:
    weak = Recogniser(KINDS, ordinary=KindModel({"zzqo": 5.0}, 0.0, 6.0))
    c = _classify(DISASTER, weak)
    assert [f.family for f in c.families] == ["disaster_hardship"]


def test_a_family_rated_critical_is_never_withheld() -> None:
    c = _classify("The foreclosure sale on my house is scheduled for March 3, 2027. zzqo")
    assert [f.family for f in c.families] == ["foreclosure_sale"]
    assert not any(s.reason == "model_doubt" for s in c.suppressions)


def test_a_notice_of_error_is_withheld_with_its_kind_and_a_request_stays() -> None:
    c = _classify(
        "You charged me a late fee although my payment arrived on time; that fee is wrong."
        " Please also send my payment history. zzqo"
    )
    assert c.families == ()
    assert c.request_kinds == ("request_for_information",)
    assert not c.error_asserted
    assert all(kind != "notice_of_error" for kind, _ in c.kind_evidence)


def test_the_doubt_is_off_by_default() -> None:
    c = classify(MessageFields(subject="Loan", text=DISASTER), RULES, None, TOY)
    assert [f.family for f in c.families] == ["disaster_hardship"]
    assert not any(s.reason == "model_doubt" for s in c.suppressions)


def test_without_the_recogniser_the_rules_alone_decide() -> None:
    c = classify(MessageFields(subject="Loan", text=DISASTER), RULES, DOUBT, None)
    assert [f.family for f in c.families] == ["disaster_hardship"]


def test_the_trail_says_why_a_family_was_withheld() -> None:
    body = ClassificationBody.model_validate(_classify(DISASTER).to_json())
    lines = explain_classification(body)
    assert any(
        "read overwhelmingly as mail needing no escalation" in line and "zzqo" in line
        for line in lines
    )


def test_the_shipped_model_file_holds_an_ordinary_mail_model() -> None:
    shipped = load_recogniser()
    assert shipped.ordinary is not None
    assert shipped.ordinary.threshold == 6.0
    assert Recogniser.from_json(shipped.to_json()).ordinary == shipped.ordinary


def test_the_shipped_config_leaves_the_doubt_off_and_a_servicer_can_turn_it_on(
    tmp_path: Path,
) -> None:
    shipped = Path(__file__).resolve().parents[2] / "config.yaml"
    assert load_config(shipped).classification.policy.model_doubt is False
    text = shipped.read_text("utf-8")
    assert "    # model_doubt: false" in text
    turned_on = tmp_path / "config.yaml"
    turned_on.write_text(text.replace("    # model_doubt: false", "    model_doubt: true"))
    assert load_config(turned_on).classification.policy.model_doubt is True
