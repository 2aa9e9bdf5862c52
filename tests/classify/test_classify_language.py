"""Language detection, its confidence, code-switching, and the acknowledgment languages."""

from __future__ import annotations

import pytest

from pipeline.classify.kinds import LanguageGuess
from pipeline.classify.language import ack_languages, detect


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
