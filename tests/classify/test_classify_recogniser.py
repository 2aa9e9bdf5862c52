"""The statistical request-kind recogniser: its n-grams, its scorer, how its decisions
combine with the rules, and that the shipped model is what the trainer makes."""

from __future__ import annotations

import json
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
    found = model.score(ModelText("ab ab"))
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


def test_the_writer_taking_the_blame_stops_a_model_notice_of_error() -> None:
    c = _classify("zzqx my escrow payment was late, totally my mistake, not yours.")
    assert c.request_kinds == ()
    assert not c.escalated
    own = [x for x in c.suppressions if x.reason == "own_fault"]
    assert [(x.rule, x.matched, x.cue) for x in own] == [
        ("model:notice_of_error", "zzqx", "my mistake")
    ]


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
        ours = trainer.fit(examples, {}, "").kinds[kind]
        got = [ours.score(ModelText(e.text)).score for e in sample]
        assert got == pytest.approx(list(expected), abs=1e-9)


@pytest.mark.slow
def test_shipped_model_is_what_the_trainer_makes_from_the_committed_corpus(
    trainer: Any,
) -> None:
    model, _, _ = trainer.build()
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
