"""Requests for information asked in ordinary words, and loss-mitigation words that
make no application.

One structure per case, in each language it is written in.
"""

from __future__ import annotations

import pytest

from tests.classify.wording import run

RFI = "request_for_information"
LM = "loss_mitigation_application"


@pytest.mark.parametrize(
    "text",
    [
        # After a transfer: whom to pay now, and the new loan number (dictated, no "?").
        "my mortgage got transferred to you guys so who do I even pay now and what's my "
        "new loan number period just email me back please",
        "What do I owe to make this stop. How much exactly and by when.",
        "vay gio toi tra tien cho ai, so tai khoan moi la so may",
    ],
)
def test_whom_to_pay_and_what_is_owed_are_asked(text: str) -> None:
    assert RFI in run(text).request_kinds


def test_a_copy_of_a_loan_document_in_the_subject_alone_is_asked_for() -> None:
    assert (
        RFI in run("Sent from my iPhone", subject="Copy of my deed of trust + note").request_kinds
    )


def test_a_copy_of_a_loan_document_attached_is_not_asked_for() -> None:
    assert RFI not in run("Attached is a copy of my deed of trust for your file.").request_kinds


def test_a_reinstatement_figure_is_information_and_no_application() -> None:
    kinds = run(
        "I need two numbers in writing: exactly how much to reinstate (catch up everything "
        "including your attorney fees) as of Dec 10, and the payoff amount as of Dec 10."
    ).request_kinds
    assert RFI in kinds
    assert LM not in kinds


def test_a_list_item_after_a_payoff_request_is_a_request_of_its_own() -> None:
    text = (
        "In the meantime, please send me:\n"
        "- a payoff statement good through September 30\n"
        "- the last 3 monthly statements"
    )
    kinds = run(text).request_kinds
    assert "payoff_statement" in kinds
    assert RFI in kinds


def test_a_wrapped_line_of_a_payoff_request_still_describes_the_payoff() -> None:
    text = "Please send the payoff statement good through\nthe 15th, with the per diem amount."
    assert RFI not in run(text).request_kinds


@pytest.mark.parametrize(
    "text",
    [
        # Inside a notice of error, a document asked by name is still asked for.
        "The payoff is wrong: it has $450 of misc fees I never saw. I want those charges "
        "removed or explained line by line, and if they are legit I want to see what they "
        "are for.",
        "EL 1 DE MAYO ME SACARON EL PAGO DOS VECES. ESO ES UN ERROR DE USTEDES. QUIERO QUE "
        "ME DEVUELVAN EL SEGUNDO PAGO Y QUE ME MANDEN UN ESTADO DE CUENTA QUE ENSEÑE LOS "
        "DOS COBROS.",
        "Mali po iyon, napunta sa suspense ang $1,000. Pakiayos po at padalhan ako ng "
        "updated na transaction history.",
        "تم خصم المبلغ لكن الكشف يقول إن القسط غير مدفوع. هذا خطأ. أرجو إلغاء رسوم التأخير "
        "وإرسال كشف بكل الدفعات من يناير حتى الآن.",
    ],
)
def test_a_document_asked_by_name_in_a_notice_of_error_is_requested(text: str) -> None:
    kinds = run(text).request_kinds
    assert "notice_of_error" in kinds
    assert RFI in kinds


@pytest.mark.parametrize(
    "text",
    [
        "Please also tell me in writing what the status of my review is.",
        "Je vous demande par écrit la liste détaillée de tous les frais facturés depuis janvier.",
        "Avant cela, j'aurais besoin de savoir le tableau d'amortissement actuel du prêt.",
        "نرجو إرسال كشف كامل بالدفعات منذ بداية سنة ٢٠٢٤ حتى اليوم.",
        "也請你們用書面告訴我，到底是根據什麼計算、哪一項不符合。",
        "請幫我們：\n1. 確認她的貸款到底有沒有欠款\n2. 查一下最近有沒有人登入她的帳戶",
        "Por favor díganme:\n- ¿de verdad estoy atrasada?\n- ¿ustedes recibieron algo?",
        "Tumaas ang hulog ko ngayong taon. Pakipaliwanag po ang escrow ko.",
    ],
)
def test_requests_in_ordinary_words_are_found(text: str) -> None:
    assert RFI in run(text).request_kinds


def test_a_statement_that_the_writer_is_behind_asks_nothing() -> None:
    text = "Por eso ahora ella está atrasada dos meses. Díganme qué hago con mi vida."
    assert RFI not in run(text).request_kinds


def test_bank_statements_sent_with_an_application_are_its_paperwork() -> None:
    text = (
        "Quiero solicitar un plan de pagos. Les mando la carta del patrón y mi estado de "
        "cuenta del banco. Por favor confirmen si falta algo."
    )
    kinds = run(text).request_kinds
    assert LM in kinds
    assert RFI not in kinds


@pytest.mark.parametrize(
    "text",
    [
        # A plan granted, with words between the article and the option.
        "I was approved for a 3 month forbearance for Feb Mar Apr. Now my credit shows me "
        "30 days late for March. Please correct this with the credit bureaus.",
        "Dahil ba ito sa deferral na binigay ninyo noong Marso? Pakipaliwanag po.",
        # An option on another loan, with another lender.
        "FYI esta no es short sale, tengo otra listing que si es short sale con otro lender. "
        "Solo necesito el payoff.",
        "Minha vizinha fez um short sale (com outro banco). Podem me mandar uma cópia da Note?",
        # An application already sent ("m" is "mwen").
        "Semèn pase m te voye tout papye pou modifikasyon an pa faks. Eske nou resevwa yo?",
        # Programs read about.
        "قرأت أن بعض برامج المساعدة تعتمد على من يملك القرض. أرجو إعلامي باسم الجهة المالكة.",
    ],
)
def test_loss_mitigation_words_that_make_no_application(text: str) -> None:
    assert LM not in run(text).request_kinds


def test_asking_for_a_short_sale_is_still_an_application() -> None:
    assert LM in run("We want to apply for a short sale, the house is worth less.").request_kinds


@pytest.mark.parametrize(
    "text",
    [
        # Told at the end of a list of things to do.
        "I did NOT do this. Please lock the account, put back my autopay and tell me what "
        "was changed.",
        "need my 1098 for 2025 my accountant needs it by friday",
        "I think I was treated different. I want the reason for denial in writing.",
        "Quiero copia de la solicitud, del pagaré y de todo lo firmado para ese préstamo.",
        "¿Es un requisito para todos? Quiero que me lo expliquen por escrito.",
        "Mi abogado me dijo que les pidiera por escrito cuanto debo de atrasos.",
        "Nous voulons savoir par écrit où en est notre dossier et ce qui manque exactement.",
        "Mwen bezwen 2 bagay:\n1) tout istwa peman mwen yo depi 2022",
        "Mwen jis vle konnen poukisa peman mwen monte $190 an novanm.",
        "Tanpri:\n- pa fè okenn chanjman\n- di m si gen yon moun ki deja chanje adrès la",
        "Queremos uma resposta por escrito com o motivo da negativa.",
        "Os extratos vão pro endereço dele. Preciso:\n- saber quais documentos vocês precisam",
    ],
)
def test_requests_put_as_wants_and_lists_are_found(text: str) -> None:
    assert RFI in run(text).request_kinds


def test_what_someone_told_the_writer_in_creole_asks_nothing() -> None:
    text = "Mwen peye chak mwa jan yo te di m: avril, me, jen. Adrès la chanje."
    assert RFI not in run(text).request_kinds


@pytest.mark.parametrize(
    "text",
    [
        # Inside a notice of error, the payments asked for by description, not by a
        # document's name.
        "Please fix it and take the late charge off. And can you email me a list of every "
        "payment you show from me for the last 12 months.",
        "Your statement says I owe December, which I paid. I want the late fees gone. I also "
        "want a complete history of every payment you have received since the transfer.",
        "Tài khoản của tôi bị trừ tiền nhà 2 lần. Xin hoàn lại tiền bị trừ lần thứ hai. Và xin "
        "gửi cho tôi bảng kê các lần trừ tiền tự động từ đầu năm tới giờ.",
        "这是你们的错误，请马上把地税和罚款交上。另外请把去年一年escrow账户的付款明细寄给我们看看。",
        "Por favor corrijam o meu escrow, foi um erro. Também quero o extrato do escrow de 2026 "
        "mostrando cada pagamento feito.",
        "هذا خطأ منكم. أرجو تصحيح تطبيق الدفعة وإرسال كشف بالمدفوعات من يناير حتى الآن.",
        "لم تدفعوا الفاتورة. أطلب أن تدفعوا التأمين فوراً، "
        "وأن ترسلوا لي كشف حساب escrow لآخر 12 شهراً.",
    ],
)
def test_payments_listed_are_asked_for_inside_a_notice_of_error(text: str) -> None:
    kinds = run(text).request_kinds
    assert "notice_of_error" in kinds
    assert RFI in kinds


@pytest.mark.parametrize(
    "text",
    [
        "The sale is on the calendar but my application was complete weeks ago. Please stop "
        "this sale and tell me where my review stands.",
        "Mi casa se va a rematar el 15 de enero. Entregué todos los documentos para la "
        "modificación y la solicitud estaba completa. Les pido que paren la venta hasta que "
        "decidan mi solicitud, y que me digan por escrito en qué estado está.",
    ],
)
def test_where_a_review_stands_is_asked_beside_a_sale_error(text: str) -> None:
    assert RFI in run(text).request_kinds


@pytest.mark.parametrize(
    "text",
    [
        # A congressional office or a regulator relays the error and asks for an account
        # of it.
        "Ms. Carmichael states that her property taxes were not paid from her escrow account. "
        "We would appreciate a written response explaining the status of the tax payment.",
        "The consumer alleges that her escrow account was charged for a tax bill she already "
        "paid. Please review the complaint and provide a written response, together with a "
        "copy of the escrow account history, to this office within 15 business days.",
    ],
)
def test_a_written_account_asked_for_a_borrower_is_a_request(text: str) -> None:
    kinds = run(text).request_kinds
    assert "notice_of_error" in kinds
    assert RFI in kinds


def test_charges_to_be_explained_in_writing_inside_a_payoff_dispute_are_asked() -> None:
    text = (
        "Aparece dos veces el cargo de inspección. Ese total está mal. Necesitamos que nos "
        "manden un saldo corregido y una explicación por escrito de esos cargos."
    )
    assert RFI in run(text).request_kinds


def test_a_written_response_promised_by_the_writer_asks_nothing() -> None:
    text = "I will send you a written response explaining my hardship next week."
    assert RFI not in run(text).request_kinds


def test_the_writers_own_list_of_payments_asks_for_none() -> None:
    text = "Attached is a list of every payment I made this year, with the bank confirmations."
    assert RFI not in run(text).request_kinds
