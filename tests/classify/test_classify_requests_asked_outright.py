"""Requests put as what the writer must send, what was done to their account, or what
is open to them: requests for information even inside a notice of error or a fraud
report, in each language they are written in. In a new loss-mitigation application,
asking what it still needs is part of the application unless asked in a question.
"""

from __future__ import annotations

import pytest

from tests.classify.wording import run

RFI = "request_for_information"


def _rfi_rules(text: str) -> set[str]:
    """The rules a request for information in this message was decided by."""
    return {e.rule for k, e in run(text).kind_evidence if k == RFI}


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "My mother passed away in May. What do I need to send you so I can talk to you "
            "about the account?",
        ),
        (
            "es",
            "Mi esposo falleció. ¿Qué documentos necesitan para ponerme el préstamo a mi nombre?",
        ),
        ("fr", "Mon mari est décédé. Que dois-je envoyer pour être reconnue sur le prêt ?"),
        ("pt", "Meu marido faleceu. O que eu preciso enviar para falar sobre o empréstimo?"),
        ("vi", "Chồng tôi đã mất. Tôi cần gửi giấy tờ gì để được công nhận?"),
        ("ht", "Papa m mouri. Ki dokiman nou bezwen pou m ka pale sou kont lan?"),
        ("tl", "Pumanaw ang tatay ko. Ano po ang kailangan kong ipadala para makausap kayo?"),
        ("ko", "아버지가 돌아가셨습니다. 어떤 서류를 보내야 하나요?"),
        ("zh", "先父去年过世。请问需要寄什么文件才能处理贷款？"),
        ("ar", "توفي والدي. ما هي المستندات المطلوبة لكي أتحدث عن القرض؟"),
    ],
)
def test_an_heir_asking_what_to_send_requests_information(lang: str, text: str) -> None:
    # Named by its own rule, so it still asks inside a notice of error.
    assert f"{lang}_rfi_papers" in _rfi_rules(text)


@pytest.mark.parametrize(
    "text",
    [
        "My husband died. Please tell me how to be recognized on the loan.",
        "Mi esposo murió. ¿Cómo puedo ser reconocida en el préstamo?",
    ],
)
def test_asking_how_to_be_recognised_on_the_loan_requests_information(text: str) -> None:
    assert RFI in run(text).request_kinds


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Someone got into my account. Please lock it and tell me who made the changes."),
        ("es", "Me hackearon el email. Díganme qué más cambiaron en mi cuenta."),
        ("fr", "Quelqu'un a accédé à mon compte. Dites-moi qui a fait ces changements."),
        ("pt", "Alguém entrou na minha conta. O que mais foi alterado?"),
        ("tl", "Pakisabi po kung may binago sa account niya."),
        ("zh", "有人登录了我的账户。请告诉我改了什么。"),
    ],
)
def test_asking_what_was_changed_on_the_account_requests_information(lang: str, text: str) -> None:
    assert f"{lang}_rfi_asked" in _rfi_rules(text)


@pytest.mark.parametrize(
    "text",
    [
        # Who did something to the account.
        "You charged me a $95 late fee by mistake, my payment was on time. Please remove "
        "it. I also want to know who ordered the inspections on my loan.",
        # The options open to the writer.
        "La venta no debe realizarse, es un error. Exijo que la cancelen y que me informen "
        "por escrito qué opciones hay para ponerme al día.",
        # A request made again.
        "On March 16 I mailed a request for my payment history. It has been 2 months and "
        "I have not received the documents. I am asking again for:\n1. Payment history "
        "from 2021 to today",
    ],
    ids=["who-ordered", "options", "asked-again"],
)
def test_a_request_asked_outright_counts_inside_a_notice_of_error(text: str) -> None:
    c = run(text)
    assert "notice_of_error" in c.request_kinds
    assert RFI in c.request_kinds


def test_what_an_application_still_needs_is_part_of_it_when_not_asked() -> None:
    text = (
        "Bão làm hư nhà, tôi xin hoãn trả nợ (forbearance) 3 tháng. "
        "Cần giấy tờ gì thì cho tôi biết."
    )
    c = run(text)
    assert "loss_mitigation_application" in c.request_kinds
    assert RFI not in c.request_kinds


def test_what_an_application_still_needs_asked_in_a_question_requests_information() -> None:
    text = "Con el flood queremos pedir el forbearance por disaster. ¿Qué papeles necesitan?"
    c = run(text)
    assert "loss_mitigation_application" in c.request_kinds
    assert RFI in c.request_kinds


def test_the_request_keeps_its_rule_as_evidence() -> None:
    c = run("My father died. What do I need to send so I can talk to you about the loan?")
    rules = {e.rule for k, e in c.kind_evidence if k == RFI}
    assert rules == {"en_rfi_papers"}


def test_telling_someone_not_to_change_anything_asks_nothing() -> None:
    text = "Xin đừng cho người đó thay đổi gì trong hồ sơ. Tôi đã báo cảnh sát."
    assert RFI not in run(text).request_kinds


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "You charged me a late fee by mistake, my payment was on time. Please remove "
            "it. I'd also like to know if there was any life insurance on the loan.",
        ),
        (
            "es",
            "Me cobraron un cargo por atraso por error, pagué a tiempo. Quiten el cargo. "
            "También quiero saber cuál es la fecha de recibo que ustedes usan.",
        ),
        (
            "fr",
            "Vous me chargez des frais de retard par erreur. Annulez-les. J'aimerais savoir "
            "c'est quelle date que vous considérez comme la date de réception.",
        ),
        (
            "zh",
            "6月你们扣了两次房贷，多扣了一笔，请退回。另外请确认一下我的自动扣款现在是什么设置。",
        ),
    ],
)
def test_a_wish_to_know_a_fact_is_its_own_request_inside_a_notice_of_error(
    lang: str, text: str
) -> None:
    c = run(text)
    assert "notice_of_error" in c.request_kinds
    assert f"{lang}_rfi_wished" in _rfi_rules(text)


@pytest.mark.parametrize(
    "text",
    [
        "Perdí mi trabajo. Quisiera saber si nos pueden dar unos meses sin pagar.",
        "Je voudrais savoir si vous pouvez m'accorder un plan de remboursement.",
    ],
)
def test_a_wish_to_know_outside_a_notice_of_error_is_left_to_cue_and_object(text: str) -> None:
    assert not any(r.endswith("_rfi_wished") for r in _rfi_rules(text))


def test_a_why_inside_a_notice_of_error_stays_part_of_the_assertion() -> None:
    text = (
        "You charged me a $95 late fee by mistake, my payment was on time. I want to "
        "know why you did this. Remove it."
    )
    assert RFI not in run(text).request_kinds


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        (
            "en",
            "Our condo was flooded in the hurricane. The insurer sent a check payable to us "
            "and to you. How do we get the check endorsed and the funds released?",
        ),
        (
            "fr",
            "L'ouragan a inondé le condo. Comment procéder pour l'endossement et la "
            "libération des fonds pour les réparations?",
        ),
    ],
)
def test_how_an_insurance_check_is_endorsed_and_released_requests_information(
    lang: str, text: str
) -> None:
    assert f"{lang}_rfi_asked" in _rfi_rules(text)


def test_whether_the_loan_stands_in_good_order_requests_information() -> None:
    text = "有人加我微信说是你们的贷款服务中心，让我转一笔保证金。我没有转。我的贷款是正常的吧？"
    assert RFI in run(text).request_kinds
