"""Automatic mail that carries no automatic-mail header, known by its template's words:
a calendar's answer to an invitation, a subscriber mailing's footer, a scanner's or a
voicemail gateway's notice, a read receipt in Chinese or Tagalog, an office saying how
long its answers take. Each has a person's counterpart that stays a person: a note typed
above a scanner's text, a request to be taken off a list, a forwarded notice with a
question, a borrower back from leave who speaks of their own automatic reply."""

from __future__ import annotations

import pytest

from pipeline.classify.machine import MachineHeaders, machine_verdict

NONE = MachineHeaders()


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        (
            "Accepted: Repayment plan call",
            "Dana Whitfield has accepted this meeting.\n\nRepayment plan call\n"
            "When: Thursday, March 5, 2026 10:00-10:30",
        ),
        (
            "Aceptado: Llamada de seguimiento",
            "Adriana Lucero ha aceptado esta reunión.\n\nCuándo: jueves, 3 de septiembre",
        ),
        (
            "수락됨: 상환 계획 상담 전화",
            "이정훈 님이 이 모임을 수락했습니다.\n\n시간: 2026년 2월 26일",
        ),
    ],
)
def test_a_calendar_answer_is_a_notification(subject: str, text: str) -> None:
    verdict = machine_verdict(NONE, subject, text, asks_something=True)
    assert (verdict.is_machine, verdict.kind) == (True, "notification")


def test_a_subject_that_only_begins_with_accepted_is_no_calendar_answer() -> None:
    text = "Accepted: I will take the repayment plan you offered. Please send the agreement."
    assert not machine_verdict(NONE, "Accepted: repayment plan", text, True).is_machine


@pytest.mark.parametrize(
    "text",
    [
        "5 WAYS TO CUT YOUR HOUSING COSTS\n4. Review your escrow analysis -- mistakes happen, "
        "and you have the right to dispute them.\n\nYou're getting this because you created "
        "an account. Manage email preferences in the app.",
        "Your 2026 property tax bill is now available online.\n\nYou are receiving this email "
        "because this address is registered for eBill.",
        "STREET SWEEPING Tuesday May 12.\n\nYou are receiving this email as a Maple Ridge owner. "
        "Reply REMOVE to be taken off this list.",
        "Attached is a final copy of the signed authorization.\n\nTo ensure that you continue "
        "receiving our emails, please add adobesign@adobesign.com to your address book.",
        "Nuevas tasas de interés este mes.\n\nUsted recibe este correo porque se suscribió. "
        "Para darse de baja, haga clic aquí.",
    ],
)
def test_a_subscriber_mailing_footer_makes_mail_that_asks_nothing_machine_mail(text: str) -> None:
    verdict = machine_verdict(NONE, "This month", text)
    assert verdict.is_machine


def test_a_footer_under_what_someone_asks_leaves_them_a_person() -> None:
    text = (
        "Please explain the $250 fee on the statement below. It is wrong.\n\nYour statement "
        "is ready. You are receiving this email because you enrolled in eStatements."
    )
    assert not machine_verdict(NONE, "fee", text, asks_something=True).is_machine


@pytest.mark.parametrize(
    "text",
    [
        "Please unsubscribe me from your marketing emails, I only want my statements.",
        "我想退订纸质账单，以后只收电子账单。贷款号 9036617254。",
        "You sent this letter because you say I missed my February payment. I paid it on 2/1. "
        "Please correct my account and remove the late fee.",
        "You are receiving this email because I am the executor of the estate of my father, "
        "who owned the house. Please tell me what you need from me.",
        "Your texts say reply STOP to opt out. I did that three times and you still text me "
        "every day about my loan.",
        "I tried to unsubscribe from these emails. Also my escrow was charged twice.",
        "Please add jdoe.new@gmail.com to your contacts, it is my new email for the loan.",
        "Can you tell me why this came? I paid the taxes myself.\n\n"
        "---------- Forwarded message ---------\nFrom: Lee County Tax Collector\n"
        "Your 2026 property tax bill is now available.\n"
        "You are receiving this email because this address is registered for eBill.",
    ],
)
def test_a_person_asking_off_a_list_or_forwarding_a_notice_is_a_person(text: str) -> None:
    assert not machine_verdict(NONE, "question", text, asks_something=True).is_machine


def test_a_scanner_notice_with_nothing_asked_is_a_notification() -> None:
    text = (
        "Please open the attached file. It was scanned and sent to you using a KONICA "
        "MINOLTA bizhub C458.\n\nDevice name: KM_C458\nNumber of pages: 1"
    )
    verdict = machine_verdict(NONE, "Message from KM_C458", text)
    assert (verdict.is_machine, verdict.kind) == (True, "notification")


def test_a_note_typed_above_a_scanner_notice_is_a_person() -> None:
    text = (
        "For Loss Mitigation - Maria Ortega, loan 4471-0028-93. She wants to be reviewed "
        "for a modification.\n\nPlease open the attached document. It was scanned and "
        "sent to you using a Xerox multifunction printer."
    )
    assert not machine_verdict(NONE, "Scan from WorkCentre", text, asks_something=True).is_machine


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        (
            "已讀取: Your 2025 Form 1098 is available",
            "您的郵件\n\n  收件者: 梁淑儀\n  主旨: Your 2025 Form 1098 is available\n\n"
            "已於 2026年1月30日 星期五 下午 4:12:54 讀取。",
        ),
        (
            "Nabasa: Your payment change notice",
            "Ang iyong mensahe\n\n  Para kay: Ramil Villanueva\n  Paksa: Your payment change "
            "notice\n\nay nabasa noong Huwebes, Nobyembre 5, 2026 6:58:12 AM.",
        ),
    ],
)
def test_plain_text_read_receipts_in_chinese_and_tagalog_are_receipts(
    subject: str, text: str
) -> None:
    verdict = machine_verdict(NONE, subject, text)
    assert (verdict.is_machine, verdict.kind) == (True, "mdn")


def test_an_office_saying_how_long_answers_take_is_an_automatic_reply() -> None:
    text = (
        "Thank you for contacting the Pinal County Recorder's Office.\n\nYour email has been "
        "received. Due to high volume, responses may take up to five (5) business days."
    )
    assert machine_verdict(NONE, "RE: Release of Deed of Trust", text).is_machine


def test_a_borrower_back_from_leave_who_speaks_of_their_own_auto_reply_is_a_person() -> None:
    text = (
        "Hi, sorry -- you probably got my out-of-office bounce-back last week. I'm back and "
        "forgot to turn it off.\n\nTo answer your letter: yes, it is my primary residence."
    )
    subject = "Re: Automatic reply: Occupancy verification - Loan 6042218839"
    assert not machine_verdict(NONE, subject, text).is_machine


@pytest.mark.parametrize(
    "text",
    [
        "Attached are the two bank statements you asked for (scanned with HP Smart).",
        "I scanned and sent to you from my office printer the signed forms.",
    ],
)
def test_a_person_saying_what_they_scanned_is_a_person(text: str) -> None:
    assert not machine_verdict(NONE, "documents", text).is_machine


def test_a_borrower_quoting_an_office_s_slow_answers_is_a_person() -> None:
    text = (
        "Your website says due to high call volume, responses may take up to 5 business days. "
        "It has been 3 weeks and no one has answered my request for a payoff statement."
    )
    assert not machine_verdict(NONE, "payoff", text, asks_something=True).is_machine


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        (
            "Invitación: Revisión de documentos - Préstamo 2207748193",
            "Reunión de Microsoft Teams\nÚnase desde el equipo, la aplicación móvil o un "
            "dispositivo de sala\nHaga clic aquí para unirse a la reunión\n",
        ),
        (
            "Invitation: Loss mitigation review call",
            "Microsoft Teams meeting\nJoin on your computer, mobile app or room device\n"
            "Click here to join the meeting\n",
        ),
    ],
)
def test_an_invitation_with_a_meeting_services_join_block_is_a_notification(
    subject: str, text: str
) -> None:
    verdict = machine_verdict(NONE, subject, text)
    assert (verdict.is_machine, verdict.kind) == (True, "notification")


def test_an_arabic_calendar_answer_is_a_notification() -> None:
    text = "رفض خالد منصور هذا الاجتماع.\nالوقت: الخميس، 25 يونيو 2026"
    verdict = machine_verdict(
        NONE, "تم الرفض: مكالمة مراجعة طلب التعديل", text, asks_something=True
    )
    assert (verdict.is_machine, verdict.kind) == (True, "notification")


def test_an_invitation_subject_without_a_meeting_service_is_a_person() -> None:
    text = "Invitation: I would like to meet with someone about my modification next week."
    verdict = machine_verdict(NONE, "Invitation: meeting about my loan", text, asks_something=True)
    assert not verdict.is_machine


@pytest.mark.parametrize(
    "text",
    [
        'All parties have completed "Payoff Authorization - 2207 Ashby Ln.pdf".\n'
        "VIEW COMPLETED DOCUMENT\nDo not share this email. It contains a secure link.",
        "Jenna Pruitt sent you a document to review and sign.\nREVIEW DOCUMENT\n"
        "Please review and sign: Subordination Agreement - Loan 3390217788.\n"
        "Do Not Share This Email",
        'Todas las partes han completado "Acuerdo de Modificación de Préstamo".\n'
        "No comparta este correo electrónico. Contiene un enlace seguro.",
        "Marie Jean viewed your envelope.\nEnvelope: Forbearance Plan Agreement\n"
        "Status: Waiting for signature\nDo not share this email.",
    ],
)
def test_an_e_signature_services_notice_is_a_notification_whatever_its_title_asks(
    text: str,
) -> None:
    verdict = machine_verdict(NONE, "Completed: loan documents", text, asks_something=True)
    assert (verdict.is_machine, verdict.kind) == (True, "notification")


def test_an_e_signature_notice_that_asks_nothing_needs_only_the_services_name() -> None:
    text = "Marie Jean viewed your envelope.\nStatus: Waiting for signature\nPowered by DocuSign"
    verdict = machine_verdict(NONE, "Viewed: loan documents", text)
    assert (verdict.is_machine, verdict.kind) == (True, "notification")


@pytest.mark.parametrize(
    "text",
    [
        # the sender's own note speaks as "I"
        "Dana Whitlock sent you a document to review and sign.\n"
        "I need the payoff authorization back by Friday, please.\nDo Not Share This Email",
        # a realtor's words of completion, with no service's mark
        "All parties have completed the paperwork, please send the payoff for the 30th.",
        # a title office's words, an envelope of its own
        "All parties have completed signing and the payoff funds were wired to you today. "
        "The original note should come back in the enclosed envelope.",
        # a firm's note inside a service's notice
        "All parties have completed: Notice of Error.\nOur client disputes the escrow "
        "shortage; the March payment was applied to the wrong loan.\nDo not share this email.",
        # a title office's request naming the service, without its warning
        "All parties have completed the closing package in DocuSign. Please send an updated "
        "payoff statement for loan 4410023 good through 3/28.",
    ],
)
def test_a_person_writing_of_signatures_is_a_person(text: str) -> None:
    verdict = machine_verdict(NONE, "payoff", text, asks_something=True)
    assert not verdict.is_machine


def test_a_voicemail_gateways_announcement_decides_whatever_the_transcript_asks() -> None:
    text = (
        "Tiene un nuevo mensaje de voz.\nDuración: 0:42\n"
        'Transcripción: "Buenos días, llamo por el préstamo de mi mamá, me cobraron dos '
        'veces el pago, por favor llámenme."\n'
    )
    verdict = machine_verdict(NONE, "Nuevo mensaje de voz", text, asks_something=True)
    assert (verdict.is_machine, verdict.kind) == (True, "notification")


@pytest.mark.parametrize(
    "text",
    [
        "本期通讯为您整理了几点注意事项。\n如不想再收到我们的邮件，请点击退订。",
        "Boletín de agosto: cinco pasos para proteger tu casa.\nHaz clic aquí para darte de baja.",
        "Bản tin tháng 10 của hội tín dụng.\nĐể hủy đăng ký nhận bản tin, bấm vào đây.",
    ],
)
def test_a_subscriber_mailings_footer_in_other_languages_is_a_newsletter_notice(
    text: str,
) -> None:
    verdict = machine_verdict(NONE, "Bulletin", text)
    assert (verdict.is_machine, verdict.kind) == (True, "notification")


@pytest.mark.parametrize(
    "text",
    [
        # the absence's own "until" is no return cue beside it
        "I'm at a training until 3 today. The buyer's lender approved the file and closing "
        "is set for June 12.",
        # an absence told in the past
        "We were on vacation when your letter came. This is time-sensitive: the county says "
        "the tax bill is delinquent.",
        # away, but writing anyway
        "I'm on vacation this week but this is time sensitive. Attached is the county's "
        "delinquent tax notice for 2024 even though the escrow account is supposed to pay it.",
        # a counsellor at a training, sending documents
        "I'm at the NFMC training through Thursday. Mr. Alvarez's documents are attached; "
        "contact him directly at 555-201-3344 if anything is missing.",
        # a borrower cancelling autopay (Vietnamese), a late fee avoided (Tagalog)
        "Xin hướng dẫn cách để hủy đăng ký thanh toán tự động. Cảm ơn.",
        "Nagbayad na po kami nang buo noong Mayo 30 upang hindi na makatanggap ng late fee.",
    ],
)
def test_a_person_who_was_away_or_cancels_a_service_is_a_person(text: str) -> None:
    assert not machine_verdict(NONE, "loan", text).is_machine


def test_a_vacation_responder_answering_an_automatic_reply_is_out_of_office() -> None:
    text = "I am out of the office until Monday. For urgent matters contact Brenda."
    verdict = machine_verdict(NONE, "Re: Automatic reply: payoff request", text)
    assert (verdict.is_machine, verdict.kind) == (True, "out_of_office")


def test_an_absence_at_a_conference_with_a_time_sensitive_contact_is_out_of_office() -> None:
    text = (
        "Aloha and thanks for your email! I'm at the state REALTORS conference through "
        "Sunday, June 7 and checking email in the evenings only.\nFor anything "
        "time-sensitive please call my coordinator Brenda at (808) 555-0153."
    )
    verdict = machine_verdict(NONE, "RE: Short sale approval letter", text)
    assert (verdict.is_machine, verdict.kind) == (True, "out_of_office")


@pytest.mark.parametrize(
    ("subject", "text"),
    [
        # a person's note above a forwarded voicemail notice
        (
            "voicemail",
            "Please call this borrower back today, the payment was misapplied.\n"
            "You have a new voicemail.\nDuration: 0:42\n",
        ),
        # an office speaking of its own voicemail
        (
            "late fee",
            "You have a new voicemail from us from yesterday. We paid the March payment on "
            "3/1 and your system shows it late and charged a $75 late fee. Please remove it.",
        ),
        # a fax is a letter: its cover note may be a notice of error
        (
            "New fax",
            "You have a new fax.\nPages: 3\nCover note: Notice of error - the March payment "
            "was applied to the wrong loan. Please correct and refund the late fee.",
        ),
        # an invitation a person writes above a join block
        (
            "Invitation: Escrow dispute call - Loan 3390217788",
            "I represent the borrower and am writing to dispute the escrow shortage. Please "
            "correct it before the call.\nJoin Zoom Meeting\n",
        ),
        # an Arabic borrower writing of a refusal received before a meeting
        (
            "الرفض: طلب تعديل القرض رقم 4455",
            "تلقيت رسالة الرفض قبل يومين من هذا الاجتماع مع المستشار. أطلب مراجعة القرار "
            "وأوقفوا البيع المقرر في 2 أبريل",
        ),
    ],
)
def test_a_person_asking_beside_a_systems_words_is_a_person(subject: str, text: str) -> None:
    assert not machine_verdict(NONE, subject, text, asks_something=True).is_machine
