"""Is this message written by a machine? (never acknowledged, never on a clock,
never escalated)

Signals, strongest first; the first that applies decides the kind. Headers and report
structures come first; then the words of the writer's own part, in this order: a
self-declared automatic message, a case system's receipt, an office answering on its
return or an out-of-office reply, an office saying how long answers take, a calendar's
answer, an e-signature or voicemail notice, a mailing's footer, a device's notice; only
then ``X-Auto-Response-Suppress`` (listed with the headers below), and last the machine
model:

* ``multipart/report`` with ``report-type=delivery-status`` (RFC 3464): a bounce
  (``dsn``); ``report-type=disposition-notification`` (RFC 8098): a read receipt
  (``mdn``); a read receipt sent as plain text, recognised by its subject and its
  fixed lines (Outlook's "Read:" ... "was read on", Notes' "Return Receipt:" ...
  "was received by:"): ``mdn``.
* A bounce sent as a plain body by the mail system's own sender: ``MAILER-DAEMON``,
  Exchange's system mailbox ("MicrosoftExchange" and 32 hex digits), or
  ``postmaster`` with an SMTP status code or a subject that opens as a report's
  ("Undeliverable:", "退信：", "[발송실패 안내]"; a postmaster may also be a person):
  ``dsn``. Never for a forgery.
* ``Auto-Submitted`` present and not ``no`` (RFC 3834 section 5): ``auto_reply``
  (``out_of_office`` when the subject or body reads like one).
* ``X-Autoreply``, ``X-Autorespond`` (set by Exchange, cPanel, many responders) and
  ``Precedence: auto_reply``: ``auto_reply`` / ``out_of_office``.
* ``List-Id`` or any other ``List-*`` header (RFC 2369, RFC 2919) and ``Precedence:
  list``: ``mailing_list``; ``Precedence: bulk`` or ``junk``: ``newsletter``.
* ``X-Auto-Response-Suppress`` (Microsoft: the sender asks not to be auto-answered;
  Exchange sets it on its own automatic mail): ``notification``.
* An out-of-office reply recognisable only from its words: a subject that says so (in
  any supported language), or a short body that opens with it. Body phrases are only
  trusted in short messages near the top: a borrower writing "I was out of the office
  when you called" is a person. Weaker words of absence ("I am travelling", "ausente",
  "mwen pa lavil", "출장 중", "nasa bakasyon") count only with a return or contact cue,
  only when the message asks for nothing, and not when told in the past or followed by
  writing anyway. A subject's words never count after a reply or forward prefix ("Re:
  Automatic reply: ...", a person answering or forwarding one: then only the writer's
  own part of the body may say they are away); in a message that asks for something, not
  when the body opens by writing anyway ("I'm out of the office until Monday but this
  can't wait"); and in no message when the body asks to ignore it ("please ignore my out
  of office below") or speaks of it as the writer's own, left on ("you probably got my
  out-of-office", "forgot to turn it off").
* A short message in which an office tells the sender, in its own part, when their
  message will be answered ("Your message will be answered upon our return", "we will
  reply when the office reopens", "Su mensaje será atendido a nuestro regreso"):
  ``out_of_office``, even where its words seem to ask for something.
* A short message that says of itself, in the writer's own part, that a machine sent it
  ("This is an automated response", "Este es un mensaje automático", "此邮件为系统自动发送"), or
  that nobody reads replies to it ("Please do not reply to this email", where nobody in
  it speaks as "I"), and asks for nothing: ``auto_reply``. A regulator's portal notice
  says the same under the complaint it delivers, which is routed as the complaint it is.
  When the same part also says it has received "your message" ("We have received your
  message", "Hemos recibido su correo"), it is an acknowledgment of receipt, and it
  decides even when it seems to ask: such a reply repeats the office's own template ("if
  you face a foreclosure sale within 14 days, call our hotline"), which no portal
  delivering a complaint opens with.
* Words only a template writes, in the writer's own part at any length, as
  ``notification``: a calendar's answer to an invitation (an "Accepted:" subject and
  "has accepted this meeting"), an invitation with a meeting service's join block where
  the mail asks nothing, an e-signature service's notice ("All parties have completed
  ...") with its warning not to share the mail (or, where the mail asks nothing, its
  name), a voicemail gateway's announcement opening the mail, whatever the transcript in
  quotation marks asks (both never where the writer speaks as "I" or "we"), a subscriber
  mailing's footer ("You are receiving this email because", "Reply REMOVE to be taken
  off this list", "Para darse de baja") at the end of the writer's own part, and a
  scanner's or a fax or voicemail gateway's notice in its own words, both only where the
  mail asks for nothing and nobody in it speaks as "I" (a person may paste a notice
  under a question, or type a note above a scanner's text); a calendar's answer needs
  its subject and its body's fixed line, and decides whatever the mail seems to ask. A
  short office reply saying how long its answers take ("Due to high volume, responses
  may take up to five business days"), beside its receipt of the sender's message and
  with no "I", is an ``auto_reply``.
* Last, for mail that asks for nothing and that nothing above decided, the
  recogniser's machine model (:mod:`pipeline.classify.recogniser`) when its score
  reaches its threshold: ``notification``, with the score, the model and the n-grams
  that raised it as evidence. Chosen out of writer on the development part: at the
  shipped threshold it found 13 of the 25 automatic messages it may judge that the
  words above missed, and took one person's message for automatic mail. It never
  decides for a reply or a forward, for mail that asks or claims anything (by the rules
  or by the kinds' models), nor for a forgery.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.classify.kinds import MachineKind, MachineVerdict
from pipeline.classify.normalize import fold, fold_pattern, normalize
from pipeline.classify.recogniser import MAX_CHARS, KindScore, readable_grams
from pipeline.classify.wrap import unwrap

__all__ = [
    "MachineHeaders",
    "dmarc_failed",
    "machine_text",
    "machine_verdict",
    "model_consulted",
    "writer_part",
]

_DMARC_FAIL = re.compile(r"\bdmarc\s*=\s*fail\b", re.IGNORECASE)


def dmarc_failed(authentication_results: str | None) -> bool:
    """True when the receiving MTA recorded a DMARC failure (RFC 7489, RFC 8601).

    Only a failure is used: it can only add suspicion. A forged "pass" is worth
    nothing, and who may be trusted to have written the header is the
    acknowledgment policy's concern.
    """
    return (
        bool(authentication_results)
        and _DMARC_FAIL.search(authentication_results or "") is not None
    )


# Mail from these local parts is itself automatic: RFC 3834 section 2's senders, list
# software (LISTSERV, majordomo; RFC 5230 section 4.6) and Google Calendar's sender of
# invitation replies. A no-reply word counts anywhere between separators, as systems
# name their senders ("vm-noreply@", "efiling-noreply@", "drive-shares-dm-noreply@"):
# nobody reads what is sent back to it. Nothing broader: this also makes a message's
# clocks "not applicable", and people write from role mailboxes ("payoff-request@", a
# regulator portal's "notifications@") whose mail must start them.
_MACHINE_LOCAL = re.compile(
    r"(?:(?:mailer[-_.]?daemon|postmaster|bounces?|auto[-_.]?reply|autoresponder|listserv"
    r"|majordomo)(?:[-+_.].*)?|microsoftexchange[0-9a-f]{32}"
    r"|(?:.*[-+_.])?(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply)(?:[-+_.].*)?"
    r"|calendar-notification)",
    re.IGNORECASE,
)


def _local_part(address: str) -> str:
    """What comes before the "@" of an address as headers give it ("<x@y>" or "x@y")."""
    return address.strip().strip("<>").rsplit("@", 1)[0]


def is_machine_address(address: str) -> bool:
    """True for mailer-daemon, postmaster, no-reply and similar automated senders."""
    return _MACHINE_LOCAL.fullmatch(_local_part(address)) is not None


@dataclass(frozen=True, slots=True)
class MachineHeaders:
    """The header facts the decision needs (decoded values; names as sent)."""

    auto_submitted: str | None = None
    precedence: str | None = None
    list_headers: tuple[str, ...] = ()
    x_autoreply: str | None = None
    x_autorespond: str | None = None
    x_auto_response_suppress: str | None = None
    content_type: str | None = None
    # The receiving MTA's Authentication-Results (RFC 8601), the topmost one.
    authentication_results: str | None = None
    # The From address when there is exactly one.
    sender: str | None = None


# The mail system's own senders of delivery reports. Gmail, Yahoo, qmail, Postfix and
# Exim send theirs from "MAILER-DAEMON"; Exchange, Microsoft 365 and Chinese webmail
# from "postmaster" (RFC 5321 section 4.5.1's mailbox for the system's administrator).
# Many send the report as a plain body, not as multipart/report, so only the sender
# says what it is. Exchange sends its own non-delivery reports from its system mailbox,
# "MicrosoftExchange" and thirty-two hex digits. "bounces" addresses are list software's
# and stay with the lists.
_DAEMON_LOCAL = re.compile(r"mailer[-_.]?daemon|microsoftexchange[0-9a-f]{32}", re.IGNORECASE)
_POSTMASTER_LOCAL = re.compile(r"postmaster", re.IGNORECASE)
# A postmaster is also a person, who may write to us: their mail is taken for a report
# only when its subject opens as a report's does ("Undeliverable: ...", "failure
# notice", "退信：...", "[발송실패 안내] ..."; a reply's "Re: Undeliverable: ..." is a
# person answering one), or its body gives an SMTP reply's enhanced status code (RFC
# 3463: class 2, 4 or 5, subject 0 to 7) as reports print it, after a reply code, in
# qmail's "(#5.1.1)" or after "Status:", or a permanent failure's reply code with its
# words ("550 Mailbox not found").
_DELIVERY_CODE = re.compile(
    r"(?:\b[45]\d\d[ -]|\(#|\bstatus(?: code)?:?\s*(?:[45]\d\d\s+)?)"
    r"[245]\.[0-7]\.\d{1,3}(?!\d|\.\d)"
    r"|\b55[0-4][ :-]+(?:mailbox|user unknown|recipient|no such|requested action)\b",
    re.IGNORECASE,
)
_UNDELIVERED_SUBJECT = re.compile(
    fold_pattern(
        r"\s*[\[【(]?\s*(?:(?:系统|系統)\s*)?(?:undeliverable|undelivered mail|failure notice"
        r"|delivery status notification|delivery (?:failure|failed|has failed|delayed|delay)"
        r"|returned mail\s*:|mail delivery failed|message delivery failure|delayed mail"
        r"|your message (?:couldn't|could not|was not) be(?:en)? delivered"
        r"|(?:message )?non (?:remis|delivre)|echec de (?:la )?remise"
        r"|no se (?:puede|pudo) entregar|mensaje no entregado|notificacion de estado de entrega"
        r"|mensagem nao entregue|nao foi possivel entregar|thu khong (?:the )?gui duoc"
        r"|退信|(?:邮件|郵件)退回|(?:邮件|郵件)?(?:无法投递|無法投遞|无法送达|無法傳遞|发送失败|發送失敗)"
        r"|(?:메일\s*)?(?:발송|전송)\s*실패|(?:메일\s*)?반송"
        r"|فشل (?:في )?(?:تسليم|التسليم|ارسال|إرسال)|غير قابل للتسليم|hindi naihatid)"
    )
)


def _delivery_report(headers: MachineHeaders, subject: str, body: str) -> str | None:
    """The evidence that the message is a mail system's report on a delivery, whatever
    its structure: anything from ``MAILER-DAEMON``, and from ``postmaster`` what reads as
    a report (see ``_UNDELIVERED_SUBJECT``); None for anyone else. A forgery is no
    report: a phishing mail posing as "postmaster" stays a spoof for the security team."""
    if not headers.sender or dmarc_failed(headers.authentication_results):
        return None
    local = _local_part(headers.sender)
    if _DAEMON_LOCAL.fullmatch(local):
        return f"sender:{local.lower()}"
    if not _POSTMASTER_LOCAL.fullmatch(local):
        return None
    subject_words = _UNDELIVERED_SUBJECT.match(fold(subject))
    if subject_words is not None:
        return f"sender:postmaster, subject:{subject_words.group().strip(' [【(')}"
    # A report gives its code near the top, before the copy of the returned message.
    code = _DELIVERY_CODE.search(body[: _BODY_LIMIT * 2])
    return None if code is None else f"sender:postmaster, body:{code.group()}"


# Out-of-office and automatic-reply wording, matched on folded text (lower case, no
# accents). The patterns are folded the same way (``fold_pattern``): folding takes
# marks off more than Latin letters (Arabic "تلقائي" folds to "تلقايي"), so a word
# written as people type it would otherwise never match the folded message.
# Strong phrases name the automatic reply itself; weak ones ("on vacation", "away")
# also occur in what people write, so they count only next to a return or
# contact-someone-else cue.
_OOO_STRONG = re.compile(
    fold_pattern(
        r"out of (?:the )?office|automatic reply|auto[\s\-]?reply|autoreply|auto[\s\-]?response"
        # Some clients title an automatic reply "Auto: Re: <subject>".
        r"|^\s*auto\s*:\s*(?:re|aw|rv|fw|tr|sv)\s*:"
        r"|fuera de (?:la )?oficina|respuesta automatica|ausente de la oficina"
        r"|resposta automatica|fora do escritorio|ausente do escritorio"
        r"|reponse automatique|absent du bureau|absente du bureau"
        # Vietnamese says "automatic reply" both ways round ("trả lời tự động", "tự
        # động trả lời").
        r"|tra loi tu dong|tu dong tra loi|ngoai van phong|repons otomatik|mwen pa nan biwo"
        r"|awtomatikong tugon|wala sa opisina"
        r"|自动回复|自動回覆|自動回复|自动答复|休假通知|不在办公室|不在辦公室"
        r"|자동\s*(?:응답|회신|답장)|부재\s*(?:중|알림)"
        r"|رد تلقائي|الرد التلقائي|خارج المكتب"
    )
)
_OOO_WEAK = re.compile(
    fold_pattern(
        r"on (?:vacation|holiday|annual leave|parental leave)|away from (?:the|my) (?:office|desk)"
        r"|(?:limited|no) access to (?:my )?e-?mail|i am (?:away|out|traveling|travelling)"
        r"|on (?:our|my|a|an) (?:\w+ )?(?:cruise|trip|vacation|holiday)"
        r"|checking (?:e-?mail|messages) (?:only )?"
        r"(?:occasionally|now and then|periodically|rarely|in the evenings?(?: only)?)"
        r"|(?:get back to you|reply|respond) when (?:i|we)(?: am| are|'m|'re|m|re)? (?:back|home)"
        r"|(?:get back to you|reply|respond) (?:when|after) (?:i|we) (?:return|get back)"
        r"|dang nghi|khong kiem tra (?:e-?mail|thu)"
        r"|estoy de vacaciones|estou de ferias|me encuentro fuera|estare fuera|estoy fuera|ausente"
        # "Ando de vacaciones ... y casi no voy a revisar el email. Si es algo urgente...":
        # only with the template's "if it is urgent", as people say both of themselves.
        r"|(?:ando de vacaciones|casi no (?:voy a )?(?:revisar|checar|ver) (?:el|mi|mis) "
        r"(?:correo|correos|email|e-mail|mail|mensajes))(?=[\s\S]{0,300}\bsi es (?:algo )?urgente)"
        # Replies that will be slow, or mail read with difficulty, for a while ("with limited
        # email access", "kaya mabagal po ang reply ko", "期间查看邮件不方便").
        r"|limited (?:e-?mail|internet) access|(?:replies|responses|reply|response) (?:will|may)"
        r" be (?:delayed|slow)|mabagal (?:po )?(?:ang )?(?:reply|sagot|tugon)"
        r"|(?:查看|收发|收發)(?:邮件|郵件)不(?:方便|便)"
        r"|(?:回来|回來)(?:后|後)(?:会|會)?(?:尽快|盡快)?(?:回复|回覆)"
        r"|je suis absente?|en vacances|vang mat|dang nghi phep|nghi le|mwen pa lavil|mwen ale"
        r"|pa nan biwo"
        # Away on a trip, mail read on return ("je suis en déplacement ... je consulterai mes
        # courriels à mon retour", "revisaré mi correo a mi regreso"). Not "estoy de viaje":
        # people write it of themselves ("no puedo llamar porque estoy de viaje").
        r"|je suis en deplacement"
        r"|consulterai mes (?:courriels|e-?mails|messages)(?: \S+){0,3} (?:a|des) mon retour"
        r"|revisare (?:mi|el) correo(?: \S+){0,3} (?:a mi regreso|cuando (?:regrese|vuelva))"
        r"|休假|放假期间|放假期間|不在|휴가|문을 닫|부재|في إجازة|مسافر|غائب"
        # Mail answered late for a period ("期間無法即時回覆郵件"); "你们无法回复" is a
        # complaint, and a trip alone ("出差") is what people write about themselves too.
        r"|期间(?:内)?无法(?:及时|即时)?回复|期間(?:內)?無法(?:及時|即時)?回覆"
        # Absence in Korean (a trip, a visit, mail read late), Tagalog and Portuguese.
        r"|출장|방문\s*중|(?:이)?메일\s*확인이\s*(?:늦|어렵)"
        r"|nasa bakasyon|naka-?bakasyon|naka-?leave|wala ako sa opisina"
        r"|estou fora|estarei fora|de licenca|estarei ausente"
        # "I will reply when I am back" ("sẽ trả lời email khi trở về", "responderé a su
        # correo cuando regrese", "je répondrai à mon retour").
        r"|se (?:tra loi|phan hoi)(?: \S+){0,4} khi (?:tro ve|tro lai|quay lai|ve)"
        r"|(?:respondere|contestare)(?: \S+){0,4} (?:cuando (?:regrese|vuelva)|a mi regreso)"
        r"|responderei(?: \S+){0,4} (?:quando (?:voltar|retornar)|no meu retorno|ao retornar)"
        r"|(?:je )?(?:vous )?repondrai(?: \S+){0,4} (?:a|des) mon retour"
        r"|m ap reponn(?: \S+){0,4} (?:le|kou) m (?:tounen|retounen)"
        r"|sasagot(?: \S+){0,4} pag-?balik"
        r"|سأرد(?: \S+){0,4} (?:عند|بعد) (?:عودتي|رجوعي)"
    )
)
_RETURN = re.compile(
    fold_pattern(
        r"\breturn|\bback (?:on|in)|until\b|urgent|time[\s\-]sensitive|contact|regres|volver"
        r"|urgente|retour|jusqu"
        r"|tro lai|khan cap|lien lac|tounen|reponn|mo cua lai|re-?opens?|relouvri|reabr"
        r"|回来|回來|返回|紧急|緊急|联系|聯絡|联络|복귀|긴급"
        r"|돌아|확인하겠|까지|급한|babalik|hanggang|retorno|ate o dia"
        r"|عودة|عاجل|سأعود|عودتي|سأرد|\d{1,2}[/.]\d{1,2}|\d{1,2}月"
    )
)
# A message that says of itself that a machine sent it ("This is an automated response",
# "Ce message a été généré automatiquement", "此邮件为系统自动发送"): an acknowledgment
# from another office's system, in words no out-of-office reply uses. Like words of
# absence, it decides only where the message asks for nothing: a regulator's portal
# says the same under the complaint it delivers, and that complaint must be routed.
_SELF_DECLARED = re.compile(
    fold_pattern(
        r"this is an? (?:automated|automatic|auto-?generated|system-?generated|computer-?generated)"
        r" (?:response|reply|message|e-?mail|notification|notice|acknowledge?ment|confirmation)"
        r"|this (?:message|e-?mail|response|reply|notification|acknowledge?ment)"
        r" (?:was|is|has been) (?:sent |generated |created )?"
        r"(?:automatically|by an automated system)"
        r"|(?:este|esta) es (?:un|una) (?:mensaje|correo|e-?mail|respuesta|acuse)"
        r"(?: de recibo)? (?:automatico|automatica|generad[oa] automaticamente)"
        r"|(?:este|el presente) (?:mensaje|correo) (?:ha sido|fue|es) (?:generado|enviado)"
        r" (?:de (?:forma|manera) )?automatica(?:mente)?"
        r"|(?:esta|este) e (?:uma|um) (?:mensagem|resposta|e-?mail) automatic[ao]"
        r"|(?:esta|este) (?:mensagem|e-?mail) (?:foi|e) (?:gerad|enviad)[ao] automaticamente"
        r"|ceci est un (?:message|courriel|e-?mail|accuse de reception) automatique"
        r"|ce (?:message|courriel) (?:a ete|est) (?:genere|envoye) automatiquement"
        r"|day la (?:thu|email|e-mail|tin nhan|phan hoi|thu tra loi) tu dong"
        r"|(?:thu|email|tin nhan) nay (?:duoc )?(?:gui|tao) tu dong"
        r"|sa a se (?:yon )?(?:mesaj|repons|imel) otomatik"
        r"|ito ay (?:isang )?(?:awtomatikong|automated na) (?:mensahe|tugon|sagot|email)"
        r"|(?:此|本|这|這)(?:封|是|为|為|一封)*(?:邮件|郵件|信息|訊息|消息|回复|回覆)?"
        r"(?:为|為|是|由)?(?:系统|系統)?(?:自动|自動)(?:发送|發送|发出|發出|回复|回覆|生成|產生)"
        r"|(?:본|이) (?:메일|이메일|메시지)(?:은|는) "
        r"(?:자동(?:으로)?\s?(?:발송|발신|생성)|발신\s*전용)"
        r"|자동(?:으로)? 발송된 (?:메일|메시지)"
        r"|هذه رسالة (?:تلقائية|آلية)|(?:تم )?(?:إرسال|ارسال) هذه الرسالة (?:تلقائيا|آليا)"
    )
)
# A no-reply line: the sending system says no one reads answers to it ("Please do not
# reply to this email", "replies to this address are not monitored", "No responda a este
# correo", "请勿回复"). It counts as a declaration (see _self_declared), but where a
# person could be speaking ("Thank you for contacting me ... please do not reply to this
# email, fax it instead"), only with nobody in the message speaking as "I".
_NO_REPLY = re.compile(
    fold_pattern(
        r"\b(?:do not|don't|please do not) (?:reply|respond) (?:directly )?to this"
        r" (?:e-?mail|message|notification|address)"
        r"|\b(?:replies|responses) (?:sent )?to this (?:e-?mail(?: address)?|address|mailbox"
        r"|message)"
        r" (?:are|is|will) not (?:be )?(?:monitored|read|answered|received)"
        r"|\bthis (?:mailbox|inbox|e-?mail address|address) is (?:not monitored|unmonitored"
        r"|unattended)"
        r"|\bno (?:responda|conteste) (?:a )?este (?:correo|mensaje|e-?mail)"
        r"|\bfavor de no responder (?:a )?este (?:correo|mensaje)"
        r"|\bnao responda (?:a )?(?:este|esta) (?:e-?mail|mensagem)"
        r"|\bne (?:pas )?repond(?:re|ez pas) a ce (?:message|courriel|e-?mail)"
        r"|请勿(?:直接)?回复(?:此|本)?(?:邮件|郵件)?|請勿(?:直接)?(?:回覆|回復)"
        r"|회신하지\s?마(?:십시오|세요)|회신은 처리되지 않"
        r"|\bvui long khong (?:tra loi|phan hoi) (?:email|thu|tin nhan) nay"
        r"|\bhuwag (?:sumagot|tumugon|mag-?reply) sa (?:email|mensahe) na ito"
        r"|(?:يرجى|الرجاء) عدم الرد على (?:هذه|هذا) (?:الرسالة|البريد)"
        r"|\bpa reponn (?:imel|mesaj) sa a"
    )
)
# An acknowledgment of receipt speaks to the sender of the mail it answers: "we have
# received your message". With a self-declaration beside it, the message is the
# office's automatic reply even where its template seems to ask for something.
_RECEIPT_ACKNOWLEDGED = re.compile(
    fold_pattern(
        r"\bwe(?: have|'ve)? (?:successfully )?received your (?:message|e-?mail|inquiry|request"
        r"|enquiry|correspondence)"
        r"|\byour (?:message|e-?mail|inquiry|request|enquiry) (?:has been|was) (?:successfully )?"
        r"received"
        r"|\bthank you for (?:contacting|your (?:message|e-?mail|inquiry|enquiry))"
        r"|\bconfirms (?:the )?receipt of (?:your|the following)"
        r"|\bhemos recibido (?:su|tu) (?:mensaje|correo|e-?mail|consulta|solicitud)"
        r"|\b(?:su|tu) (?:mensaje|correo|consulta|solicitud) (?:ha sido|fue) recibid[oa]"
        r"|\bgracias por (?:contactar|comunicarse|escribir)"
        r"|\brecebemos (?:a )?(?:sua|tua) (?:mensagem|e-?mail|solicitacao)"
        r"|\bobrigad[oa] por (?:entrar em contato|contatar|sua mensagem)"
        r"|\bnous avons (?:bien )?recu votre (?:message|courriel|e-?mail|demande)"
        r"|\bmerci (?:de|pour) (?:nous avoir contacte|votre (?:message|courriel))"
        r"|\bchung toi da nhan duoc (?:email|thu|tin nhan|yeu cau)"
        r"|\bnou (?:byen )?resevwa (?:mesaj|imel|demann) (?:ou|w)"
        r"|\bnatanggap na? namin ang (?:iyong|inyong) (?:mensahe|email|kahilingan)"
        r"|(?:我们|我們|我司)已(?:经|經)?收到(?:您|你)的(?:邮件|郵件|来信|來信|信息|訊息|留言|请求|請求)"
        r"|(?:您|你)的(?:邮件|郵件|来信|來信)已(?:经|經)?收到"
        r"|(?:메일|이메일|메시지|문의)(?:이|가|을|를)? (?:정상적으로 )?(?:접수|수신)되었습니다"
        r"|لقد (?:تلقينا|استلمنا) (?:رسالتك|بريدك|طلبك)|(?:تلقينا|استلمنا) (?:رسالتك|بريدك|طلبك)"
    )
)
# A case or ticket system opening a case for the message it acknowledges ("a case has been
# created: CS-00481127", "your ticket number is 58812"). Beside an acknowledgment of
# receipt it decides only where the message asks for nothing: a law firm also writes
# "we have received your correspondence" and "a case was opened with the CFPB".
_CASE_OPENED = re.compile(
    fold_pattern(
        r"\b(?:a|your|the|new) (?:support |service |customer )?(?:case|ticket|incident)"
        r"(?: number| #| no\.?)? (?:has been|was|is) (?:created|opened|logged|assigned|raised)"
        r"(?! (?:with|at|against|by) )"
        r"|\byour (?:case|ticket|incident|reference|tracking) (?:number|#|no\.?|id) (?:is|:)"
        r"|\bse (?:ha )?(?:creado|abierto|registrado) (?:un|el|su) (?:caso|ticket|expediente)"
        r"|\bsu numero de (?:caso|ticket|expediente|solicitud) (?:es|:)"
        r"|\b(?:foi )?(?:criado|aberto|registrado) (?:um|o|seu) (?:chamado|protocolo|ticket)"
        r"|\bseu (?:numero de )?(?:protocolo|chamado) (?:e|:)"
        r"|\b(?:un )?(?:dossier|ticket) a ete (?:cree|ouvert)|\bvotre numero de (?:dossier|ticket)"
        r"|您的(?:工单|工單|案件|受理)(?:编号|編號|号|號)|已(?:为您|為您)?(?:创建|建立|生成)(?:工单|工單|案件)"
        r"|(?:고객님의|귀하의) (?:접수|문의|티켓)\s?번호"
    )
)
# Receipts that only thank: a borrower writes these too.
_THANKS = ("thank", "gracias", "obrigad", "merci")
# An office telling the sender when their message will be answered: on its return, or
# when it reopens ("Your message will be answered upon our return", "Su mensaje será
# atendido a nuestro regreso", "Chúng tôi sẽ đọc và trả lời email sau khi mở cửa lại",
# "N ap reponn tout imel lè biwo a relouvri"). No borrower writes of "your message" and
# "our return": this decides even where the office's words seem to ask for something.
_OFFICE_REPLY = re.compile(
    fold_pattern(
        r"\b(?:your|all) (?:message|e-?mail|inquiry|request)s? (?:will be|is being) "
        r"(?:answered|handled|attended to|responded to|replied to|processed|returned) "
        r"(?:upon|on|after|when) (?:our|my) return"
        r"|\b(?:reply|respond|answer|get back)(?: to)?(?: you (?:about|regarding|on))? (?:your|all)"
        r" (?:messages?|e-?mails?|inquir(?:y|ies)|requests?)(?: \S+){0,2} when we (?:re-?open"
        r"|return|are open again)\b"
        r"|\b(?:reply|respond|answer|get back to you)(?: \S+){0,3} when (?:the|our) "
        r"(?:office|offices|shop|store|church office) (?:re-?opens?|is open again)"
        r"|\bsu (?:mensaje|correo|solicitud) sera (?:atendid[oa]|respondid[oa]|contestad[oa])"
        r" (?:a|en|tras|despues de) (?:nuestro|mi) (?:regreso|retorno)"
        r"|\bsua mensagem sera (?:respondida|atendida) (?:no|apos o|ao) (?:nosso|meu) retorno"
        r"|\bvotre (?:message|courriel) sera traite (?:a|des|lors de) (?:notre|mon) retour"
        r"|\b(?:se )?(?:doc va )?(?:tra loi|phan hoi)(?: \S+){0,3} (?:sau khi|khi) "
        r"(?:mo cua lai|tro lai lam viec|van phong mo cua)"
        r"|\bn ap reponn(?: \S+){0,3} le (?:biwo a|nou) (?:relouvri|tounen)"
        r"|(?:我们|我們)(?:将|將|会|會)在\S{0,8}(?:恢复营业|恢復營業|上班|返回|回来|回來)(?:后|後)"
        r"(?:回复|回覆|处理|處理)"
        r"|(?:업무|영업)\s?(?:복귀|재개)\s?(?:후|이후)\s?(?:답변|회신|연락)"
    )
)
# How long an office takes to answer ("Due to high volume, responses may take up to five
# (5) business days"). A borrower quotes it too ("your website says due to high call
# volume ... it has been 3 weeks"), so it counts only beside the office's receipt of the
# sender's message and with nobody speaking as "I".
_SLOW_ANSWERS = re.compile(
    fold_pattern(
        r"\bdue to (?:a )?(?:high|heavy|higher than (?:normal|usual)) (?:\S+ )?(?:volume|number)"
        r"[\s\S]{0,120}?\b(?:responses?|replies|reply) (?:may|will|can|could) take\b"
        r"|\bdebido al (?:alto|gran) (?:volumen|numero)[\s\S]{0,120}?\b(?:las )?respuestas?"
        r" (?:pueden|podrian|puede) (?:tardar|demorar)"
        r"|\bdevido ao (?:alto|grande) (?:volume|numero)[\s\S]{0,120}?\b(?:as )?respostas?"
        r" (?:podem|pode) (?:levar|demorar)"
        r"|\ben raison du (?:volume|nombre) (?:eleve|important)[\s\S]{0,120}?\bdelai de reponse"
    )
)
# A writer speaking of themselves: automatic acknowledgments speak as "we" to "you", so
# "I keep getting this back: This is an automated response" is a person retelling one.
_FIRST_PERSON = re.compile(
    fold_pattern(
        r"\b(?:i|i'm|im|i've|i'd|i'll|my|me|mine|yo|mi|mis|je|j'ai|mon|eu|meu|minha|mwen"
        r"|ako|(?<!chung )toi)\b|저는|제가|我(?![们們])|أنا"
    )
)
_QUOTES = "\"'“”«»「」"
# Where the writer's own part ends: a quoted line, a reply header, a forwarded message.
_QUOTE_START = re.compile(
    r"^[ \t]*(?:>|-{2,} ?(?:original message|mensaje original|message d'origine|mensagem"
    r" original|forwarded message|mensaje reenviado|原始邮件|原始郵件|原始信件|원본 메시지"
    r"|thu goc)|from ?:|de ?:|发件人[:：]|寄件者[:：]|寄件人[:：]|보낸\s?사람\s?:|nguoi gui\s?:"
    r"|on .{0,200}wrote:?[ \t]*$|el .{0,200}escribio:?[ \t]*$)",
    re.MULTILINE,
)
# A person replying to or forwarding an automatic reply keeps its title right after
# their own prefix ("Re: Automatic reply: ...", "Fwd: Respuesta automática: ..."); an
# automatic reply puts its own words first ("Automatic reply: Re: ...") or after the
# subject it answers ("Re: payoff request - Out of Office"), which this does not cover.
_REPLY_PREFIX = re.compile(
    fold_pattern(
        r"\s*(?:(?:re|res|fw|fwd|rv|tr|aw|wg|enc|sv|vs|回复|回覆|答复|答覆|转发|轉寄|답장|회신|전달)"
        r"\s*[:：]\s*)+"
    )
)
# A person telling of the automatic replies they get ("só recebo resposta automática",
# "I keep getting an auto reply", "gọi mấy lần toàn gặp máy trả lời tự động", "세 번째
# 자동응답"): words of receiving, or a count, just before the automatic-reply words.
_RETOLD = re.compile(
    fold_pattern(
        r"(?:\b(?:get|got|getting|receive|received|receiving|only|just|another|second|third"
        r"|recebo|recebi|recebemos|recibo|recibi|recibimos|solo|so|je recois|j'ai recu"
        r"|nhan duoc|gap|puro|lang)|(?:두|세|네|다섯|여러) 번째)(?: \S+){0,2} $"
        # Someone else "naka-out of office" (Tagalog: is out of the office); "收到自动回复了"
        # (got the automatic reply).
        r"|\bnaka-?\s?$|(?:收到|接到|又收到|只收到)了?$"
    )
)
# A person asking the reader to ignore an automatic reply or the subject ("please ignore
# my out of office below", "ignore the subject"): a person, whatever the message asks.
_IGNORED = re.compile(
    fold_pattern(
        r"\bignore (?:the|my|this|any) "
        r"(?:subject|auto[\s\-]?reply|automatic reply|out[\s\-]of[\s\-]office)"
        # Back, and speaking of the automatic reply they left on ("you probably got my
        # out-of-office bounce-back", "sorry for my auto reply", "forgot to turn it off").
        r"|\b(?:got|received|saw|sorry (?:about|for)) my "
        r"(?:out[\s\-]of[\s\-]office|auto[\s\-]?reply|automatic reply"
        r"|vacation (?:reply|responder|message))"
        r"|\bforgot to turn (?:it|that|this|my (?:\S+ ){0,2}?\S+) off\b"
    )
)
# A person who is away but writes anyway says so at once ("I'm out of the office until
# Monday but this can't wait", "pero esto es urgente"); read beside a request only.
_TURN = re.compile(
    fold_pattern(
        r"\bbut (?:this|it|that) (?:is urgent|can'?t wait|cannot wait|won'?t wait|is important"
        r"|is time[\s\-]sensitive)"
        r"|\bpero (?:esto |este asunto )?(?:es urgente|no puede esperar)"
        r"|\bmas (?:isto |isso )?(?:e urgente|nao pode esperar)"
        r"|\bmais (?:c'est urgent|cela ne peut pas attendre)"
        # Away, but writing anyway about what they saw ("I'm out of the office until 12/8,
        # but I saw your letter").
        r"|\b(?:but|however) i (?:just )?(?:saw|read|got|received|noticed|wanted to|need to"
        r"|have to|had to)\b"
        # An assistant sending for someone away ("Attorney Brandt is out of the office
        # this week, but he asked me to send this"): the subject's absence is theirs.
        r"|\b(?:asked|told|wanted|needed) me to (?:send|forward|e-?mail|write|pass along)\b"
        r"|\bme (?:pidio|encargo) que (?:les? )?(?:enviara|mandara|escribiera|reenviara)\b"
        r"|\bme pediu (?:para|que) (?:enviar|mandar|encaminhar|enviasse|mandasse)\b"
        r"|\bm'a demande d'(?:envoyer|transmettre|ecrire)\b"
    )
)
# A calendar's answer to an invitation (Outlook's "Accepted: <title>" with "<name> has
# accepted this meeting.", Google's "... has accepted this invitation."), or an
# invitation itself ("Invitation: <title>" with Teams' or Zoom's join block, see
# _INVITATION_SUBJECT): the subject's prefix and the body's fixed line, both, in the
# languages clients are sold in.
_CALENDAR_SUBJECT = re.compile(
    fold_pattern(
        r"^\s*(?:accepted|declined|tentative|tentatively accepted|aceptado|rechazado|provisional"
        r"|aceito|recusado|provisorio|accepte|refuse|provisoire|tinanggap|tinanggihan"
        r"|da chap nhan|da tu choi|已接受|已拒绝|已拒絕|暂定|暫定|수락됨|거절됨|미정"
        r"|(?:تم )?(?:القبول|الرفض)|مقبول|مرفوض)\s*[:：]"
    )
)
# An invitation's subject; with a meeting service's join block in the body (see
# _CALENDAR_BODY) it is the calendar's mail, where nobody asks or speaks as "I" above it.
_INVITATION_SUBJECT = re.compile(
    fold_pattern(r"^\s*(?:invitation|invitacion|convite|loi moi|邀请|邀請|초대)\s*[:：]")
)
_CALENDAR_BODY = re.compile(
    fold_pattern(
        r"\bhas (?:tentatively )?(?:accepted|declined) (?:this|your) (?:meeting|invitation)"
        r"|\bha (?:aceptado|rechazado)(?: provisionalmente)? (?:esta|su) (?:reunion|invitacion"
        r"|convocatoria)"
        r"|\b(?:aceitou|recusou) (?:esta|a|sua) (?:reuniao|convite)"
        r"|\ba (?:accepte|refuse) (?:cette|la|votre) (?:reunion|invitation)"
        r"|(?:이|해당) (?:모임|회의|초대)(?:을|를) (?:수락|거절)했습니다"
        r"|已(?:接受|拒绝|拒絕)(?:此|该|該|了)?(?:会议|會議|邀请|邀請)"
        r"|\bda (?:chap nhan|tu choi) (?:cuoc hop|loi moi)"
        r"|\b(?:tinanggap|tinanggihan) (?:ang |ni \S+ ang )?(?:pulong|imbitasyon|meeting)"
        r"|(?:^|\n)[ \t]*(?:قبل|رفض)(?: \S+){1,4} (?:هذا|هذه) (?:الاجتماع|الدعوة)"
        # The join block a meeting service writes into an invitation.
        r"|\b(?:click|haga clic|clique) (?:here|aqui) (?:to join|para unirse a|para entrar na)"
        r" (?:the|la|a) (?:meeting|reunion|reuniao)"
        r"|\bjoin (?:on|from) your computer,? mobile app or room device"
        r"|\bunase desde el equipo, la aplicacion movil"
        r"|\bjoin zoom meeting\b|\bunirse a la reunion (?:de )?zoom\b"
    )
)
# What only mail sent to a list of subscribers says at its foot ("You are receiving this
# email because you created an account", "Reply REMOVE to be taken off this list", "to
# keep receiving our emails, add ... to your address book", "Para darse de baja"): read at
# the end of the writer's own part at any length, and from its line on nobody may speak
# as "I". A person asking to be taken off a list ("please unsubscribe me", "我想退订纸质
# 账单"), or quoting such a line above their own ("Your texts say reply STOP to opt
# out. I did that three times"), is not matched.
_BULK_FOOTER = re.compile(
    fold_pattern(
        r"\byou(?: are|'re)? (?:receiving|getting) (?:this|these) (?:e-?mails?|messages?"
        r"|notifications?|newsletters?|alerts?|communications?)(?: \S+){0,2}? (?:because|as an?)\b"
        r"|\b(?:click|tap) (?:here )?to unsubscribe\b|\bunsubscribe (?:here|at any time)\b"
        r"|\bif you (?:no longer )?(?:wish|want|would like) to (?:unsubscribe|opt[\s\-]out"
        r"|stop receiving)\b"
        r"|\bmanage (?:your )?(?:e-?mail |notification |communication |subscription )?"
        r"(?:preferences|subscriptions)\b"
        r"|\bupdate your (?:e-?mail |notification |communication )?preferences\b"
        r"|\b(?:continue|keep) receiving[\s\S]{0,80}?\badd \S+@\S+ to your (?:address book"
        r"|safe (?:senders? )?list)"
        r"|\breply (?:remove|stop|unsubscribe) to (?:be )?(?:taken off|removed)\b"
        r"|\b(?:usted )?(?:esta )?recib(?:e|iendo) este (?:correo|mensaje|e-?mail)(?: electronico)?"
        r" (?:porque|por ser|como)\b"
        r"|\bpara (?:darse de baja|darte de baja|cancelar su suscripcion)"
        r"|\b(?:haga clic|haz clic|pulse) (?:aqui )?para (?:darse|darte) de baja"
        r"|\bsi (?:ya )?no desea recibir (?:estos|mas)"
        r"|\b(?:voce )?(?:esta )?receb(?:e|endo) (?:este|esta) (?:e-?mail|mensagem) (?:porque|pois)"
        r"|\bpara (?:cancelar (?:a|sua) (?:inscricao|assinatura)|se descadastrar|descadastrar-se)"
        r"|\bvous recevez (?:cet|ce) (?:e-?mail|courriel|message) (?:car|parce|en tant|puisque)"
        r"|\bpour (?:vous )?(?:desabonner|desinscrire)\b|\bse desinscrire\b"
        r"|\bban nhan duoc (?:email|thu|tin nhan) nay vi\b"
        r"|\bde (?:huy dang ky (?:nhan )?|ngung nhan )(?:email|thu|ban tin)\b"
        r"|\bupang (?:mag-?unsubscribe|hindi na makatanggap ng (?:email|mensahe|newsletter))\b"
        r"|\bpou (?:ou )?dezabone\b"
        r"|(?:您|你)(?:之所以)?收到(?:此|这|這|本)(?:封)?(?:邮件|郵件)(?:是)?(?:因为|因為)"
        r"|如需(?:退订|退訂|取消订阅|取消訂閱)|(?:退订|退訂)请|(?:退订|退訂)請"
        r"|如(?:您)?(?:不想|不希望|不愿|不願)再(?:收到|接收)(?:我们|我們|本)"
        r"|수신\s?거부(?:를|는)?\s?(?:원하시면|하시려면|클릭)|수신을 원하지 않으시면"
        r"|لإلغاء الاشتراك|تتلقى هذه الرسالة لأن"
    )
)
# How far from the end of the writer's own part a footer may stand (it closes the mail).
_FOOTER_TAIL = 400
# A fax or voicemail gateway announcing what came in ("You have a new fax", "Tiene un
# nuevo mensaje de voz"): the voicemail's words also open a mail alone (see
# _VOICEMAIL_OPENING), the fax's never do.
_FAX_ANNOUNCED = (
    r"you (?:have (?:received )?|received )(?:a )?new fax"
    r"|(?:ha recibido|tiene) un (?:nuevo )?fax"
    r"|(?:voce )?(?:recebeu|tem) (?:um|uma) (?:novo |nova )?fax"
    r"|vous avez (?:recu )?un (?:nouveau )?fax"
)
_VOICEMAIL_ANNOUNCED = (
    r"you (?:have (?:received )?|received )(?:a )?new (?:voice ?mail|voice message)"
    r"|(?:ha recibido|tiene) un (?:nuevo )?mensaje de voz"
    r"|(?:voce )?(?:recebeu|tem) (?:um|uma) (?:novo |nova )?mensagem de voz"
    r"|vous avez (?:recu )?un (?:nouveau )?message vocal"
)
# A device sending what it scanned, or a fax or voicemail gateway announcing what came in
# ("It was scanned and sent to you using a KONICA MINOLTA bizhub", "You have a new
# voicemail"), in the device's own words. Only in mail that asks for nothing and in which
# nobody speaks as "I": a person may type a note above a scanner's text ("For Loss
# Mitigation - Maria Ortega ... She wants to be reviewed for a modification") or say what
# they scanned ("I scanned and sent you my bank statements").
_DEVICE = re.compile(
    fold_pattern(
        r"\b(?:it|this (?:document|file|e-?mail|message)) was scanned and sent to you"
        r" (?:using|from|by)\b"
        r"|(?:^|\n)[ \t]*(?:device name|number of pages)[ \t]*:"
        rf"|\b(?:{_FAX_ANNOUNCED}|{_VOICEMAIL_ANNOUNCED})\b"
    )
)
# A voicemail gateway's announcement opening the mail, what follows being the caller's
# voice in quotation marks: there it decides whatever the transcript asks (a voicemail is
# no letter the servicer received), unless someone speaks as "I" or "we" outside it.
# Not a fax's: a fax is a letter, and its cover note may be a notice of error.
_VOICEMAIL_OPENING = re.compile(fold_pattern(rf"\s*(?:{_VOICEMAIL_ANNOUNCED})\b"))
# How far into the writer's own part an e-signature service's event line may stand.
_ESIGN_OPENING = 200
# A writer speaking for a firm or household ("we", "our client", "nosotros").
_OUR_VOICE = re.compile(
    fold_pattern(r"\b(?:we|we're|we've|our|ours|us|nosotros|nuestr[oa]s?|nous|notre|nos)\b")
)
# Quoted speech: a voicemail's transcript, a chat's lines in quotation marks.
_QUOTED_SPEECH = re.compile(r'"[^"]*"|“[^”]*”|«[^»]*»|„[^“”]*[“”]')
# An e-signature service's notice about an envelope ("All parties have completed <title>",
# "<name> sent you a document to review and sign", "<name> viewed your envelope",
# "Todas las partes han completado") near the top, beside the service's own mark (its
# warning not to share the mail, or its name). The envelope's title may name a payoff or
# a modification, so beside what the rules read as a request it decides with the
# service's fixed warning, unless the sender's own note speaks as "I" or "we" ("I need
# this back by Friday", "our client disputes ...").
_ESIGN_EVENT = re.compile(
    fold_pattern(
        r"\ball (?:parties|signers) (?:have )?completed\b"
        r"|\bsent you (?:a |an )?(?:document|envelope)s? to (?:review and )?sign\b"
        r"|\bviewed your envelope\b"
        r"|\b(?:has|have) been (?:signed|completed) by (?:all parties|everyone|all signers)\b"
        r"|\btodas las partes han completado\b"
        r"|\ble ha enviado un documento para (?:revisar y )?firmar\b"
        r"|\btodas as partes (?:concluiram|completaram|assinaram)\b"
        r"|\btoutes les parties ont (?:termine|complete|signe)\b"
    )
)
_ESIGN_WARNING = re.compile(
    fold_pattern(
        r"\bdo not share this e-?mail\b|\bno comparta este correo\b"
        r"|\bnao compartilhe este e-?mail\b|\bne partagez pas cet e-?mail\b"
    )
)
_ESIGN_SERVICE = re.compile(
    r"\b(?:docusign|adobe (?:acrobat )?sign|dropbox sign|hellosign|signnow|pandadoc)\b"
)
# A read receipt sent as plain text rather than as a disposition report (RFC 8098):
# Outlook's ("Read: ..." / "Your message ... was read on ...") and Notes' ("Return
# Receipt: ..." / "Your document: ... was received by: ..."). Both lines must be there.
_RECEIPT_SUBJECT = re.compile(
    fold_pattern(
        r"^\s*(?:(?:read|leido|lu|lido|acuse de lectura|confirmacion de lectura"
        r"|confirmacao de leitura|accuse de lecture|da doc|nabasa|已读取|已讀取|已读|已讀|읽음)\s*:"
        r"|return receipt\s*(?::|$))"
    )
)
_RECEIPT_BODY = re.compile(
    fold_pattern(
        r"your message\b[\s\S]{0,400}?\bwas read on\b"
        r"|your document:[\s\S]{0,200}?\bwas received by:"
        # Notes lays its receipt out in two columns, the labels' words split by the values
        # ("Your        <subject>\ndocument:   ...\nwas         <name>\nreceived\nby:").
        r"|\byour\b[\s\S]{0,200}?\bdocument:[\s\S]{0,300}?\bwas\b[\s\S]{0,200}?\breceived\s+by:"
        r"|\bthis receipt verifies that the message has been displayed\b"
        r"|\brecibo de (?:notificacion de )?lectura para el mensaje\b"
        r"|\bthu cua ban\b[\s\S]{0,400}?\bda duoc doc\b"
        r"|su mensaje\b[\s\S]{0,400}?\bse (?:leyo|ha leido) el\b"
        r"|votre message\b[\s\S]{0,400}?\ba ete lu le\b"
        r"|sua mensagem\b[\s\S]{0,400}?\bfoi lida em\b"
        r"|ang iyong mensahe\b[\s\S]{0,400}?\bay nabasa noong\b"
        r"|(?:您的|你的)(?:邮件|郵件)[\s\S]{0,400}?已(?:于|於)[\s\S]{0,120}?(?:读取|讀取)"
    )
)
# "I was out of the office when you called" is a person telling what happened.
_PAST = re.compile(r"\b(?:was|were|had been|been|estaba|estuve|etais|etait|estava)\b")
# Digits and the marks between them (dates, times, sums): a person's "10:00 on 04/15"
# is no template, so the machine model reads none of them.
_NUMBERS = re.compile(r"\d[\d:/.,\-]*")
# Body text is trusted only in a short message, and only near its top.
_BODY_LIMIT = 1500
_BODY_HEAD = 400
_SUPPRESS_VALUES = frozenset({"all", "oof", "autoreply", "dr", "ndr", "rn", "nrn"})


def _body_text(body: str) -> str:
    """The body folded as the rules read theirs, with soft line breaks joined ("sẽ
    trả\nlời email khi trở về" is one phrase; see pipeline.classify.wrap)."""
    return unwrap(normalize(body.strip()), None).text


def _ooo(subject: str, text: str, weak_allowed: bool = True) -> str | None:
    """Out-of-office words in the subject or the head of the folded body ``text``.

    The subject's words do not count when the body's head asks to ignore the automatic
    reply (``_IGNORED``) or when they follow a reply or forward prefix (then only the
    writer's own part of the body is read); without ``weak_allowed`` (the message asks
    for something), nor when they follow a retelling, or the body's head says the writer
    is writing anyway: a person replying to, forwarding or sending past an automatic
    reply."""
    subject_f = fold(subject)
    opening = text[:_BODY_HEAD]
    head = opening if len(text) <= _BODY_LIMIT else ""
    m = _OOO_STRONG.search(subject_f)
    if m and _REPLY_PREFIX.fullmatch(subject_f, 0, m.start()):
        # "Re: Automatic reply: ...": a person answering or passing on an automatic reply
        # (which puts its own words first), whatever the message asks. Only the writer's
        # own words above the one they answer may still say they are away (a vacation
        # responder answering an automatic reply).
        subject_f = subject_f[m.end() :]
        opening = writer_part(text)[:_BODY_HEAD]
        if _IGNORED.search(opening):
            return None
        head = opening if len(text) <= _BODY_LIMIT else ""
    elif m:
        # "Please ignore my out of office below" is a person, whatever the message asks;
        # a retelling or writing anyway only beside a request (an automatic reply may say
        # "Mr. Reyes asked me to forward this").
        written_past = _IGNORED.search(opening) or (
            not weak_allowed
            and (
                _RETOLD.search(subject_f[max(0, m.start() - 40) : m.start()])
                or _TURN.search(opening)
            )
        )
        return None if written_past else f"subject:{m.group()}"
    if not weak_allowed:
        # The message asks for something: only its subject can say it is automatic.
        return None
    m = _OOO_STRONG.search(head)
    if (
        m
        and not _PAST.search(head, max(0, m.start() - 25), m.start())
        and not _RETOLD.search(head[max(0, m.start() - 40) : m.start()])
    ):
        return f"body:{m.group()}"
    for where, value in (("subject", subject_f), ("body", head)):
        m = _OOO_WEAK.search(value)
        if (
            m is None
            or _PAST.search(value, max(0, m.start() - 25), m.start())
            or _TURN.search(head)
        ):
            # "We were on vacation when your letter came" tells what happened; "I'm on
            # vacation but this is time-sensitive" writes anyway.
            continue
        if _RETURN.search(f"{subject_f}\n{head}"):
            return f"{where}:{m.group()}"
    return None


def _own_part(text: str) -> str:
    """The writer's own part of a short folded body (:func:`_body_text`): what comes
    before its first quoted line, reply header or forwarded message; "" for a long body,
    whose words are not trusted. Its own quote markers, not pipeline.classify.context's
    zones: those count a forwarded message as the writer's own, and a forwarded
    automatic reply must not make a person's mail automatic."""
    return "" if len(text) > _BODY_LIMIT else writer_part(text)


def _self_declared(own: str, asks_something: bool) -> str | None:
    """The words by which a message says, in the writer's ``own`` part (:func:`_own_part`),
    that a machine sent it (or, failing that, its no-reply line, ``_NO_REPLY``, which
    counts only where nobody speaks as "I", no quotation is open on its line, and, beside
    a receipt, the receipt says the message was received rather than only thanking); a
    person quoting an automatic reply, in quotation marks or in words of their own ("I
    keep getting: This is an automated response"), is a person.

    When the message ``asks_something``, the declaration counts only beside words
    acknowledging receipt of the sender's message (see the module docstring)."""
    m = _SELF_DECLARED.search(own)
    no_reply = m is None
    m = m or _NO_REPLY.search(own)
    if m is None or any(q in own[max(0, m.start() - 2) : m.start()] for q in _QUOTES):
        return None  # none, or a reply quoted in running text
    if no_reply:
        # 'Your email said "Please do not reply to this email", so where do I send it?':
        # a quotation opened earlier on the line is a person retelling the line.
        line = own[own.rfind("\n", 0, m.start()) + 1 : m.start()]
        if any(q in line for q in _QUOTES) or _FIRST_PERSON.search(own):
            return None
    # A business writes "Thank you for your email ... Please do not reply to this email,
    # send it to payoffs@" too: beside a no-reply line only a receipt that says the
    # message was received counts, as for a case opened.
    receipt = _receipt(own, thanks_count=not no_reply)
    if receipt is not None:
        # The office's own voice, so no test for a first person: its name may hold a
        # word that is one in some language ("Bánh Mì": Spanish "mi"). (A no-reply line
        # is weaker, a person may write one too: tested above.)
        return f"body:{receipt.group()} ... {m.group()}"
    if asks_something or _FIRST_PERSON.search(own) is not None:
        return None
    return f"body:{m.group()}"


def _case_opened(own: str, asks_something: bool) -> str | None:
    """The words by which a case or ticket system, in the writer's ``own`` part, says it
    received the sender's message and opened a case for it (see ``_CASE_OPENED``); none
    when the message ``asks_something``.

    The receipt must say it was received ("we have received your request"), not only
    thank ("thank you for your email", which a borrower writes too), and nobody may
    speak as "I": a borrower replying with their own case number is a person."""
    case = None if asks_something else _CASE_OPENED.search(own)
    if case is None or _FIRST_PERSON.search(own) is not None:
        return None
    receipt = _receipt(own, thanks_count=False)
    return None if receipt is None else f"body:{receipt.group()} ... {case.group()}"


def _receipt(own: str, thanks_count: bool) -> re.Match[str] | None:
    """The first words in ``own`` acknowledging receipt (``_RECEIPT_ACKNOWLEDGED``);
    unless ``thanks_count``, only words saying the message was received, not those that
    only thank ("thank you for your email", which people write too)."""
    for receipt in _RECEIPT_ACKNOWLEDGED.finditer(own):
        if thanks_count or not receipt.group().lstrip().startswith(_THANKS):
            return receipt
    return None


def _system_notice(subject: str, text: str, asks_something: bool) -> str | None:
    """A calendar's answer or invitation, an e-signature service's notice, a subscriber
    mailing's footer or a device's notice in the writer's own part of the folded body
    ``text`` (before its first quoted line, reply header or forwarded message), at any
    length. A calendar's answer (subject and body both) decides whatever the message
    asks; so do a voicemail gateway's announcement opening the mail, where nobody speaks
    as "I" or "we" outside quotation marks (``_VOICEMAIL_OPENING``), and an e-signature
    service's notice where nobody speaks as "I" or "we", beside a request only with the
    service's warning not to share the mail (``_ESIGN_EVENT``). An invitation with a
    meeting service's join block (``_INVITATION_SUBJECT``), a footer (at the end) and a
    device's notice only where it ``asks_something`` not and nobody in it speaks as "I"
    (see ``_BULK_FOOTER`` and ``_DEVICE``)."""
    own = writer_part(text)
    person = _FIRST_PERSON.search(own) is not None
    if _CALENDAR_SUBJECT.search(fold(subject)) is not None:
        m = _CALENDAR_BODY.search(own)
        if m is not None:
            return f"body:{m.group()}"
    unquoted = _QUOTED_SPEECH.sub(" ", own)
    if _FIRST_PERSON.search(unquoted) is None and _OUR_VOICE.search(unquoted) is None:
        m = _VOICEMAIL_OPENING.match(own)
        if m is not None:
            return f"body:{m.group().strip()}"
    if _OUR_VOICE.search(own) is None and not person:
        # "Our client disputes the shortage", "we wired the payoff": a firm's own note.
        m = _ESIGN_EVENT.search(own, 0, _ESIGN_OPENING)
        # Beside a request only the service's fixed warning will do: a title office
        # writes "All parties have completed the package in DocuSign. Please send ...".
        if m is not None and (
            _ESIGN_WARNING.search(own) is not None
            or (not asks_something and _ESIGN_SERVICE.search(own) is not None)
        ):
            return f"body:{m.group()}"
    if asks_something or person:
        # A person may paste a notice, footer and all, under what they ask.
        return None
    if _INVITATION_SUBJECT.search(fold(subject)) is not None:
        m = _CALENDAR_BODY.search(own)
        if m is not None:
            return f"body:{m.group()}"
    for m in _BULK_FOOTER.finditer(own):
        if len(own) - m.end() <= _FOOTER_TAIL:
            return f"body:{m.group()}"
    m = _DEVICE.search(own)
    return None if m is None else f"body:{m.group()}"


def writer_part(folded: str) -> str:
    """The folded body up to its first quoted line, reply header or forwarded message."""
    end = _QUOTE_START.search(folded)
    return folded[: end.start()] if end is not None else folded


def machine_text(subject: str, body: str) -> str:
    """What the recogniser's machine model reads: the subject and the writer's own part of
    the body (:func:`writer_part`), folded as the rules read them, cut at the model's
    :data:`~pipeline.classify.recogniser.MAX_CHARS`, every number (with the marks of a
    date, a time or a sum inside it) as one space."""
    text = f"{fold(subject)}\n{writer_part(fold(body))}"[:MAX_CHARS]
    return _NUMBERS.sub(" ", text)


def model_consulted(subject: str) -> bool:
    """Whether the machine model may judge a message with this subject: not a reply or
    a forward, whose own part a person wrote above what they answer or pass on."""
    return _REPLY_PREFIX.match(fold(subject)) is None


def machine_verdict(
    headers: MachineHeaders,
    subject: str,
    body: str,
    asks_something: bool = False,
    model: KindScore | None = None,
) -> MachineVerdict:
    """Decide whether the message is machine mail; see the module docstring.

    ``asks_something``: the message makes a request or raises a concern (it has a
    request kind or an escalation family). Then words of absence alone ("I am away
    until the 5th") do not make it an automatic reply: a person travelling may still
    ask for something, and treating them as a machine would start no clock.
    """
    ctype = fold(headers.content_type or "")
    if ctype.startswith("multipart/report"):
        if "disposition-notification" in ctype:
            return MachineVerdict(True, "mdn", (f"content-type:{headers.content_type}",))
        if "delivery-status" in ctype:
            return MachineVerdict(True, "dsn", (f"content-type:{headers.content_type}",))
    report = _delivery_report(headers, subject, body)
    if report is not None:
        return MachineVerdict(True, "dsn", (report,))
    receipt = len(body) <= _BODY_LIMIT and _RECEIPT_SUBJECT.search(fold(subject)) is not None
    if receipt and _RECEIPT_BODY.search(fold(body)) is not None:
        # Fixed words as evidence: the receipt quotes the reader's name and subject.
        return MachineVerdict(True, "mdn", ("body:plain-text read receipt",))
    evidence: list[str] = []
    kind: MachineKind | None = None
    auto = (headers.auto_submitted or "").split(";", 1)[0].strip().lower()
    if auto and auto != "no":
        evidence.append(f"header:Auto-Submitted={auto}")
        kind = "auto_reply"
    for name, value in (
        ("X-Autoreply", headers.x_autoreply),
        ("X-Autorespond", headers.x_autorespond),
    ):
        if value is not None and value.strip().lower() not in ("no", "false", "0"):
            evidence.append(f"header:{name}={value.strip()[:40]}")
            kind = kind or "auto_reply"
    precedence = (headers.precedence or "").strip().lower()
    if precedence in ("auto_reply", "auto-reply"):
        evidence.append(f"header:Precedence={precedence}")
        kind = kind or "auto_reply"
    lists = [h for h in headers.list_headers if h.lower().startswith("list-")]
    if lists or precedence == "list":
        evidence.extend(f"header:{h}" for h in lists)
        if precedence == "list":
            evidence.append("header:Precedence=list")
        kind = kind or "mailing_list"
    if precedence in ("bulk", "junk"):
        evidence.append(f"header:Precedence={precedence}")
        kind = kind or "newsletter"
    text = _body_text(body)
    ooo = _ooo(subject, text, weak_allowed=not asks_something)
    if kind == "auto_reply" and ooo:
        return MachineVerdict(True, "out_of_office", (*evidence, ooo))
    if kind is not None:
        return MachineVerdict(True, kind, tuple(evidence))
    suppress = (headers.x_auto_response_suppress or "").strip().lower()
    # A forgery's words are the forger's: a phishing mail posing as a system notice
    # ("This is an automated message") stays a spoof for the security team.
    forged = dmarc_failed(headers.authentication_results)
    own = "" if ooo or forged else _own_part(text)
    declared = _self_declared(own, asks_something)
    if declared is not None:
        return MachineVerdict(True, "auto_reply", (declared,))
    case = _case_opened(own, asks_something)
    if case is not None:
        return MachineVerdict(True, "auto_reply", (case,))
    # An office telling when it will answer (see _OFFICE_REPLY).
    office = _OFFICE_REPLY.search(own)
    ooo = ooo or (None if office is None else f"body:{office.group()}")
    if ooo:
        extra = (f"header:X-Auto-Response-Suppress={suppress[:40]}",) if suppress else ()
        return MachineVerdict(True, "out_of_office", (ooo, *extra))
    slow = _SLOW_ANSWERS.search(own)
    if slow and _RECEIPT_ACKNOWLEDGED.search(own) and not _FIRST_PERSON.search(own):
        return MachineVerdict(True, "auto_reply", (f"body:{slow.group()}",))
    notice = None if forged else _system_notice(subject, text, asks_something)
    if notice is not None:
        return MachineVerdict(True, "notification", (notice,))
    if suppress and any(
        v.strip() in _SUPPRESS_VALUES for v in re.split(r"[,\s]+", suppress) if v.strip()
    ):
        return MachineVerdict(
            True, "notification", (f"header:X-Auto-Response-Suppress={suppress[:40]}",)
        )
    if model is not None and model.passes and not asks_something and not forged:
        readable = readable_grams(model)
        why = [f"model:machine {model.score:.2f} ({model.decided_by})"]
        if readable:
            why.append("model n-grams: " + ", ".join(repr(g) for g in readable))
        return MachineVerdict(True, "notification", tuple(why))
    return MachineVerdict(False)
