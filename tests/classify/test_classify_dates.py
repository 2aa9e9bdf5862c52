"""The foreclosure sale date a message states is extracted in several formats and languages."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.classify.dates import find_sale_date
from pipeline.classify.normalize import fold


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The foreclosure sale is scheduled for March 12, 2027 at 10 am.", "2027-03-12"),
        ("Trustee sale set 04/15/2027, please help.", "2027-04-15"),
        ("sheriff sale on 3/3/27", "2027-03-03"),
        ("The auction date is 2027-01-06.", "2027-01-06"),
        ("La subasta es el 15 de enero de 2027 en el condado.", "2027-01-15"),
        ("la venta es el 9 de marzo del 2027", "2027-03-09"),
        ("Minha casa vai a leilão no dia 12 de março de 2027.", "2027-03-12"),
        ("La vente aux enchères aura lieu le 22 décembre 2026.", "2026-12-22"),
        ("Nhà tôi sẽ bị bán đấu giá ngày 5 tháng 2 năm 2027.", "2027-02-05"),
        ("法拍日期是2027年5月3日。", "2027-05-03"),
        ("경매 기일은 2027년 1월 28일입니다.", "2027-01-28"),
        # day first where the first number cannot be a month
        ("remate 16/02/2027, envío la solicitud", "2027-02-16"),
        ("vente aux enchères le 22/12/2026", "2026-12-22"),
        ("بيع المنزل بالمزاد في 9 فبراير 2027", "2027-02-09"),
    ],
)
def test_a_stated_sale_date_is_extracted(text: str, expected: str) -> None:
    assert find_sale_date("", fold(text)) == expected


def test_a_date_far_from_any_sale_word_is_not_taken() -> None:
    text = "I paid on 01/05/2027. " + "Thanks again for your help with my account. " * 10 + "sale"
    assert find_sale_date("", fold(text)) is None


def test_a_date_without_a_year_is_not_guessed_without_the_day_of_receipt() -> None:
    assert find_sale_date("", fold("The sheriff sale is March 3rd.")) is None


@pytest.mark.parametrize(
    ("text", "received", "expected"),
    [
        # the coming occurrence
        ("The sheriff sale is March 3rd.", date(2026, 2, 10), "2026-03-03"),
        ("URGENT sale date Dec 15th", date(2026, 11, 20), "2026-12-15"),
        ("mi casa tiene venta el próximo martes 15 de diciembre", date(2026, 12, 2), "2026-12-15"),
        ("auction set for 1/6, please call me", date(2026, 12, 20), "2027-01-06"),
        ("拍卖日期是3月12日", date(2026, 11, 1), "2027-03-12"),
        ("경매 기일은 1월 28일입니다", date(2026, 12, 1), "2027-01-28"),
        ("nhà tôi bị bán đấu giá ngày 5 tháng 2", date(2026, 12, 1), "2027-02-05"),
        ("La vente aux enchères aura lieu le 22 décembre.", date(2026, 12, 1), "2026-12-22"),
        ("بيع المنزل بالمزاد في 9 فبراير", date(2026, 12, 1), "2027-02-09"),
        # a day alone: this month or the next
        ("they are selling the house at auction on the 14th", date(2026, 7, 6), "2026-07-14"),
        ("la subasta es el día 3", date(2026, 7, 20), "2026-08-03"),
        # a sale just held is in the past, not eleven months ahead
        ("the sale on December 28 went ahead without notice", date(2027, 1, 5), "2026-12-28"),
    ],
)
def test_a_date_without_a_year_is_read_against_the_day_of_receipt(
    text: str, received: date, expected: str
) -> None:
    assert find_sale_date("", fold(text), received) == expected


def test_a_full_date_is_never_read_as_a_partial_one() -> None:
    text = "The foreclosure sale is scheduled for March 12, 2028."
    assert find_sale_date("", fold(text), date(2026, 12, 1)) == "2028-03-12"


def test_round_the_clock_is_no_date() -> None:
    assert find_sale_date("", fold("I work 24/7 to stop the sale"), date(2026, 5, 1)) is None
