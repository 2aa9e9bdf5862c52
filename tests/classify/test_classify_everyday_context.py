"""Context in everyday mail that changes what a word means, and escalations said without
the usual words: someone else's situation, a matter said to be resolved in passing, an
application still being looked at when a sale is set, unequal treatment described
rather than named, a servicemember who says "I ship out".

One phrasing family per case, in each language it is written in.
"""

from __future__ import annotations

import pytest

from tests.classify.wording import families, run


@pytest.mark.parametrize(
    ("family", "text"),
    [
        (
            "foreclosure_sale",
            "The house next door to me just went to a foreclosure auction last week. "
            "Can you send me my escrow analysis?",
        ),
        (
            "legal_representation",
            "Saw on the news that some mortgage company is getting sued by a bunch of "
            "states. Please update my phone number.",
        ),
        (
            "bankruptcy",
            "My neighbor filed for bankruptcy last month. Please update my phone number.",
        ),
        (
            "foreclosure_sale",
            "La casa de mi vecino se fue a subasta el mes pasado. Me mandan mi estado de cuenta?",
        ),
        ("bankruptcy", "Um amigo meu entrou com pedido de falência. Qual é o meu saldo?"),
        ("disaster_hardship", "Mon voisin a perdu sa maison dans une inondation. Merci."),
    ],
)
def test_someone_elses_situation_escalates_nothing(family: str, text: str) -> None:
    c = run(text)
    assert family not in {h.family for h in c.families}
    assert any(s.reason == "other_party" for s in c.suppressions)


@pytest.mark.parametrize(
    ("family", "text"),
    [
        (
            "foreclosure_sale",
            "The foreclosure sale of my house is set for March 3. Please stop it.",
        ),
        ("bankruptcy", "We filed chapter 13 last week; here is the case number."),
    ],
)
def test_the_writers_own_situation_still_escalates(family: str, text: str) -> None:
    assert family in families(text)


def test_a_complaint_said_to_be_finally_resolved_escalates_nothing() -> None:
    c = run(
        "The complaint I had last fall about the insurance check was finally resolved. "
        "Could you email me a copy of my 1098?"
    )
    assert "complaint" not in {h.family for h in c.families}
    assert any(s.reason == "resolution" for s in c.suppressions)


@pytest.mark.parametrize(
    "text",
    [
        'I sent every paper your lady asked for and she said it was "under review." You '
        "cannot sell my house on the 14th while you are still looking at my modification.",
        "Mandé todos los papeles y todavía están revisando mi solicitud, pero me llegó un "
        "aviso de que la venta del alguacil es el 14 de julio.",
    ],
)
def test_a_sale_set_while_the_application_is_still_being_reviewed_is_a_sale_error(
    text: str,
) -> None:
    c = run(text)
    assert "foreclosure_sale_error" in c.request_subkinds
    assert "notice_of_error" in c.request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "The representative asked me twice where I was really from. My white coworker "
        "had the same loan and was approved with less documents than I gave.",
        "La representante me preguntó de dónde soy realmente. Mi compañero de trabajo "
        "blanco tiene el mismo préstamo y a él le aprobaron la modificación.",
    ],
)
def test_unequal_treatment_described_without_naming_it_is_discrimination(text: str) -> None:
    assert "discrimination" in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "I sent every paper in June. Nobody has told me anything.",
        "I am not happy with the way I was treated on the phone.",
        "Nadie me ha dicho nada de mi caso en dos meses.",
        "No estoy contenta con el trato que recibí por teléfono.",
    ],
)
def test_being_left_without_word_or_treated_badly_is_a_complaint(text: str) -> None:
    assert "complaint" in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "I ship out in two weeks and my wife needs to be able to call you about the mortgage.",
        "I enlisted in 2023 and we closed on this loan in 2021.",
        "Me enlisté el año pasado y quiero saber si me bajan el interés del préstamo.",
    ],
)
def test_a_servicemember_who_does_not_say_military_is_a_servicemember(text: str) -> None:
    assert "servicemember" in families(text)


@pytest.mark.parametrize(
    ("family", "text"),
    [
        (
            "complaint",
            "I called today ready to file a complaint about my escrow, but Maria figured out "
            "the problem and fixed it while I was on the phone.",
        ),
        (
            "disaster_hardship",
            "Gracias a Dios con el huracán no nos pasó nada. Quiero confirmar el seguro.",
        ),
        (
            "disaster_hardship",
            "The wildfire is nowhere near us, but when does my escrow payment change?",
        ),
    ],
)
def test_a_matter_fixed_on_the_spot_or_that_left_the_writer_untouched_escalates_nothing(
    family: str, text: str
) -> None:
    c = run(text)
    assert family not in {h.family for h in c.families}
    assert any(s.reason == "resolution" for s in c.suppressions)


def test_a_complaint_that_was_not_fixed_still_escalates() -> None:
    assert "complaint" in families(
        "Third time I call and you still haven't fixed the problem. This is unacceptable."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Mi hermano está en bancarrota y me pidió dinero. Necesito mi estado de cuenta.",
        "Frè m nan te fè fayit ane pase. Voye ban mwen istwa peman mwen.",
    ],
)
def test_a_siblings_bankruptcy_is_theirs(text: str) -> None:
    assert "bankruptcy" not in families(text)


def test_a_fraud_story_on_the_news_is_no_fraud_report() -> None:
    c = run(
        "Napanood ko po sa TFC ang balita tungkol sa scam at fraud sa mga matatanda. "
        "Pakikumpirma po ang tamang address."
    )
    assert "fraud_identity_theft" not in {h.family for h in c.families}
    assert "media_threat" not in {h.family for h in c.families}


@pytest.mark.parametrize(
    "text",
    [
        "I'm a HUD-approved housing counselor; attached is the loan modification package.",
        "Mwen se konseye lojman nan Konbit Lakay (ajans HUD apwouve).",
        "Soy consejera de vivienda aprobada por HUD y adjunto la solicitud.",
    ],
)
def test_a_hud_approved_counsellor_is_no_complaint_to_hud(text: str) -> None:
    assert "regulator_complaint" not in families(text)


@pytest.mark.parametrize(
    ("family", "text"),
    [
        ("disaster_hardship", "I got a letter saying FEMA's new flood map puts us in Zone AE."),
        ("disaster_hardship", "¿El seguro de inundación que pagan del escrow está al día?"),
        ("servicemember", "I'm a retired Navy chief, retired in 2009. What index do you use?"),
        (
            "media_threat",
            "With all the news about insurers dropping people, will my escrow change?",
        ),
    ],
)
def test_words_of_a_family_used_for_something_else_escalate_nothing(family: str, text: str) -> None:
    assert family not in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "呢個唔係投訴，只係想問下託管帳戶分析。",
        "불만이 있는 건 아니고, 재산세 때문인지 궁금합니다.",
    ],
)
def test_a_complaint_negated_in_cantonese_or_korean_is_none(text: str) -> None:
    assert "complaint" not in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "My grandmother is 86 and lives alone. Her new caretaker's boyfriend made her sign "
        "some papers last month and now handles her money.",
        "Mi vecino tiene 86 años y vive solo. Un hombre que dice ser su sobrino maneja su "
        "dinero y le hizo firmar unos papeles.",
        "家母今年88歲，有人常去找她，還叫她簽了幾份英文文件。",
        "Ang lola ko ay 84 taong gulang. May lalaking humahawak na ng kanyang pera at "
        "pinapirma siya ng mga papel.",
        "Mi tía tiene 82 años y vive sola. Su hijo la obligó a firmar papeles del préstamo.",
        "Mi abuela tiene 90 años. Un vecino le quitó la tarjeta del banco.",
    ],
)
def test_an_old_person_made_to_sign_or_whose_money_is_handled_is_elder_exploitation(
    text: str,
) -> None:
    c = run(text)
    hit = next(h for h in c.families if h.family == "elder_exploitation")
    assert {e.signal for e in hit.evidence} == {"elderly+exploitation_act"}


def test_an_old_borrower_without_anyone_handling_their_affairs_is_no_exploitation() -> None:
    assert "elder_exploitation" not in families(
        "I am 82 years old and I would like a copy of my payment history for my taxes."
    )


def test_every_suppression_reason_has_words_in_the_trail() -> None:
    from typing import get_args

    from pipeline.classify.kinds import SuppressionReason
    from pipeline.trail.explain import SUPPRESSION_REASONS

    assert set(get_args(SuppressionReason)) <= set(SUPPRESSION_REASONS)
