"""Machine mail is recognised from what the record carries, and never acknowledged."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from handlers.loop_safety import RateState, facts_from_record, should_auto_reply
from handlers.record import record_from_entry
from pipeline.attachments.policy import AttachmentPolicy
from pipeline.classify.classifier import ClassifyPolicy
from pipeline.classify.machine import MachineHeaders, machine_verdict
from pipeline.classify.rules import load_default_rules
from pipeline.ledger.entry import LedgerEntry
from pipeline.record.assemble import RecordSettings, assemble
from pipeline.record.source import MessageSource

SETTINGS = RecordSettings(AttachmentPolicy(), load_default_rules(), ClassifyPolicy())
WHEN = datetime(2026, 6, 1, 14, 0, tzinfo=UTC)


def record(raw: bytes) -> dict:
    source = MessageSource(kind="imap", mailbox="m", folder="INBOX", uidvalidity=1, uid=1)
    return assemble(raw, source, SETTINGS, received_at=WHEN).body


def decision(body: dict) -> str:
    entry = LedgerEntry(
        0, "0" * 64, "message.received", "2026-06-01T14:00:00.000000Z", "t", body, b""
    )
    headers, facts = facts_from_record(record_from_entry(entry))
    return should_auto_reply(headers, facts, ("care@servicer.example",), RateState(3)).reason


def message(headers: str, body: str = "Hello\r\n", ctype: str = "text/plain") -> bytes:
    return (
        "From: Someone <someone@example.com>\r\nTo: care@servicer.example\r\n"
        "Subject: Hello\r\nMessage-ID: <m1@example.com>\r\n"
        f"{headers}MIME-Version: 1.0\r\nContent-Type: {ctype}\r\n\r\n{body}"
    ).encode()


def test_a_newsletter_with_only_list_unsubscribe_is_recorded_and_not_acknowledged() -> None:
    body = record(message("List-Unsubscribe: <mailto:leave@news.example>\r\n"))
    assert body["headers"]["list_headers"] == ["list-unsubscribe"]
    assert body["classification"]["machine"]["kind"] == "mailing_list"
    assert decision(body) == "mailing-list"


def test_an_outlook_auto_reply_marked_only_by_x_autoreply_is_not_acknowledged() -> None:
    body = record(message("X-Autoreply: yes\r\n"))
    assert body["classification"]["machine"]["evidence"] == ["header:X-Autoreply=yes"]
    assert decision(body) == "machine-mail:auto_reply"
    assert body["classification"]["needs_acknowledgment"] is False


def test_precedence_auto_reply_is_machine_mail() -> None:
    body = record(message("Precedence: auto_reply\r\n"))
    assert body["classification"]["machine"]["is_machine"] is True


def test_a_read_receipt_is_machine_mail_and_its_parts_are_containers() -> None:
    raw = message(
        "",
        "--b\r\nContent-Type: text/plain\r\n\r\nYour message was displayed.\r\n"
        "--b\r\nContent-Type: message/disposition-notification\r\n\r\n"
        "Reporting-UA: Outlook\r\nFinal-Recipient: rfc822;someone@example.com\r\n"
        "Disposition: manual-action/MDN-sent-manually; displayed\r\n\r\n--b--\r\n",
        'multipart/report; report-type=disposition-notification; boundary="b"',
    )
    body = record(raw)
    assert body["classification"]["machine"]["kind"] == "mdn"
    assert decision(body) == "machine-mail:mdn"
    (part,) = body["attachments"]
    assert part["verdict"] == "accepted"
    assert "container: message/disposition-notification" in part["flags"]


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        ("Out of Office: your statement", "I am out of the office until June 9."),
        ("Respuesta automática: su estado de cuenta", "Estaré fuera hasta el lunes."),
        ("自动回复：账单", "我休假到6月9日。"),
        (
            "Re: your statement",
            "Mwen pa lavil, m ap tounen 6 janvye. M ap reponn imèl ou lè m tounen.",
        ),
        # Vacation replies that never say "out of office".
        (
            "Re: Your statement is ready",
            "Thanks for writing! We are on our Alaska cruise until Aug 2 and checking "
            "email only now and then. We will get back to you when we are home.",
        ),
        (
            "Trả lời: Thông báo",
            "Tôi đang nghỉ lễ và sẽ trở lại vào ngày 5/1. Tôi sẽ không kiểm tra email.",
        ),
    ],
)
def test_out_of_office_replies_without_headers_are_recognised(subject: str, text: str) -> None:
    verdict = machine_verdict(MachineHeaders(), subject, text)
    assert (verdict.is_machine, verdict.kind) == (True, "out_of_office")


def test_a_person_who_was_out_of_the_office_is_not_a_machine() -> None:
    verdict = machine_verdict(
        MachineHeaders(),
        "late fee",
        "I was out of the office when you called. Why was I charged a late fee? I paid "
        "on the 1st and I need this fixed, my payment history shows it.",
    )
    assert not verdict.is_machine


def test_a_travelling_borrower_who_asks_for_something_is_not_a_machine() -> None:
    verdict = machine_verdict(
        MachineHeaders(),
        "payoff",
        "I am travelling until June 9. Please send the payoff statement.",
        asks_something=True,
    )
    assert not verdict.is_machine


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        # "Automatic reply:" in the subject, written with the hamza seat people type.
        ("رد تلقائي: كشف الحساب السنوي", "شكراً لرسالتكم."),
        # Only the body says it: on holiday, write to reception for urgent matters.
        (
            "Re: كشف الحساب",
            "أنا في إجازة عيد الأضحى ولن أتمكن من الرد. للأمور العاجلة يرجى الاتصال بالاستقبال.",
        ),
    ],
)
def test_arabic_out_of_office_words_with_hamza_are_recognised(subject: str, text: str) -> None:
    # Folding drops the hamza from the message ("تلقائي" -> "تلقايي"); the automatic-reply
    # words must be folded the same way or they never match.
    verdict = machine_verdict(MachineHeaders(), subject, text)
    assert (verdict.is_machine, verdict.kind) == (True, "out_of_office")


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        (
            "자동 회신: 에스크로 분석 결과 안내",
            "안녕하세요. 8월 3일부터 8월 17일까지 한국 방문 중이라 메일 확인이 늦어질 수 있습니다.",
        ),
        ("Re: 안내", "8월 17일까지 출장 중입니다. 급한 일은 사무실로 연락 주세요."),
        ("Re: statement", "Nasa bakasyon po ako hanggang Agosto 17. Babalik ako sa opisina."),
        ("Re: extrato", "Estou fora até o dia 17 de agosto, com acesso limitado."),
        # "I will answer when I come back", with the dates and an urgent contact.
        (
            "Re: Thong bao bao hiem",
            "Cảm ơn quý vị. Tôi đang về Việt Nam từ 1/12 đến 5/1, sẽ trả lời email khi trở "
            "về. Việc gấp xin gọi (972) 555-0199.",
        ),
        ("Re: estado de cuenta", "Gracias. Responderé a su correo cuando regrese el 5/1."),
        ("Re: relevé", "Merci. Je répondrai à votre message à mon retour le 5/1."),
        ("Re: extrato", "Obrigada. Responderei sua mensagem quando voltar, dia 5/1."),
        ("Re: deklarasyon", "Mèsi. M ap reponn imel ou lè m tounen 5/1."),
        ("Re: كشف الحساب", "شكرًا لرسالتك. أنا حاليًا في عمّان، وسأرد على البريد عند عودتي."),
        # "Automatic reply" with its words the other way round, in the subject only.
        ("Tự động trả lời: Your escrow account statement", "Cảm ơn quý khách."),
        # "...when I am back at the office" said with "trở lại".
        (
            "Re: Thong bao",
            "Văn phòng nghỉ lễ đến 02/01. Tôi sẽ trả lời email của quý khách khi trở lại "
            "văn phòng.",
        ),
        ("Re: statement", "Our office is closed until Jan 2. I will reply when I return."),
    ],
)
def test_out_of_office_words_missing_before_are_recognised(subject: str, text: str) -> None:
    verdict = machine_verdict(MachineHeaders(), subject, text)
    assert (verdict.is_machine, verdict.kind) == (True, "out_of_office")


def test_a_korean_borrower_on_a_trip_who_asks_is_not_a_machine() -> None:
    verdict = machine_verdict(
        MachineHeaders(),
        "에스크로",
        "8월 17일까지 출장 중입니다. 에스크로 내역을 보내 주세요.",
        asks_something=True,
    )
    assert not verdict.is_machine


AGENCY_ACK = (
    "Thank you for contacting Eastside Housing Partners.\r\n\r\n"
    "We have received your message. A housing counselor will respond within 2 business\r\n"
    "days. Our office hours are Monday to Friday, 9 to 5.\r\n\r\n"
    "This is an automated response.\r\n"
)


def test_a_headerless_acknowledgment_that_calls_itself_automated_is_machine_mail() -> None:
    body = record(message("", AGENCY_ACK))
    machine = body["classification"]["machine"]
    assert machine["kind"] == "auto_reply"
    assert machine["evidence"] == [
        "body:thank you for contacting ... this is an automated response"
    ]
    assert decision(body) == "machine-mail:auto_reply"


def test_an_automated_acknowledgment_whose_template_names_a_foreclosure_sale_is_machine_mail() -> (
    None
):
    text = (
        "Thank you for contacting Eastside Housing Partners.\r\n\r\n"
        "We have received your message. A housing counselor will respond within 2 business\r\n"
        "days. If you are a homeowner facing a foreclosure sale within the next 14 days,\r\n"
        "please call our hotline and press 1.\r\n\r\n"
        "This is an automated response.\r\n"
    )
    body = record(message("", text))
    machine = body["classification"]["machine"]
    assert machine["kind"] == "auto_reply"
    assert machine["evidence"] == [
        "body:thank you for contacting ... this is an automated response"
    ]
    assert body["classification"]["escalation_families"] == []
    assert decision(body) == "machine-mail:auto_reply"


@pytest.mark.parametrize(
    "text",
    [
        "A new complaint has been sent to your company through the CFPB Company Portal.\r\n"
        "What happened: My servicer did not pay my homeowners insurance out of escrow.\r\n"
        "Please log in to the portal to review the complaint and respond within 15 days.\r\n\r\n"
        "This is an automated message. Do not reply.\r\n",
        # Without the consumer's narrative, so without anyone writing "I".
        "A new complaint has been sent to your company through the CFPB Company Portal.\r\n"
        "Complaint 261119-8830215. Log in to review it and respond within 15 days.\r\n\r\n"
        "This is an automated message.\r\n",
    ],
)
def test_a_regulator_portal_notice_calling_itself_automated_still_delivers_the_complaint(
    text: str,
) -> None:
    body = record(message("", text))
    assert body["classification"]["machine"]["is_machine"] is False
    families = {f["family"] for f in body["classification"]["escalation_families"]}
    assert "regulator_complaint" in families


def test_a_person_quoting_an_automated_response_under_their_line_is_a_person() -> None:
    quoted = "".join(f"> {line}\r\n" for line in AGENCY_ACK.split("\r\n"))
    body = record(message("", "See below. Still nothing after three weeks.\r\n\r\n" + quoted))
    assert body["classification"]["machine"]["is_machine"] is False


@pytest.mark.parametrize(
    "text",
    [
        "I keep getting the same email back. This is an automated response, not an answer.\r\n",
        'Sent the statements Monday and got back: "This is an automated response." Three '
        "weeks now.\r\n",
        # "자동이체" (autopay) is no automatic mail.
        "이 메일은 자동이체가 이번 달에 두 번 빠져나간 건입니다. 확인 부탁드립니다.\r\n",
    ],
)
def test_a_person_retelling_an_automated_reply_is_a_person(text: str) -> None:
    body = record(message("", text))
    assert body["classification"]["machine"]["is_machine"] is False


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        (
            "Thank you for contacting Great Plains Mutual Mortgagee Services.\r\n\r\n"
            "Your request has been received. Mortgagees can obtain evidence of insurance,\r\n"
            "premium and payment status through our Mortgagee Portal.\r\n\r\n"
            "Please do not reply to this email; replies to this address are not monitored.\r\n",
            "body:your request has been received ... please do not reply to this email",
        ),
        (
            "Gracias por comunicarse con Cooperativa Valle Verde. Su mensaje ha sido recibido.\r\n"
            "Para balances de cuentas solicitados por terceros se requiere autorizacion.\r\n"
            "Favor de no responder a este mensaje.\r\n",
            "body:su mensaje ha sido recibido ... favor de no responder a este mensaje",
        ),
        (
            "Your request has been received and will be processed in the order received.\r\n"
            "Payoff requests need the borrower's signed authorization.\r\n"
            "Replies to this email are not monitored.\r\n",
            "body:your request has been received ... replies to this email are not monitored",
        ),
        (
            "This automated message confirms receipt of the following request:\r\n"
            "Product: Flood Hazard Determination, Loan # 7709142268.\r\n"
            "Please do not reply to this message.\r\n",
            "body:confirms receipt of the following ... please do not reply to this message",
        ),
    ],
)
def test_a_receipt_beside_a_no_reply_line_is_an_automatic_reply(text: str, evidence: str) -> None:
    machine = _machine(message("", text))
    assert (machine["is_machine"], machine["kind"]) == (True, "auto_reply")
    assert machine["evidence"] == [evidence]


@pytest.mark.parametrize(
    "text",
    [
        # A first person beside a receipt and a no-reply line.
        "Thank you for contacting me about the escrow shortage. Please send a payoff\r\n"
        "statement for loan 4471200836 good through 12/23. Please do not reply to this\r\n"
        "email, my work account is not monitored; fax it to 555-0100.\r\n",
        # A no-reply line with no receipt, in mail that asks.
        "Please send the payoff statement for loan 4471200836 good through 12/23 to our\r\n"
        "closing desk. Do not reply to this email; send it to payoffs@titleco.example.\r\n",
        # A business's thanks (no receipt) beside its own no-reply line.
        "Thank you for your email. Please send an updated payoff statement for loan\r\n"
        "4471200836 good through 12/23. Please do not reply to this email; send it to\r\n"
        "payoffs@titleco.example.\r\n",
        # A no-reply line retold in quotation marks.
        'Your last email said "Please do not reply to this email" so where do we send the\r\n'
        "request for the payoff statement for loan 4471200836 good through 12/23?\r\n",
    ],
)
def test_a_person_asking_to_be_answered_elsewhere_is_a_person(text: str) -> None:
    body = record(message("", text))
    assert body["classification"]["machine"]["is_machine"] is False
    assert "payoff_statement" in body["classification"]["request_kinds"]


def test_a_forged_notice_calling_itself_automated_stays_a_spoof() -> None:
    forged = (
        "Authentication-Results: mx.servicer.example; spf=fail smtp.mailfrom=servicer-help.example;"
        " dmarc=fail header.from=servicer.example\r\n"
    )
    text = (
        "Your online banking password expires today. Sign in below to keep access.\r\n\r\n"
        "This is an automated message.\r\n"
    )
    body = record(message(forged, text))
    assert body["classification"]["machine"]["is_machine"] is False
    assert body["classification"]["subcategory"] == "spoofed"


@pytest.mark.parametrize(
    "text",
    [
        "Hemos recibido su correo.\r\nEste es un mensaje automático, por favor no responda.\r\n",
        "Nous avons bien reçu votre courriel.\r\nCeci est un message automatique.\r\n",
        "此邮件为系统自动发送，请勿回复。\r\n",
        "Chúng tôi đã nhận được email của quý vị. Đây là thư tự động.\r\n",
    ],
)
def test_a_message_that_says_a_machine_sent_it_is_machine_mail_in_other_languages(
    text: str,
) -> None:
    body = record(message("", text))
    assert body["classification"]["machine"]["kind"] == "auto_reply"


@pytest.mark.parametrize(
    "subject",
    [
        "Re: Automatic reply: escrow refund",
        "Fwd: Respuesta automática: mi modificación",
    ],
)
def test_a_person_answering_or_forwarding_an_automatic_reply_is_a_person(subject: str) -> None:
    verdict = machine_verdict(
        MachineHeaders(),
        subject,
        "My counsellor's mailbox sent me that. What is the status of my modification?",
        asks_something=True,
    )
    assert not verdict.is_machine


def test_a_person_answering_an_automatic_reply_without_a_request_is_a_person() -> None:
    # "Re:" before the automatic reply's title is the person's own prefix; the automatic
    # reply they quote is below their words
    verdict = machine_verdict(
        MachineHeaders(),
        "Re: Automatic reply: trial payments",
        "so who do i talk to now?? maria said she would call me back last week.\n"
        "> I am out of the office until August 31.",
    )
    assert not verdict.is_machine


def test_an_automatic_reply_naming_the_thread_it_answers_is_still_one() -> None:
    verdict = machine_verdict(
        MachineHeaders(), "Automatic reply: Re: escrow refund", "I am away until Monday."
    )
    assert (verdict.is_machine, verdict.kind) == (True, "out_of_office")


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        (
            "Out of office til Monday - URGENT sale 11/17",
            "I'm out of the office until Monday but this is urgent: the trustee sale on my "
            "house is set for November 17 while my complete application is under review.",
        ),
        (
            "Out of Office: Re: Your annual escrow analysis",
            "Ignore the subject line, my phone put that there. The analysis lists the county "
            "tax twice; correct it before December 1.",
        ),
    ],
)
def test_a_person_writing_past_their_own_out_of_office_is_a_person(subject: str, text: str) -> None:
    verdict = machine_verdict(MachineHeaders(), subject, text, asks_something=True)
    assert not verdict.is_machine


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        (
            "Read: Notice of Servicing Transfer",
            "Your message\n\n  To: Lionel Abernathy\n  Subject: Notice of Servicing Transfer\n"
            "  Sent: Tuesday, November 10, 2026 10:14 AM\n\nwas read on Tuesday, November 10, "
            "2026 3:51 PM.",
        ),
        (
            "Return Receipt: Request for 4506-C authorization",
            "Your document:     Request for 4506-C authorization\nwas received by:   Vernon "
            "Pryce/PryceCo\nat:                11/12/2026 09:44:18 AM EST",
        ),
    ],
)
def test_a_plain_text_read_receipt_is_a_read_receipt(subject: str, text: str) -> None:
    verdict = machine_verdict(MachineHeaders(), subject, text)
    # Fixed words as evidence: the receipt names its reader.
    assert (verdict.is_machine, verdict.kind, verdict.evidence) == (
        True,
        "mdn",
        ("body:plain-text read receipt",),
    )


def test_a_reply_titled_read_without_a_receipts_lines_is_a_person() -> None:
    verdict = machine_verdict(
        MachineHeaders(), "Read: your letter", "I read your letter. Why did my payment go up?"
    )
    assert not verdict.is_machine


def test_a_chinese_out_of_office_that_mail_is_answered_late_is_recognised() -> None:
    verdict = machine_verdict(
        MachineHeaders(),
        "Re: 4506-C authorization",
        "您好：\n\n本人於11月2日至11月13日出國，期間無法即時回覆郵件。\n\n"
        "報稅及帳務事宜請聯絡助理 Amy Lin。\n\n謝謝！",
    )
    assert (verdict.is_machine, verdict.kind) == (True, "out_of_office")


def test_an_automatic_reply_that_adds_its_words_after_the_subject_it_answers_is_one() -> None:
    # A headerless responder's "Re: <subject> - Out of Office": the words do not follow
    # the prefix, so even a desk's address in its body does not make it a person.
    verdict = machine_verdict(
        MachineHeaders(),
        "Re: payoff request - Out of Office",
        "I am out of the office until Monday. For payoff requests, please email "
        "payoffs@title.example.",
        asks_something=True,
    )
    assert (verdict.is_machine, verdict.kind) == (True, "out_of_office")


@pytest.mark.parametrize(
    "text",
    [
        "我发了三次邮件，你们都无法回复。请尽快联系我。",
        "你們一直無法回覆，請盡快聯絡我。",
    ],
)
def test_a_complaint_that_you_could_not_reply_is_a_person(text: str) -> None:
    assert not machine_verdict(MachineHeaders(), "贷款问题", text).is_machine


def test_an_automatic_acknowledgment_from_a_shop_whose_name_holds_a_first_person_word_is_one() -> (
    None
):
    # "Bánh Mì" folds to "banh mi", and "mi" is Spanish for "my"; "Sài Gòn" folds to
    # "sai gon", and "sai" is Vietnamese for "wrong".
    text = (
        "Cảm ơn quý khách đã liên hệ với Tiệm Bánh Mì Sài Gòn!\r\n\r\n"
        "Đây là thư trả lời tự động. Chúng tôi đã nhận được email của quý khách và sẽ phản\r\n"
        "hồi trong vòng 1-2 ngày làm việc.\r\n"
    )
    body = record(message("", text))
    assert body["classification"]["machine"]["is_machine"] is True
    assert body["classification"]["escalation_families"] == []


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour,\r\n\r\nJe suis en déplacement du 9 au 20 décembre et je consulterai mes\r\n"
        "courriels à mon retour.\r\n",
        "Hola,\r\nEstoy de viaje hasta el lunes 15. Revisaré mi correo a mi regreso.\r\n",
    ],
)
def test_an_absence_on_a_trip_with_mail_read_on_return_is_an_out_of_office_reply(text: str) -> None:
    body = record(message("", text))
    assert body["classification"]["machine"]["kind"] == "out_of_office"


def test_a_borrower_on_a_trip_who_asks_for_something_is_a_person() -> None:
    text = (
        "Je suis en déplacement jusqu'au 20 décembre. Pouvez-vous m'envoyer l'historique\r\n"
        "de paiements de mon prêt à mon retour ?\r\n"
    )
    body = record(message("", text))
    assert body["classification"]["machine"]["is_machine"] is False


@pytest.mark.parametrize(
    "text",
    [
        "Tiệm nghỉ lễ Giáng Sinh từ ngày 24/12 đến hết ngày 02/01. Chúng tôi sẽ đọc và trả lời\r\n"
        "email sau khi mở cửa lại vào ngày 03/01.\r\n",
        "Biwo legliz la fèmen pou fèt Aksyon de Gras la. N ap reponn tout imel lè biwo a\r\n"
        "relouvri lendi 30 novanm.\r\n",
        "The church office is closed for Thanksgiving. We will reply when the office reopens\r\n"
        "on Monday.\r\n",
    ],
)
def test_an_office_closed_for_a_holiday_that_will_answer_later_is_an_out_of_office_reply(
    text: str,
) -> None:
    body = record(message("", text))
    assert body["classification"]["machine"]["kind"] == "out_of_office"


def test_an_office_reply_whose_name_reads_as_a_request_is_still_an_out_of_office_reply() -> None:
    # "Asistencia Hipotecaria" alone reads as help asked for: the office's voice decides.
    text = (
        "Oficina de Asistencia Hipotecaria: nuestras oficinas estarán cerradas del 24 de\r\n"
        "diciembre al 6 de enero. Su mensaje será atendido a nuestro regreso.\r\n"
    )
    machine = record(message("", text))["classification"]["machine"]
    assert machine["kind"] == "out_of_office"
    assert machine["evidence"] == ["body:su mensaje sera atendido a nuestro regreso"]


def test_a_subject_titled_auto_re_is_an_automatic_reply() -> None:
    raw = message("", "Our crews are out on storm jobs this week.\r\n").replace(
        b"Subject: Hello", b"Subject: Auto: Re: Request for updated contact information"
    )
    assert record(raw)["classification"]["machine"]["kind"] == "out_of_office"


@pytest.mark.parametrize(
    "text",
    [
        "您的邮件已收到。本人12月10日至12月28日回国探亲，期间查看邮件不方便，回来后会尽快回复。\r\n",
        "Hi! Nasa Pinas po ako for the holidays (Dec 15 - Jan 10),\r\n"
        "kaya mabagal po ang reply ko. For urgent matters, pa-text na lang po sa Viber.\r\n",
        "Hi, I'm traveling until Dec 28 with limited email access. For anything urgent call my\r\n"
        "cell.\r\n",
    ],
)
def test_a_vacation_reply_that_says_mail_will_be_read_late_is_an_out_of_office_reply(
    text: str,
) -> None:
    assert record(message("", text))["classification"]["machine"]["kind"] == "out_of_office"


def test_a_borrower_who_only_gets_automatic_replies_is_a_person() -> None:
    raw = message(
        "",
        "Essa é a terceira vez que eu mando e-mail. Pedi a análise do escrow e até hoje\r\n"
        "ninguém respondeu. Peço de novo: cópia da análise do escrow de 2026.\r\n",
    ).replace(b"Subject: Hello", "Subject: TERCEIRA VEZ - só recebo resposta automática".encode())
    assert record(raw)["classification"]["machine"]["is_machine"] is False


@pytest.mark.parametrize(
    "text",
    [
        "Cho em hỏi văn phòng mình mở cửa mấy giờ? Gọi mấy lần toàn gặp máy trả lời tự động.\r\n",
        "벌써 세 번째로 자동 응답 메일만 받았습니다. 상환 명세서를 즉시 보내 주십시오.\r\n",
    ],
)
def test_a_person_telling_of_the_automatic_replies_they_get_is_a_person(text: str) -> None:
    assert record(message("", text))["classification"]["machine"]["is_machine"] is False


@pytest.mark.parametrize(
    "text",
    [
        "Thank you for contacting Harbor Title. We have received your request and a ticket\r\n"
        "has been created: HT-558120. An agent will reply within two business days.\r\n",
        "Hemos recibido su solicitud. Se ha creado un caso con el número 88123; un asesor le\r\n"
        "responderá en 48 horas hábiles.\r\n",
    ],
)
def test_a_case_systems_acknowledgment_of_receipt_is_an_automatic_reply(text: str) -> None:
    machine = record(message("", text))["classification"]["machine"]
    assert machine["kind"] == "auto_reply"


def test_a_borrower_quoting_their_own_case_number_is_a_person() -> None:
    text = (
        "Thank you for your email. My case number is 55120 and a case was opened with the\r\n"
        "CFPB last week. I still need the payoff statement good through Dec 31.\r\n"
    )
    assert record(message("", text))["classification"]["machine"]["is_machine"] is False


def test_an_assistant_writing_for_an_absent_attorney_is_a_person() -> None:
    raw = message(
        "",
        "Attorney Reyes is out of the office this week, but she asked me to send this.\r\n"
        "Our firm represents Mr. Dale Ng on the above loan; our letter of representation\r\n"
        "is attached. Please send a complete payment history since January 2024.\r\n",
    ).replace(b"Subject: Hello", b"Subject: Attorney Reyes out of office - client Dale Ng")
    classification = record(raw)["classification"]
    assert classification["machine"]["is_machine"] is False


def _with_subject(subject: str, text: str) -> bytes:
    return message("", text).replace(b"Subject: Hello", f"Subject: {subject}".encode())


def _machine(raw: bytes) -> dict:
    return record(raw)["classification"]["machine"]


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        (
            "Return Receipt",
            "Your        Escrow analysis - Loan\r\ndocument:   0040012345\r\n\r\n"
            "was         Pat Lee/Lending/ExampleCU\r\nreceived\r\nby:\r\n\r\n"
            "at:         11/18/2026 02:02:49 PM EST\r\n",
        ),
        (
            "Đã đọc: Your escrow analysis",
            "Thư của bạn\r\n\r\n  Đến: an.tran@example.com\r\n  Chủ đề: Your escrow analysis\r\n"
            "\r\nđã được đọc vào Thứ Hai, 7 tháng 12, 2026 9:02:41 SA.\r\n",
        ),
        (
            "Confirmación de lectura: Su estado de cuenta",
            "Este es un recibo de notificación de lectura para el mensaje que usted envió a\r\n"
            "ana@example.com el 11/12/2026 10:42.\r\n",
        ),
    ],
)
def test_read_receipts_in_plain_text_are_read_receipts(subject: str, text: str) -> None:
    assert _machine(_with_subject(subject, text))["kind"] == "mdn"


@pytest.mark.parametrize(
    "text",
    [
        "Thank you for your email. Our office is closed for the holiday. We will respond to\r\n"
        "your message when we reopen on Monday, December 28.\r\n",
        "Hola! Ando de vacaciones con la familia hasta el 6 de enero y casi no voy a revisar\r\n"
        "el correo. Si es algo urgente mándame un mensaje.\r\n",
    ],
)
def test_a_closure_or_casual_vacation_reply_without_headers_is_out_of_office(text: str) -> None:
    assert _machine(message("", text))["kind"] == "out_of_office"


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        (
            "回复：We have received your message [Case 5512]",
            "收到自动回复了。请再发一份2025年的1098表给我，谢谢。\r\n\r\n"
            "------------------ 原始邮件 ------------------\r\n"
            "发件人: Customer Care\r\n\r\nThis is an automated confirmation that we have\r\n"
            "received your email. Please do not reply to this message.\r\n",
        ),
        (
            "Payoff request - naka-out of office yung contact ko sa inyo",
            "Hi po, kailangan ko ng payoff statement good through December 30 para sa sale ng\r\n"
            "bahay. Loan 2281000000.\r\n",
        ),
        (
            "Out of office until 12/8 - re: your insurance letter",
            "I'm on leave until 12/8, but I saw your letter saying my insurance lapsed. It\r\n"
            "did not lapse, you paid the renewal from escrow. Take the placed policy off.\r\n",
        ),
        (
            "RE: Automatic reply: proof of insurance",
            "Sorry, please ignore my out of office below, I'm back now. The new policy is\r\n"
            "with Harbor Mutual, effective 10/28.\r\n",
        ),
        # ...and people who write like an office or a traveller.
        (
            "Our client Maria Diaz - loan 7700123456",
            "We have received your correspondence dated March 3 regarding our client, Maria\r\n"
            "Diaz. A case has been opened with the CFPB about the misapplied payments. Please\r\n"
            "send a complete payment history.\r\n",
        ),
        (
            "Seguro nuevo",
            "Ando de vacaciones pero les mando la póliza nueva del seguro de la casa, vence el\r\n"
            "12/30.\r\n",
        ),
        (
            "Payoff quote",
            "Please send a payoff quote good through the 20th. We're out of town; we'll get\r\n"
            "back to you when we return on the 12th.\r\n",
        ),
    ],
)
def test_a_person_writing_past_an_automatic_reply_or_like_one_is_a_person(
    subject: str, text: str
) -> None:
    assert _machine(_with_subject(subject, text))["is_machine"] is False


def _from(sender: str, subject: str, text: str, auth: str = "mx.example; dmarc=pass") -> bytes:
    return (
        f"From: {sender}\r\nTo: care@servicer.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <b1@example.net>\r\nAuthentication-Results: {auth}\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}"
    ).encode()


QMAIL_BOUNCE = (
    "Hi. This is the qmail-send program at mail.example.net.\r\n"
    "I'm afraid I wasn't able to deliver your message to the following addresses.\r\n\r\n"
    "<owner@example.net>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n\r\n"
    "--- Below this line is a copy of the message.\r\n\r\n"
    "Subject: Notice of Foreclosure Sale - Loan 4420087153\r\n\r\n"
    "The foreclosure sale of your property is scheduled for 07/14/2026. Please send\r\n"
    "your payment history request to us.\r\n"
)


def test_a_plain_text_bounce_from_mailer_daemon_is_a_delivery_report() -> None:
    body = record(_from("MAILER-DAEMON@mail.example.net", "failure notice", QMAIL_BOUNCE))
    machine = body["classification"]["machine"]
    assert (machine["kind"], machine["evidence"]) == ("dsn", ["sender:mailer-daemon"])


def test_a_bounced_notice_raises_nothing_its_returned_copy_says() -> None:
    classification = record(
        _from("MAILER-DAEMON@mail.example.net", "failure notice", QMAIL_BOUNCE)
    )["classification"]
    assert classification["escalation_families"] == []
    assert classification["request_kinds"] == []


@pytest.mark.parametrize(
    ("subject", "text", "evidence"),
    [
        (
            "Undeliverable: Notice of Servicing Transfer - Loan 3308815207",
            "Your message to rkowalski@example.com couldn't be delivered.\r\n",
            "sender:postmaster, subject:undeliverable",
        ),
        (
            "退信：Your payment reminder",
            "很抱歉您的邮件没有发送成功。\r\n退信原因：收件人邮箱不存在。\r\n",
            "sender:postmaster, subject:退信",
        ),
        (
            "Your payment reminder",
            "The message could not be sent.\r\nRemote server said: 552 5.2.2 mailbox full\r\n",
            "sender:postmaster, body:552 5.2.2",
        ),
    ],
)
def test_a_postmasters_report_of_a_failed_delivery_is_a_delivery_report(
    subject: str, text: str, evidence: str
) -> None:
    machine = record(_from("postmaster@example.com", subject, text))["classification"]["machine"]
    assert (machine["kind"], machine["evidence"]) == ("dsn", [evidence])


@pytest.mark.parametrize(
    "text",
    [
        "I look after mail for our firm. Please send the payoff statement for loan 55120 "
        "to me.\r\n",
        # Dates, sections and versions written with dots are no status codes.
        "Per section 2.3.1 of the lease, please send the payoff statement good through "
        "5.12.26 to Suite 510.\r\n",
        "Per paragraph #4.2.1 of the agreement, please send the payoff statement.\r\n",
    ],
)
def test_a_postmaster_writing_as_a_person_is_a_person(text: str) -> None:
    classification = record(_from("postmaster@smallfirm.example", "Payoff", text))["classification"]
    assert classification["machine"]["is_machine"] is False
    assert classification["request_kinds"] == ["payoff_statement"]


@pytest.mark.parametrize(
    "subject",
    [
        "Re: Undeliverable: Notice of Servicing Transfer",
        "Undelivered refund check",
        "Delivery status of my tax refund",
    ],
)
def test_a_postmaster_whose_subject_only_speaks_of_delivery_is_a_person(subject: str) -> None:
    text = "Your notice bounced from our server. Please send the payoff statement again.\r\n"
    machine = record(_from("postmaster@smallfirm.example", subject, text))["classification"]
    assert machine["machine"]["is_machine"] is False


def test_a_forged_bounce_from_our_own_postmaster_stays_a_spoof() -> None:
    raw = _from(
        "Mail Administrator <postmaster@servicer.example>",
        "Undeliverable: 14 incoming messages held",
        "Sign in at http://servicer-mail.example.top to release your messages.\r\n",
        auth="mx.servicer.example; spf=fail; dmarc=fail header.from=servicer.example",
    )
    classification = record(raw)["classification"]
    assert classification["machine"]["is_machine"] is False
    assert classification["subcategory"] == "spoofed"


@pytest.mark.parametrize(
    "text",
    [
        # A court's e-mail system delivering a bankruptcy stay: its "automatic e-mail"
        # line does not make the stay nobody's concern.
        "Notice of Chapter 7 Bankruptcy Case. The automatic stay is in effect as to the "
        "debtor's property.\r\n\r\nThis is an automatic e-mail message generated by the "
        "CM/ECF system. Please DO NOT RESPOND to this e-mail.\r\n",
        # A title company's order system sending a payoff request.
        "Payoff order 26-1147 for loan 7719340628. Please send the payoff statement good "
        "through 05/15/2026 to payoffs@title.example.\r\n\r\nThis is an automated "
        "message.\r\n",
    ],
)
def test_a_system_notice_that_delivers_a_request_or_a_matter_stays_a_persons_mail(
    text: str,
) -> None:
    assert _machine(_with_subject("Notice", text))["is_machine"] is False


def test_exchanges_own_non_delivery_sender_is_a_delivery_report() -> None:
    sender = "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@servicer.example"
    text = "Your message to tcolon@example.com couldn't be delivered.\r\n"
    machine = record(_from(sender, "Undeliverable: Your loan modification decision", text))[
        "classification"
    ]["machine"]
    assert (machine["kind"], machine["evidence"]) == (
        "dsn",
        ["sender:microsoftexchange329e71ec88ae4615bbc36ab6ce41109e"],
    )


def test_a_name_that_only_begins_like_exchanges_sender_is_no_report() -> None:
    text = "Hi, please send me my payment history for 2025.\r\n"
    machine = record(_from("microsoftexchange2024@example.com", "history", text))["classification"][
        "machine"
    ]
    assert machine["is_machine"] is False
