"""A relative's military service, told by a writer who says the loan is theirs, is no
servicemember matter on this loan; a serving borrower (or co-borrower) still is."""

from __future__ import annotations

from tests.classify.wording import families


def test_a_spanish_sons_army_service_on_the_writers_own_loan() -> None:
    assert "servicemember" not in families(
        "Mi hijo está en el ejército en Alemania y me ayudaba con la computadora. "
        "Quiero saber por qué subió mi escrow. El préstamo es mío solamente."
    )
    # Without the loan said to be the writer's, the son's service still escalates.
    assert "servicemember" in families(
        "Mi hijo está en el ejército en Alemania. ¿Qué protecciones tiene su préstamo?"
    )


def test_a_korean_sons_service_on_the_writers_own_loan() -> None:
    assert "servicemember" not in families(
        "아들이 한국에서 군 복무 중이라 자동이체 계좌를 제 계좌로 바꾸고 싶습니다. "
        "대출은 제 명의입니다."
    )


def test_an_arabic_writer_who_never_served() -> None:
    assert "servicemember" not in families("أنا متقاعد ولم أخدم في الجيش أبداً.")
    assert "servicemember" in families("أنا ضابط في الجيش وتم نقلي إلى الخارج.")


def test_the_writers_own_service_still_counts_with_a_son_named() -> None:
    assert "servicemember" in families(
        "I am on active duty and deployed with my son's unit. The loan is in my name only."
    )
