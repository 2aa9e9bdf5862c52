"""A disaster that struck the writer's family elsewhere, told by a writer whose own
home is fine, is no disaster hardship on this loan; the writer's own disaster is."""

from __future__ import annotations

from tests.classify.wording import families


def test_a_haitian_hurricane_at_the_mothers_house_with_the_writers_home_fine() -> None:
    assert "disaster_hardship" not in families(
        "Siklòn nan kraze kay manman m ak frè m nan Jeremi. "
        "Kay pa m isit la nan Brockton pa gen pwoblèm. M ta renmen chanje dat peman an."
    )


def test_an_english_flood_at_the_parents_house_with_the_writers_home_fine() -> None:
    assert "disaster_hardship" not in families(
        "The flood wrecked my parents' place in Texas. My house here is fine. "
        "Can I move my due date to the 15th?"
    )


def test_the_writers_own_disaster_still_counts_beside_family() -> None:
    # The family named, but the writer's own home is not said to be fine.
    assert "disaster_hardship" in families(
        "The hurricane flooded our street and my mother's house too. We need help."
    )
    # The home fine, but the disaster told of the writer's own life.
    assert "disaster_hardship" in families(
        "My house is fine, but the hurricane closed the plant and I have no work."
    )
