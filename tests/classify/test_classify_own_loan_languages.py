"""A death told by a writer who says the loan written about is their own, not the one
who died, makes no successor in interest, in Haitian Creole and Chinese as in English
and Spanish."""

from __future__ import annotations

from tests.classify.wording import families


def test_a_haitian_writer_whose_mothers_house_has_no_mortgage() -> None:
    assert "successor_in_interest" not in families(
        "Manman m te mouri nan mwa janvye. Kay manman m nan pa gen ipotèk. "
        "Se pou prè pa m nan m ap ekri. Tanpri voye yon kopi relve yo."
    )
    assert "successor_in_interest" in families(
        "Manman m te mouri nan mwa janvye. Mwen vle konnen kisa pou m fè ak prè li a."
    )


def test_a_chinese_writer_asking_about_their_own_loan() -> None:
    assert "successor_in_interest" not in families(
        "我爸爸上个月去世了。他在国内的房子跟你们没有关系，我问的是我自己的房贷。"
        "今年一共付了多少利息？"
    )
    assert "successor_in_interest" in families("我爸爸上个月去世了，他的房贷现在该怎么办？")


def test_a_french_writer_planning_their_own_estate() -> None:
    assert "successor_in_interest" not in families(
        "Mon notaire me demande une copie de l'hypothèque pour la planification de ma succession."
    )
    assert "successor_in_interest" in families("Ma mère est décédée, je suis son héritière.")
