"""Escalations told in plain words: a lawyer who already has the writer's case, being
handed court papers, a video series about the servicer threatened, an age written after
a name or with a space before 歲."""

from __future__ import annotations

from tests.classify.wording import families, run


def test_a_spanish_lawyer_who_already_has_the_case() -> None:
    c = run(
        "Fuimos a ver a la licenciada Ortega y ella ya tiene nuestro caso. Mándenos otra "
        "copia de la carta."
    )
    legal = [h for h in c.families if h.family == "legal_representation"]
    assert legal
    # The cue alone is the evidence: the lawyer's name stays out of it.
    assert all("Ortega" not in e.matched for h in legal for e in h.evidence)


def test_handed_papers_from_the_court_is_a_suit_served() -> None:
    found = families(
        "A deputy handed me a stack of papers from the court yesterday. What do I owe?"
    )
    assert "legal_representation" in found


def test_the_caption_of_a_foreclosure_suit_is_no_complaint_of_the_writers() -> None:
    found = families("The papers say complaint in foreclosure. What do I owe to stop it?")
    assert "legal_representation" in found
    assert "complaint" not in found


def test_a_video_series_about_the_servicer_threatened() -> None:
    found = families(
        "I have 40k followers and I'm about to make a whole video series about how "
        "impossible it is to get an answer from you."
    )
    assert "media_threat" in found


def test_a_portuguese_age_after_a_name_with_papers_signed() -> None:
    found = families(
        "Sou filha da Sra. Maria Souza, 84 anos. Um homem apareceu na casa dela e ela "
        "assinou uns papéis que ele trouxe."
    )
    assert "elder_exploitation" in found


def test_a_chinese_age_written_with_a_space_and_a_fraud() -> None:
    found = families("我母親今年 83 歲。上週有人冒充你們公司騙了她 $3,000，我們已經報警。")
    assert "elder_exploitation" in found
