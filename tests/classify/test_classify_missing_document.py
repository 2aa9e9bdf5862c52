"""A statement, a 1098 or a tax form the writer says they never got is one they ask to
be sent: the request for information stands and no notice of error is raised, in every
language. Money, an answer, a correction or the documents asked for that never came are
still an error."""

from __future__ import annotations

import pytest

from tests.classify.wording import run


@pytest.mark.parametrize(
    "text",
    [
        "Hello, loan 4410287735. I never received my 2025 1098 tax form. Please email me a "
        "copy of it.",
        "Hola, préstamo 0937266014. No he recibido el estado de cuenta de octubre. ¿Me lo "
        "pueden mandar por correo electrónico?",
        "Olá, empréstimo 3019846652. Ainda não recebi o extrato de novembro. Podem me enviar "
        "uma cópia por e-mail?",
        "Bonjour, prêt 3390018274. Je n'ai toujours pas reçu le formulaire 1098 pour 2025. "
        "Pourriez-vous me l'envoyer par courriel?",
        "Bonjou, prè 2691740385. Mwen pa resevwa relve mwa oktòb la. Tanpri voye yon kopi "
        "ban mwen.",
        "Chào anh chị, số khoản vay 9023318756. Tôi không nhận được sao kê tháng 10. Xin "
        "gửi bản PDF qua email cho tôi.",
        "您好，贷款号 0097710362。今年我没有收到年度对账单，麻烦寄一份给我。",
        "안녕하세요, 대출 번호 7720193384입니다. 올해 1098 양식을 아직 못 받았습니다. 이메일로 "
        "보내 주세요.",
        "Hello po, loan 5190273346. Hindi ko pa natanggap ang statement ngayong buwan. "
        "Pakipadala po ng kopya.",
        "مرحبا، رقم القرض 2817036954. لم أستلم كشف الحساب لشهر أكتوبر. أرجو إرسال نسخة.",
    ],
)
def test_a_missing_document_is_asked_for_not_disputed(text: str) -> None:
    c = run(text)
    assert "notice_of_error" not in c.request_kinds
    assert "request_for_information" in c.request_kinds


@pytest.mark.parametrize(
    "text",
    [
        "Loan 4405129983. The escrow analysis showed a surplus of $1,386.22 and said a "
        "refund check would be mailed. I never received the refund check. Please send it.",
        "Préstamo 5092217780. Mandé mi solicitud completa en septiembre y no he recibido "
        "ninguna respuesta. Ustedes tienen que contestar.",
        "Empréstimo 9102238856. Já se passaram 60 dias e não recebi nenhuma resposta ao meu "
        "pedido de histórico de pagamentos.",
        "On March 16 I mailed a request for my payment history. It has been 2 months and "
        "I have not received the documents.",
        # An answer or a refund never came, beside the word for a form or a statement.
        "Préstamo 5092217780. No he recibido respuesta a mi formulario. Necesito que contesten.",
        "Préstamo 5092217780. No he recibido mi reembolso. Estado de cuenta adjunto.",
        "Empréstimo 9102238856. Não recebi resposta ao meu formulário de pedido.",
        "Prêt 3390018274. Je n'ai pas reçu le remboursement du relevé d'entiercement.",
        "Prè 2691740385. Mwen pa janm resevwa repons pou fòm mwen an.",
    ],
)
def test_missing_money_an_answer_or_asked_for_documents_are_still_an_error(text: str) -> None:
    assert "notice_of_error" in run(text).request_kinds


def test_a_statement_never_received_is_no_notice_of_error_in_english() -> None:
    assert (
        "notice_of_error"
        not in run("Loan 4410287735. I never received my statement.").request_kinds
    )
