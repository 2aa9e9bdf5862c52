"""A complaint that is someone else's idea, or an identity-theft report to the FTC, is no
complaint about the servicer; the writer's own complaint still is."""

from __future__ import annotations

from tests.classify.wording import families


def test_a_friends_suggestion_to_complain_in_chinese_is_no_complaint() -> None:
    assert "complaint" not in families(
        "朋友说这种情况可以直接去投诉，不过我觉得还是先问问你们比较好。"
    )
    assert "complaint" in families("我要投诉你们的服务。")


def test_a_friends_suggestion_to_complain_in_english_is_no_complaint() -> None:
    assert "complaint" not in families(
        "A friend of mine said I should file a complaint, but I'd rather just ask first."
    )
    assert "complaint" in families("I want to file a complaint about how my call was handled.")


def test_an_ftc_identity_theft_report_in_spanish_is_no_regulator_complaint() -> None:
    found = families(
        "Alguien usó mi identidad para abrir un préstamo. Ya hice el reporte en la policía "
        "y en la FTC."
    )
    assert "regulator_complaint" not in found
    assert "fraud_identity_theft" in found


def test_an_ftc_report_number_in_korean_is_no_regulator_complaint() -> None:
    assert "regulator_complaint" not in families(
        "누군가 제 정보로 대출을 만든 것 같습니다. FTC 신고번호는 받는 대로 보내드리겠습니다."
    )
    assert "regulator_complaint" in families("I filed a complaint with the FTC about your fees.")
