"""Fraud told the writer's own way, without the word: someone else changing where the
servicer writes, a loan the borrower has no memory of, money sent by an app no servicer
takes to someone posing as one."""

from __future__ import annotations

import pytest

from tests.classify.wording import families, run


def test_someone_else_changing_the_mailing_address_is_fraud() -> None:
    assert "fraud_identity_theft" in families(
        "I found papers showing that someone called you in April to change the mailing "
        "address for his statements to a PO box. Dad doesn't have a PO box."
    )


def test_the_borrower_changing_their_own_address_is_no_fraud() -> None:
    assert "fraud_identity_theft" not in families(
        "I moved last month. Please change the mailing address on my loan to 12 Oak St."
    )


def test_a_loan_the_borrower_has_no_memory_of_is_fraud_not_a_disputed_charge() -> None:
    result = run(
        "Dad's statement now shows a balance of over $90,000. Dad has no memory of any new "
        "loan or of changing his address."
    )
    found = {h.family for h in result.families}
    assert "fraud_identity_theft" in found
    assert "notice_of_error" not in found
    evidence = next(h for h in result.families if h.family == "fraud_identity_theft").evidence
    assert any(e.rule == "en_fraud_identity_theft" for e in evidence)


def test_money_sent_by_zelle_to_a_fake_department_is_fraud() -> None:
    assert "fraud_identity_theft" in families(
        "A man said he was from your loss mitigation department and I had to send a $1,200 "
        "deposit to lock in a modification. I sent it by Zelle to Homeowner Relief "
        "Processing."
    )


def test_asking_whether_zelle_is_accepted_is_no_fraud() -> None:
    assert "fraud_identity_theft" not in families(
        "Can I make my monthly payment with Zelle, or only by check and autopay?"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Ahora me llega una carta de un préstamo nuevo de 90 mil dólares sobre mi casa y yo "
        "nunca vi ese dinero.",
        "Alguien llamó a ustedes para cambiar la dirección de mi mamá a un apartado postal.",
        "Le mandé $1,780 por Zelle a un número que me dio.",
        "Alguém ligou para vocês para mudar o endereço dela.",
        "Paguei $1,812 pelo Zelle para um tal de Loan Processing Dept.",
        "Quelqu'un a appelé pour changer l'adresse de ma mère.",
        "J'ai payé 900 dollars par Zelle à un homme.",
        "Có người nào đó đã đổi địa chỉ nhận thư của mẹ tôi.",
        "Tôi đã chuyển $1,215 qua Zelle cho một số điện thoại.",
        "Yon moun te rele pou chanje adrès manman m.",
        "Mwen te voye $800 pa Zelle bay yon nonm.",
        "May tumawag po para palitan ang address ng nanay ko.",
        "Nagbayad po ako ng $900 sa Zelle sa isang tao.",
        "누군가 어머니 주소를 변경했습니다.",
        "젤로 800달러를 송금했습니다.",
        "有人把我妈妈的地址改了。",
        "我用Zelle转了800美元给他。",
        "اتصل شخص ما بكم لتغيير العنوان.",
        "أرسلت 800 دولار عبر zelle إلى رجل.",
        "The bank says there is a new loan on her house but she never saw that money.",
    ],
)
def test_fraud_told_plainly_in_every_language_is_fraud(text: str) -> None:
    assert "fraud_identity_theft" in families(text)


@pytest.mark.parametrize(
    "text",
    [
        "¿Puedo pagar por Zelle?",
        "Posso pagar pelo Zelle?",
        "Quiero cambiar mi dirección a 12 Oak St.",
        "我可以用Zelle付款吗？",
        "젤로 송금할 수 있나요?",
        "Tôi muốn đổi địa chỉ nhận thư.",
        "You said you sent my refund but I never saw the money.",
    ],
)
def test_asking_about_an_app_or_changing_ones_own_address_is_no_fraud(text: str) -> None:
    assert "fraud_identity_theft" not in families(text)
