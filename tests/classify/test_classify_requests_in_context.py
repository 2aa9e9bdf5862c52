"""Requests and assertions as the fourth writer's mail puts them: question words that
are also conjunctions, copies given rather than asked for, an application's own
paperwork, addresses given as where to send things, the writer's language under an
English quote, Tagalog's "po" inside a phrase, Creole negation, and the wording
families each language was missing.

One phrasing family per case, in each language it is written in.
"""

from __future__ import annotations

import pytest

from tests.classify.wording import families, run


@pytest.mark.parametrize(
    "text",
    [
        "Llegó una carta diciendo que el autopay falló cuando cambié de banco. Ya lo arreglé.",
        "Recebi o extrato quando mudei de banco. Está tudo certo agora.",
        "J'ai reçu le relevé quand j'ai changé de banque. Tout va bien maintenant.",
    ],
)
def test_a_question_word_used_as_a_conjunction_asks_for_nothing(text: str) -> None:
    assert "request_for_information" not in run(text).request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "¿Cuándo me mandan la carta del escrow?",
        "cuando me mandan la carta del escrow?",
        "Quand est-ce que je vais recevoir le relevé?",
    ],
)
def test_a_question_word_in_a_question_still_asks(text: str) -> None:
    assert "request_for_information" in run(text).request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "Sending you what I sent the BBB. Below is a copy of your complaint description: "
        "they charged my escrow for insurance I did not need.",
        "Adjunto una copia de la carta que me mandaron en marzo.",
    ],
)
def test_a_copy_given_is_no_copy_asked_for(text: str) -> None:
    assert "request_for_information" not in run(text).request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "Attached please find my loss mitigation application: the signed form, my hardship "
        "letter and 2 months of bank statements. Please confirm receipt and let me know if "
        "anything is missing.",
        "Les envío los documentos para la modificación. Por favor confirmen que los recibieron.",
        "재난 관련 납부 유예(forbearance)를 신청합니다. 필요한 서류 알려 주세요.",
    ],
)
def test_confirming_an_applications_paperwork_is_part_of_the_application(text: str) -> None:
    c = run(text)
    assert "loss_mitigation_application" in c.request_kinds
    assert "request_for_information" not in c.request_kinds


def test_asking_in_a_question_what_an_application_needs_is_still_a_request() -> None:
    c = run("I want to apply for a forbearance. What documents do you need from me?")
    assert "request_for_information" in c.request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "Please send all future mail to my new address: 12 Main St, Tulsa OK.",
        "앞으로 우편물은 아래 주소로 보내 주세요. 2418 W 8th St.",
    ],
)
def test_an_address_given_to_send_mail_to_is_no_request(text: str) -> None:
    assert "request_for_information" not in run(text).request_kinds


def test_an_identity_theft_report_to_the_ftc_is_no_regulator_complaint() -> None:
    found = families(
        "Somebody used my name and social. I filed a police report and an FTC identity "
        "theft report."
    )
    assert "fraud_identity_theft" in found
    assert "regulator_complaint" not in found


@pytest.mark.parametrize(
    "text",
    [
        "El trustee me dijo por teléfono que el sale de mi casa es next Tuesday.",
        "¿Cómo van a vender la casa si todavía están revisando?",
        "They are going to sell my house on the 14th at the courthouse.",
    ],
)
def test_the_home_being_sold_said_as_an_action_is_a_foreclosure_sale(text: str) -> None:
    assert "foreclosure_sale" in families(text)


def test_the_writers_language_is_that_of_their_own_text_above_an_english_quote() -> None:
    text = (
        "أرسلت في أبريل مبلغ 1,900 دولار، وهو القسط كاملاً مع زيادة بسيطة. لكنكم وضعتم "
        "المبلغ في حساب معلق ثم فرضتم رسوم تأخير. أرجو تطبيق الدفعة وإلغاء الرسوم.\n\n"
        "On Apr 30, 2026, at 11:20 AM, Customer Care <care@servicer.example> wrote:\n"
        "> Dear Borrower, your April payment was received in an amount less than the full "
        "installment due and was placed in unapplied funds in accordance with your mortgage "
        "documents. A late charge was assessed on April 16. Please contact us with any "
        "questions about your account, your escrow or your statement.\n"
    )
    c = run(text)
    assert c.language == "ar"
    assert "notice_of_error" in c.request_kinds


def test_tagalog_po_inside_a_phrase_does_not_break_it() -> None:
    assert (
        "notice_of_error"
        in run("Hindi po tama ang singil na late fee sa statement ko.").request_kinds
    )


def test_a_french_confidentiality_footer_is_a_disclaimer() -> None:
    c = run(
        "Merci de confirmer la bonne réception.\n\n"
        "Ce courriel peut contenir des informations confidentielles protégées par le secret "
        "professionnel de l'avocat."
    )
    assert "request_for_information" not in c.request_kinds
    assert any(s.reason == "disclaimer" for s in c.suppressions)


def test_arabic_because_of_is_no_reason_asked_for() -> None:
    c = run("شعرت بإهانة شديدة بسبب ديني. أطلب التحقيق في هذا الأمر.")
    assert "request_for_information" not in c.request_kinds


@pytest.mark.parametrize(
    ("family", "text"),
    [
        ("complaint", "Bonjou, se pa yon plent non, se jis yon kesyon sou biwo a."),
        ("fraud_identity_theft", "Nou mande kantite kòb ki nan eskwo a kounye a."),
        ("regulator_complaint", "Gouvènman an deklare zòn nan yon zòn dezas apre siklòn nan."),
    ],
)
def test_haitian_creole_words_that_do_not_escalate(family: str, text: str) -> None:
    assert family not in families(text)


@pytest.mark.parametrize(
    ("family", "text"),
    [
        ("fraud_identity_theft", "Yon moun antre nan kont mwen epi chanje otopeman an."),
        ("successor_in_interest", "我爸爸上個月過身，佢間屋仲有貸款。"),
        ("elder_exploitation", "我們已向成人保護服務報案，請不要與他討論家父的貸款。"),
        ("media_threat", "再不退錢，我就投稿《世界日報》。"),
        (
            "fraud_identity_theft",
            "Desconfiamos que ela ligou para vocês se passando pela minha avó.",
        ),
        ("regulator_complaint", "J'ai contacté le bureau de ma représentante au Congrès."),
        ("legal_representation", "يمثّل مكتبنا السيد نبيل خليل، المقترض في القرض المذكور."),
    ],
)
def test_escalations_in_wordings_each_language_was_missing(family: str, text: str) -> None:
    assert family in families(text)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("notice_of_error", "你們每個月都收錯我 $58 滯納金。"),
        (
            "payoff_statement",
            "oi, me manda por favor o valor exato pra quitar a casa até dezembro.",
        ),
        ("payoff_statement", "보내주신 상환 명세서를 다시 보내주세요."),
        (
            "request_for_information",
            "Só quero entender como foi dividido: juros, principal e escrow.",
        ),
        (
            "request_for_information",
            "necesito saber cuanto me falta para terminar de pagar la casa",
        ),
        ("request_for_information", "Pakisabi po kung magkano pa ang natitirang utang sa bahay."),
    ],
)
def test_request_kinds_in_wordings_each_language_was_missing(kind: str, text: str) -> None:
    assert kind in run(text).request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "Liguei ontem para pedir um plano de pagamento e a atendente foi grosseira.",
        "J'ai contacté le Congrès au sujet de mon dossier de modification déposé en juillet.",
    ],
)
def test_an_application_already_asked_for_is_no_new_application(text: str) -> None:
    assert "loss_mitigation_application" not in run(text).request_kinds


def test_the_amount_to_pay_the_loan_off_is_the_payoff_not_a_request_for_information() -> None:
    c = run("cuanto debo para liquidar la casa? prestamo 77120093")
    assert "payoff_statement" in c.request_kinds
    assert "request_for_information" not in c.request_kinds


def test_a_sale_while_a_submitted_application_is_still_reviewed_is_a_sale_error_in_taglish() -> (
    None
):
    c = run(
        "May dumating na Notice of Trustee's Sale. Pero nag-submit kami ng complete na loan "
        "mod application noong Oct 5. Please stop the sale habang nire-review pa."
    )
    assert "foreclosure_sale_error" in c.request_subkinds


@pytest.mark.parametrize(
    "text",
    [
        "The escrow analysis you sent is wrong: my property taxes went down, not up, and "
        "you charged me a shortage.",
        "El historial de pagos tiene un error: el pago de marzo no aparece aunque el banco "
        "ya lo cobró.",
        "Bảng lịch sử thanh toán bị sai: khoản thanh toán tháng 3 không được ghi nhận.",
    ],
)
def test_a_record_named_in_a_notice_of_error_is_part_of_the_assertion(text: str) -> None:
    c = run(text)
    assert "notice_of_error" in c.request_kinds
    assert "request_for_information" not in c.request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "This payoff is wrong. Please correct it and send an itemized payoff showing "
        "every component.",
        "Cobraram multa por atraso indevida, paguei no dia 6. Aproveito para pedir o "
        "histórico de pagamentos dos últimos 24 meses.",
        "No aplicaron mi pago de marzo. Les pido que me envíen un historial de pagos corregido.",
    ],
)
def test_a_record_asked_for_in_a_notice_of_error_is_also_a_request(text: str) -> None:
    c = run(text)
    assert "notice_of_error" in c.request_kinds
    assert "request_for_information" in c.request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "Our office represents the debtor in the above Chapter 13 case. Please send a "
        "post-petition payment history.",
        "Shelby Marsh\nParalegal to Joel M. Dunn, Attorney at Law\nDunn Bankruptcy Law, P.C.",
        "Comparezco en representación de los esposos Ortiz, titulares del préstamo.",
        "Nuestra organización los representa respecto al préstamo 4470029183.",
        "Este bufete representa a la Sra. Santiago en relación con el préstamo.",
    ],
)
def test_a_law_office_writing_for_its_client_is_legal_representation(text: str) -> None:
    assert "legal_representation" in families(text)


def test_writing_on_behalf_of_a_parent_is_no_legal_representation() -> None:
    assert "legal_representation" not in families(
        "Escribo en representación de mi madre, que no habla inglés. ¿Cuál es su saldo?"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Creo que me robaron la identidad, porque también me llegó una alerta de crédito.",
        "La dirección y el teléfono de la cuenta cambiaron. Yo no hice esos cambios.",
        # someone trying to take it, or calling as the servicer
        "Le di los últimos 4 del seguro. Creo que alguien me quiere robar la identidad.",
        "Me llamó un hombre diciendo que era de ustedes y me pidió el número de cuenta.",
        "你们的信说我的邮寄地址已经更改，我根本没有改过！有人冒用我的身份。",
    ],
)
def test_identity_taken_or_changes_not_made_by_the_borrower_are_fraud(text: str) -> None:
    assert "fraud_identity_theft" in families(text)


def test_tagalog_unacceptable_with_a_word_between_is_a_complaint() -> None:
    assert "complaint" in families(
        "Isang oras akong naghintay sa telepono. Hindi ito katanggap-tanggap na serbisyo."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Hola, fue mi error, I made the September payment twice en la app. Can you refund it?",
        "It was my own mistake: I scheduled the payment twice. Please refund one of them.",
        "Nothing is wrong with my account as far as I know, I just want to talk about my "
        "insurance renewal.",
    ],
)
def test_the_writers_own_mistake_or_nothing_wrong_is_no_notice_of_error(text: str) -> None:
    assert "notice_of_error" not in run(text).request_kinds


def test_not_my_fault_still_asserts_an_error() -> None:
    c = run(
        "Your statement says I owe $5,200 past due. That is not my fault, the payments were made."
    )
    assert "notice_of_error" in c.request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "No es justo que me traten así por ser guatemalteco.",
        "Me dijo que mejor buscara un banco para mi gente.",
    ],
)
def test_unequal_treatment_for_origin_in_spanish_is_discrimination(text: str) -> None:
    assert "discrimination" in families(text)
