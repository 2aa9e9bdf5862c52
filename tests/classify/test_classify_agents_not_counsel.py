"""A client named by someone whose trade is not the law (a HUD-certified housing
counsellor, a Realtor, a loan officer) is no lawyer's client: the legal desk is not
called, and the words stay on the record as suppressed evidence. A lawyer's client, or
a counsellor who also says "I represent" or threatens to sue, still escalates."""

from __future__ import annotations

from tests.classify.wording import families, run

COUNSELLOR = (
    "I'm following up on the loan modification application for my client Loretta Haynes. "
    "Could you tell me where it stands?\n\nRaymond Oduya\nSenior Housing Counselor\n"
    "Greater St. Louis Housing Opportunity Center"
)


def test_a_housing_counsellors_client_is_not_legal_representation() -> None:
    assert "legal_representation" not in families(COUNSELLOR)


def test_the_counsellors_client_words_are_kept_as_suppressed_evidence() -> None:
    c = run(COUNSELLOR)
    kept = [s for s in c.suppressions if s.reason == "not_counsel"]
    assert [(s.rule, s.matched.lower(), s.cue.lower()) for s in kept] == [
        ("en_client_words", "my client", "housing counselor")
    ]


def test_a_spanish_counsellor_who_says_she_represents_no_one_is_not_counsel() -> None:
    text = (
        "Soy consejera de vivienda certificada por HUD. Le escribo en nombre de mis "
        "clientes, el Sr. y la Sra. Ramos, para enviar su solicitud de modificación. No "
        "representamos a los clientes en ningún asunto legal."
    )
    assert "legal_representation" not in families(text)


def test_a_lawyers_client_is_legal_representation() -> None:
    text = "My client Loretta Haynes disputes the fees on her loan.\n\nJane Roe, Esq."
    assert "legal_representation" in families(text)


def test_a_client_named_without_any_trade_is_still_legal_representation() -> None:
    assert "legal_representation" in families("Our client disputes the late fees on her loan.")


def test_a_counsellor_who_also_says_i_represent_keeps_the_family() -> None:
    text = COUNSELLOR + "\n\nI represent the borrower in her dispute with you."
    assert "legal_representation" in families(text)


def test_a_lawyer_who_mentions_the_borrowers_realtor_is_still_counsel() -> None:
    text = (
        "My client disputes the escrow shortage; her realtor says the taxes were paid at "
        "closing.\n\nJane Roe, Esq."
    )
    assert "legal_representation" in families(text)


def test_a_lawyer_signing_attorney_who_names_the_borrowers_counsellor_is_counsel() -> None:
    text = (
        "My client, Ms. Loretta Haynes, has been working with a HUD-approved housing "
        "counselor and submitted a complete application. The foreclosure sale must be "
        "postponed.\n\nJane Roe\nAttorney\nRoe & Partners"
    )
    assert "legal_representation" in families(text)


def test_a_firm_letter_naming_the_borrowers_realtor_is_counsel() -> None:
    text = (
        "On behalf of my client, we dispute the escrow shortage. Her realtor confirmed the "
        "taxes were paid.\n\nJane Roe\nRoe & Partners LLP"
    )
    assert "legal_representation" in families(text)


def test_a_spanish_realtors_clients_signed_with_her_trade_are_not_legal_representation() -> None:
    text = (
        "Mis clientes, Ramiro y Elsa Guajardo, vendieron su casa y autorizan que me den la "
        "información. ¿Cuándo les llega el reembolso del escrow?\n\n"
        "Alejandra Cantú | Agente inmobiliaria\nTrinity Oak Realty\n817-555-0136"
    )
    assert "legal_representation" not in families(text)


def test_a_spanish_agent_representing_the_buyer_of_a_sale_is_not_counsel() -> None:
    text = (
        "Represento a los compradores de la casa en 10455 NW 52 Ter. ¿El préstamo es "
        "asumible? ¿Hay un cargo por asumirlo?\n\nRafael Ortiz\n786-555-0110"
    )
    assert "legal_representation" not in families(text)


def test_a_spanish_lawyer_representing_a_borrower_is_still_counsel() -> None:
    text = (
        "Represento al Sr. Garza en su demanda contra ustedes. Dirijan toda comunicación a "
        "mi oficina.\n\nLic. Ana Ruiz, Abogada"
    )
    assert "legal_representation" in families(text)


def test_a_broker_associates_client_is_not_legal_representation() -> None:
    text = (
        "My client Nathan Greer is selling 2280 S Clayton St. Could you send a payoff "
        "statement good through 08/14/2026?\n\nKelsey Marchetti\nBroker Associate\n"
        "720-555-0149"
    )
    assert "legal_representation" not in families(text)


def test_a_lawyer_for_the_buyers_in_a_suit_against_us_is_still_counsel() -> None:
    text = (
        "Represento a los compradores en la demanda contra ustedes por la venta de la casa. "
        "Dirijan toda comunicación a mi despacho."
    )
    assert "legal_representation" in families(text)
