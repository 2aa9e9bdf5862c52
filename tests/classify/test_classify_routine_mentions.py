"""Serious words in routine mail: the statement's bankruptcy notice quoted back in full
or in French, HUD certifying a counselling agency in other languages, an agent for the
sellers of a house, a complaint a writer says was refunded. The live matters still
count."""

from __future__ import annotations

from tests.classify.wording import families


def test_both_halves_of_the_bankruptcy_notice_quoted_back() -> None:
    assert "bankruptcy" not in families(
        "Sur mon relevé il y a ce paragraphe : « If you are a debtor in bankruptcy or have "
        "received a bankruptcy discharge of this debt, this statement is for informational "
        "purposes only. »"
    )
    assert "bankruptcy" not in families(
        'Your footer says "If you are currently in bankruptcy, this is for information only".'
    )


def test_the_french_word_faillite_talked_about_is_no_filing() -> None:
    assert "bankruptcy" not in families("Pourquoi la mention « faillite » sur mon relevé ?")
    assert "bankruptcy" in families("Nous sommes en faillite depuis la semaine dernière.")


def test_a_hud_certified_agency_in_korean_is_no_regulator_complaint() -> None:
    assert "regulator_complaint" not in families(
        "저는 HUD 인증 주택상담기관의 상담사입니다. 고객의 서면 동의서를 첨부합니다."
    )
    assert "regulator_complaint" in families("HUD에 민원을 넣었습니다.")


def test_an_agent_for_the_sellers_is_no_legal_representation() -> None:
    assert "legal_representation" not in families(
        "I represent the sellers (signed authorization attached). Please send a payoff "
        "statement good through 9/30."
    )
    assert "legal_representation" in families(
        "I represent the borrower in the foreclosure; direct all communication to me."
    )


def test_a_tagalog_complaint_already_refunded() -> None:
    assert "complaint" not in families(
        "Noong isang taon nag-file ako ng complaint kasi na-double charge yung late fee ko, "
        "at na-refund na po lahat."
    )


def test_a_chinese_scam_worried_about_and_not_paid() -> None:
    assert "fraud_identity_theft" not in families(
        "我收到一封信说贷款转给别的公司了。我有点担心是诈骗。我还没有付过任何钱给他们。"
    )
    assert "fraud_identity_theft" in families("我被诈骗了，已经给他们转了五千块。")


def test_a_chinese_writers_own_oversight_is_no_notice_of_error() -> None:
    assert "notice_of_error" not in families(
        "不好意思，是我自己的疏忽。我付款时选错了帐号，能不能请你们把这笔钱转到正确的帐号？"
    )
