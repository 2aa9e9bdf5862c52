"""Matters over are no live escalation: a bankruptcy discharged in a year named (in
the other languages too), a disaster whose damage was repaired long ago, a friend's
complaint told on with a pronoun in the next sentence, and a fee the next sentence says
was removed."""

from __future__ import annotations

from tests.classify.wording import families, run


def test_a_korean_bankruptcy_discharged_in_a_year_named() -> None:
    found = families(
        "2018년에 파산 신청을 했고 2019년에 면책을 받았습니다. 최근 12개월 납부 내역서를 "
        "보내 주세요."
    )
    assert "bankruptcy" not in found


def test_a_korean_bankruptcy_without_a_discharge_still_counts() -> None:
    assert "bankruptcy" in families("지난달에 파산 신청을 했습니다. 어떻게 해야 하나요?")


def test_a_hurricane_whose_damage_was_repaired_long_ago() -> None:
    c = run(
        "Our papers got wet in the hurricane in 2017. The house was repaired years ago. "
        "Could you send a copy of the note?"
    )
    assert "disaster_hardship" not in {h.family for h in c.families}
    assert any(s.reason == "resolution" for s in c.suppressions)


def test_a_hurricane_now_is_still_a_hardship() -> None:
    assert "disaster_hardship" in families(
        "The hurricane last week flooded our house and we cannot pay this month."
    )


def test_a_friends_complaint_told_on_with_a_pronoun() -> None:
    found = families(
        "我有一个朋友去年也遇到同样的问题。她叫我也去投诉，可是我觉得先问清楚比较好。"
        "请把托管账户的明细寄给我。"
    )
    assert "complaint" not in found


def test_a_pronoun_with_no_one_named_before_leaves_the_complaint() -> None:
    assert "complaint" in families("你们一直不回复。她说我应该投诉，我决定要投诉你们。")


def test_a_vietnamese_fee_said_removed_in_the_next_sentence() -> None:
    c = run(
        "Tuần trước em bị tính phí trễ hạn $35 dù em đã trả đúng hạn. "
        "Hôm nay em thấy phí đó đã được xoá rồi, em cảm ơn."
    )
    assert "notice_of_error" not in c.request_kinds
    assert any(s.reason == "resolution" for s in c.suppressions)


def test_another_fee_refunded_leaves_the_error_standing() -> None:
    c = run(
        "You charged me a $40 late fee even though I paid on time. "
        "The other fee was refunded but not this one."
    )
    assert "notice_of_error" in c.request_kinds
