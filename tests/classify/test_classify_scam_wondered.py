"""A scam the writer only wonders about, having done nothing, takes nothing of theirs:
no fraud report. Said to have acted on it (clicked, paid), it stays one."""

from __future__ import annotations

from tests.classify.wording import families


def test_a_tagalog_scam_only_wondered_about_is_no_fraud() -> None:
    assert "fraud_identity_theft" not in families(
        "May letter po galing sa ibang company na sila na daw ang servicer. "
        "Nalilito na po ako kasi baka scam yung isa. Kanino ko po ibabayad?"
    )


def test_an_english_scam_only_wondered_about_is_no_fraud() -> None:
    assert "fraud_identity_theft" not in families(
        "I saw a letter offering a guaranteed modification for $995. Seems like a scam. "
        "Are they your partner?"
    )


def test_a_scam_wondered_about_after_acting_on_it_is_fraud() -> None:
    assert "fraud_identity_theft" in families(
        "I clicked the link in the text and typed my login. Seems like a scam. What do I do?"
    )
