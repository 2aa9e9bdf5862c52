"""In a report of an impostor, the error the impostor claimed, told as their words, is
the impostor's pretext, not a notice of error; the writer's own claim still is."""

from __future__ import annotations

from tests.classify.wording import run


def _kinds(text: str) -> tuple[str, ...]:
    return run(text).request_kinds


def test_an_impostors_system_error_told_in_korean_is_no_error() -> None:
    text = (
        "귀사 직원이라는 사람한테 전화가 왔습니다. "
        "이번 달 납부금이 시스템 오류로 반송됐다면서 Zelle로 보내라고 했습니다. "
        "아무래도 사기를 당한 것 같습니다."
    )
    assert "notice_of_error" not in _kinds(text)


def test_an_impostors_unpaid_fine_told_in_chinese_is_no_error() -> None:
    text = (
        "她接到一个冒充你们公司的电话，对方说她的房贷有一笔逾期罚款没交。"
        "我妈妈被骗了，转了 $2,480。"
    )
    assert "notice_of_error" not in _kinds(text)


def test_the_writers_own_error_claim_in_a_fraud_report_still_counts() -> None:
    text = (
        "Someone stole my identity and opened a card. Separately, you charged my "
        "escrow twice this month, please fix it."
    )
    assert "notice_of_error" in _kinds(text)
