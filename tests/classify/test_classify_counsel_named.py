"""A borrower's own lawyer named for this matter, or every communication sent through a
law office, is legal representation in Spanish, Vietnamese, Chinese and Haitian Creole as
in English; an agent under a power of attorney, a Realtor who represents a seller, and a
law firm that is only mentioned are not."""

from __future__ import annotations

import pytest

from tests.classify.wording import families


@pytest.mark.parametrize(
    "text",
    [
        "Por medio del presente les notificamos que el despacho Morales & Asociados, PLLC"
        " representa al Sr. Garza en relación con el préstamo.",
        "En adelante, favor de dirigir toda comunicación relacionada con este préstamo al"
        " Lic. Arturo Morales.",
        "Luật sư của tôi là Luật sư Lê Hoàng Phúc, văn phòng Le & Associates.",
        "Xin quý công ty ngưng gọi điện thoại, mọi liên lạc xin gửi qua luật sư.",
        "我的破产律师是谭丽莎律师，电话 626-555-0188。",
        "请立即停止催收，所有联系请通过我的律师。",
        "Yè, avoka mwen, Me. Fritz Jean-Baptiste, depoze yon Chapter 13 pou mwen.",
        "Tanpri tout kominikasyon dwe pase pa biwo li: 954-555-0140.",
    ],
)
def test_the_borrowers_lawyer_named_is_legal_representation(text: str) -> None:
    assert "legal_representation" in families(text)


def test_an_agent_under_a_power_of_attorney_is_not_counsel() -> None:
    text = (
        "I hold durable power of attorney for my mother, the borrower on this loan. Please"
        " tell me whether anyone else has contacted you about it."
    )
    assert "legal_representation" not in families(text)


def test_an_attorney_for_the_borrower_still_is_counsel() -> None:
    assert "legal_representation" in families("I am the attorney for the borrower, Ms. Pruitt.")


def test_a_realtor_who_represents_the_seller_in_a_sale_is_not_counsel() -> None:
    text = (
        "Sou corretora de imóveis e represento o Sr. Anderson Silva na venda do imóvel."
        " Preciso do payoff statement com validade até 15/12."
    )
    assert "legal_representation" not in families(text)


def test_represento_for_a_borrower_against_the_servicer_still_is_counsel() -> None:
    text = "Represento o Sr. Anderson Silva e vamos entrar com um processo contra vocês."
    assert "legal_representation" in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "Avoka nou an voye yon lèt ban mwen pou di kay la ap vann.",
        "Tôi chưa liên lạc với luật sư nào cả.",
        "Tôi có nên liên lạc với luật sư của ngân hàng không?",
        "Luật sư của tôi là người lo thủ tục mua nhà năm 2019.",
        "El despacho que representa al banco me mandó una carta diciendo que van a rematar"
        " mi casa.",
        "El despacho Ruiz & Asociados representa a la compañía de título en el cierre de la venta.",
        "Favor de enviar toda comunicación a nuestra oficina. Somos una agencia de consejería"
        " de vivienda.",
        "我的律师是负责买房过户的。",
    ],
)
def test_a_lawyer_who_is_not_the_borrowers_counsel_makes_no_representation(text: str) -> None:
    assert "legal_representation" not in families(text)


def test_a_lawyer_who_represents_the_borrower_against_a_court_sale_is_counsel() -> None:
    text = (
        "Sou advogado. Represento o Sr. Silva na venda judicial do imóvel marcada por vocês"
        " e pedimos o adiamento."
    )
    assert "legal_representation" in families(text)
