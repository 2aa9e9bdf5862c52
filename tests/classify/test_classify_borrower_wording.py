"""Request kinds from the words borrowers actually use, in each language with a pack.

Each case is one phrasing family: the wording of an error or a request that the signals
must recognise (or must not mistake for one).
"""

from __future__ import annotations

import pytest

from tests.classify.wording import run


@pytest.mark.parametrize(
    "text",
    [
        # money taken twice or more than is due
        "Your autopay took my payment twice this month.",
        "Autopay drafted $3,100 but my payment is $2,100. That is $1,000 too much.",
        # an obligation the servicer did not meet
        "You were supposed to pay my homeowners insurance out of escrow and now the "
        "policy is cancelled.",
        # a promise or deadline passed with nothing delivered
        "Your letter said the escrow surplus would be mailed. It has been 60 days and "
        "still no check.",
        # asked to remove charges in everyday words
        "The late fees are on my statement again. Please take them off.",
        # a payment posted to the wrong borrower
        "My payment was posted to someone else's loan and now mine shows late.",
        # a payment refused or sent back
        "You returned my payment even though I sent the full amount due.",
        # misapplied, in everyday words
        "My extra $500 was applied to escrow instead of principal.",
        "I have never been late once and now my statement has a late charge.",
        "These inspection fees should not be charged on a loan that is current.",
        "The numbers on the escrow analysis do not add up.",
    ],
)
def test_english_assertions_of_a_servicing_error_are_notices_of_error(text: str) -> None:
    assert "notice_of_error" in run(text).request_kinds


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "es",
            "En su sistema dice que no han recibido el pago de marzo, pero el banco ya lo cobró.",
        ),
        ("es", "El faltante del escrow está mal calculado. Rehagan el análisis, por favor."),
        ("es", "Cada mes me ponen cargos de inspección. Quítenlos por favor."),
        ("es", "Me pusieron un cargo por mora aunque pagué el día primero."),
        ("es", "Los números del estado de cuenta no cuadran con mis recibos."),
        ("es", "Pusieron mi pago en el escrow en lugar de aplicarlo al principal."),
        ("pt", "Cobraram uma multa de atraso. Não é verdade, o cheque chegou a tempo."),
        ("fr", "Les frais ont été prélevés deux fois sur mon compte, je conteste."),
        ("zh", "税务局说今年的房产税没有交，这应该是你们从托管账户付的。"),
        ("vi", "Tôi đã đóng đúng hạn nhưng vẫn bị tính phí trễ hạn."),
        ("ko", "저는 제때 납부했는데 이번 달 연체료가 청구되었습니다."),
        ("ht", "Yo mete yon fre reta sou kont mwen san rezon."),
    ],
)
def test_assertions_of_a_servicing_error_are_notices_of_error_in_each_language(
    language: str, text: str
) -> None:
    c = run(text)
    assert c.language == language
    assert "notice_of_error" in c.request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "I also want to know which email and phone number you have on file for me.",
        "Any update on what I asked you for in June.",
        "I want a written explanation of the reasons my forbearance was denied.",
        "We would appreciate a written response describing the status of her request.",
        "Quisiera saber si ya recibieron mi giro postal y si ya está aplicado.",
        "Vuelvo a pedir el historial completo de pagos desde 2016.",
        "Je souhaiterais recevoir le tableau d'amortissement et le taux actuel.",
        "Pakikumpirma po kung ano ang tamang address para sa tseke ko buwan-buwan.",
    ],
)
def test_ways_of_asking_for_information_are_requests_for_information(text: str) -> None:
    assert "request_for_information" in run(text).request_kinds


def test_the_suffix_kum_of_an_arabic_courtesy_is_not_the_question_how_much() -> None:
    # "كم" (how much) is also the end of "لكم" / "أشكركم" (to you / thank you).
    c = run("أشكركم على ردكم السريع. الرصيد صحيح الآن.")
    assert c.language == "ar"
    assert "request_for_information" not in c.request_kinds


def test_saying_a_letter_is_not_a_notice_of_error_makes_none() -> None:
    c = run(
        "This is not a notice of error or a dispute of any kind, the account is fine. "
        "Please send me a copy of the recorded deed of trust."
    )
    assert c.request_kinds == ("request_for_information",)
    assert not c.escalated


@pytest.mark.parametrize(
    "text",
    [
        "I sent my complete modification package on May 2 and have heard nothing since.",
        "Please give me the status of my loan modification application, nobody calls back.",
        "Why was my forbearance denied? I sent everything you asked for.",
        "Mandé todos los documentos para la modificación en noviembre y nadie me contesta.",
        "Estoy en el plan de pagos aprobado y pago a tiempo cada mes.",
        # a past call narrated, a servicer's decision forwarded
        "I called last week to ask about a repayment plan and the rep was rude to me.",
        "We have evaluated your application for a loan modification and are unable to "
        "offer you a modification.",
        "Eu mandei todos os documentos da modificação em outubro e ninguém responde.",
        "Tôi đã nộp hồ sơ xin sửa đổi khoản vay đầy đủ vào tháng 11 mà chưa có trả lời.",
        "Nagpadala po ako ng kumpletong aplikasyon para sa loan modification noong Oktubre.",
        "Vous m'avez accordé un plan d'essai en septembre et j'ai payé les trois mensualités.",
        "我在四月份遞交了貸款修改申請，到現在已經五個月沒有結果。",
        "أرسلت طلب تعديل القرض كاملاً في سبتمبر ولم يرد أحد.",
        # a payment's grace period is no forbearance
        "O prazo de carência vai até o dia 15 e mesmo assim cobraram multa.",
        "유예기간이 15일까지인데도 연체료가 부과되었습니다.",
    ],
)
def test_talk_of_an_application_already_made_is_no_new_loss_mitigation_application(
    text: str,
) -> None:
    assert "loss_mitigation_application" not in run(text).request_kinds


def test_a_sale_after_a_complete_package_was_sent_is_still_a_foreclosure_sale_error() -> None:
    c = run(
        "I sent my complete modification package on November 4 and now there is a "
        "sheriff sale notice on my door for March 3, 2027. Stop the sale."
    )
    assert "foreclosure_sale_error" in c.request_subkinds
    assert "loss_mitigation_application" not in c.request_kinds
    assert "notice_of_error" in {h.family for h in c.families}


@pytest.mark.parametrize(
    "text",
    [
        "Attached is my application for a loan modification with my hardship letter.",
        "I want the application sent to me like anybody else gets it.",
        # documents sent to finish one, or a request to evaluate it
        "Here is the tax return your letter said was missing. Hopefully that completes it.",
        "Please review my application with the employer letter attached.",
        "Adjunto los estados de cuenta. Con esto debería estar completo el application.",
        "밀린 금액을 나눠 낼 수 있는 repayment plan을 신청하고 싶습니다.",
        "On voudrait savoir si on peut arrêter les paiements pour quelques mois.",
        "Kay la poko ka abite, èske nou ka mande yon lòt ekstansyon?",
    ],
)
def test_an_application_being_submitted_or_asked_for_is_a_loss_mitigation_application(
    text: str,
) -> None:
    assert "loss_mitigation_application" in run(text).request_kinds


def test_applying_for_help_with_a_sale_scheduled_asserts_no_sale_error() -> None:
    # A new application is no dual tracking: nothing was pending when the sale was set.
    c = run(
        "The sheriff sale of my house is set for February 27, 2027. I want to apply "
        "for a loan modification, please send me the application."
    )
    assert "loss_mitigation_application" in c.request_kinds
    assert "foreclosure_sale_error" not in c.request_subkinds
    assert "notice_of_error" not in c.request_kinds


@pytest.mark.parametrize(
    "salutation",
    [
        "Hello Loss Mitigation Team,",
        "Hey  Loss Mitigation Team,",
        "To the Loss Mitigation Department:",
        "Loss Mitigation Team,",
    ],
)
def test_a_package_addressed_to_the_loss_mitigation_team_with_a_sale_set_asserts_no_error(
    salutation: str,
) -> None:
    # The salutation names the team, not an application already in its hands.
    c = run(
        f"{salutation}\n\nThe Bookers received the notice of sale last week; the property is "
        "advertised for the courthouse steps on December 1, 2026. They are requesting a loan "
        "modification; the application and hardship letter are attached."
    )
    assert "foreclosure_sale" in {h.family for h in c.families}
    assert "notice_of_error" not in c.request_kinds


def test_what_the_loss_mitigation_team_said_before_a_sale_still_counts_as_pending() -> None:
    c = run(
        "The loss mitigation team told me my file was under review, and now the foreclosure "
        "sale is set for December 1, 2026. The sale should not go forward."
    )
    assert "foreclosure_sale_error" in c.request_subkinds


@pytest.mark.parametrize(
    "text",
    [
        "You conducted the foreclosure sale of their home while their complete loss mitigation "
        "application, submitted January 14, was pending.",
        "You never reviewed my application and now the foreclosure sale is next week. "
        "The sale should not go forward.",
    ],
)
def test_a_sale_despite_an_application_left_pending_is_a_foreclosure_sale_error(
    text: str,
) -> None:
    c = run(text)
    assert "foreclosure_sale_error" in c.request_subkinds
    assert "notice_of_error" in c.request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "Who actually owns my loan and who should I pay in October?",
        "Necesito el nombre del dueño actual del préstamo y su dirección.",
        "请告诉我这笔贷款现在的所有人（投资方）是谁。",
        "Maaari po bang malaman kung sino ang kasalukuyang may-ari ng aking pautang?",
    ],
)
def test_asking_who_owns_the_loan_is_an_owner_identity_request(text: str) -> None:
    c = run(text)
    assert "request_for_information" in c.request_kinds
    assert "owner_identity" in c.request_subkinds


def test_a_payoff_said_to_be_wrong_in_spanish_is_a_payoff_balance_error() -> None:
    c = run("No descuentan el pago de abril que ya hice.", subject="El payoff está mal")
    assert "payoff_balance_error" in c.request_subkinds


@pytest.mark.parametrize(
    "text",
    [
        "Mwen te voye tout dokiman aplikasyon an nan mwa oktòb, men yo fikse vant kay la "
        "pou 27 fevriye 2027.",
        "10월에 대출 조정 신청서를 제출했고 아직 검토 중인데 "
        "경매 날짜가 2027년 2월 9일로 잡혔습니다.",
    ],
)
def test_a_sale_while_an_application_is_pending_is_a_sale_error_in_creole_and_korean(
    text: str,
) -> None:
    c = run(text)
    assert "foreclosure_sale_error" in c.request_subkinds
    assert "loss_mitigation_application" not in c.request_kinds
