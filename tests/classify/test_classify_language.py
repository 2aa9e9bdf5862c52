"""Language detection, its confidence, code-switching, and the acknowledgment languages."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from pipeline.classify import language
from pipeline.classify.classifier import ClassifyPolicy, classify
from pipeline.classify.kinds import LanguageGuess
from pipeline.classify.language import LanguageModels, ack_languages, detect
from pipeline.classify.rules import MessageFields, load_default_rules


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Hello, please send the payoff statement for my loan.", "en"),
        ("Hola, necesito la carta de liquidación de mi préstamo.", "es"),
        ("Kính gửi quý công ty, tôi muốn hỏi về khoản vay của tôi.", "vi"),
        ("xin chao, toi khong the tra tien nha thang nay, xin cho toi biet phai lam sao", "vi"),
        ("Bonjou, mwen bezwen konnen konbyen mwen dwe sou prè kay la. Mèsi anpil.", "ht"),
        ("Magandang araw po, gusto ko pong malaman kung magkano pa ang balanse ng utang ko.", "tl"),
        ("Olá, gostaria de saber o saldo do meu empréstimo, por favor.", "pt"),
        ("Bonjour, je voudrais connaître le solde de mon prêt, merci.", "fr"),
        ("안녕하세요, 제 대출 잔액을 알고 싶습니다.", "ko"),
        ("مرحبا، أريد أن أعرف رصيد القرض الخاص بي.", "ar"),
    ],
)
def test_each_supported_language_is_detected(text: str, code: str) -> None:
    guess = detect(text)
    assert guess.code == code
    assert 0.0 < guess.confidence <= 1.0


def test_chinese_records_its_script() -> None:
    assert detect("請問我的貸款餘額是多少？謝謝").script == "hant"
    assert detect("请问我的贷款余额是多少？谢谢").script == "hans"


def test_spanglish_records_the_second_language() -> None:
    guess = detect(
        "Hola, mi pago de octubre no fue aplicado. I called twice and nobody answered, "
        "please fix it, gracias."
    )
    assert {guess.code, guess.secondary} == {"en", "es"}


@pytest.mark.parametrize(
    ("guess", "expected"),
    [
        (LanguageGuess("es", 0.9), ("es",)),
        (LanguageGuess("en", 0.9), ("en",)),
        (LanguageGuess("vi", 0.9), ("en", "es")),
        (LanguageGuess("zh", 0.9, script="hant"), ("en", "es")),
        (LanguageGuess("es", 0.6, secondary="en"), ("en", "es")),
        (LanguageGuess("tl", 0.6, secondary="en"), ("en", "es")),
    ],
)
def test_acknowledgments_use_a_reviewed_template_or_english_and_spanish(
    guess: LanguageGuess, expected: tuple[str, ...]
) -> None:
    assert ack_languages(guess) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Hola, necesito la carta de liquidación de mi préstamo, por favor. Gracias.", "es"),
        ("Kính gửi quý công ty, tôi muốn hỏi về khoản vay của tôi.", "vi"),
        ("请问我的贷款余额是多少？谢谢", "zh"),
        ("Bonjour, je voudrais connaître le solde de mon prêt, merci.", "fr"),
    ],
)
def test_the_compact_models_detect_a_sentence_of_each_language(text: str, code: str) -> None:
    assert detect(text, "compact").code == code


@pytest.mark.parametrize(
    "line",
    [
        "Yo mete yon fre reta sou kont mwen san rezon.",
        "Kay la poko ka abite, èske nou ka mande yon lòt ekstansyon?",
    ],
)
def test_one_line_of_creole_is_creole_with_the_compact_models_too(line: str) -> None:
    # lingua's trigrams alone call it Tagalog or English "with confidence 1.0"; on a
    # text this short that confidence does not keep the Creole function words from
    # deciding.
    guess = detect(line, "compact")
    assert (guess.code, guess.method) == ("ht", "function-words")


@pytest.mark.parametrize(
    "line",
    [
        "Se me olvidó, ¿se te puede pagar mañana? Gracias.",
        "¿Se puede cambiar la fecha de pago? Yo te lo agradecería.",
    ],
)
def test_one_line_of_spanish_stays_spanish_with_the_compact_models(line: str) -> None:
    assert detect(line, "compact").code == "es"


def test_classification_reads_with_the_models_its_policy_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[str] = []
    real = language._detector

    def watched(models: LanguageModels) -> Any:
        seen.append(models)
        return real(models)

    monkeypatch.setattr(language, "_detector", watched)
    fields = MessageFields(subject="Payoff", text="Please send my payoff statement.")
    rules = load_default_rules()
    classify(fields, rules, ClassifyPolicy(language_models="compact"))
    classify(fields, rules, ClassifyPolicy())
    assert seen == ["compact", "full"]


def test_a_policy_naming_other_models_is_refused() -> None:
    with pytest.raises(ValidationError):
        ClassifyPolicy(language_models="tiny")  # type: ignore[arg-type]
