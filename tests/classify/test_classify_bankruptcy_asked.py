"""A lender's or a form's question put to the writer ("have you ever filed
bankruptcy?"), which the writer answers, tells of no filing; a filing told still does."""

from __future__ import annotations

import pytest

from tests.classify.wording import families


@pytest.mark.parametrize(
    "text",
    [
        "I'm refinancing with another bank. The loan officer asked me if I had ever filed "
        "bankruptcy and I said no. Please send my payment history.",
        "Me preguntaron si alguna vez he estado en bancarrota y les dije que no. "
        "Necesito mi historial de pagos.",
        'Bên loan officer hỏi tôi "có từng phá sản hay có kiện tụng gì không" - tôi trả '
        "lời là không. Xin gửi lịch sử thanh toán.",
        "Tinanong po ng credit union kung bangkarote ako. Kailangan ko po ng payoff statement.",
    ],
)
def test_a_lenders_question_about_bankruptcy_is_no_bankruptcy(text: str) -> None:
    assert "bankruptcy" not in families(text)


def test_a_filing_told_is_still_bankruptcy() -> None:
    assert "bankruptcy" in families("I filed bankruptcy last week, chapter 13.")
