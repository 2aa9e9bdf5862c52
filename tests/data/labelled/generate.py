# ruff: noqa: E501  (hand-written email bodies read better unwrapped)
"""Generate the labelled evaluation set of servicing emails (deterministic).

Run from the repository root:  python tests/data/labelled/generate.py
It rewrites ``emails.jsonl`` next to this file. Every template is hand-written
and carries its labels: the escalation rules a reviewer expects to fire, the
category and the request kind. Templates are rendered a few times with different
names, numbers, greetings, sign-offs, quoted replies and footers; the random
generator is seeded so the file is identical on every run.

Labelling conventions follow pipeline/classify/category.py: any legal or
complaint rule makes the category complaint_legal; a written assertion of an
account error is a notice_of_error (12 CFR 1024.35(a)).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).with_name("emails.jsonl")
SEED = 20261128

EN_NAMES = [
    "Maria Lopez",
    "James Carter",
    "Aisha Williams",
    "Tom O'Neill",
    "Linda Nguyen",
    "Robert Kowalski",
    "Deborah Smith",
    "Kevin Park",
    "Angela Brooks",
    "Sam Patel",
    "Michelle Dubois",
    "Greg Hansen",
]
ES_NAMES = [
    "José Hernández",
    "María Fernanda Ruiz",
    "Carlos Gómez",
    "Lucía Martínez",
    "Juan Pablo Ortiz",
    "Ana Sofía Ramírez",
    "Miguel Ángel Torres",
    "Rosa Jiménez",
    "Luis Alberto Peña",
    "Guadalupe Castillo",
]
SERVICERS = ["Harbor Mortgage Servicing", "Keystone Loan Services", "Pinecrest Home Loans"]
DATES = [
    "March 3",
    "April 15",
    "May 1",
    "June 12",
    "July 2",
    "August 20",
    "September 9",
    "October 1",
    "November 14",
    "December 2",
]
ES_DATES = [
    "3 de marzo",
    "15 de abril",
    "1 de mayo",
    "12 de junio",
    "2 de julio",
    "20 de agosto",
    "9 de septiembre",
    "1 de octubre",
    "14 de noviembre",
]

EN_GREET: list[tuple[object, ...]] = [
    "Hello,",
    "Hi,",
    "To whom it may concern,",
    "Dear Sir or Madam,",
    "Good morning,",
    "",
]
EN_CLOSE = [
    "Thanks,\n{name}",
    "Sincerely,\n{name}\nLoan {acct}",
    "Regards,\n{name}",
    "{name}\n\nSent from my iPhone",
    "Thank you for your help.\n{name}",
]
ES_GREET: list[tuple[object, ...]] = [
    "Hola,",
    "Buenos días,",
    "Estimados señores:",
    "A quien corresponda:",
    "Buenas tardes,",
    "",
]
ES_CLOSE = [
    "Gracias,\n{name}",
    "Atentamente,\n{name}\nPréstamo {acct}",
    "Saludos,\n{name}",
    "{name}\n\nEnviado desde mi celular",
    "Muchas gracias por su ayuda.\n{name}",
]

# Quoted earlier replies from the servicer. They contain trigger words on purpose:
# rules must ignore quoted text, so these never change the labels.
EN_QUOTES = [
    "\n\nOn {date}, {servicer} Customer Care <care@servicer.example> wrote:\n"
    "> Thank you for contacting us. If you wish to submit a complaint or a notice of\n"
    "> error, please write to the address below.\n> Regards, Customer Care",
    "\n\n-----Original Message-----\nFrom: {servicer} <noreply@servicer.example>\n"
    "Sent: {date}\nSubject: Your inquiry\n\nIf you are experiencing a financial hardship,\n"
    "loss mitigation options may be available. This is not a foreclosure notice.",
]
ES_QUOTES = [
    "\n\nEl {es_date}, {servicer} Servicio al Cliente <care@servicer.example> escribió:\n"
    "> Gracias por comunicarse. Si desea presentar una queja o un aviso de error,\n"
    "> escriba a la dirección indicada.\n> Atentamente",
]
FOOTERS = [
    "",
    "",
    "",
    "\n\n--\nRE/MAX Realty | Equal Housing Opportunity",
    "\n\nCONFIDENTIALITY NOTICE: This email may contain privileged information.",
]

# (lang, subject, body, rules, category, request_kind[, attachment names])
# Placeholders: {name} {acct} {amt} {date} {es_date} {servicer}
T: list[tuple[object, ...]] = [
    # ---------------- English: escalation rules, positives ----------------
    (
        "en",
        "Qualified Written Request - Loan {acct}",
        "This letter is a Qualified Written Request under Section 6 of RESPA, 12 U.S.C. 2605(e).\n"
        "I dispute the escrow shortage of ${amt} on my account, which I believe is incorrect.\n"
        "Please correct the error and send me a full payment history.",
        ["qualified_written_request", "respa"],
        "account_inquiry",
        "notice_of_error",
    ),
    (
        "en",
        "QWR request",
        "Please treat this email as a QWR. I am requesting the name and address of the owner of my\n"
        "loan, the complete payment history since origination and copies of all escrow analyses.",
        ["qualified_written_request"],
        "account_inquiry",
        "request_for_information",
    ),
    (
        "en",
        "Notice of Error - account {acct}",
        "Please accept this as a formal notice of error. My payment of ${amt} made on {date} was\n"
        "misapplied to escrow instead of principal and interest.",
        ["notice_of_error"],
        "payment_clarification",
        "notice_of_error",
    ),
    (
        "en",
        "Error on my statement",
        "I am writing to give you notice of error pursuant to 12 CFR 1024.35. You charged me a late\n"
        "fee of $45 for the {date} payment even though it was received on time.",
        ["notice_of_error"],
        "payment_clarification",
        "notice_of_error",
    ),
    (
        "en",
        "request for information",
        "This is a request for information under Regulation X. Please send me the current escrow\n"
        "analysis and an itemized list of property tax and insurance disbursements this year.",
        ["request_for_information", "respa"],
        "account_inquiry",
        "request_for_information",
    ),
    (
        "en",
        "Information request, loan {acct}",
        "Pursuant to 12 C.F.R. 1024.36 please provide the identity of the investor that owns my loan\n"
        "and the date the servicing was transferred to you.",
        ["request_for_information"],
        "other",
        "request_for_information",
    ),
    (
        "en",
        "RESPA violation",
        "You have now failed twice to answer my letters, which is a violation of RESPA. I expect a\n"
        "written answer about my escrow account within the time the law requires.",
        ["respa"],
        "account_inquiry",
        "general",
    ),
    (
        "en",
        "Real Estate Settlement Procedures Act",
        "My understanding is that under the Real Estate Settlement Procedures Act you must respond\n"
        "to my written questions about the servicing transfer. What is my new loan number?",
        ["respa"],
        "other",
        "general",
    ),
    (
        "en",
        "Filed with the CFPB",
        "I have filed a complaint with the CFPB today because nobody at {servicer} returns my calls\n"
        "about the payment that was not credited.",
        ["regulator_complaint", "complaint"],
        "complaint_legal",
        "notice_of_error",
    ),
    (
        "en",
        "Consumer Financial Protection Bureau",
        "If my escrow refund of ${amt} is not issued this week I will contact the Consumer Financial\n"
        "Protection Bureau and the state Attorney General.",
        ["regulator_complaint"],
        "complaint_legal",
        "general",
    ),
    (
        "en",
        "Formal complaint",
        "I want to file a formal complaint about the way your representative spoke to me on the phone\n"
        "on {date}. She hung up on me twice.",
        ["complaint"],
        "complaint_legal",
        "general",
    ),
    (
        "en",
        "third time writing",
        "This is my third complaint about the same issue. Your website still shows my autopay as\n"
        "pending and I have been charged again.",
        ["complaint"],
        "complaint_legal",
        "general",
    ),
    (
        "en",
        "very unhappy",
        "I have not received a response to my complaint from last month about the property tax\n"
        "payment you made late. I am very unhappy with the service.",
        ["complaint"],
        "complaint_legal",
        "notice_of_error",
    ),
    (
        "en",
        "My attorney",
        "My attorney will be contacting you regarding the force-placed insurance you added to my\n"
        "loan without notice. Please direct further communication to her office.",
        ["attorney"],
        "complaint_legal",
        "general",
    ),
    (
        "en",
        "Representation letter",
        "Please be advised that our law firm represents {name} in connection with the above loan.\n"
        "Do not contact our client directly; all communication must go through counsel.",
        ["attorney"],
        "complaint_legal",
        "general",
    ),
    (
        "en",
        "talked to a lawyer",
        "I spoke with a lawyer today and he says the fees you added are not allowed under my note.",
        ["attorney"],
        "complaint_legal",
        "general",
    ),
    (
        "en",
        "Lawsuit",
        "If this is not resolved by Friday I will sue. I have documentation of every payment and you\n"
        "keep saying I am behind. This is harassment.",
        ["lawsuit"],
        "complaint_legal",
        "general",
    ),
    (
        "en",
        "Legal action",
        "We are prepared to take legal action regarding the wrongful charges on the account. A class\n"
        "action may also be appropriate given how many borrowers this affects.",
        ["lawsuit"],
        "complaint_legal",
        "notice_of_error",
    ),
    (
        "en",
        "small claims",
        "I will be filing in small claims court for the ${amt} you took from my account without my\n"
        "permission.",
        ["lawsuit"],
        "complaint_legal",
        "general",
    ),
    (
        "en",
        "Bankruptcy filing",
        "I filed Chapter 13 bankruptcy on {date}. The case number is attached. Please stop all\n"
        "collection activity; the automatic stay is in effect.",
        ["bankruptcy"],
        "complaint_legal",
        "general",
    ),
    (
        "en",
        "ch 7 discharge",
        "My chapter 7 was discharged last year. Why am I still receiving monthly statements that say\n"
        "I owe ${amt}?",
        ["bankruptcy"],
        "complaint_legal",
        "general",
    ),
    (
        "en",
        "Foreclosure sale date",
        "I received a notice that my home is scheduled for a foreclosure sale on {date}. I submitted\n"
        "a complete loss mitigation application two weeks ago. Please postpone the sale date.",
        ["foreclosure", "hardship"],
        "complaint_legal",
        "general",
    ),
    (
        "en",
        "auction of my house??",
        "A man came to my door saying my house will be sold at auction next month. Nobody told me\n"
        "anything. Is this true?",
        ["foreclosure"],
        "complaint_legal",
        "general",
    ),
    (
        "en",
        "sheriff's sale",
        "The sheriff's sale is set for {date}. I have the funds to reinstate, please send me the\n"
        "reinstatement amount today.",
        ["foreclosure"],
        "complaint_legal",
        "general",
    ),
    (
        "en",
        "forclosure",
        "pls help i got a letter about forclosure but I sent the {date} payment already",
        ["foreclosure"],
        "complaint_legal",
        "general",
    ),
    (
        "en",
        "Cease and desist",
        "This is a cease and desist letter. Stop calling me at work. Any further calls to my employer\n"
        "will be reported.",
        ["cease_and_desist"],
        "complaint_legal",
        "general",
    ),
    (
        "en",
        "stop calling",
        "Your collection department calls me 6 times a day. Stop contacting me by phone, email only.",
        ["cease_and_desist"],
        "complaint_legal",
        "general",
    ),
    (
        "en",
        "Discrimination",
        "I believe I was discriminated against when my modification was denied. My neighbor with the\n"
        "same income was approved. I want this reviewed under the Fair Housing Act.",
        ["discrimination"],
        "complaint_legal",
        "general",
    ),
    (
        "en",
        "ECOA concern",
        "The way my application was handled feels discriminatory. I am asking whether you complied\n"
        "with ECOA when you denied my request for a repayment plan.",
        ["discrimination"],
        "complaint_legal",
        "general",
    ),
    (
        "en",
        "Hardship - need help",
        "I lost my job in {date} and I cannot make my full payment. I am requesting forbearance for\n"
        "three months until I find new work.",
        ["hardship"],
        "other",
        "general",
    ),
    (
        "en",
        "Forbearance request",
        "We are experiencing a financial hardship due to medical bills. What are my options for a\n"
        "loan modification?",
        ["hardship"],
        "document_request",
        "general",
    ),
    (
        "en",
        "laid off",
        "My husband was laid off and we can't afford the new payment after the escrow increase.",
        ["hardship"],
        "account_inquiry",
        "general",
    ),
    (
        "en",
        "URGENT - payment not posted",
        "I made my payment on {date} and it still hasn't posted. My bank shows it cleared.",
        ["subject_urgent"],
        "payment_clarification",
        "notice_of_error",
    ),
    (
        "en",
        "ESCALATE: third request for payoff",
        "I have asked three times for a payoff statement for loan {acct}. The closing is next week.",
        ["subject_urgent"],
        "document_request",
        "payoff_statement",
    ),
    (
        "en",
        "Time sensitive: insurance check",
        "The insurance check for the roof damage needs to be endorsed. Who do I send it to?",
        ["subject_urgent"],
        "other",
        "general",
    ),
    (
        "en",
        "Urgent!!! escrow",
        "Why did my payment go up ${amt}? The escrow analysis says shortage but I paid my taxes myself.",
        ["subject_urgent"],
        "account_inquiry",
        "general",
    ),
    # ---------------- English: topics without escalation ----------------
    (
        "en",
        "Payoff statement request",
        "Please send a payoff statement good through {date} for loan {acct}. We are selling the house\n"
        "and the title company needs it.",
        [],
        "document_request",
        "payoff_statement",
    ),
    (
        "en",
        "payoff quote",
        "Can I get a payoff quote? I want to pay off the loan with my savings. Account number {acct}.",
        [],
        "document_request",
        "payoff_statement",
    ),
    (
        "en",
        "Refinance",
        "We are refinancing with another lender. Please fax the payoff letter to Lakeside Title.",
        [],
        "document_request",
        "payoff_statement",
    ),
    (
        "en",
        "1098",
        "I never received my 1098 tax form for last year. Can you email it?",
        [],
        "document_request",
        "general",
    ),
    (
        "en",
        "Mortgage interest statement",
        "My accountant needs the mortgage interest statement for my taxes, loan {acct}.",
        [],
        "document_request",
        "general",
    ),
    (
        "en",
        "Loan modification documents",
        "I received the trial plan letter. Where do I send the signed loan modification agreement?",
        [],
        "document_request",
        "general",
    ),
    (
        "en",
        "Assumption",
        "My mother passed away and I would like to assume the loan on her house. What documents do\n"
        "you need from me?",
        [],
        "document_request",
        "general",
    ),
    (
        "en",
        "Late fee question",
        "Why was I charged a late fee this month? I paid on the 14th, within the grace period.",
        [],
        "payment_clarification",
        "general",
    ),
    (
        "en",
        "Late charge applied in error",
        "The late charge on my statement was applied in error, my payment was made on the 1st.",
        [],
        "payment_clarification",
        "notice_of_error",
    ),
    (
        "en",
        "Extra principal",
        "I sent an extra ${amt} last month. Please apply it to principal and not to the next payment.",
        [],
        "payment_clarification",
        "general",
    ),
    (
        "en",
        "Partial payment",
        "I can only send a partial payment this month. Will it be held in a suspense account?",
        [],
        "payment_clarification",
        "general",
    ),
    (
        "en",
        "autopay not processed",
        "My autopay has not been processed this month and the due date is tomorrow. Please check.",
        [],
        "payment_clarification",
        "general",
    ),
    (
        "en",
        "Escrow shortage",
        "My escrow analysis shows a shortage of ${amt}. Can I spread it over 12 months?",
        [],
        "account_inquiry",
        "general",
    ),
    (
        "en",
        "Homeowners insurance",
        "I switched homeowners insurance companies. Attached is the new declarations page for escrow.",
        [],
        "account_inquiry",
        "general",
    ),
    (
        "en",
        "ARM adjustment",
        "My interest rate adjustment letter says my rate goes up in {date}. How was it calculated?",
        [],
        "account_inquiry",
        "general",
    ),
    (
        "en",
        "payment history",
        "Could you send me my payment history for the last two years? It's for a rental application.",
        [],
        "account_inquiry",
        "general",
    ),
    (
        "en",
        "balance",
        "What is my current principal balance? The app is not loading.",
        [],
        "account_inquiry",
        "general",
    ),
    (
        "en",
        "Change of mailing address",
        "Please update my mailing address to 41 Birch Lane, Dayton OH 45402.",
        [],
        "other",
        "general",
    ),
    (
        "en",
        "Thank you",
        "Just wanted to say thanks to Brenda who helped me on the phone yesterday. No complaints at\n"
        "all, great service.",
        [],
        "other",
        "general",
    ),
    # ---------------- English: hard negatives ----------------
    (
        "en",
        "Power of attorney for my father",
        "I hold power of attorney for my father, {name}. Attached is the document. I need to make his\n"
        "payment for him while he is in the hospital.",
        [],
        "other",
        "general",
    ),
    (
        "en",
        "Attorney-in-fact",
        "As attorney-in-fact for my mother I am requesting her payment history for the past year.",
        [],
        "account_inquiry",
        "general",
    ),
    (
        "en",
        "Car auction",
        "I sold my truck at a car auction to cover this month's payment. The payment is coming by\n"
        "check next week.",
        [],
        "other",
        "general",
    ),
    (
        "en",
        "payment will be late",
        "The auction of my old boat is on Saturday, after that I will make my mortgage payment.",
        [],
        "other",
        "general",
    ),
    (
        "en",
        "Not urgent - escrow question",
        "No rush on this. Does my escrow cover the flood insurance premium?",
        [],
        "account_inquiry",
        "general",
    ),
    (
        "en",
        "RE: respawn of the online portal",
        "Your online portal keeps making me log in again, like a game respawn. Can I pay by phone?",
        [],
        "other",
        "general",
    ),
    (
        "en",
        "no hardship",
        "We don't have any financial hardship, we just want to know if we can pay biweekly.",
        [],
        "other",
        "general",
    ),
    (
        "en",
        "Message from Sue",
        "Sue from your office told me to email the insurance declaration. Attached.",
        [],
        "other",
        "general",
    ),
    (
        "en",
        "Never filed",
        "I have never filed bankruptcy. Your letter must be about another borrower.",
        [],
        "other",
        "general",
    ),
    (
        "en",
        "Not in foreclosure",
        "Just to clarify, I am not in foreclosure. I'm current on payments. I need my 1098.",
        [],
        "document_request",
        "general",
    ),
    (
        "en",
        "Question about the error notice",
        "I got an error notice on your website when I tried to log in. Can you reset my password?",
        [],
        "other",
        "general",
    ),
    (
        "en",
        "no lawyer needed",
        "I don't have a lawyer, I just want to understand the escrow letter.",
        [],
        "account_inquiry",
        "general",
    ),
    (
        "en",
        "Equal housing",
        "Our realtor asked for a payoff statement for the sale. Please send it to her.",
        [],
        "document_request",
        "payoff_statement",
    ),
    (
        "en",
        "I'm not complaining",
        "I'm not complaining, just asking why the payment went up. Is it the taxes?",
        [],
        "account_inquiry",
        "general",
    ),
    (
        "en",
        "Property tax bill",
        "The county sent me the property tax bill directly. Do I need to forward it to you?",
        [],
        "account_inquiry",
        "general",
    ),
    # ---------------- Spanish: escalation rules, positives ----------------
    (
        "es",
        "Solicitud escrita calificada - préstamo {acct}",
        "Por medio de la presente envío una solicitud escrita calificada conforme a RESPA. Disputo el\n"
        "cargo de ${amt} por seguro que aparece en mi estado de cuenta; es incorrecto.",
        ["qualified_written_request", "respa"],
        "other",
        "notice_of_error",
    ),
    (
        "es",
        "Aviso de error",
        "Les envío este aviso de error porque mi pago del {es_date} fue aplicado a otra cuenta. Favor\n"
        "de corregirlo.",
        ["notice_of_error"],
        "payment_clarification",
        "notice_of_error",
    ),
    (
        "es",
        "Notificación de error en mi cuenta",
        "Esta es una notificación de error: me cobraron dos veces la mensualidad de {es_date}.",
        ["notice_of_error"],
        "payment_clarification",
        "notice_of_error",
    ),
    (
        "es",
        "Solicitud de información",
        "Les pido por favor la siguiente solicitud de información: ¿quién es el dueño actual de mi\n"
        "préstamo y cuál es su dirección?",
        ["request_for_information"],
        "other",
        "request_for_information",
    ),
    (
        "es",
        "Pedido de informacion",
        "Pedido de informacion: necesito el historial de pagos completo de los ultimos tres años.",
        ["request_for_information"],
        "account_inquiry",
        "request_for_information",
    ),
    (
        "es",
        "Reglamento X",
        "Según el Reglamento X ustedes deben contestar mis preguntas por escrito. ¿Por qué cambió el\n"
        "pago de la plica?",
        ["respa"],
        "account_inquiry",
        "general",
    ),
    (
        "es",
        "Queja CFPB",
        "Ya presenté una queja ante la CFPB porque no han aplicado mi pago de ${amt}.",
        ["regulator_complaint", "complaint"],
        "complaint_legal",
        "notice_of_error",
    ),
    (
        "es",
        "Oficina para la Protección Financiera del Consumidor",
        "Si no me responden voy a acudir a la Oficina para la Protección Financiera del Consumidor.",
        ["regulator_complaint"],
        "complaint_legal",
        "general",
    ),
    (
        "es",
        "Queja formal",
        "Quiero poner una queja formal por el mal trato que recibí por teléfono el {es_date}.",
        ["complaint"],
        "complaint_legal",
        "general",
    ),
    (
        "es",
        "quejarme",
        "Escribo para quejarme otra vez: el cargo por pago atrasado sigue apareciendo en mi cuenta.",
        ["complaint"],
        "complaint_legal",
        "general",
    ),
    (
        "es",
        "Mi abogado",
        "Mi abogado se pondrá en contacto con ustedes sobre el seguro que agregaron sin avisarme.",
        ["attorney"],
        "complaint_legal",
        "general",
    ),
    (
        "es",
        "Representación legal",
        "Le informo que nuestro bufete representa a {name}. Toda comunicación debe dirigirse a la\n"
        "abogada encargada del caso.",
        ["attorney"],
        "complaint_legal",
        "general",
    ),
    (
        "es",
        "Demanda",
        "Si no arreglan mi cuenta voy a demandarlos. Ya tengo todos los recibos de pago.",
        ["lawsuit"],
        "complaint_legal",
        "general",
    ),
    (
        "es",
        "acciones legales",
        "Estamos considerando acciones legales por los cobros indebidos. Presentaremos una demanda\n"
        "si no recibimos respuesta.",
        ["lawsuit"],
        "complaint_legal",
        "general",
    ),
    (
        "es",
        "Bancarrota",
        "Me declaré en bancarrota (capítulo 13) el {es_date}. Adjunto el número de caso.",
        ["bankruptcy"],
        "complaint_legal",
        "general",
    ),
    (
        "es",
        "quiebra",
        "Mi esposo y yo estamos en proceso de quiebra. Nuestro abogado les enviará los documentos.",
        ["bankruptcy", "attorney"],
        "complaint_legal",
        "general",
    ),
    (
        "es",
        "Ejecución hipotecaria",
        "Recibí una carta de ejecución hipotecaria. Estoy al día con mis pagos, no entiendo por qué.",
        ["foreclosure"],
        "complaint_legal",
        "general",
    ),
    (
        "es",
        "subasta de mi casa",
        "Me dicen que mi casa va a salir a subasta el {es_date}. Necesito ayuda urgente, por favor.",
        ["foreclosure"],
        "complaint_legal",
        "general",
    ),
    (
        "es",
        "ejecucion hipotecaria y fecha de venta",
        "cual es la fecha de venta? me llego un aviso de ejecucion hipotecaria sin acentos ni nada",
        ["foreclosure"],
        "complaint_legal",
        "general",
    ),
    (
        "es",
        "Dejen de llamarme",
        "Dejen de llamarme a mi trabajo. Solo comuníquense por correo electrónico.",
        ["cease_and_desist"],
        "complaint_legal",
        "general",
    ),
    (
        "es",
        "cese y desista",
        "Esta carta es un cese y desista de todas las llamadas de cobranza.",
        ["cease_and_desist"],
        "complaint_legal",
        "general",
    ),
    (
        "es",
        "Discriminación",
        "Siento que me discriminaron por no hablar inglés cuando pedí la modificación del préstamo.",
        ["discrimination"],
        "complaint_legal",
        "general",
    ),
    (
        "es",
        "Vivienda justa",
        "Quiero saber si mi caso puede revisarse bajo la ley de vivienda justa; creo que hubo\n"
        "discriminación por mi origen.",
        ["discrimination"],
        "complaint_legal",
        "general",
    ),
    (
        "es",
        "Dificultad económica",
        "Estamos pasando por una dificultad económica porque perdí mi trabajo. ¿Puedo pedir una\n"
        "indulgencia de pagos?",
        ["hardship"],
        "other",
        "general",
    ),
    (
        "es",
        "no puedo pagar",
        "Este mes no puedo pagar la mensualidad completa por una enfermedad. ¿Qué opciones tengo?",
        ["hardship"],
        "other",
        "general",
    ),
    (
        "es",
        "Indulgencia",
        "Solicito un plan de indulgencia por dificultades financieras. Adjunto mis comprobantes.",
        ["hardship"],
        "other",
        "general",
    ),
    (
        "es",
        "URGENTE - pago no aplicado",
        "Hice mi pago el {es_date} y todavía no aparece en mi cuenta. El banco dice que ya salió.",
        ["subject_urgent"],
        "payment_clarification",
        "notice_of_error",
    ),
    (
        "es",
        "Urgente: carta de liquidación",
        "Necesito la carta de liquidación del préstamo {acct} para el cierre de la venta.",
        ["subject_urgent"],
        "document_request",
        "payoff_statement",
    ),
    # ---------------- Spanish: topics without escalation ----------------
    (
        "es",
        "Carta de liquidación",
        "Buenas tardes, necesito el saldo para liquidar mi préstamo. Número de cuenta {acct}.",
        [],
        "document_request",
        "payoff_statement",
    ),
    (
        "es",
        "Liquidar la hipoteca",
        "Queremos liquidar la hipoteca con el dinero de una herencia. ¿Cuál es el monto de liquidación?",
        [],
        "document_request",
        "payoff_statement",
    ),
    (
        "es",
        "Forma 1098",
        "No he recibido la forma 1098 para mi declaración de impuestos.",
        [],
        "document_request",
        "general",
    ),
    (
        "es",
        "Modificación del préstamo",
        "Ya firmé los papeles de la modificación. ¿A qué dirección los mando?",
        [],
        "document_request",
        "general",
    ),
    (
        "es",
        "Asumir el préstamo",
        "Mi papá falleció y quiero asumir el préstamo de su casa. ¿Qué documentos necesitan?",
        [],
        "document_request",
        "general",
    ),
    (
        "es",
        "Cargo por pago atrasado",
        "¿Por qué me pusieron un cargo por pago atrasado? Pagué dentro del periodo de gracia.",
        [],
        "payment_clarification",
        "general",
    ),
    (
        "es",
        "Pago a capital",
        "Mandé ${amt} extra. Por favor apliquen ese dinero al principal.",
        [],
        "payment_clarification",
        "general",
    ),
    (
        "es",
        "Pago parcial",
        "¿Puedo hacer un pago parcial este mes y el resto la próxima semana?",
        [],
        "payment_clarification",
        "general",
    ),
    (
        "es",
        "Plica",
        "Mi pago subió por la plica. ¿Me pueden explicar el faltante de ${amt}?",
        [],
        "account_inquiry",
        "general",
    ),
    (
        "es",
        "Seguro de la casa",
        "Cambié de compañía de seguro de hogar. Les adjunto la póliza nueva para la cuenta de depósito.",
        [],
        "account_inquiry",
        "general",
    ),
    (
        "es",
        "Tasa de interés",
        "¿Por qué subió la tasa de interés? Pensé que mi préstamo tenía tasa fija.",
        [],
        "account_inquiry",
        "general",
    ),
    (
        "es",
        "Historial de pagos",
        "Necesito el historial de pagos de este año para un trámite.",
        [],
        "account_inquiry",
        "general",
    ),
    (
        "es",
        "Saldo",
        "¿Cuánto debo todavía? Quiero saber el saldo actual de mi cuenta {acct}.",
        [],
        "account_inquiry",
        "general",
    ),
    (
        "es",
        "Cambio de dirección",
        "Por favor actualicen mi dirección postal a 220 Calle Luna, San Antonio TX 78207.",
        [],
        "other",
        "general",
    ),
    # ---------------- Spanish: hard negatives ----------------
    (
        "es",
        "Poder notarial",
        "Tengo un poder notarial de mi madre y necesito hacer sus pagos mientras está hospitalizada.",
        [],
        "other",
        "general",
    ),
    (
        "es",
        "Subasta de autos",
        "Vendí mi camioneta en una subasta de autos para poder pagar la mensualidad de este mes.",
        [],
        "other",
        "general",
    ),
    (
        "es",
        "Alta demanda",
        "Entiendo que por la alta demanda tardan en contestar, pero necesito mi forma 1098.",
        [],
        "document_request",
        "general",
    ),
    (
        "es",
        "No es una queja",
        "No es una queja, solo quiero entender por qué subió mi pago. ¿Es por los impuestos?",
        [],
        "account_inquiry",
        "general",
    ),
    (
        "es",
        "Sin abogado",
        "No tengo abogado, solo quiero saber cómo pagar por teléfono.",
        [],
        "other",
        "general",
    ),
    (
        "es",
        "Respaldo",
        "Como respaldo les adjunto el comprobante del pago que hice por teléfono.",
        [],
        "other",
        "general",
    ),
    (
        "es",
        "Nunca bancarrota",
        "Nunca me he declarado en bancarrota, creo que la carta es para otra persona.",
        [],
        "other",
        "general",
    ),
    (
        "es",
        "sin dificultades",
        "No tenemos dificultades económicas, solo queremos pagar cada dos semanas.",
        [],
        "other",
        "general",
    ),
    (
        "es",
        "No es urgente - pregunta de plica",
        "Sin prisa. ¿La plica cubre el seguro contra inundaciones?",
        [],
        "account_inquiry",
        "general",
    ),
    (
        "es",
        "Mensaje de error en la página",
        "Me aparece un mensaje de error cuando entro a la página. ¿Me pueden ayudar?",
        [],
        "other",
        "general",
    ),
    # ---------------- Harder cases, written after the rules and not tuned for ----------------
    (
        "en",
        "Complaint department address",
        "Can you give me the address of your complaint department? I want to send a letter about the\n"
        "late fee.",
        ["complaint"],
        "complaint_legal",
        "general",
    ),
    (
        "en",
        "Payoff for closing",
        "The sale date for my house is {date}. Please send payoff figures to Lakeside Title.",
        [],
        "document_request",
        "payoff_statement",
    ),
    (
        "es",
        "Nadie contesta",
        "Mi queja es que nadie contesta el teléfono en su oficina de servicio al cliente.",
        ["complaint"],
        "complaint_legal",
        "general",
    ),
    (
        "en",
        "Bankruptcy notice",
        "Please see attached from my attorney.",
        ["bankruptcy", "attorney"],
        "complaint_legal",
        "general",
        ["BK_Notice_Ch13.pdf"],
    ),
    (
        "en",
        "Documents for loan {acct}",
        "See attached.",
        ["notice_of_error"],
        "other",
        "notice_of_error",
        ["Notice_of_Error_{acct}.pdf"],
    ),
    (
        "es",
        "remate",
        "me avisaron del remate de mi casa, la ejecucion es el mes que viene, que hago",
        ["foreclosure"],
        "complaint_legal",
        "general",
    ),
    (
        "en",
        "Options",
        "I was told I could apply for forbearance if needed but we are fine for now. What is my\n"
        "escrow balance?",
        [],
        "account_inquiry",
        "general",
    ),
    (
        "es",
        "Quitar a mi ex del préstamo",
        "Tengo una demanda de divorcio en proceso y necesito saber cómo quitar a mi ex esposo del\n"
        "préstamo.",
        [],
        "other",
        "general",
    ),
    (
        "en",
        "Question",
        "Please escalate this to a supervisor if needed: why is my escrow payment higher?",
        [],
        "account_inquiry",
        "general",
    ),
    (
        "en",
        "Auction listing",
        "I'm a realtor and this property is listed for auction online next week. Is the owner aware?",
        ["foreclosure"],
        "complaint_legal",
        "general",
    ),
    (
        "es",
        "Fecha de la subasta",
        "Quiero saber la fecha de la subasta de mi casa para ver si puedo ponerme al corriente.",
        ["foreclosure"],
        "complaint_legal",
        "general",
    ),
    (
        "en",
        "Neighbor's house",
        "My neighbor's house was foreclosed last year. Does that affect my property tax or escrow?",
        [],
        "account_inquiry",
        "general",
    ),
]


def _typo(text: str, rng: random.Random) -> str:
    """Occasionally misspell one common filler word, as borrowers do."""
    swaps = {
        "receive": "recieve",
        "received": "recieved",
        "please": "pls",
        "mortgage": "morgage",
        "because": "becuase",
        "payment": "payemnt",
        "necesito": "nesecito",
        "pago": "pag0",
    }
    words = [w for w in swaps if w in text]
    if not words or rng.random() > 0.25:
        return text
    w = rng.choice(words)
    return text.replace(w, swaps[w], 1)


def render(rng: random.Random, i: int, tpl: tuple[object, ...], variant: int) -> dict[str, object]:
    lang, subject, body, rules, category, kind = (
        str(tpl[0]),
        str(tpl[1]),
        str(tpl[2]),
        list(tpl[3]),
        str(tpl[4]),
        str(tpl[5]),
    )  # type: ignore[call-overload]
    attachments = list(tpl[6]) if len(tpl) > 6 else []  # type: ignore[call-overload]
    en = lang == "en"
    name = rng.choice(EN_NAMES if en else ES_NAMES)
    acct = str(rng.randint(10**6, 10**10 - 1))
    values = {
        "name": name,
        "acct": acct,
        "amt": f"{rng.randint(40, 4800):,}.{rng.randint(0, 99):02d}",
        "date": rng.choice(DATES),
        "es_date": rng.choice(ES_DATES),
        "servicer": rng.choice(SERVICERS),
    }
    greet = rng.choice(EN_GREET if en else ES_GREET)
    close = rng.choice(EN_CLOSE if en else ES_CLOSE)
    text = body.format(**values)
    # Vary line wrapping: sometimes the borrower's client re-flows the text.
    if variant % 2 == 1:
        text = " ".join(text.split("\n"))
    if variant == 2:
        text = _typo(text, rng)
    parts = [greet, text, close.format(**values)]
    full = "\n\n".join(p for p in parts if p)
    if rng.random() < 0.3:
        quote = rng.choice(EN_QUOTES if en else ES_QUOTES)
        full += quote.format(**values)
    full += rng.choice(FOOTERS)
    subj = subject.format(**values)
    if variant == 1 and rng.random() < 0.5:
        subj = "RE: " + subj
    if variant == 2 and rng.random() < 0.3:
        subj = subj.upper()
    return {
        "id": f"{lang}-{i:03d}-{variant}",
        "language": lang,
        "subject": subj,
        "text": full,
        "attachment_names": [a.format(**values) for a in attachments],
        "expected_rules": sorted(rules),
        "expected_category": category,
        "expected_request_kind": kind,
    }


def main() -> None:
    rng = random.Random(SEED)
    rows = []
    for i, tpl in enumerate(T):
        for variant in range(2):
            rows.append(render(rng, i, tpl, variant))
    # A third rendering for a deterministic subset keeps the set above 220 messages.
    for i, tpl in enumerate(T):
        if i % 3 == 0:
            rows.append(render(rng, i, tpl, 2))
    with OUT.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    langs = [r["language"] for r in rows]
    print(
        f"wrote {len(rows)} messages ({langs.count('en')} en, {langs.count('es')} es) to {OUT.name}"
    )


if __name__ == "__main__":
    main()
