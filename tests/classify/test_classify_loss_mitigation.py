"""A loss-mitigation application (12 CFR 1024.41) is the writer applying, not the writer
telling of one: option words in a grievance, a lawyer's, regulator's or scam letter, or
about an application already made or a plan in place start no 1024.41 clock, unless
the writer also applies in their own words."""

from __future__ import annotations

import pytest

from tests.classify.wording import run

LM = "loss_mitigation_application"


@pytest.mark.parametrize(
    "text",
    [
        # A grievance about how a request for help was treated, in several languages.
        "Your rep told me a modification doesn't make sense for someone my age. I am being "
        "treated differently because of my age and I want this investigated.",
        "El representante me dijo que con cuatro hijos no iba a calificar para el plan de "
        "pagos. Me siento discriminada por tener hijos.",
        "我申请还款计划已经三个月，你们的员工说像你们这样的人收入要多查。"
        "这是因为我是华人而区别对待，是歧视。",
        "اتصلت ثلاث مرات لأسأل عن خطة سداد، وقال الموظف إن زوجي يجب أن يتصل. "
        "هذا تمييز لأنني امرأة.",
        "Mwen rele pou mande yon repayment plan, ajan an tande aksan mwen e li refize ban m "
        "fòm lan. Sa se diskriminasyon sou orijin nasyonal.",
        # A subpoena that lists loss-mitigation records among those it commands.
        "Attached please find a subpoena commanding production of all records relating to "
        "the loan, including payment histories and any loss mitigation applications.",
        # A modification scam reported.
        "Un señor que dijo ser notario nos cobró $3,500 para tramitar una modificación de "
        "nuestro préstamo. Fue un fraude y ya fuimos a la policía.",
    ],
)
def test_option_words_in_a_grievance_legal_letter_or_scam_report_are_no_application(
    text: str,
) -> None:
    assert LM not in run(text).request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "El payoff incluye $3,275 de honorarios que fueron perdonados cuando firmé la "
        "modificación. El payoff está mal por esa cantidad.",
        "Obrigada pela notícia, a modificação foi concluída! Poderiam me mandar uma cópia do "
        "acordo de modificação assinado?",
        "The payoff lists $412.50 of late charges. Those were waived in the repayment plan "
        "letter, so the payoff is overstated.",
        "Her modification application was submitted March 30. Could you tell me whether it "
        "is complete and what is missing?",
    ],
)
def test_a_modification_signed_concluded_or_already_submitted_is_no_new_application(
    text: str,
) -> None:
    assert LM not in run(text).request_kinds


def test_a_retirement_plan_hardship_withdrawal_is_no_hardship_request() -> None:
    c = run(
        "I have the money coming from my 401k hardship withdrawal. I need the exact "
        "reinstatement amount good through January 29."
    )
    assert LM not in c.request_kinds


# A story of an earlier application (or a grievance), then the writer applying now.
STORY_THEN_ACT = [
    (
        "Your rep said people like me don't qualify; I am being treated differently because "
        "of my disability.",
        " I am attaching my hardship letter and bank statements. Please accept them as my "
        "application for a repayment plan.",
    ),
    (
        "El representante me dijo que sin esposo no me aprobarían. Eso es discriminación por "
        "ser mujer.",
        " Quiero solicitar el plan de pagos formalmente con este correo.",
    ),
    (
        "Fomos negados para a modificação em março.",
        " Queremos solicitar uma nova modificação; segue em anexo o formulário.",
    ),
    (
        "On m'a refusé la modification en mars.",
        " Je souhaite demander un report ; ci-joint mes fiches de paie.",
    ),
    (
        "Họ đã từ chối sửa đổi khoản vay của tôi năm ngoái.",
        " Nay tôi muốn xin tạm hoãn thanh toán, đính kèm đơn và bảng lương.",
    ),
    (
        "Tinanggihan po ang aplikasyon ko para sa modification noong Marso.",
        " Gusto ko pong mag-apply ng forbearance, naka-attach po ang hardship letter ko.",
    ),
    ("我去年遞交了貸款修改申請，被拒絕了。", "現在我想申請寬限，附上我的工資單和銀行對帳單。"),
    ("이미 신청서를 제출했지만 답이 없습니다.", " 납부 유예를 신청합니다. 서류를 첨부합니다."),
    ("رفضتم طلب تعديل القرض العام الماضي.", " أريد التقدم بطلب خطة سداد، ومرفق كشوف الراتب."),
    (
        "Nou te deja voye aplikasyon pou modifikasyon an ane pase.",
        " Kounye a mwen vle aplike pou yon plan peman, mwen voye fich pey yo atache.",
    ),
]


@pytest.mark.parametrize(("story", "act"), STORY_THEN_ACT)
def test_a_story_of_an_earlier_application_alone_is_no_new_application(
    story: str, act: str
) -> None:
    assert LM not in run(story).request_kinds


@pytest.mark.parametrize(("story", "act"), STORY_THEN_ACT)
def test_applying_in_ones_own_words_after_such_a_story_is_an_application(
    story: str, act: str
) -> None:
    c = run(story + act)
    assert LM in c.request_kinds
    assert any(kind == LM and ev.signal == "application_act" for kind, ev in c.kind_evidence)


def test_a_sale_pressed_while_an_application_is_pending_keeps_the_application() -> None:
    c = run(
        "I got a notice that my house will be sold on January 28. My modification "
        "application is complete and under review since November, with no decision. You "
        "cannot sell it while you review my loan modification. Stop the sale."
    )
    assert LM in c.request_kinds
    assert "notice_of_error" in c.request_kinds


def test_option_words_in_a_message_that_tells_no_story_still_apply() -> None:
    c = run("The tornado took our roof. Can we skip a payment while we rebuild?")
    assert LM in c.request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "I got a Notice of Trustee Sale: my house will be sold on December 1st. I am on the "
        "trial plan you sent me and I paid the trial payments for sept, oct and nov. This "
        "sale should not be happening, please stop it.",
        "Una carta dice que mi casa se va a vender en subasta el 15 de enero de 2027. Pero en "
        "octubre me aprobaron un plan de indulgencia de seis meses. Esto tiene que ser un "
        "error, paren esa venta.",
        "Un avis annonce la vente aux enchères de ma maison le 22/12/2026. Or, vous m'avez "
        "accordé un plan d'essai (trial period plan) en septembre et je respecte le plan. "
        "C'est une erreur, annulez la vente.",
        "Fui aprovado para o plano de pagamento de teste da modificação em julho e paguei as "
        "três parcelas. Mesmo assim o leilão da minha casa está marcado para 22 de março de "
        "2027. Não pode ter leilão, cancelem a venda.",
        "Tôi đã hoàn tất kế hoạch trả nợ vào tháng 10. Nhưng hôm nay tôi nhận thư nói nhà tôi "
        "sẽ bị bán đấu giá ngày 3/3/27. Việc này là sai, xin hủy ngày bán.",
        "Approved na po kami sa repayment plan noong Nobyembre at nakabayad na po kami ng "
        "unang hulog. Pero may abiso pa rin po na ibebenta ang bahay namin sa 3/3/27. Hindi "
        "po tama ito, pakikansela po ang benta.",
    ],
)
def test_a_sale_pressed_while_a_granted_plan_is_paid_is_an_error_not_an_application(
    text: str,
) -> None:
    # The plan is in place: nothing is applied for, so no 1024.41 clock starts; the
    # sale itself is asserted as an error.
    c = run(text)
    assert LM not in c.request_kinds
    assert "notice_of_error" in c.request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "The tornado took our roof and my hours are cut. Can we skip a couple payments?",
        "Harris County is a declared disaster and we are paying a hotel. Can we skip September?",
        "Please tell me whether the payments can be paused for a little while until the "
        "insurance comes through.",
        "Our house burned in the wildfire. Is there any payment relief while we're displaced?",
        "Con el huracán se cayó el techo. Quiero solicitar la moratoria para los afectados.",
    ],
)
def test_asking_to_skip_pause_or_be_relieved_of_payments_is_an_application(text: str) -> None:
    assert LM in run(text).request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "My forbearance was denied in March because of missing paperwork. I need a "
        "forbearance extension now, my hours were cut again.",
        "You denied my modification. Can we get a repayment plan instead?",
        "Me negaron la modificación en marzo. Ahora necesito un plan de pagos, me cortaron "
        "las horas.",
        "Negaram nossa modificação em março. Agora preciso de um plano de pagamento, perdi o "
        "emprego.",
        "On m'a refusé la modification en mars. J'ai besoin d'un report, j'ai perdu mon emploi.",
        "Họ đã từ chối sửa đổi khoản vay của tôi năm ngoái. Nay xin tạm hoãn thanh toán vì "
        "tôi mất việc.",
        "我去年遞交了貸款修改申請，被拒絕了。我失業了，請給我寬限三個月。",
    ],
)
def test_asking_for_an_option_after_a_denial_is_a_new_application(text: str) -> None:
    c = run(text)
    assert LM in c.request_kinds


def test_a_denial_told_without_asking_for_anything_is_no_application() -> None:
    assert (
        LM
        not in run("My modification was denied in March and I think that is unfair.").request_kinds
    )


@pytest.mark.parametrize(
    "text",
    [
        "Un avis annonce la vente aux enchères de ma maison le 22/12/2026. Je suis en "
        "période d'essai depuis septembre.",
        "Me aprobaron un plan de indulgencia en octubre. Hoy llegó un aviso: la subasta de "
        "mi casa es el 15 de enero de 2027.",
    ],
)
def test_a_sale_set_while_a_granted_plan_is_paid_is_a_sale_error_without_error_words(
    text: str,
) -> None:
    c = run(text)
    assert "foreclosure_sale_error" in c.request_subkinds
    assert LM not in c.request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "I lost my job in March. I need help - forbearance or a modification. I already "
        "complained to the CFPB about how you treated me.",
        "I represent Ms. Lee. She needs a forbearance while she recovers. Please direct all "
        "communication to my office as her attorney.",
    ],
)
def test_asking_for_the_option_in_a_regulator_or_lawyers_letter_is_an_application(
    text: str,
) -> None:
    assert LM in run(text).request_kinds
