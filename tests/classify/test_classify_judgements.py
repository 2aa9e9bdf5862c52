"""Good standing and fairness judgements: "I have always paid on time", "nunca he pagado
tarde", "trả đúng hạn", "it is not right", "no es justo", "부당하다" assert an error only
of a servicing thing named in their own sentence, or against a lateness the message
says was put on the account.

Each case pairs the statement that disputes nothing with the one that disputes a
charge, so it fails both ways.
"""

from __future__ import annotations

from tests.classify.wording import families, run


def _kinds(text: str) -> tuple[str, ...]:
    return run(text).request_kinds


def test_good_standing_in_a_hardship_letter_is_no_error() -> None:
    assert "notice_of_error" not in _kinds(
        "The mill burned and there is no work. I have always paid on time 19 years. "
        "I need to know what I can do, lower payments or skip some months."
    )


def test_good_standing_against_a_late_fee_is_an_error() -> None:
    # The late fee is named in another sentence: the standing disputes it.
    assert "notice_of_error" in _kinds(
        "You charged me a late fee this month. I have always paid on time."
    )


def test_good_standing_beside_a_payment_in_its_sentence_is_an_error() -> None:
    assert "notice_of_error" in _kinds("I paid on time but the payment posted on the 20th.")


def test_a_spanish_writer_never_late_asking_if_anything_is_owed_is_no_error() -> None:
    # The lateness is only asked about, and "nunca he pagado" is the writer's record,
    # not the servicer never paying.
    assert "notice_of_error" not in _kinds(
        "Quiero estar segura que estoy al corriente. ¿Me pueden decir si debo algún pago "
        "o algún cargo atrasado? Nunca he pagado tarde."
    )
    assert "notice_of_error" in _kinds(
        "Me cobraron un cargo por mora este mes. Nunca he pagado tarde."
    )


def test_a_spanish_standing_asked_to_be_confirmed_is_no_error() -> None:
    assert "notice_of_error" not in _kinds(
        "Quisiera confirmar que mi cuenta está al corriente y que no debo ningún cargo."
    )
    assert "notice_of_error" in _kinds("Ese cargo no lo debo, que no debo nada, quítenlo.")


def test_a_vietnamese_standing_for_a_refinance_is_no_error() -> None:
    assert "notice_of_error" not in _kinds(
        "Họ chỉ cần giấy tờ chứng minh tôi trả đúng hạn. Xin gửi lịch sử thanh toán."
    )
    assert "notice_of_error" in _kinds("Tôi bị tính phí trễ hạn tháng này. Tôi luôn trả đúng hạn.")


def test_unfair_treatment_is_no_error() -> None:
    text = (
        "The agent asked for my immigration status and hung up. It is not right.\nLoan 7738201166"
    )
    assert "notice_of_error" not in _kinds(text)
    assert "notice_of_error" in _kinds("The late fee on my statement is not right.")


def test_a_spanish_fairness_judgement_of_treatment_is_no_error() -> None:
    assert "notice_of_error" not in _kinds(
        "Me colgaron porque no hablo inglés. No es justo. Yo pago mi casa igual que todos."
    )
    assert "notice_of_error" in _kinds("No es justo que me cobren ese cargo.")


def test_a_korean_fairness_judgement_of_a_denial_is_no_error() -> None:
    assert "notice_of_error" not in _kinds(
        "나이 때문에 거절하는 것은 부당하다고 생각합니다. 대출번호 3508217746"
    )
    assert "notice_of_error" in _kinds("연체료가 부당하게 부과되었습니다.")


def test_treated_very_differently_is_discrimination() -> None:
    assert "discrimination" in families(
        "I feel I have been treated very differently once the agent hears my accent."
    )


def test_a_fire_the_hardship_dates_from_is_a_disaster() -> None:
    assert "disaster_hardship" in families(
        "After the fire at the mill in February there is no work for any of us."
    )
    assert "disaster_hardship" not in families(
        "Since the fire alarm inspection fee was added, my payment went up."
    )
