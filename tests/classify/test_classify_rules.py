import pytest

from pipeline.classify.rules import (
    EscalationRule,
    MessageFields,
    RuleSet,
    load_default_rules,
    load_rules_yaml,
    match_rules,
)
from pipeline.errors import ConfigError

RULES = load_default_rules()

# rule -> (English positive, Spanish positive, hard negative)
CASES = {
    "qualified_written_request": (
        "This is a qualified written request about my loan.",
        "Envío una solicitud escrita calificada sobre mi préstamo.",
        "My QWERTY keyboard broke, I will call instead.",
    ),
    "notice_of_error": (
        "Please accept this notice of error.",
        "Este es un aviso de error sobre mi pago.",
        "I got an error notice on the website.",
    ),
    "request_for_information": (
        "This is a request for information.",
        "Esta es una solicitud de información.",
        "Thank you for the information you sent.",
    ),
    "respa": (
        "You are violating RESPA.",
        "Según el Reglamento X deben contestar.",
        "The portal respawns my login every time.",
    ),
    "regulator_complaint": (
        "I filed with the CFPB.",
        "Acudiré a la Oficina para la Protección Financiera del Consumidor.",
        "The bureau of motor vehicles needs my title.",
    ),
    "complaint": (
        "I want to file a complaint.",
        "Quiero poner una queja.",
        "No complaints, thanks for the help.",
    ),
    "attorney": (
        "My attorney will call you.",
        "Mi abogado los llamará.",
        "As attorney-in-fact for my mother I need her statement.",
    ),
    "lawsuit": (
        "I am going to sue you.",
        "Voy a demandarlos.",
        "Sue from your office asked me to write.",
    ),
    "bankruptcy": (
        "I filed chapter 13 bankruptcy.",
        "Me declaré en bancarrota.",
        "I have never filed bankruptcy.",
    ),
    "foreclosure": (
        "My house is in foreclosure.",
        "Recibí un aviso de ejecución hipotecaria.",
        "I sold the truck at the auction of my car lot friend, the car auction.",
    ),
    "cease_and_desist": (
        "This is a cease and desist letter.",
        # "Dejen de llamarme" alone is now stop_contact: frustration, not a legal demand.
        "Les envío este aviso de cese y desista.",
        "Please keep contacting me by email.",
    ),
    "discrimination": (
        "I was discriminated against.",
        "Hubo discriminación en mi caso.",
        "Equal Housing Opportunity lender footer.",
    ),
    "hardship": (
        "We have a financial hardship and need forbearance.",
        "Tenemos dificultades económicas y pedimos indulgencia.",
        "We don't have any hardship, just a question.",
    ),
}


def _rules_hit(fields: MessageFields) -> set[str]:
    return {m.rule for m in match_rules(RULES, fields)}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_default_rule_fires_on_english_positive(rule):
    assert rule in _rules_hit(MessageFields(text=CASES[rule][0]))


@pytest.mark.parametrize("rule", sorted(CASES))
def test_default_rule_fires_on_spanish_positive(rule):
    assert rule in _rules_hit(MessageFields(text=CASES[rule][1]))


@pytest.mark.parametrize("rule", sorted(CASES))
def test_default_rule_ignores_hard_negative(rule):
    assert rule not in _rules_hit(MessageFields(text=CASES[rule][2]))


def test_subject_urgent_fires_on_english_and_spanish_subject_tags():
    assert "subject_urgent" in _rules_hit(MessageFields(subject="URGENT: payment"))
    assert "subject_urgent" in _rules_hit(MessageFields(subject="URGENTE - pago"))


def test_subject_urgent_ignores_body_and_negated_subject():
    assert "subject_urgent" not in _rules_hit(MessageFields(subject="Not urgent", text="urgent"))


def test_word_boundary_blocks_respa_inside_respawn():
    assert not match_rules(RULES, MessageFields(text="respawn"))


@pytest.mark.parametrize(
    "text",
    ["CFPB에 민원을 제기했습니다", "我已经向CFPB投诉了", "قدمت شكوى لدىCFPB"],
)
def test_a_latin_word_ends_where_hangul_chinese_or_arabic_letters_begin(text: str) -> None:
    # Those scripts attach particles to the word before them without a space.
    assert "regulator_complaint" in _rules_hit(MessageFields(text=text))


def test_a_latin_word_inside_a_longer_latin_word_still_does_not_match() -> None:
    assert "regulator_complaint" not in _rules_hit(MessageFields(text="xcfpb cfpbx"))


def test_phrase_matches_across_line_break_and_without_accents():
    hits = match_rules(RULES, MessageFields(text="aviso de ejecucion\nhipotecaria"))
    assert [m.rule for m in hits] == ["foreclosure"]


def test_match_reports_span_and_words_of_original_text():
    text = "Hola. Recibí la EJECUCIÓN   Hipotecaria ayer"
    (m,) = match_rules(RULES, MessageFields(text=text))
    assert text[m.start : m.end] == m.matched == "EJECUCIÓN   Hipotecaria"
    # A mention of foreclosure is evidence; a scheduled sale (foreclosure_sale) escalates.
    assert (m.field, m.severity, m.route) == ("text", "low", "loss-mitigation")


def test_attachment_names_match_with_underscores_and_report_item():
    fields = MessageFields(attachment_names=("scan.pdf", "Notice_of_Error_2026.pdf"))
    (m,) = [m for m in match_rules(RULES, fields) if m.rule == "notice_of_error"]
    assert (m.rule, m.field, m.item, m.matched) == (
        "notice_of_error",
        "attachment_names",
        1,
        "Notice_of_Error",
    )


def test_quoted_reply_text_is_ignored():
    text = "Thanks!\n\nOn Mon, Jan 5, 2026 Care <c@x.example> wrote:\n> file a complaint here"
    assert not match_rules(RULES, MessageFields(text=text))


def test_negation_more_than_five_words_back_does_not_suppress():
    text = "I have not received a response to my complaint"
    assert "complaint" in _rules_hit(MessageFields(text=text))


def test_invalid_regex_error_names_the_rule():
    rules = RuleSet(
        rules=(
            EscalationRule(name="broken_rule", patterns=("(unclosed",), severity="low", route="x"),
        )
    )
    with pytest.raises(ConfigError, match="broken_rule"):
        match_rules(rules, MessageFields(text="anything"))


def test_yaml_loader_rejects_invalid_regex_naming_rule():
    yaml_text = (
        "rules:\n  - name: bad_one\n    patterns: ['[a-']\n    severity: low\n    route: x\n"
    )
    with pytest.raises(ConfigError, match="bad_one"):
        load_rules_yaml(yaml_text)


def test_yaml_loader_rejects_unknown_keys():
    yaml_text = (
        "rules:\n  - name: r\n    phrases: [x]\n    severity: low\n    route: x\n    oops: 1\n"
    )
    with pytest.raises(ConfigError, match="oops"):
        load_rules_yaml(yaml_text)


def test_every_default_rule_has_a_route_and_severity():
    assert all(r.route and r.severity for r in RULES.rules)
    assert {r.name for r in RULES.rules} >= set(CASES) | {"subject_urgent"}
