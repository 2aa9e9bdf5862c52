import importlib.util
import json
import sys
from pathlib import Path

import pytest

from pipeline.classify.category import categorize
from pipeline.classify.classifier import (
    Classification,
    ClassifyPolicy,
    _literal_set,
    classify,
    detect_language,
)
from pipeline.classify.rules import (
    EscalationRule,
    MessageFields,
    PreparedFields,
    RuleSet,
    load_default_rules,
    match_rules,
)
from pipeline.errors import ConfigError

RULES = load_default_rules()


def _load_evaluate():
    path = Path(__file__).with_name("evaluate.py")
    spec = importlib.util.spec_from_file_location("classify_evaluate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses resolve string annotations through sys.modules
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(sys.modules[spec.name])
    return sys.modules[spec.name]


def test_language_detected_for_spanish_and_english():
    assert detect_language("Hola, necesito la carta de liquidación de mi préstamo") == "es"
    assert detect_language("Hello, please send the payoff statement for my loan") == "en"


def test_payoff_request_is_document_request_with_payoff_clock():
    c = classify(MessageFields(subject="Payoff", text="Please send a payoff statement."), RULES)
    assert (c.category, c.subcategory, c.request_kind) == (
        "document_request",
        "payoff_statement",
        "payoff_statement",
    )


def test_legal_rule_outranks_topic_keywords():
    fields = MessageFields(text="My lawyer says the escrow shortage is wrong. I will sue.")
    c = classify(fields, RULES)
    assert (c.category, c.subcategory) == ("complaint_legal", "lawsuit")


def test_error_assertion_makes_a_notice_of_error():
    fields = MessageFields(text="The late fee was charged in error, I paid on time.")
    assert categorize(fields, ()).request_kind == "notice_of_error"


def test_qwr_without_error_is_request_for_information():
    c = classify(MessageFields(text="This QWR asks for my payment history."), RULES)
    assert c.request_kind == "request_for_information"


def test_escalation_severity_and_routes():
    c = classify(MessageFields(subject="URGENT", text="I filed for bankruptcy."), RULES)
    assert c.escalated and c.severity == "critical"
    # "URGENT" is kept as evidence but is no escalation family of its own.
    assert set(c.routes) == {"bankruptcy"}
    assert "subject_urgent" in c.rules


def test_low_severity_match_does_not_escalate_by_default():
    rules = RuleSet(
        rules=(EscalationRule(name="fyi", phrases=("fyi",), severity="low", route="x"),)
    )
    c = classify(MessageFields(text="fyi only"), rules)
    assert c.matches and not c.escalated


def test_account_numbers_kept_but_hidden_from_repr():
    c = classify(MessageFields(subject="Loan # 98765432", text="hi"), RULES)
    assert c.account_numbers == ("98765432",)
    assert c.masked_accounts == ("****5432",)
    assert "98765432" not in repr(c)


def test_sensitive_numbers_are_flagged_without_digits_in_json():
    c = classify(MessageFields(text="my SSN is 123-45-6789"), RULES)
    assert c.sensitive.counts == {"ssn": 1}
    assert "6789" not in json.dumps(c.to_json())


def test_json_round_trip_is_lossless():
    fields = MessageFields(
        subject="URGENTE: ejecución hipotecaria, cuenta 1234567",
        text="Mi abogado llamará. Tarjeta 4111 1111 1111 1111",
        attachment_names=("Notice_of_Error.pdf",),
    )
    c = classify(fields, RULES)
    data = json.loads(json.dumps(c.to_json()))
    assert Classification.from_json(data) == c


def test_bad_account_pattern_is_a_config_error():
    with pytest.raises(ConfigError):
        ClassifyPolicy(account_pattern=r"(\d+)")


def test_labelled_set_has_enough_messages_in_both_languages():
    rows = _load_evaluate().load_rows()
    langs = [r["language"] for r in rows]
    assert len(rows) >= 220
    assert 0.5 <= langs.count("en") / len(rows) <= 0.7


def test_labelled_set_meets_quality_floors():
    ev = _load_evaluate()
    assert ev.floor_violations(ev.evaluate()) == []


def test_quality_floors_fail_when_a_rule_is_broken():
    ev = _load_evaluate()
    broken = RULES.model_copy(
        update={
            "rules": tuple(
                r.model_copy(update={"unless": (), "negatable": False}) for r in RULES.rules
            )
        }
    )
    violations = ev.floor_violations(ev.evaluate(broken))
    assert any("precision" in v for v in violations)


def test_one_literal_scan_per_text_changes_no_match_or_category():
    literals = _literal_set(RULES, ClassifyPolicy().account_pattern)
    for row in _load_evaluate().load_rows():
        fields = MessageFields(subject=str(row["subject"]), text=str(row["text"]))
        prepared = PreparedFields(fields, literals)
        matches = match_rules(RULES, fields)
        assert match_rules(RULES, fields, prepared) == matches
        assert categorize(fields, matches, prepared) == categorize(fields, matches)


def test_a_servicers_application_rule_keeps_the_family_it_names():
    rules = RuleSet(
        rules=(
            EscalationRule(
                name="scra_relief",
                phrases=("scra relief",),
                severity="high",
                route="military-desk",
                kind="loss_mitigation_application",
                family="servicemember",
            ),
        )
    )
    c = classify(MessageFields(text="I am asking for SCRA relief."), rules)
    assert c.family_names == ("servicemember",)
    assert c.request_kinds == ("loss_mitigation_application",)
