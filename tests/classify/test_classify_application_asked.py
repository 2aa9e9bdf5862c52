"""A loss-mitigation application (12 CFR 1024.41) asked for in the writer's own words,
in each language; and option words that ask for nothing: a plan already decided, a
sum asked to bring the loan current, a complete set of papers wanted for a refinance,
the ordinary monthly installment."""

from __future__ import annotations

import pytest

from tests.classify.wording import run

LM = "loss_mitigation_application"
RFI = "request_for_information"


@pytest.mark.parametrize(
    "text",
    [
        # Asking for the application forms, inside a grievance or beside a lawsuit.
        "I was treated differently because of my accent and I want this investigated. "
        "Please send me the modification application.",
        "Me trataron diferente por no hablar inglés y quiero poner una queja. Por favor "
        "mándenme la aplicación para pedir ayuda con los pagos.",
        # The option itself, asked "also" in a grievance.
        "My neighbour was offered help and I was told no because of where I am from. "
        "This is discrimination. I also want the same repayment plan in writing.",
    ],
)
def test_the_application_forms_or_the_option_asked_in_a_grievance_apply(text: str) -> None:
    assert LM in run(text).request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "I know I'm behind since my hours were cut. I want to keep the house, I will do "
        "whatever paperwork you need, just tell me what to send.",
        "Mwen pèdi travay mwen. Mwen vle aplike pou yon èd pou peman kay la.",
        "Mwen gen 3 mwa an reta. Tanpri di m ki papye pou m voye pou nou ka fè yon aranjman avè m.",
        "Me cortaron las horas. Quiero pedir un plan para poder ponerme al corriente en enero.",
    ],
)
def test_help_asked_without_an_option_word_applies(text: str) -> None:
    assert LM in run(text).request_kinds


@pytest.mark.parametrize(
    "text",
    [
        # English option words in Portuguese, in a grievance.
        "Fui discriminado pelo atendente por ser brasileiro. Queria pedir um forbearance "
        "de três meses.",
        # The object particle between the noun and the verb.
        "아버지가 사기를 당하셨습니다. 정식으로 융자 조정 신청을 하고 싶습니다.",
        # A file reviewed again after a denial told of in a grievance.
        "رفضتم طلب تعديل القرض وأشعر أنني عوملت بشكل مختلف بسبب ديني. "
        "أطلب أن يراجع شخص آخر ملفي من جديد.",
        # Papers sent again in a message about a modification.
        "Mwen voye papye modifikasyon yo twa fwa deja, nou di aplikasyon an pa konplè. "
        "M atache yo ankò jodi a.",
    ],
)
def test_an_act_of_applying_counts_in_every_language(text: str) -> None:
    assert LM in run(text).request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "Obrigada! A modificação do meu empréstimo foi aprovada e já assinei os documentos.",
        "去年本人曾向貴公司申請短期還款寬限，得到幫忙，在此衷心感謝。",
        "اتصلت بخدمة العملاء بخصوص طلب تعديل القرض. أطلب متابعة طلب التعديل الذي بدأته.",
    ],
)
def test_an_application_decided_or_made_before_is_no_new_application(text: str) -> None:
    assert LM not in run(text).request_kinds


def test_the_sum_to_bring_the_loan_current_is_a_reinstatement_figure() -> None:
    c = run(
        "quiero saber cuanto debo en total para ponerme al dia con la casa, quiero pagar "
        "todo junto el viernes"
    )
    assert LM not in c.request_kinds
    assert RFI in c.request_kinds


def test_the_monthly_installment_is_no_installment_plan() -> None:
    c = run(
        "Tôi nhận được thư báo tiền trả góp hàng tháng sẽ tăng thêm $163. Xin quý vị "
        "giải thích giùm tôi khoản tăng này."
    )
    assert LM not in c.request_kinds


def test_a_complete_set_of_papers_wanted_is_no_application() -> None:
    c = run(
        "Je vous serais reconnaissant de me transmettre l'historique des paiements : je "
        "souhaite simplement disposer d'un dossier complet."
    )
    assert LM not in c.request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "Alguien entró a mi cuenta. Díganme qué otros cambios se hicieron y cuándo.",
        "Tôi chưa nhận được mẫu 1098. Xin quý công ty gửi lại cho tôi một bản.",
        "Nhờ anh chị gửi cho em giấy xác nhận đã trả tiền bảo hiểm.",
        "I paid November by phone on 11/28. Can you confirm it posted?",
    ],
)
def test_requests_for_information_asked_in_their_own_structure(text: str) -> None:
    assert RFI in run(text).request_kinds


def test_the_reasons_for_a_denial_asked_in_an_application_still_ask() -> None:
    c = run(
        "Me negaron la modificación. Quiero saber exactamente por qué me la negaron. "
        "Les mando los talones nuevos."
    )
    assert LM in c.request_kinds
    assert RFI in c.request_kinds
