"""The statistical request-kind recogniser: its n-grams, its scorer, how its decisions
combine with the rules, and that the shipped model is what the trainer makes."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.classify.classifier import Classification, classify, recogniser_input
from pipeline.classify.kinds import Evidence
from pipeline.classify.recogniser import (
    NGRAM_RANGE,
    KindModel,
    ModelText,
    Recogniser,
    first_spans,
    load_recogniser,
    ngram_spans,
    ngrams,
)
from pipeline.classify.rules import MessageFields, load_default_rules
from pipeline.entries.models import ClassificationBody
from pipeline.errors import ConfigError

RULES = load_default_rules()
# A model that knows one made-up word per kind, so a test decides what the model says
# and the rules (which know no such word) say nothing about it.
TOY = Recogniser(
    {
        "notice_of_error": KindModel({"zzq": 5.0}, -1.0, 0.0),
        "request_for_information": KindModel({"qqv": 5.0}, -1.0, 0.0),
    }
)


def _classify(body: str, subject: str = "Hello") -> Classification:
    return classify(MessageFields(subject=subject, text=body), RULES, None, TOY)


def _signals(c: Classification, kind: str) -> list[str | None]:
    return [e.signal for k, e in c.kind_evidence if k == kind]


# --- n-grams and scoring ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "the payment was not credited",
        "a  b\tc\nde",
        "我的付款没有入账 请尽快更正",
        "결제가 두 번 되었습니다",
        "لم يتم احتساب الدفعة",
        "x",
        "",
    ],
)
def test_ngrams_are_scikit_learns_char_wb_ngrams(text: str) -> None:
    from sklearn.feature_extraction.text import CountVectorizer

    analyzer = CountVectorizer(
        analyzer="char_wb", ngram_range=NGRAM_RANGE, lowercase=False
    ).build_analyzer()
    assert ngrams(text) == analyzer(text)


@given(st.text(alphabet="ab c\n\t我的x", max_size=40))
def test_first_spans_are_the_first_occurrences_of_every_ngram(text: str) -> None:
    expected: dict[str, tuple[int, int]] = {}
    for gram, start, end in ngram_spans(text):
        expected.setdefault(gram, (start, end))
    assert first_spans(text) == expected


def test_ngram_spans_leave_out_the_padding() -> None:
    found = set(ngram_spans("ab x"))
    assert (" ab", 0, 2) in found
    assert ("x ", 3, 4) in found
    assert (" x ", 3, 4) in found


def test_score_is_intercept_plus_weights_of_distinct_ngrams_present() -> None:
    model = KindModel({" ab": 1.5, "ab ": 0.25, "zz": -2.0}, -0.5, 0.0)
    # " ab" and "ab " occur twice but count once (binary features); "zz" is absent.
    (found,) = Recogniser({"notice_of_error": model}).scores(ModelText("ab ab"))
    assert found.score == pytest.approx(-0.5 + 1.5 + 0.25)
    assert [c.gram for c in found.top] == [" ab", "ab "]


def test_malformed_model_file_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="malformed"):
        Recogniser.from_json({"kinds": {"notice_of_error": {"weights": {}}}})
    with pytest.raises(ConfigError, match="unknown kinds"):
        Recogniser.from_json(
            {"kinds": {"complaint": {"weights": {}, "intercept": 0, "threshold": 0}}}
        )


# --- combining with the rules ------------------------------------------------------


def test_model_only_notice_of_error_without_a_servicing_object_does_not_escalate() -> None:
    c = _classify("zzqx, please call me about my loan.")
    assert "notice_of_error" not in c.request_kinds
    assert not c.escalated
    assert c.families == ()


def test_model_only_notice_of_error_with_a_servicing_object_escalates_with_both_evidences() -> None:
    c = _classify("zzqx about my escrow account.")
    assert c.request_kinds == ("notice_of_error",)
    assert c.escalated
    assert c.routes == ("error-resolution",)
    [family] = c.families
    assert family.family == "notice_of_error"
    signals = [e.signal for e in family.evidence]
    assert signals == ["model:notice_of_error", "model:notice_of_error+servicing_object"]
    model_ev, cue_ev = family.evidence
    assert (model_ev.matched, model_ev.field, model_ev.start, model_ev.end) == (
        "zzqx",
        "text",
        0,
        4,
    )
    assert model_ev.score == pytest.approx(4.0)
    assert cue_ev.matched == "escrow"


def test_model_request_for_information_needs_no_corroboration_and_does_not_escalate() -> None:
    c = _classify("qqvx when you can.")
    assert c.request_kinds == ("request_for_information",)
    assert _signals(c, "request_for_information") == ["model:request_for_information"]
    assert not c.escalated


def test_a_sentence_the_rules_suppressed_as_resolved_is_not_scored() -> None:
    body = "Hello. zzqx you charged me twice for the escrow but it was fixed, thanks. Bye."
    c = _classify(body)
    assert [(x.reason, x.cue) for x in c.suppressions] == [("resolution", "was fixed")]
    assert "zzq" not in recogniser_input(MessageFields(subject="Hello", text=body), RULES).text
    assert c.request_kinds == ()
    assert not c.escalated


def test_a_sentence_the_rules_suppressed_as_negated_is_not_scored() -> None:
    c = _classify("Hello. zzqx, this is not a complaint about my escrow. Have a good day.")
    assert ("negation", "not") in [(x.reason, x.cue) for x in c.suppressions]
    assert c.request_kinds == ()


def test_a_sentence_whose_mistake_is_only_feared_is_not_scored() -> None:
    body = "Hello. zzqx I am afraid the November payment will be taken twice. Have a good day."
    c = _classify(body)
    assert ("unasserted", "i am afraid the november payment will") in [
        (x.reason, x.cue) for x in c.suppressions
    ]
    assert "zzq" not in recogniser_input(MessageFields(subject="Hello", text=body), RULES).text


def test_the_writer_taking_the_blame_stops_a_model_notice_of_error() -> None:
    c = _classify("zzqx my escrow payment was late, totally my mistake, not yours.")
    assert c.request_kinds == ()
    assert not c.escalated
    own = [x for x in c.suppressions if x.reason == "own_fault"]
    assert [(x.rule, x.matched, x.cue) for x in own] == [
        ("model:notice_of_error", "zzqx", "my mistake")
    ]


def test_the_writer_clearing_the_servicer_stops_a_model_notice_of_error() -> None:
    c = _classify("zzqx the county billed the wrong parcel from escrow; this isn't your fault.")
    assert c.request_kinds == ()
    assert not c.escalated
    cleared = [x for x in c.suppressions if x.rule == "model:notice_of_error"]
    assert [(x.reason, x.matched, x.cue) for x in cleared] == [
        ("no_claim", "zzqx", "this isn't your fault")
    ]


def test_a_writer_who_only_wants_to_understand_stops_a_model_notice_of_error() -> None:
    c = _classify("zzqx the escrow payment. I'm not complaining, I just want to understand.")
    assert "notice_of_error" not in c.request_kinds
    stopped = [x for x in c.suppressions if x.rule == "model:notice_of_error"]
    assert [x.reason for x in stopped] == ["no_claim"]


def test_a_fraud_report_stops_a_model_notice_of_error_and_says_why() -> None:
    c = _classify(
        "zzqx, somebody used my identity to open a credit line against the house; "
        "the escrow account shows it."
    )
    assert "notice_of_error" not in c.request_kinds
    assert [f.family for f in c.families] == ["fraud_identity_theft"]
    stopped = [x for x in c.suppressions if x.rule == "model:notice_of_error"]
    assert [(x.reason, x.matched, x.cue) for x in stopped] == [
        ("impostor_act", "zzqx", "fraud_identity_theft")
    ]


def test_an_exploitation_report_stops_a_model_notice_of_error() -> None:
    c = _classify(
        "zzqx my caregiver took my mother's checks and paid her own bills; my mother is "
        "84. The escrow payment bounced."
    )
    assert c.request_kinds == ()
    assert [f.family for f in c.families] == ["elder_exploitation"]
    stopped = [x for x in c.suppressions if x.rule == "model:notice_of_error"]
    assert [(x.reason, x.cue) for x in stopped] == [("impostor_act", "elder_exploitation")]


def test_a_scam_only_suspected_stops_a_model_notice_of_error() -> None:
    c = _classify(
        "zzqx. I got a text saying my escrow payment was declined and to verify at "
        "servicer-help.co. Is this a scam? I didn't click it."
    )
    assert "notice_of_error" not in c.request_kinds
    assert not c.escalated
    stopped = [x for x in c.suppressions if x.rule == "model:notice_of_error"]
    assert [(x.reason, x.cue) for x in stopped] == [("suspicion", "is this / i didn't click")]


def test_a_model_request_whose_words_sit_in_the_rules_error_sentence_is_that_notice() -> None:
    c = _classify("The qqvx payment history is wrong: you charged me a late fee twice.")
    assert c.request_kinds == ("notice_of_error",)
    assert "model:request_for_information" not in _signals(c, "request_for_information")


def test_a_model_request_in_its_own_sentence_beside_a_notice_of_error_counts() -> None:
    c = _classify("You charged me a late fee twice on my escrow payment. Also qqvx when you can.")
    assert c.request_kinds == ("notice_of_error", "request_for_information")
    assert _signals(c, "request_for_information") == ["model:request_for_information"]


def test_quoted_history_is_not_scored() -> None:
    body = (
        "Thanks, all good.\n\nOn Mon, Jan 5, 2026 at 10:00 AM Servicer <care@servicer.example>"
        " wrote:\n> zzqx your escrow payment"
    )
    assert recogniser_input(MessageFields(subject="Hello", text=body), RULES).text == (
        "hello\nthanks, all good.\n\n"
    )
    assert _classify(body).request_kinds == ()


def test_a_reply_subject_is_not_scored() -> None:
    text = recogniser_input(MessageFields(subject="Re: zzqx escrow", text="ok"), RULES).text
    assert text == "ok"


def test_the_rules_decide_first_and_the_model_adds_no_second_evidence() -> None:
    c = _classify("zzqx: you charged me twice for the escrow payment.")
    assert c.request_kinds[0] == "notice_of_error"
    assert "model:notice_of_error" not in _signals(c, "notice_of_error")


def test_model_evidence_survives_the_ledger_body_and_back() -> None:
    c = _classify("zzqx about my escrow account.")
    data = c.to_json()
    body = ClassificationBody.model_validate(data)
    first = body.kind_evidence[0].evidence
    assert (first.signal, first.score) == ("model:notice_of_error", "4.000")
    again = Classification.from_json(json.loads(json.dumps(data)))
    assert again.kind_evidence == tuple(
        (k, e if e.score is None else Evidence(**{**_fields(e), "score": 4.0}))
        for k, e in c.kind_evidence
    )


def _fields(e: Evidence) -> dict[str, Any]:
    return {name: getattr(e, name) for name in e.__slots__}


# --- the shipped model -------------------------------------------------------------


def test_packaged_model_scores_a_plain_notice_of_error_above_its_threshold() -> None:
    model = load_recogniser()
    assert set(model.kinds) == {"notice_of_error", "request_for_information"}
    text = recogniser_input(
        MessageFields(
            subject="Payment not credited",
            text="I paid $1,200 on March 1 and you never credited it. Now there is a late fee.",
        ),
        RULES,
    )
    [noe, _] = model.scores(text)
    assert noe.passes


@pytest.fixture(scope="module")
def trainer() -> Any:
    pytest.importorskip("sklearn")
    from bench import train_recogniser

    return train_recogniser


@pytest.fixture(scope="module")
def examples(trainer: Any) -> Any:
    return trainer.load_examples()


def test_runtime_scorer_gives_scikit_learns_decision_values(trainer: Any, examples: Any) -> None:
    sample = examples[::17]
    for kind in ("notice_of_error", "request_for_information"):
        vectorizer, select, model = trainer.fit_kind(examples, kind)
        expected = model.decision_function(
            select.transform(vectorizer.transform([e.text for e in sample]))
        )
        ours = Recogniser({kind: trainer.fit(examples, {}, "").kinds[kind]})
        got = [ours.scores(ModelText(e.text))[0].score for e in sample]
        assert got == pytest.approx(list(expected), abs=1e-9)


@pytest.mark.slow
def test_shipped_model_is_what_the_trainer_makes_from_the_committed_corpus(
    trainer: Any,
) -> None:
    model = trainer.train_shipped()
    assert model.corpus_sha256 == trainer.corpus_digest()
    assert trainer.OUT.read_text("utf-8") == trainer.dump(model), (
        "pipeline/classify/recogniser.json is stale: run python -m bench.train_recogniser"
    )


def test_digits_read_as_zero_and_a_loan_number_is_never_model_evidence() -> None:
    model = Recogniser({"notice_of_error": KindModel({"0000": 5.0, "zzq": 0.5}, -1.0, 0.0)})
    fields = MessageFields(subject="Hello", text="zzqx loan 7004418825, my escrow account.")
    assert "0000000000" in recogniser_input(fields, RULES).text
    c = classify(fields, RULES, None, model)
    model_evidence = [e for _, e in c.kind_evidence if e.signal == "model:notice_of_error"]
    assert [e.matched for e in model_evidence] == ["zzqx"]
    assert all("7004418825" not in e.matched for _, e in c.kind_evidence)


def test_a_score_whose_only_words_are_numbers_decides_nothing() -> None:
    model = Recogniser({"notice_of_error": KindModel({"0000": 5.0}, -1.0, 0.0)})
    fields = MessageFields(subject="Hello", text="Loan 7004418825, my escrow account.")
    assert classify(fields, RULES, None, model).request_kinds == ()


def _model_words(text: str, weights: dict[str, float]) -> list[str]:
    """The model's evidence for a request the rules do not find in ``text``."""
    fields = MessageFields(subject="", text=text)
    assert classify(fields, RULES).request_kinds == ()
    model = Recogniser({"request_for_information": KindModel(weights, -1.0, 0.0)})
    c = classify(fields, RULES, None, model)
    return [e.matched for _, e in c.kind_evidence if e.signal == "model:request_for_information"]


def test_model_evidence_shows_a_plain_word_whole() -> None:
    assert _model_words("glimmering wobbles today", {"immer": 3.0}) == ["glimmering"]


def test_two_ngrams_of_one_word_are_one_piece_of_evidence() -> None:
    assert _model_words("glimmering wobbles", {"immer": 3.0, "glim": 3.0}) == ["glimmering"]


def test_a_name_in_model_evidence_is_cut_to_the_ngram() -> None:
    assert _model_words("Priscilla Vanderlen wobbles today", {"pris": 3.0}) == ["Pris"]


def test_an_email_address_in_model_evidence_is_cut_to_the_ngram() -> None:
    text = "from nam.bienvenido@yahoo.com: wobbles today"
    assert _model_words(text, {"bienv": 3.0}) == ["bienv"]


def test_a_chinese_run_in_model_evidence_is_cut_to_the_ngram() -> None:
    assert _model_words("王小明说今天天气很好", {"天气": 3.0}) == ["天气"]


# --- choosing the thresholds ---------------------------------------------------------


def _decision(
    trainer: Any,
    kind: str,
    gold: bool,
    model: float | None,
    *,
    rules_found: bool = False,
    escalates: bool = False,
) -> Any:
    """One cross-validated message: its label, what the rules found, the model's score."""
    example = trainer.Example(
        id="X-0001",
        group="X",
        text="",
        fields=MessageFields(subject="", text=""),
        kinds=frozenset({kind} if gold else ()),
        escalates=escalates,
    )
    scores = {} if model is None else {kind: model}
    return trainer.Decision(
        example, frozenset({kind} if rules_found else ()), escalates and rules_found, scores, scores
    )


def test_a_threshold_is_chosen_by_the_f1_of_rules_and_model_not_the_models_own_precision(
    trainer: Any,
) -> None:
    rfi = "request_for_information"
    decisions = [
        # The model alone is as precise as the rules at any threshold (71 of 73), but
        # what it adds to them below 0.7 is more often wrong than right: one more
        # request, two false ones.
        *[_decision(trainer, rfi, True, 0.5, rules_found=True) for _ in range(70)],
        _decision(trainer, rfi, True, 3.0),
        _decision(trainer, rfi, False, 0.6),
        _decision(trainer, rfi, False, 0.5),
        _decision(trainer, rfi, True, None),
    ]
    # Best F1 from above 0.6 up to 3.0; the lowest of those.
    assert trainer.choose(decisions)[rfi] == pytest.approx(0.7)


def test_thresholds_within_the_f1_tie_choose_the_lowest(trainer: Any) -> None:
    rfi = "request_for_information"
    # Among 400 requests, the best F1 is above 1.0 (the true addition alone); the false
    # one at 1.0 costs less than the tie, the five at 0.0 cost more.
    decisions = [
        *[_decision(trainer, rfi, True, None, rules_found=True) for _ in range(400)],
        _decision(trainer, rfi, True, 2.0),
        _decision(trainer, rfi, False, 1.0),
        *[_decision(trainer, rfi, False, 0.0) for _ in range(5)],
        _decision(trainer, rfi, True, None),
    ]
    assert trainer.choose(decisions)[rfi] == pytest.approx(0.1)


def test_no_threshold_that_costs_escalation_precision_is_chosen_for_a_notice_of_error(
    trainer: Any,
) -> None:
    noe = "notice_of_error"
    decisions = [
        *[_decision(trainer, noe, True, None, rules_found=True, escalates=True) for _ in range(9)],
        # Adding it finds a notice the rules missed, but the model's second notice is a
        # false escalation: escalation precision 1.0 -> 0.91, beyond the slack.
        _decision(trainer, noe, True, 2.0, escalates=True),
        _decision(trainer, noe, False, 1.0),
    ]
    assert trainer.choose(decisions)[noe] == pytest.approx(1.1)


def test_when_every_threshold_costs_escalation_precision_the_strictest_is_chosen(
    trainer: Any,
) -> None:
    noe = "notice_of_error"
    decisions = [
        *[_decision(trainer, noe, True, None, rules_found=True, escalates=True) for _ in range(5)],
        # Above every threshold tried: each one adds this false escalation.
        _decision(trainer, noe, False, 9.0),
    ]
    assert trainer.choose(decisions)[noe] == trainer.GRID[-1]


def test_a_model_decision_names_the_shipped_model_file_and_its_threshold() -> None:
    shipped = load_recogniser()
    fields = MessageFields(subject="", text="glimmering wobbles today")
    model = Recogniser(
        {"request_for_information": KindModel({"immer": 3.0}, -1.0, 0.5)}, digest=shipped.digest
    )
    (evidence,) = [e for _, e in classify(fields, RULES, None, model).kind_evidence]
    assert len(shipped.digest) == 64
    assert evidence.model == f"recogniser {shipped.digest[:16]} threshold 0.5"
    assert (
        ClassificationBody.model_validate(classify(fields, RULES, None, model).to_json())
        .kind_evidence[0]
        .evidence.model
        == evidence.model
    )


def test_the_model_reads_none_of_a_suppressed_sentence_wrapped_over_two_lines() -> None:
    fields = MessageFields(
        subject="",
        text="Just so you know, this is not a complaint about the people at your branch office, "
        "who\nwere glimmering and kind to us when we came in last Tuesday afternoon.\n"
        "Thanks again.",
    )
    text = recogniser_input(fields, RULES).text
    assert "glimmering" not in text
    assert "thanks again" in text


def test_fresh_decisions_keep_only_the_named_writers(trainer: Any) -> None:
    rfi = "request_for_information"
    mine = _decision(trainer, rfi, True, 1.0)
    other = _decision(trainer, rfi, True, 1.0)
    other = trainer.Decision(
        trainer.Example(**{**vars(other.example), "group": "M"}),
        other.rule_kinds,
        other.rules_escalate,
        other.model_scores,
        other.raw,
    )
    assert trainer.fresh_decisions([mine, other], "m") == [other]


def test_fresh_decisions_refuse_a_writer_the_part_does_not_have(trainer: Any) -> None:
    decision = _decision(trainer, "request_for_information", True, 1.0)
    with pytest.raises(SystemExit, match="writers must be among X"):
        trainer.fresh_decisions([decision], "Q")


@pytest.mark.usefixtures("restore_logging")
def test_the_trainer_withholds_what_mail_parser_quotes_from_a_message(
    trainer: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Training parses every development message in process; a subject mail-parser
    # cannot decode must reach the log as a finding, not as the subject's loan number.
    with pytest.raises(SystemExit):
        trainer.main(["--no-such-option"])
    capsys.readouterr()
    logging.getLogger("mailparser.utils").error(
        "Failed decoding header part: =?utf-8?B?UGFnbw?= - prestamo 7004418825"
    )
    err = capsys.readouterr().err
    assert "Failed decoding header part" in err
    assert "7004418825" not in err
