"""A writer who says the servicer is not at fault asserts no error: the mistake was a
credit union's, a county's or an insurer's, or the writer declines to assume anything is
wrong. Each asserting sentence is shown to assert an error alone, and the clearing words
are kept as evidence of why it does not."""

from __future__ import annotations

import pytest

from tests.classify.wording import run


def _noe(text: str) -> bool:
    return "notice_of_error" in run(text).request_kinds


def _cleared_by(text: str) -> list[str]:
    return [x.cue for x in run(text).suppressions if x.reason == "no_claim"]


@pytest.mark.parametrize(
    ("assertion", "clearing"),
    [
        (
            "The county billed the wrong parcel and the tax bill was paid from escrow by mistake.",
            "It was the county's mistake, not yours.",
        ),
        ("The late fee on my October payment is wrong.", "This isn't your fault, I know."),
        ("The late fee on my October payment is wrong.", "That's on the credit union."),
        (
            "Me cobraron un cargo por mora que no corresponde en el pago de octubre.",
            "No es culpa de ustedes, fue mi cooperativa.",
        ),
        (
            "Cobraram uma multa por atraso errada no pagamento de outubro.",
            "Não é culpa de vocês, foi o meu banco.",
        ),
        (
            "Vous m'avez facturé des frais de retard injustifiés sur le paiement d'octobre.",
            "Ce n'est pas votre faute, c'est ma banque.",
        ),
        (
            "Mali po ang late fee na sinisingil sa bayad ko noong Oktubre.",
            "Hindi po ninyo kasalanan, ang bangko ko po.",
        ),
        ("十月的付款被收了错误的滞纳金。", "不是你们的错，是我的银行晚付了。"),
    ],
)
def test_a_mistake_put_on_someone_else_asserts_no_error(assertion: str, clearing: str) -> None:
    assert _noe(assertion)  # the control: alone, it asserts one
    both = f"{assertion} {clearing}"
    assert not _noe(both)
    assert _cleared_by(both)


def test_the_clearing_words_are_the_evidence() -> None:
    text = "The late fee on my October payment is wrong. This isn't your fault."
    assert _cleared_by(text) == ["This isn't your fault"]


@pytest.mark.parametrize(
    "text",
    [
        "I know it isn't your fault the mail was slow, but the late fee you charged is wrong.",
        "No es culpa de ustedes que el correo tardara, pero el cargo por mora está mal.",
        # "But" opening the next sentence
        "No es culpa de ustedes. Pero el pago que hice el 3 de octubre no fue aplicado a mi"
        " cuenta.",
        "Ce n'est pas votre faute. Mais le paiement que j'ai fait le 3 octobre n'a pas été"
        " appliqué à mon compte.",
        "不是你们的错。但是十月的付款被收了错误的滞纳金。",
    ],
)
def test_clearing_then_but_still_asserts_the_error(text: str) -> None:
    assert _noe(text)


@pytest.mark.parametrize(
    ("assertion", "declining"),
    [
        ("The late fee on my October payment is wrong.", "I don't want to assume anything."),
        (
            "Mali po ang late fee na sinisingil sa bayad ko noong Oktubre.",
            "Ayoko naman pong mag-isip agad na may mali.",
        ),
    ],
)
def test_declining_to_assume_a_mistake_asserts_none(assertion: str, declining: str) -> None:
    assert _noe(assertion)
    assert not _noe(f"{assertion} {declining}")


@pytest.mark.parametrize(
    "text",
    [
        # the clearing is about something else, or a "But" opens the next sentence
        "I was in the hospital, which isn't your fault. You charged me a late fee on my"
        " October payment that is wrong.",
        "I know this isn't your fault personally. Your company charged me a late fee on my"
        " October payment and it is wrong.",
        "My insurance lapsed and that's on them. But you charged me twice for the"
        " force-placed policy.",
        # "not the bank's fault, it's yours": the bank may be the servicer
        "No fue culpa del banco, fue culpa de ustedes. Me cobraron un cargo por mora que no"
        " corresponde en el pago de octubre.",
        "이건 은행의 잘못이 아니라 귀사의 잘못입니다. 10월 납부에 잘못된 연체료가 부과되었습니다.",
        # "assume" a loan, or the worst
        "We do not want to assume the mortgage after my father died. The late fee you charged"
        " on the October payment is wrong, please remove it.",
        "I don't want to assume the worst. You charged a late fee on my October payment that"
        " is wrong.",
        "No quiero pensar en perder mi casa. Me cobraron un cargo por mora que no corresponde"
        " en el pago de octubre.",
    ],
)
def test_words_that_clear_nobody_leave_the_error_asserted(text: str) -> None:
    assert _noe(text)
