"""Context that changes what a word means: quoted history, forwarded chains,
confidentiality disclaimers, signatures, negation and resolution.

All functions work on *folded* text (see :mod:`pipeline.classify.normalize`) and
return spans of it; nothing here does I/O.

* Quoted history: lines starting with ``>`` and everything after a reply header
  ("On ... wrote:", "El ... escribió:", "Le ... a écrit :", "Em ... escreveu:",
  "-----Original Message-----", Outlook's "From: ... Sent: ..." block, and their
  Vietnamese/Chinese/Korean forms). Words only there do not escalate a polite reply:
  the servicer already has that history.
* Forwarded chains ("---------- Forwarded message ---------", "Begin forwarded
  message:", a subject starting ``Fwd:``/``FW:``/``RV:``/``TR:``/``转发``) are *not*
  quoted history: a forwarded complaint is a complaint brought to us now, so the
  forwarded text counts.
* Confidentiality disclaimers: a paragraph that tells an unintended recipient what to
  do is boilerplate; its "attorney-client" or "privileged" is not a lawyer writing.
* Signatures: text after the ``-- `` delimiter (RFC 3676 section 4.3) or a
  "Sent from my ..." line. A lawyer's signature block is still evidence of legal
  representation, so only the other families are suppressed there.
* Negation: a cue ("not", "no es", "não", "pas", "không phải", "不是", "아닙니다",
  "ليس") just before the match, in the same clause (Korean negates after).
* Resolution: "was fixed", "has been resolved", "ya se resolvió", "đã được giải
  quyết", "已经解决" in the same sentence as the match.
* Someone else's situation: a neighbour, a friend, a coworker, the writer's employer
  ("我任職的公司上個月宣布破產"), "some mortgage company", a story on the news named
  earlier in the sentence ("the house next door
  went to a foreclosure auction", "mi vecino se declaró en bancarrota"): the writer's
  own loan is not what the words are about. A tenant or a previous owner is someone
  else too, unless the writer states their own intent in the same sentence ("my
  friend told me to go to the CFPB, and I will").
* Mentions of fraud and the media: a scam asked about or hedged ("is this a scam?",
  "có thể là lừa đảo"), an attempt the writer did not fall for ("I didn't click"),
  the writer's data said to be in someone's hands ("he knew my loan number"), an
  act the writer denies ("I never applied"), and an outlet where the writer saw or
  heard something ("I saw an ad on Facebook"); the classifier combines them.
* A matter over before this loan or house ("discharged long before I bought this
  house"), closed in a year named ("se cerró en marzo de 2024"), or only considered and
  no longer needed ("也不用破產了") is no live matter.
* Sentences end at ``.``, ``!``, ``?`` and at line breaks, except a line break that
  only wraps a long line of plain-text mail (as wide on screen as a client wraps at:
  a Chinese, Japanese or Korean character takes two columns) and goes on with a word,
  a bracket, a quote or a dash ("last spring\n-- that was all straightened out").
* The classifier and the rules call these on the view with soft line breaks joined
  (:mod:`pipeline.classify.wrap`), at a match's span there; :func:`find_zones` alone
  reads the folded text, since its zones are whole lines.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from unicodedata import east_asian_width

from pipeline.classify.intervals import SpanSet

__all__ = [
    "EMPTY_ZONES",
    "Zones",
    "acted_on_cue",
    "asked_cue",
    "before_this_loan_cue",
    "compromise_cue",
    "family_in_sentence",
    "feared_cue",
    "find_zones",
    "foiled_cue",
    "has_lawyer_title",
    "home_fine_cue",
    "impostor_act_cue",
    "impostor_claim_cue",
    "is_forwarded_subject",
    "media_seen_cue",
    "negation_cue",
    "news_cue",
    "other_lender_cue",
    "other_party_cue",
    "own_trade",
    "resolution_cue",
    "sentence_span",
    "soft_break",
    "suspicion_cue",
    "wrapped_width",
]

_FORWARD_SUBJECT = re.compile(
    r"^\s*(?:(?:re|aw|sv)\s*:\s*)*(?:fwd?|fw|rv|tr|enc|reenviar|转发|轉寄|轉發|전달)\s*[:：]"
)
_FORWARD_MARKER = re.compile(
    r"^[ \t]*(?:-{2,}\s*(?:forwarded message|mensaje reenviado|message transfere|"
    r"mensagem encaminhada|tin nhan da chuyen tiep|转发的邮件|轉寄的郵件|전달된 메시지)\s*-{0,}"
    r"|begin forwarded message:|inicio del mensaje reenviado:|debut du message reexpedie)",
    re.MULTILINE,
)
_REPLY_HEADER = re.compile(
    r"^[ \t]*(?:on\s[^\n]{0,200}(?:\n[^\n]{0,200})?\swrote:[ \t]*$"
    r"|el\s[^\n]{0,200}(?:\n[^\n]{0,200})?\sescribio:[ \t]*$"
    r"|le\s[^\n]{0,200}(?:\n[^\n]{0,200})?\sa ecrit\s?:[ \t]*$"
    r"|em\s[^\n]{0,200}(?:\n[^\n]{0,200})?\sescreveu:[ \t]*$"
    r"|vao\s[^\n]{0,200}\sda viet:[ \t]*$"
    r"|[^\n]{0,200}(?:写道|寫道|님이 작성)[:：]?[ \t]*$"
    r"|-{2,}\s*(?:original message|mensaje original|message d'origine|mensagem original)\s*-{2,}"
    r"|(?:from|de|van|von|发件人|寄件者|보낸 사람)\s*[:：][^\n]*\n(?:[^\n]*\n){0,3}?"
    r"(?:sent|enviado|envoye|gesendet|发送时间|傳送時間|날짜)\s*[:：])",
    re.MULTILINE,
)
_QUOTED_LINE = re.compile(r"^[ \t]*>.*$", re.MULTILINE)
_PARAGRAPH = re.compile(r"(?:[^\n]|\n(?![ \t]*\n))+")
# A line this long is prose, not a line of a signature or disclaimer block.
_PROSE_LINE = 160
_DISCLAIMER = re.compile(
    r"intended (?:only )?(?:solely )?for the (?:use of the )?(?:individual|person|addressee|named|"
    r"intended|recipient)|intended recipient|received this (?:e-?mail|message|communication|"
    r"transmission) in error|confidentiality notice|confidential(?:ity)? (?:and|&) privileged|"
    r"privileged (?:and|&) confidential|may contain (?:confidential|privileged)|"
    r"aviso de confidencialidad|destinatario previsto|recibido este (?:mensaje|correo) por error|"
    r"este (?:mensaje|correo) (?:es|puede ser) confidencial|aviso legal:|"
    # "AVISO: Este mensaje puede contener información personal ... Si lo recibió por error".
    r"este (?:mensaje|correo) puede contener informacion (?:confidencial|privilegiada|personal)|"
    r"si (?:usted )?(?:lo|la) (?:ha )?recibio por error|"
    r"(?:ce|le present) (?:courriel|message|e-?mail) (?:peut contenir|contient|est) "
    r"(?:des informations )?(?:confidenti|privilegi)|secret professionnel|"
    r"(?:esta|este) (?:mensagem|e-?mail) (?:pode conter|contem) "
    r"(?:informacoes )?(?:confidenci|privilegi)|"
    r"قد تحتوي هذه الرسالة|هذه الرسالة سرية"
)
# The notices a servicer prints on its letters and mail to every reader, which borrowers
# forward and paste ("If you are a servicemember on active duty ... you may be entitled
# to protections", "If you are in bankruptcy ... this is not an attempt to collect a
# debt"): addressed to anyone, they say nothing of this borrower. Only their own
# sentence is set aside, not the paragraph: a borrower quoting one ("your letter says I
# may be entitled to protections under the Act") still says what they say around it.
_BOILERPLATE = re.compile(
    r"(?:may|might) be entitled to (?:certain )?(?:legal )?protections under the "
    r"servicemembers civil relief act|if you are (?:currently )?(?:in|a debtor in) (?:a )?"
    r"bankruptcy|if you have (?:received|obtained) a (?:bankruptcy )?discharge|"
    r"(?:is|was) not an attempt to collect a debt|"
    r"(?:this|the) (?:communication|letter|notice) is from a debt collector|"
    r"si usted (?:esta|se encuentra) (?:en|bajo) (?:un )?(?:proceso de )?(?:bancarrota|quiebra)|"
    r"si (?:usted )?(?:ha recibido|recibio) (?:un|una) (?:descargo|liberacion|exoneracion)|"
    r"no es un intento de cobr(?:ar|o de) (?:una )?deuda|"
    r"(?:puede|podria) tener derecho a (?:ciertas )?protecciones (?:bajo|conforme a|segun) la ley"
    # A title or escrow company's wire-fraud footer, on every mail it sends: its fixed
    # sentences only, so a borrower's own "wire fraud alert" keeps what it reports.
    r"|criminals are (?:hacking|targeting|sending|impersonating)|"
    # A real-estate office's signature says the same in two fixed sentences ("Wire fraud is
    # real. Never wire money based on e-mail instructions"); only the pair, since a
    # borrower may open a report of their own with "Wire fraud is real."
    r"wire fraud is (?:real|on the rise|a real threat|rampant|everywhere)[.!]\s+"
    r"never wire (?:money|funds) based (?:only |solely )?on (?:an? )?e-?mail|"
    r"(?:we|title|escrow|company|office) (?:will )?never (?:change|send|provide) "
    r"(?:our |your )?wir(?:e|ing) instructions (?:by|via|over) e-?mail|"
    r"(?:^|(?<=[.!?\n])|(?<=[.!?\n] ))if you (?:ever )?suspect (?:wire )?fraud,? "
    r"(?:please )?(?:contact|call|notify)|"
    # ... and its disclaimers: "Lakeshore Title is not responsible for funds wired to an
    # incorrect account as a result of fraud", "If you receive an email that appears to be
    # from us with new instructions, it is FRAUD".
    r"(?:is|are) not (?:responsible|liable) for (?:any )?funds (?:wired|sent|transferred)|"
    r"if you (?:ever )?receive an? (?:e-?mail|call|text|message|communication) (?:that appears"
    r" to be |claiming to be |purporting to be )?from (?:us|our office) (?:with|containing|"
    r"that (?:contains|has|gives)) (?:new|changed|updated|different) (?:wire |wiring |payment )?"
    r"instructions|"
    # The notice a HUD-approved counselling agency must print on its mail.
    r"if you are dissatisfied with the services of this agency|"
    r"(?:you )?may file a complaint with hud'?s? office of housing counseling"
)
_SIGNATURE = re.compile(r"^-- ?$|^(?:sent from my|enviado desde mi|envoye de mon)\b", re.MULTILINE)

_NEGATION_WORDS = frozenset(
    {
        # English, Spanish (the first rule pack's cues)
        "no", "not", "never", "without", "none", "nothing", "nor", "dont", "don't", "didnt",
        "didn't",
        "isnt", "isn't", "wasnt", "wasn't", "arent", "aren't", "doesnt", "doesn't",
        "havent", "haven't", "wont", "won't", "cannot", "sin", "nunca", "ni", "tampoco",
        "ningun", "ninguna", "ninguno", "jamas",
        # Nobody as the one who acted ("nobody hacked anything", "nadie me robó nada").
        "nobody", "nadie", "ninguem",
        # Portuguese, French, Haitian Creole, Tagalog, Vietnamese (folded)
        "nao", "nem", "nenhum", "nenhuma", "pas", "aucun", "aucune", "jamais", "sans",
        "hindi", "khong", "chang", "cha",
    }
)  # fmt: skip
# Scripts without spaces between words: a cue among the few characters before.
_NEGATION_NEAR = (
    "不是", "并非", "並非", "没有", "沒有", "無意", "无意", "不想", "不打算", "唔係", "唔是",
    "ليس", "ليست", "لا ", "لن ",
)  # fmt: skip
# "是不是" / "是唔是" / "有没有" ask "is it or not": a question, no negation
# ("是不是因为我们是亚洲人?", "有没有收到").
_A_NOT_A = re.compile(r"是不是|是唔是|係唔係|有没有|有沒有")
# Vietnamese "never" is three words, none a negation alone ("chưa" is also "not yet").
_VI_NEVER = ("chua bao gio", "chua tung", "khong bao gio")
# Korean negates after the noun: "불만이 아닙니다", "불만이 있는 건 아니고".
_NEGATION_AFTER = re.compile(
    r"^(?:.{0,3}?(?:아닙|아니|않)|(?:이|가|은|는)?\s?있는\s?(?:건|것은|것이)\s?(?:아닙|아니))"
)
# Haitian Creole negates with "pa" after its subject ("se pa yon plent", "m pa t siyen");
# alone, "pa" is also Tagalog for "still", so only the pair counts.
_CREOLE_SUBJECTS = frozenset({"se", "m", "mwen", "li", "nou", "yo", "ou", "w", "sa"})
_NEGATION_WINDOW = 4
# "I don't understand why you charged me twice", "no entiendo por qué", "je ne comprends
# pas pourquoi", "mwen pa konprann kijan nou bliye": the writer's not understanding
# presupposes the error that follows the why or how, which stays asserted. ("I don't
# know if you charged me twice" has no why or how, and stays negated.) Error cues only:
# "I don't know how bankruptcy works" tells of no bankruptcy.
_UNDERSTANDING = frozenset(
    {
        "understand", "understood", "know", "get", "entiendo", "entendemos", "comprendo",
        "comprendemos", "comprends", "comprenons", "comprend", "sais", "savons", "entendo",
        "entendi", "compreendo", "sei", "konprann", "konnen", "konn", "hieu",
        "biet", "maintindihan", "naiintindihan", "alam",
    }
)  # fmt: skip
_WHY_HOW = re.compile(
    r"\b(?:why|how|por que|porque|pourquoi|comment|poukisa|kijan|kouman|koman|tai sao|"
    r"vi sao|sao|lam sao|bakit|paano|como)\b"
)
# A negation inside a condition ("if you don't fix it", "si no lo quitan", "se não
# corrigirem") negates the condition, not what the writer then says they will do: a
# first-person subject or a future after it starts the main clause.
_CONDITIONALS = frozenset({"if", "unless", "si", "se", "neu", "kung", "kapag", "pag"})
_MAIN_CLAUSE = frozenset(
    {
        "i", "we", "ill", "i'll", "we'll", "yo", "voy", "vamos", "eu", "vou", "je", "nous",
        "toi", "chung", "ako", "kami",
    }
)  # fmt: skip
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_CLAUSE_BREAK = re.compile(
    r"[.,;:!?()\n。，；！？、]|\bbut\b|\bpero\b|\bhowever\b|\bmas\b|\bmais\b"
)
_SENTENCE_MARKS = ".!?\n。！？"
_SENTENCE = re.compile(f"[{re.escape(_SENTENCE_MARKS)}]")
# After a resolution: the sentence does not turn ("that's resolved, but you still show a
# shortage").
_NO_TURN = (
    r"(?![^.!?\n]{0,80}\b(?:but|however|except|yet|though|still|pero|todavia|mas|ainda|mais"
    r"|encore)\b)"
)
# After an apology for anger: at most four more words, then the sentence ends.
_APOLOGY_ENDS = r"(?=(?:\s+(?!but\b|pero\b|mas\b|mais\b|لكن)[^\s;؛]+){0,4}?\s*(?:[.!]|$))"
_RESOLUTION = re.compile(
    r"(?:was|were|has been|have been|got|is|are|been) (?:now |finally |all |fully |completely )?"
    r"(?:fixed|resolved|corrected|"
    r"taken care of|sorted(?: out)?|reversed|refunded|credited back|straightened out)"
    # A complaint case the writer closed as satisfied ("marqué que quedé satisfecho", "the
    # case shows closed").
    r"|marked (?:\S+ ){0,3}?(?:as )?satisfied"
    r"|(?:case|complaint) (?:now )?(?:shows (?:as )?|is now )closed"
    r"|quede satisfech[oa]s?"
    r"|(?:caso|queja|reclamo) (?:ya )?(?:aparece|esta|quedo|fue) (?:como )?cerrad[oa]"
    r"|(?:thank you|thanks) for (?:fixing|resolving|correcting|taking care|sorting|reversing|"
    r"refunding)|no longer (?:an issue|a problem|needed)|(?:issue|problem|complaint) is (?:now )?"
    r"(?:closed|resolved|solved)|already (?:fixed|resolved|corrected|taken care of)"
    r"|(?:ya )?(?:se )?(?:resolvio|arreglaron|corrigieron|solucionaron|resolvieron)"
    r"|(?:fue|ha sido|quedo) (?:resuelt[oa]|arreglad[oa]|corregid[oa]|solucionad[oa])"
    # Money given back ("ya fue reembolsado", "já foi estornado", "a été remboursé"), as
    # "was refunded" above.
    r"|(?:fue|ha sido|fueron|han sido) (?:reembolsad|devuelt|reintegrad)[oa]s?"
    r"|(?:foi|ja foi|foram) (?:reembolsad|estornad|devolvid)[oa]s?"
    r"|(?:a ete|ont ete) rembourse(?:e|s|es)?"
    r"|gracias por (?:arreglar|resolver|corregir|solucionar)"
    r"|(?:foi|ja foi) (?:resolvid[oa]|corrigid[oa])|obrigad[oa] por (?:resolver|corrigir)"
    r"|(?:a ete|est) (?:resolu|corrige|regle)e?|merci d'avoir (?:resolu|corrige|regle)"
    r"|da (?:duoc )?(?:giai quyet|sua|khac phuc)|cam on (?:da )?(?:giai quyet|sua)"
    # A fee taken off ("phí đó đã được xoá rồi", "cảm ơn đã bỏ phí").
    r"|da duoc (?:xoa|hoan lai|go bo)|cam on (?:\S+ ){0,2}?da (?:bo|xoa|hoan lai) phi"
    # A complaint the writer calls over ("vụ khiếu nại ... coi như đã xong").
    r"|(?:khieu nai|van de|vu viec) (?:\S+ ){0,4}?(?:coi nhu )?da xong"
    r"|naayos na|nalutas na|na-?refund na|salamat sa pag-?ayos|te (?:rezoud|korije|regle)"
    # Called settled by the writer ("they refunded it, so that's all settled", "ya está
    # todo arreglado", "já está tudo resolvido", "ayos na ang lahat").
    r"|(?:that'?s|that is|it'?s|it is|it was|everything is|everything'?s) (?:all |now |already )*"
    r"(?:settled|squared away)\b"
    # "My complaint last year got handled so that's all good", "my escrow is back to
    # normal": the matter is over (not "it was handled badly").
    r"|(?:got|has been|have been) (?:now |finally |all )?handled\b(?! (?:badly|poorly|wrong|"
    r"wrongly|incorrectly|improperly|by))"
    r"|(?:that'?s|that is|it'?s|it is|everything'?s|everything is) (?:now )?all good\b"
    # The writer apologising for an angry earlier message, theirs or a relative's ("sorry
    # if I sounded angry the first time", "disculpe si la primera vez le escribí enojado",
    # "أعتذر عن رسالة ابني السابقة، كان غاضبًا"): the anger is over, not a complaint now.
    # The apology must close its sentence within a few words and turn to nothing else:
    # not "sorry for the harsh email, the late fee is still wrong", "sorry, but I am
    # upset", "disculpe si lo molesto" (sorry to bother you).
    r"|\b(?:sorry|apologi[sz]e|my apologies) (?:if|for|about)\b(?: (?!but\b)\S+){0,6}? "
    r"(?:angry|upset|rude|harsh|mad)\b"
    + _APOLOGY_ENDS
    + r"|\b(?:disculpe?|perdon|perdone) (?:si|por)\b(?: (?!pero\b)\S+){0,6}? (?:enojad[oa]|"
    r"groser[oa])\b"
    + _APOLOGY_ENDS
    + r"|\b(?:desculp[ea]|perdao) (?:se|por|pela|pelo)\b(?: (?!mas\b)\S+){0,6}? (?:irritad[oa]|"
    r"nervos[oa]|grosseir[oa])\b"
    + _APOLOGY_ENDS
    + r"|\b(?:excusez-moi|pardon|desolee?) (?:si|pour|d'avoir|de)\b(?: (?!mais\b)\S+){0,6}? "
    r"(?:en colere|fachee?|enervee?)\b"
    + _APOLOGY_ENDS
    + r"|(?:أعتذر|اعتذر) (?:عن|على)(?: (?!لكن)\S+){0,6}? (?:غاضب|غاضبا|غاضبة|منفعل|منفعلا)"
    + _APOLOGY_ENDS
    +
    # "It's all sorted out now", "that's been taken care of": as "was sorted out" above;
    # not "make sure it's fixed", "once it's resolved", "I keep being told that it's
    # taken care of", nor when the sentence turns ("that's resolved, but you still...").
    r"|(?<!sure )(?<!confirm )(?<!until )(?<!unless )(?<!when )(?<!if )(?<!whether )"
    r"(?<!once )(?<!after )(?<!before )(?<!told )(?<!said )(?<!that )"
    r"(?:that'?s|it'?s|everything'?s) (?:all |now |finally |been )*(?:sorted out|fixed|"
    r"resolved|taken care of)\b"
    + _NO_TURN
    + r"|(?:is|are|was|were) (?:now |finally |all )?back to normal\b"
    # The writer saying the servicer put it right and it has stayed so ("you did fix it and
    # everything has been fine since"), or that the charge is gone ("the late charge is
    # gone"); not "you fixed it wrong", "you said you fixed it, but", "will you fix it",
    # "my escrow has been fine since 2019 and this year you...".
    r"|(?<!said )(?<!claimed )(?<!supposedly )(?<!thought )(?<!have )(?<!haven't )"
    r"(?<!havent )(?<!has )(?<!hasn't )(?<!hasnt )(?<!didn't )(?<!didnt )(?<!why )"
    r"(?<!when )(?<!if )(?<!until )(?<!unless )(?:you|they|y'?all) "
    r"(?:did fix|finally fixed|eventually fixed|fixed) (?:it|that|everything)\b"
    r"(?!,? (?:wrong|incorrectly|halfway|partly|and then|then))"
    + _NO_TURN
    + r"|(?:has|have|'s|s) been (?:fine|good|ok|okay) (?:ever )?since(?=\s*(?:[.!;]|$))"
    r"|(?:fee|fees|charge|charges) (?:is|are) (?:now )?gone\b"
    + _NO_TURN
    + r"|(?:ya )?(?:esta|quedo) todo (?:arreglado|resuelto|solucionado)"
    r"|(?:ja )?(?:esta|ficou) tudo (?:resolvido|acertado)"
    r"|(?:tout est|c'est) (?:deja )?(?:regle|resolu|arrange)"
    r"|ayos na (?:po |ho )?(?:ang )?lahat"
    # Told as done ("yo retire frè reta a", "tout bagay anfòm kounye a"), not asked ("pou
    # yo retire frè a", "si yo pa retire l").
    r"|(?<!pou )(?<!ke )(?<!si )\byo (?:te )?(?:retire|anile) fre\b"
    r"|\btout bagay (?:anfom|regle|korije)\b"
    r"|已经?解决|已經?解決|已经?更正|已經?更正|已经?处理好|已經?處理好|谢谢.{0,6}解决|謝謝.{0,6}解決"
    r"|해결되었|해결됐|수정되었|تم حل|تم تصحيح|تم إصلاح"
    # Fixed by someone there and then ("Maria figured it out and fixed it"), not "you
    # still haven't fixed it", "why haven't you fixed it", "have you fixed it".
    r"|(?<!not )(?<!never )(?<!n't )(?<!nt )(?<!to )(?<!still )(?<!n't you )(?<!nt you )"
    r"(?<!not you )(?<!did you )(?<!have you )(?<!has anyone )(?<!if you )(?<!when you )"
    r"(?:fixed|solved|sorted out|"
    r"straightened out|took care of) (?:it|the problem|the issue|everything|my problem|my issue)"
    # Untouched by it: "with the hurricane nothing happened to us", "the fires are
    # nowhere near us", "no nos pasó nada".
    r"|nothing (?:has )?happened to (?:us|me|the house|our house|my house|the property)"
    r"|nowhere near (?:us|me|our|my)|(?:no|without any) damage to (?:the|our|my) (?:house|home)"
    r"|no (?:nos|me|le) paso nada|ni una gota|nao (?:nos |me )?aconteceu nada"
    r"|wala (?:naman )?(?:pong |ho )?nangyari"
)


# Who else a sentence can be about: people outside the writer's household and other
# companies. Family members are left out on purpose: an heir writes about a parent who
# died, a spouse about a deployed husband, and those are the writer's own loan.
_OTHER_PARTY = re.compile(
    r"\b(?:neighbou?rs?|next door|doors down|down the street|coworkers?|co-workers?|colleagues?|"
    r"(?:my|our|a) tenants?|(?:the )?(?:previous|former|prior|last) owners?|"
    r"(?:mi|mis|el|un) inquilin[oa]s?|(?:el|la) (?:dueno|duena|propietari[oa]) anterior|"
    r"(?:meu|minha|o) inquilin[oa]|(?:o|a) (?:dono|dona|proprietari[oa]) anterior|"
    r"(?:mon|ma|le|la) locataire|(?:l'|le )ancien proprietaire|"
    r"(?:a|my|our) friends?|friends? of (?:mine|ours)|someone i know|people i know|"
    # Who buys the writer's house ("the buyer is a young Navy corpsman").
    r"(?:the|our|my|a) (?:buyers?|purchasers?)|(?:el|la|los|nuestro|nuestra) comprador(?:a|es)?|"
    r"(?:o|a|nosso|nossa) compradora?|(?:l'|notre |un |une )acheteu(?:r|se)|"
    r"(?:a|one|some|this) (?:guy|man|woman|lady|person|fellow|gentleman) (?:i|we) "
    r"(?:work|worked) with|"
    r"(?:someone|somebody) (?:i|we) (?:work|worked) with|(?:que|quien) trabaja conmigo|"
    # Someone the writer knows from work or church ("a guy at work keeps telling me to
    # file bankruptcy"): their advice or their affairs are not the writer's own filing.
    r"(?:a|one|some|this|that) (?:guy|man|woman|lady|person|fellow|gentleman|dude|girl) "
    r"(?:i know )?(?:at|from) (?:work|my work|my job|church|my church|the shop|the plant)|"
    r"(?:people|everyone|everybody|folks|the guys) (?:at|from) (?:work|my work|my job|church)|"
    r"(?:un|una) (?:senor|senora|tipo|muchacho|muchacha|hombre|mujer) (?:del|de mi|en el|en mi) "
    r"trabajo|(?:la gente|todos) (?:del|en el|de mi) trabajo|"
    r"(?:um|uma) (?:cara|moco|moca|senhor|senhora|homem|mulher) (?:do|no|la do) (?:meu )?trabalho|"
    r"(?:o pessoal|a galera|todo mundo) (?:do|no) (?:meu )?trabalho|"
    r"(?:un|une) (?:gars|type|mec|homme|femme|dame) (?:du|au|de mon) (?:travail|boulot)|"
    r"(?:yon )?(?:nonm|neg|fanm|moun) (?:nan|kote) (?:travay|djob) (?:mwen|m|la)|"
    r"(?:isang|yung|iyong) (?:lalaki|babae|tao) sa (?:trabaho|work)|"
    r"(?:mot )?(?:nguoi|anh|chi|ong|ba) (?:o|cung) (?:cho lam|so lam)|"
    # The writer's employer: its bankruptcy or closing is why they lost work, not theirs.
    r"(?:my|our|his|her) (?:former |old |previous |ex-?)?employer|"
    r"(?:the )?(?:company|plant|factory|mill|store|firm) (?:i|we) "
    r"(?:worked|was working|were working) (?:for|at|in)|"
    r"(?:la )?(?:compania|empresa|fabrica|planta) (?:donde|en la que|para la que) trabajaba|"
    r"mi (?:antiguo |ex )?(?:empleador|patron)|"
    r"(?:l'|la )?(?:usine|entreprise|societe) (?:ou|pour laquelle) (?:je|nous) travaill\w+|"
    r"(?:mon|l') ?ancien employeur|"
    r"a (?:empresa|fabrica) (?:onde|em que|para a qual) (?:eu )?trabalhava|"
    r"(?:meu|o) (?:antigo |ex-)?(?:empregador|patrao)|"
    r"(?:cong ty|xuong|hang) (?:noi |ma )?(?:toi|chong toi|vo toi) (?:dang |da )?(?:lam|lam viec)|"
    r"(?:kompanya|kumpanya|company|pabrika) (?:na |kung saan )?(?:pinapasukan|pinagtatrabahuhan|"
    r"pinagtrabahuhan|pinasukan) (?:ko|namin)|"
    r"(?:konpayi|faktori|izin|biznis|travay) (?:kote|ke) (?:m|mwen) (?:t ap|te|ap) travay|"
    r"(?:some|another|other|a different) (?:mortgage |loan )?(?:companies|company|banks?|"
    r"lenders?|servicers?|borrowers?|homeowners?|people)|on the news|in the news|news story|"
    r"vecin[oa]s?|al lado|companer[oa]s? del? trabajo|(?:un|una|mi|mis) amig[oa]s?|"
    r"otr[oa]s? (?:compania|companias|bancos?|prestamistas|personas)|en las noticias|"
    r"en el noticiero|vizinh[oa]s?|colegas?|(?:um|uma|meu|minha) amig[oa]|"
    r"outr[oa]s? (?:empresas?|bancos?|pessoas)|nas noticias|voisin(?:e|s|es)?|collegues?|"
    r"(?:un|une|mon|ma) amie?|(?:aux|dans les) informations|vwazen|zanmi|kapitbahay|"
    r"kaibigan|katrabaho|hang xom|dong nghiep|"
    # A co-parent or close family friend ("yung kumpare ko", "mi compadre"): their house
    # is not the writer's.
    r"(?:mi|mis|su|el|la|yung|ang|si) (?:compadres?|comadres?|kumpare|kumare|kumpadre|kumadre)|"
    r"(?:compadre|comadre|kumpare|kumare|kumpadre|kumadre) (?:ko|namin|natin|mio|mia))\b"
    # Scripts without spaces between words (or with attached pronouns): no boundaries.
    r"|邻居|鄰居|朋友|同事|隔壁|租客|房客|前屋主|이웃|옆집|친구|동료|세입자|이전 소유자|جيران|صديق"
    # The writer's employer ("我任職的半導體公司上個月宣布破產", "제가 다니던 회사가 파산해서").
    r"|(?:我|我们|我們|我先生|我太太)(?:原来|原來|以前)?(?:任职|任職|工作|上班)的[^，。,.\n]{0,12}?"
    r"(?:公司|工厂|工廠|厂|廠|店)|(?:我的)?雇主"
    r"|(?:제가|내가|남편이|아내가|저희가) (?:다니던|다니는|일하던|일하는) (?:회사|공장|직장)"
    r"|الشركة (?:التي|اللي) (?:كنت )?(?:اعمل|اشتغل|نعمل|نشتغل)"
    r"|المالك السابق|المستأجر".replace(" ", r"\s+")  # a wrapped line breaks the words too
)


# A sibling or cousin is someone else too where the words are their own affairs (a
# brother's bankruptcy), but not for a death or a sale: heirs write "my brother and I".
_OTHER_RELATIVE = re.compile(
    r"\b(?:my|his|her|our) (?:brother|sister|cousin|uncle|aunt|nephew|niece|brother-in-law|"
    r"sister-in-law)s?\b|"
    r"\bmi (?:hermano|hermana|primo|prima|tio|tia|cunado|cunada|sobrino|sobrina)\b|"
    r"\b(?:meu|minha) (?:irmao|irma|primo|prima|tio|tia|cunhado|cunhada)\b|"
    r"\b(?:mon|ma) (?:frere|soeur|cousin|cousine|oncle|tante)\b|\b(?:fre|se|kouzen|kouzin) m\b|"
    r"\b(?:kapatid|pinsan) ko\b|\b(?:anh|chi|em) ho\b"
)
# A news story the writer saw: what it tells of is nobody's own situation here.
_NEWS = re.compile(
    r"\b(?:on|in) the news\b|\bnews (?:story|report|about)\b|\ben (?:las|el) noticias?\b|"
    r"\bnas noticias\b|\baux informations\b|\bbalita (?:tungkol sa|na)\b|"
    r"\b(?:napanood|nabasa|narinig) (?:\S+ ){0,4}balita\b|"
    r"(?:新闻|新聞)(?:里|裡|上|中)(?:说|說|讲|講|报道|報導|提到)|"
    # A newsletter's warning ("our HOA newsletter had a page about scams"), the word
    # alone as the cue. Not "article" (a contract's clause), nor "boletim" (in Brazil
    # the police report a fraud victim files).
    r"\b(?:newsletter|boletin)\b(?= (?:\S+ ){0,6}?(?:had|has|ran|runs|said|says|warned|"
    r"warns|tenia|trajo|decia|advertia|hablaba))"
)


# The writer denying an act of their own: asking, applying, signing, opening,
# authorising ("I never applied", "yo no pedí", "eu nunca pedi", "je n'ai jamais
# demandé", "我没有申请"). In a report of identity theft the act was an impostor's.
_OWN_ACT_DENIAL = re.compile(
    r"\b(?:i|we)(?: have| had)?(?: never| not| did not| didn't| didnt)(?: ever)? (?:apply|applied|"
    r"request|requested|ask for|asked for|sign|signed|open|opened|authorize|authorized|take out|"
    r"took out)\b"
    r"|\b(?:yo )?(?:nunca|no|jamas) (?:pedi|solicite|firme|autorice|abri|saque)\b"
    r"|\b(?:eu )?(?:nunca|nao|jamais) (?:pedi|solicitei|assinei|autorizei|abri)\b"
    r"|\bje n'?ai (?:jamais|pas) (?:demande|signe|autorise|ouvert)\b"
    r"|\bj'ai jamais (?:demande|signe)\b"
    r"|\b(?:mwen|m|nou) pa(?: t)?(?: janm)? (?:mande|siyen|louvri|otorize|aplike)\b"
    r"|\b(?:toi|chung toi) (?:khong|chua)(?: he)? (?:yeu cau|ky|xin|mo|dang ky|nop don)\b"
    r"|\bhindi (?:ko|namin) (?:hiniling|pinirmahan|inaprubahan|binuksan)\b"
    r"|我(?:从来|從來|根本)?(?:并没有|並沒有|没有|沒有|从没|從沒|没|沒)(?:申请|申請|要求|签|簽|开|開|授权|授權)"
    r"|(?:신청|요청|서명|승인)(?:한 적(?:이)? 없|하지 않았|을 안 했|를 안 했)"
    r"|لم (?:أطلب|أوقع|أقدم|أفتح)"
)


# The servicer as the actor of what the writer denies: "you added insurance I never
# requested" is the servicer's doing, an error to resolve, not an impostor's act.
_SERVICER_ACTED = re.compile(
    r"\b(?:you|y'all|you guys|your company|your office|the servicer)(?: have| had|'ve)? "
    r"(?:\w+ )?(?:added|charged|put|placed|bought|took|applied|increased|raised|enrolled|"
    r"signed me up|force[- ]placed)\b"
    r"|\b(?:ustedes|me) (?:agregaron|cobraron|pusieron|compraron|aplicaron|subieron|"
    r"cargaron|inscribieron)\b"
    r"|\b(?:voces|vcs|voce) (?:adicionaram|cobraram|colocaram|compraram|aplicaram)\b"
    r"|\bvous (?:avez|m'avez) (?:ajoute|facture|preleve|mis|achete|applique|inscrit)\b"
    r"|\b(?:nou|yo) (?:ajoute|mete|chaje)\b"
    r"|\b(?:cac anh|cong ty|quy vi) (?:da )?(?:them|tinh|thu|mua)\b"
    r"|你们(?:给我)?(?:加了|收了|扣了|买了|上了)|你們(?:給我)?(?:加了|收了|扣了|買了|上了)"
    r"|(?:귀사|회사)(?:에서|가) (?:추가|청구|부과)"
)


# Someone else's words reported earlier in the sentence: in a report of an impostor,
# "he said the payment bounced because of a system error" ("시스템 오류로 반송됐다면서",
# "对方说她的房贷有一笔逾期罚款没交") is the impostor's pretext, not the writer's claim.
_REPORTED_CLAIM = re.compile(
    r"\b(?:he|she|they|the caller|the man|the woman|the person|the guy|the lady|someone) "
    r"(?:said|says|told (?:me|us|her|him|my \w+)|claimed|claims)\b"
    r"|\b(?:me|le|les|nos) (?:dijo|dijeron) que\b|\b(?:dizia|disse|disseram) que\b"
    r"|\b(?:il|elle|ils) (?:a dit|disait|ont dit|pretendait)\b"
    r"|\b(?:li|yo) (?:te )?di\b|\bsabi (?:nila|niya|daw)\b|\b(?:ho|anh ta|nguoi do) (?:noi|bao)\b"
    r"|对方(?:说|說|讲|講|称|稱)|(?:他|她|他们|他們)(?:说|說|讲|講)"
    r"|(?:이라면서|라면서|다면서|이라고 하|라고 하|다고 하)"
)


def _found(pattern: re.Pattern[str], folded: str) -> str | None:
    """The first words ``pattern`` finds in ``folded``, if any."""
    found = pattern.search(folded)
    return found.group() if found is not None else None


def impostor_claim_cue(folded: str, start: int) -> str | None:
    """Someone else's words reported earlier in the sentence of a match at ``start``
    (or, in Korean, the reporting ending after it), if any."""
    lo = _sentence_start(folded, start)
    found = _REPORTED_CLAIM.search(folded, lo, start)
    if found is None:
        hi = _sentence_end(folded, start, min(len(folded), start + 200))
        after = _REPORTED_CLAIM.search(folded, start, hi.start() if hi else start + 60)
        if after is None or not after.group().startswith(("이라", "라", "다")):
            return None
        found = after
    return found.group()


def impostor_act_cue(folded: str, start: int, end: int) -> str | None:
    """The writer's denial of their own act ("I never applied", "I never requested a
    payoff") that a match at ``[start, end)`` is part of, unless the servicer is the
    actor of its sentence ("you added insurance I never requested")."""
    cue = _own_act_denial_cue(folded, start, end)
    if cue is None:
        return None
    lo = _sentence_start(folded, start)
    return None if _SERVICER_ACTED.search(folded, lo, end) is not None else cue


def _own_act_denial_cue(folded: str, start: int, end: int) -> str | None:
    """The writer's denial of their own act ("I never requested") that a match at
    ``[start, end)`` is part of, if any."""
    lo = max(_sentence_start(folded, start), start - 40)
    for m in _OWN_ACT_DENIAL.finditer(folded, lo, min(len(folded), end + 40)):
        if m.start() < end and m.end() > start:
            return m.group()
    return None


# Words that make a named scam a suspicion: a hedge earlier in its sentence ("I think",
# "parece", "có thể", "是不是", "parang"). A question mark ending the sentence does too.
_HEDGE = re.compile(
    r"\b(?:i think|i believe|i guess|maybe|might be|may be|could be|looks like|seems like|"
    r"sounds like|not sure if|wondering if|whether|is (?:this|it|that) (?:a |an )?|"
    r"creo que|parece|tal vez|quizas|a lo mejor|puede ser|no se si|quiero saber si|si (?:es|fue)|"
    r"acho que|talvez|pode ser|sera que|nao sei se|je pense|je crois|peut-etre|semble|on dirait|"
    r"je ne sais pas si|petet|sanble|mwen panse|mwen kwe|co the|hinh nhu|co phai|chac la|nghi la|"
    r"parang|baka|mukhang|siguro|ربما|يبدو|أظن|هل|"
    # Reported, not lived: "I read that...", "may scam daw", "ابني يقول إنها احتيال".
    r"i read|i heard|heard about|read about|people say|reportedly|daw|raw|nabasa ko|narinig ko|"
    r"يقول|تقول|يقولون|"
    # Feared or checked for, not suffered: "she's afraid one of them is a scam", "I want
    # to double check", "sợ bị lừa", "tengo miedo de que sea una estafa".
    r"afraid|worried|scared|to make sure|double[\s\-]?check|to be safe|tengo miedo|"
    r"me da miedo|temo que|para asegurarme|tenho medo|receio|j'ai peur|je crains|"
    # Matched on folded text, where the hamza is gone ("أخاف" reads "اخاف").
    r"natatakot|takot|خايف|اخاف|اخشى)\b"
    r"|是不是|可能|好像|觉得|覺得|怀疑|懷疑|担心|擔心|说是|說是|像是|会不会|會不會|같습니다|같아요|같은데|아닌지|인지|의심"
    r"|听说|聽說|据说|據說|看到一篇|文章说|文章說"
    r"|(?<!可)怕|걱정|무서|두려"
)
_QUESTION_MARKS = "?？؟"
# The writer did not fall for it: did not click, pay, give their number, or hung up.
# English needs the writer as subject, or nothing before it in its sentence: "you never
# call me back" is the servicer's silence, not the writer's refusal.
_FOILED = re.compile(
    r"(?:\b(?:i|we) |(?:^|[.!?\n]) *)(?:didn't|did not|didnt|never|haven't|have not) "
    r"(?:click|clicked|pay|paid|give|gave|send|sent|respond|reply|call)\b"
    r"|\bhung up\b|\bnot sending anything\b"
    r"|\b(?:hasn't|has not|never) happened to (?:me|us)\b|没有遇到|沒有遇到|没遇到|沒遇到"
    r"|\bno (?:le |lo |les |se lo )?(?:he |hemos )?"
    r"(?:di|dado|hice clic|pulse|pague|pagado|mande|mandado|envie|enviado|conteste|contestado|"
    r"abri|abierto)\b"
    r"|\bcolgue\b"
    r"|\bnao (?:cliquei|paguei|passei|dei|abri|respondi)\b|\bdesliguei\b"
    r"|\bje n'?ai (?:pas|rien) (?:clique|paye|donne|envoye|repondu)\b|\bj'ai raccroche\b"
    r"|\b(?:m|mwen) pa (?:klike|peye|bay|reponn)\b|\b(?:m|mwen) rakwoche\b"
    r"|\b(?:chua|khong) (?:bam|nhan vao|chuyen|dua|tra loi)\b|\bcup may\b"
    r"|\bhindi (?:ko|ako) (?:pinindot|nag-?click|kinlick|nagbayad|binigay|sinagot)\b"
    r"|没有转|沒有轉|没转|沒轉|没有点|沒有點|没点|沒點|没有给|沒有給|挂了|掛了|没有回复|沒有回覆"
    r"|没有付|沒有付|没付过|沒付過"
    r"|클릭하지 않았|누르지 않았|안 눌렀|보내지 않았|송금하지 않았|끊었"
    r"|لم أضغط|لم أدفع|لم أعطه|أغلقت الخط"
    # The same as the folded text spells them (hamza folds away).
    r"|لم اضغط|لم ادفع|لم اعطه|لم ارسل|اغلقت الخط"
)
# The writer's own data or money in someone else's hands: the impostor knew their loan
# number or address, or the writer asks how they got it.
_COMPROMISE = re.compile(
    r"\b(?:i|we) (?:already |then |also )?(?:sent|paid|gave|wired|transferred|zelled) "
    r"(?:him|her|them|the money|money|\$|\d)"
    r"|\b(?:le |les )?(?:mande|pague|transferi|envie) (?:el dinero|\$|\d)"
    r"|\b(?:paguei|transferi|mandei) (?:o dinheiro|r?\$|\d)"
    r"|\bj'ai (?:paye|envoye|vire) (?:\$|\d|l'argent)"
    r"|我转了|我轉了|我已经转|我已經轉|我付了|我汇了|我匯了|송금했|보냈어요|보냈습니다"
    r"|\b(?:knew|knows|had|has) (?:my|our) (?:full |last )?(?:name|loan|address|account|social|"
    r"ssn|last 4|last four|phone|email|balance|information|info|details)\b"
    r"|\bhow did (?:they|he|she) (?:get|have|know)\b"
    r"|\b(?:information|info|data) (?:is |was |has been |may be |might be )?compromised\b"
    r"|\b(?:sabia|sabian|tenia|tenian) (?:mi|mis) (?:numero|nombre|direccion|prestamo|"
    r"informacion|cuenta|datos|seguro social)\b|\balguien tiene mis datos\b"
    r"|\b(?:sabia|sabiam|tinha|tinham) (?:o )?meu (?:nome|numero|endereco|emprestimo|cpf)\b"
    r"|\bvazad[oa]s?\b"
    r"|\b(?:connaissait|connaissaient|avait|avaient) mon (?:nom|numero|adresse|pret)\b"
    r"|\b(?:konnen|te konnen) non (?:mwen|m)\b"
    r"|\bbiet (?:ten toi|(?:ca )?so loan|dia chi|thong tin)\b"
    r"|\balam (?:nila|niya) ang\b"
    r"|知道我的|有我的资料|有我的資料|怎么会有我的|怎麼會有我的|알고 있었|제 정보를|يعرف رقم|يعرفون"
)


# The writer acted on an attempt or lost something to it: clicked, paid, sent, gave,
# signed, logged in, or money or data taken. Without these (and without _FOILED's "I
# didn't click"), a scam only wondered about ("parang scam eh", "baka scam yung isa")
# still took nothing of theirs.
_ACTED_ON = re.compile(
    r"\b(?:i|we) (?:already |then |also |just )?(?:clicked|paid|sent|gave|wired|transferred|"
    r"zelled|signed|logged in|entered|called (?:the|that) number|followed|lost)\b"
    r"|\b(?:they|he|she|someone|somebody) (?:took|stole|took out|withdrew|got) (?:my|our)\b"
    r"|\b(?:pague|mande|envie|transferi|firme|le di|les di|di mi|perdi|me robaron|me quitaron)\b"
    r"|\b(?:paguei|mandei|enviei|transferi|assinei|perdi|me roubaram)\b"
    r"|\bj'ai (?:clique|paye|envoye|vire|donne|signe|perdu)\b|\bon m'a vole\b"
    r"|\b(?:m|mwen) (?:te )?(?:klike|peye|voye|bay|siyen|pedi)\b"
    r"|\b(?:toi|chung toi) (?:da )?(?:bam|chuyen|gui|tra|dua|ky|mat)\b"
    r"|\b(?:nag-?click|nagbayad|nagpadala|binigay|pinirmahan|nawalan) (?:ako|kami|ko)\b"
    r"|我(?:已经|已經)?(?:点了|點了|转了|轉了|付了|汇了|匯了|给了|給了|签了|簽了)|被骗|被騙"
    r"|클릭했|송금했|보냈|줬|서명했|당했"
    r"|دفعت|أرسلت|ارسلت|ضغطت|أعطيت|اعطيت"
)


def acted_on_cue(folded: str) -> str | None:
    """Words saying the writer acted on an attempt or lost something to it, if any."""
    return _found(_ACTED_ON, folded)


# The writer's own home said to be unharmed ("my house here is fine", "kay mwen isit la
# pa gen okenn pwoblèm", "mi casa está bien").
_HOME_FINE = re.compile(
    r"\bmy (?:own )?(?:house|home)(?: here)? (?:\S+ ){0,2}?(?:is|was) (?:fine|ok|okay|not damaged|"
    r"undamaged|untouched)\b|\bmy (?:house|home)(?: here)? (?:had|has) no damage\b"
    r"|\bmi casa(?: aqui)? (?:\S+ ){0,2}?(?:esta|quedo) bien\b"
    r"|\bmi casa(?: aqui)? no (?:sufrio|tuvo|tiene) (?:ningun |nada de )?dano"
    r"|\bminha casa(?: aqui)? (?:\S+ ){0,2}?(?:esta|ficou) (?:bem|intacta)\b"
    r"|\bma maison(?: ici)? (?:va bien|n'a rien|n'a pas ete touchee)"
    r"|\bkay (?:pa )?(?:m|mwen)(?: isit la)? (?:\S+ ){0,4}?(?:pa gen (?:okenn )?pwoblem|anfom|"
    r"pa domaje)"
    r"|\bnha (?:cua )?toi(?: o day)? (?:khong sao|van on|khong bi (?:gi|hu))"
    r"|\bbahay ko(?: dito)? (?:ay )?(?:ok|okay|maayos|walang sira)\b"
    r"|我(?:的|家的?)?房子(?:没事|沒事|没有受损|沒有受損|没有问题|沒有問題)"
    r"|제 집은 (?:괜찮|피해가 없)"
)
# The writer's family, where a disaster is told of them.
_FAMILY = re.compile(
    r"\bmy (?:mother|father|mom|mum|dad|parents|family|brother|sister|grandmother|grandfather|"
    r"relatives|aunt|uncle|cousin|in-laws|son|daughter|grandson|granddaughter|nephew|niece)\b"
    r"|\bmi (?:mama|madre|papa|padre|familia|hermano|hermana|abuela|abuelo|tia|tio|primo|prima|"
    r"hijo|hija|nieto|nieta|sobrino|sobrina)\b"
    r"|\b(?:minha|meu) (?:mae|pai|familia|irmao|irma|avo|tia|tio|filho|filha|neto|neta)\b"
    r"|\b(?:ma|mon) (?:mere|pere|famille|frere|soeur|grand-mere|tante|oncle|fils|fille)\b"
    r"|\b(?:manman|papa|fanmi|fre|se|grann|matant|tonton|pitit|pitit gason|pitit fi) (?:m|mwen)\b"
    r"|\b(?:me|bo|gia dinh|anh|chi|em|con trai|con gai) (?:cua )?toi\b"
    r"|\b(?:nanay|tatay|pamilya|kapatid|anak) ko\b"
    r"|我(?:的)?(?:妈妈|媽媽|爸爸|父母|家人|兄弟|姐妹|儿子|兒子|女儿|女兒)"
    r"|(?:어머니|아버지|부모님|가족|아들|딸)"
    r"|ابني|ابنتي|أمي|امي|أبي|ابي|عائلتي"
)


# The loan a story is about said to be with another lender, not the servicer ("su
# préstamo es con otro banco, not you guys", "her loan is with a different bank").
_OTHER_LENDER = re.compile(
    r"\b(?:with|at|through) (?:an?other|a different|some other) (?:lender|bank|servicer|company|"
    r"mortgage company)\b|\bnot (?:with )?(?:you|you guys|your company|this company)\b"
    r"|\b(?:con|en) (?:otro|otra) (?:banco|compania|prestamista|financiera|empresa)\b"
    r"|\bno (?:es|esta) con ustedes\b"
    r"|\b(?:com|no|na) (?:outro|outra) (?:banco|empresa|financeira|companhia)\b"
    r"|\bnao (?:e|esta) com voces\b"
    r"|\b(?:avec|chez|aupres d.) ?(?:une autre|un autre) (?:banque|preteur|societe|compagnie)\b"
    r"|\bpas chez vous\b"
    r"|\b(?:o|voi|tai) (?:ngan hang|cong ty) khac\b|\bkhong phai (?:o|voi|cua) (?:quy )?cong ty\b"
    r"|\b(?:ak|nan|lakay) yon lot (?:bank|konpayi)\b"
    r"|\bsa ibang (?:bangko|bank|kompanya|company|lender)\b|\bhindi sa inyo\b"
    r"|(?:别的|別的|其他|另一家)(?:银行|銀行|公司|贷款公司|貸款公司)|不是(?:在)?(?:你们|你們|贵公司|貴公司)"
    r"|다른 (?:은행|회사|대출\s?회사)|귀사(?:가|와는?) 아닌"
    r"|(?:بنك آخر|شركة أخرى|ليس معكم|ليس لديكم)"
)


def other_lender_cue(folded: str) -> str | None:
    """Words saying the loan told of is with another lender, if any."""
    return _found(_OTHER_LENDER, folded)


def home_fine_cue(folded: str) -> str | None:
    """Words saying the writer's own home is unharmed, if any."""
    return _found(_HOME_FINE, folded)


def family_in_sentence(folded: str, start: int, end: int, before: bool = False) -> str | None:
    """The writer's family named in the sentence of ``[start, end)`` (with ``before``,
    earlier in it, as the one the words are about: "my son is in the army"), if any."""
    lo, hi = sentence_span(folded, start, end)
    found = _FAMILY.search(folded, lo, start if before else hi)
    return found.group() if found is not None else None


def suspicion_cue(folded: str, start: int, end: int) -> str | None:
    """What makes a scam named at ``[start, end)`` a suspicion: a hedge earlier in its
    sentence, or a question mark ending it (or ending the next words), if any."""
    lo = _sentence_start(folded, start)
    found = _HEDGE.search(folded, lo, start)
    if found is not None:
        return found.group()
    m = _sentence_end(folded, end, min(len(folded), end + 200))
    if m is not None and m.group() in _QUESTION_MARKS:
        return m.group()
    return None


def foiled_cue(folded: str) -> str | None:
    """Words saying the writer did not fall for an attempt ("I didn't click it")."""
    return _found(_FOILED, folded)


def compromise_cue(folded: str) -> str | None:
    """Words saying the writer's data is in someone else's hands, if any."""
    return _found(_COMPROMISE, folded)


# Seeing, hearing or reading something in the media: the outlet named is where a story
# or an advertisement was, not where the writer threatens to take their grievance.
_MEDIA_SEEN = re.compile(
    r"\b(?:saw|seen|watched|watching|heard|hearing|read|listening to|listened to|came across|"
    r"an ad|ads|advert|advertisement|commercial|"
    r"vi (?:en|el|la|las|los|un|una)|vimos|viendo|escuche|escuchamos|escuchando|"
    r"lei (?:en|el|la|un|una)|pasaron|anuncio|"
    r"assisti|ouvi|ouvindo|assistindo|propaganda|"
    r"li (?:no|na|num|numa|em)|lemos|vi (?:no|na|num|numa)|"
    r"vu|entendu|ecoutais|regardais|une pub|publicite|"
    r"(?:j'ai|ai|avons|a) lu(?! (?:votre|vos|ta|ton|tes|le courriel|la lettre|le message))|"
    r"(?:m|mwen) (?:te )?we|tande|koute|gade|piblisite|"
    r"xem|nghe|doc duoc|thay tren|quang cao|"
    r"nakita|napanood|narinig|nabasa|patalastas|ad sa)\b"
    r"|看到|看了|听到|聽到|读到|讀到|广告|廣告|봤|보았|들었|읽었|광고|شاهدت|رأيت|سمعت|قرأت|إعلان"
)


# A word of seeing or hearing this close before the outlet's name is about it.
_MEDIA_REACH = 40
# "If I don't hear back" is the servicer's answer awaited, not a story heard.
_HEARD_FROM_US = re.compile(
    r"\W*(?:anything |nothing |anyen |nada |back|from|de ustedes|de voces|de vous|mula sa)"
)
_NOT_HEARD = re.compile(r"(?:\bdon'?t|\bnot|\bno|\bpa|\bnao|\bne|\bkhong|\bhindi)\W*$")
# Others talking about it on the air ("yo t ap pale de CFPB", "they were talking about").
_MEDIA_TALK = re.compile(
    r"\b(?:(?:they|he|she) (?:were|was) talking about|hablaron de|hablaban de|yo t ap pale de|"
    r"falaram (?:de|sobre)|falavam (?:de|sobre)|ils parlaient de|nagsalita tungkol sa)\b"
)
# A story the outlet ran, told after its name ("en Univision pasaron un reportaje").
_MEDIA_AIRED = re.compile(
    r"\b(?:aired|ran a (?:story|piece)|did a (?:story|piece)|story about|report(?:ed)? on|"
    r"pasaron|hablaron de|reportaje|passou|falaram|a diffuse|yo t ap pale|"
    r"talking about|was about|"
    # People talking there: a rumour read, no story the writer will tell.
    r"(?:\S+ )?(?:comentando|comentavam|comentaban|commenting|were saying|estavam dizendo|"
    r"estaban diciendo))\b"
)
# Chinese and Korean say where before what was seen: "在微信群里看到", "뉴스에서 봤".
_MEDIA_SEEN_AFTER = re.compile(
    r"(?:里|裡|上|中)?(?:看到|看了|读到|讀到|听到|聽到)|\s?에서\s?(?:봤|보았|읽었|들었)"
    # What the news says ("新聞上說很多詐騙會寄這種信"): a story heard, no threat made.
    r"|(?:里|裡|上|中)(?:说|說|讲|講|报道|報導|提到)"
)


def media_seen_cue(folded: str, start: int, end: int | None = None) -> str | None:
    """Words in the sentence of a match at ``start`` saying the writer saw, heard or read
    something in the media named ("I saw an ad on Facebook", "en Univision pasaron un
    reportaje"), close before or just after it, if any. "If I don't hear back" is no
    such word."""
    lo = max(_sentence_start(folded, start), start - _MEDIA_REACH)
    talk = _MEDIA_TALK.search(folded, lo, start)
    if talk is not None:
        return talk.group()
    for found in _MEDIA_SEEN.finditer(folded, lo, start):
        if _HEARD_FROM_US.match(folded, found.end()) or _NOT_HEARD.search(
            folded, max(lo, found.start() - 12), found.start()
        ):
            continue
        if _ACTED.search(folded, found.end(), start):
            continue  # "I read your letter and filed a CFPB complaint": the writer acted
        return found.group()
    if end is not None:
        seen = _MEDIA_SEEN_AFTER.match(folded, end)
        if seen is not None:
            return seen.group()
        aired = _MEDIA_AIRED.search(folded, end, min(len(folded), end + 40))
        if aired is not None and not _sentence_end(folded, end, aired.start()):
            return aired.group()
    return None


# The writer acting on what they saw: filing, complaining, reporting, contacting.
_ACTED = re.compile(
    r"\b(?:filed?|filing|complain(?:ed|ing)?|report(?:ed|ing)?|contact(?:ed|ing)?|called|"
    r"wrote|written|submitted|sent|presente|presentamos|puse|denuncie|reclame|llame|"
    r"escribi|registrei|reclamei|fiz|denunciei|liguei|escrevi|depose|porte plainte|"
    r"j'ai (?:ecrit|appele|signale)|nagreklamo|nag-?file|tumawag|sumulat|mwen (?:depoze|rele|ekri)|"
    r"(?:da )?(?:nop|gui) don|(?:da )?khieu nai|(?:da )?goi)\b"
    r"|投诉|投訴|举报|舉報|检举|檢舉|申诉|申訴|신고|민원|제기|진정|شكوى|اشتكيت|قدمت"
)


# The writer's own intent, said after naming someone else: the matter is theirs again.
_OWN_INTENT = re.compile(
    r"\b(?:i will|i'll|i am going to|i'm going to|im going to|i plan to|we will|we'll|"
    r"we are going to|voy a|vamos a|vou|vamos|je vais|nous allons|m ap|mwen ap|toi se|"
    r"chung toi se)\b"
)


# A sentence that goes on about someone just named by a pronoun ("她叫我也去投訴", "she
# told me to file one too"): the one named in the sentence before.
_THIRD_PERSON = re.compile(
    r"^\W*(?:she|he|they|ella|el|ellos|ellas|ela|ele|eles|elas|elle|il|elles|ils|siya|sila|"
    r"li|yo|co ay|anh ay|ong ay|ba ay|ho)\b"
    r"|^\W*(?:她|他|她们|他们|她們|他們|그녀|그는|그가|그분|هي|هو|هم)"
)


def other_party_cue(folded: str, start: int, relatives: bool = False) -> str | None:
    """Words naming someone else (or, with ``relatives``, a sibling or cousin) earlier
    in the sentence of a match at ``start``, if any; or in the sentence before, where
    the match's own sentence opens with a pronoun for them ("我有個朋友... 她叫我也去投訴")."""
    lo = _sentence_start(folded, start)
    found = _OTHER_PARTY.search(folded, lo, start)
    if found is None and relatives:
        found = _OTHER_RELATIVE.search(folded, lo, start)
    if found is None and lo > 0 and _THIRD_PERSON.search(folded[lo:start]) is not None:
        before = _sentence_start(folded, lo - 1)
        found = _OTHER_PARTY.search(folded, before, lo)
        if found is None and relatives:
            found = _OTHER_RELATIVE.search(folded, before, lo)
    if found is None:
        return None
    close = _sentence_end(folded, start, min(len(folded), start + 200))
    if _OWN_INTENT.search(folded, found.end(), close.start() if close else start) is not None:
        # "My friend told me to go to the CFPB, and I will": the writer's own intent.
        return None
    return found.group()


# A matter over before this loan or house was the writer's ("my Chapter 7 ended in 2014,
# long before I took this loan", "antes de comprar esta casa"), closed by a discharge or
# a dismissal years ago, or only considered and no longer needed: it is not this loan's
# live matter.
_BEFORE_THIS_LOAN = re.compile(
    r"\b(?:long )?before (?:i|we) (?:bought|got|took out|took|closed on|had|purchased) "
    r"(?:this|the|our|my) (?:house|home|loan|mortgage|property)\b"
    r"|\bantes de (?:comprar|sacar|tener|obtener) (?:esta|este|la|el|mi|nuestra) "
    r"(?:casa|prestamo|hipoteca|propiedad)\b"
    r"|\bantes de (?:comprar|pegar|ter|fazer) (?:esta|este|a|o|minha|meu) "
    r"(?:casa|emprestimo|hipoteca|imovel|financiamento)\b"
    r"|\bavant (?:d'acheter|d'avoir|de prendre) (?:cette|la|ma|notre|ce|le) "
    r"(?:maison|pret|hypotheque|propriete)\b"
    r"|\bbago (?:ko|namin) (?:kinuha|binili|nakuha) ang (?:loan|bahay|utang)\b"
    r"|\btruoc khi (?:mua|vay) (?:nha|khoan vay|can nha)\b"
    r"|买这个房子之前|買這個房子之前|买房之前|買房之前|这笔贷款之前|這筆貸款之前"
    # Closed by a discharge in a year named ("it was discharged in October 2019"): the
    # stay ended with it, and a filing said to be recent still counts (see _RECENT).
    r"|\b(?:was|were|got|been) discharged (?:back )?in (?:[a-z]+ )?(?:19|20)\d\d\b"
    # A filing in a year named, then its discharge ("a chapter 7 back in 2019 and it was
    # discharged, that's long done").
    r"|\bback in (?:19|20)\d\d\b[^.!?\n]{0,40}(?:\b(?:was|were|got|been) |\()discharged\b"
    # The same in the other languages: a discharge, or the case closed, in a year named
    # ("2020년에 면책이 끝났", "2019年已经免责", "descargada en 2018", "encerrada em 2019").
    r"|(?:19|20)\d\d\s?년에?\s?(?:파산\s?)?(?:면책|종결)"
    r"|(?:19|20)\d\d\s?年(?:就|已经|已經|已)*(?:免责|免責|结案|結案|解除债务|解除債務)"
    r"|\b(?:descargad[oa]s?|exonerad[oa]s?|cerrad[oa]|terminad[oa]|liberad[oa]s?) "
    r"(?:\S+ ){0,3}?en (?:[a-z]+ (?:de )?)?(?:19|20)\d\d\b"
    r"|\b(?:quitad[oa]|encerrad[oa]|extint[oa]|liberad[oa]s?|perdoad[oa]s?) "
    r"(?:\S+ ){0,3}?em (?:[a-z]+ (?:de )?)?(?:19|20)\d\d\b"
    r"|\b(?:cloturee?|liberee?s?|effacee?s?|terminee?) (?:\S+ ){0,3}?en (?:[a-z]+ )?(?:19|20)\d\d\b"
)


# A disaster the writer says was repaired, or got over, long ago ("naayos na yung bahay
# matagal na", "the roof was rebuilt years ago"): no hardship now.
_LONG_REPAIRED = re.compile(
    r"\b(?:repaired|rebuilt|fixed|restored|recovered) (?:\S+ ){0,3}?(?:years|long) ago\b"
    r"|\blong since (?:been )?(?:repaired|rebuilt|fixed|restored)\b"
    r"|\b(?:reparad[oa]s?|reconstruid[oa]s?|arreglad[oa]s?) (?:\S+ ){0,3}?hace (?:anos|mucho)\b"
    r"|\b(?:reformad[oa]s?|consertad[oa]s?|reconstruid[oa]s?) (?:\S+ ){0,3}?"
    r"ha (?:anos|muito tempo)\b"
    r"|\b(?:reparee?s?|reconstruite?s?) depuis (?:longtemps|des annees)\b"
    r"|\bnaayos na (?:\S+ ){0,4}?matagal na\b|\bmatagal nang naayos\b"
    r"|\b(?:da )?sua (?:xong )?tu lau\b|\brepare depi lontan\b"
    r"|早就修好|早已修好|早就修复|早就修復|早已修复|早已修復|오래전에\s?(?:수리|복구)"
)


def long_repaired_cue(folded: str, start: int, end: int) -> str | None:
    """Words in the sentence of ``[start, end)`` or the next one saying the damage was
    repaired long ago, if any ("Nung Hurricane Harvey pa (2017)... naayos na yung bahay
    matagal na")."""
    lo = _sentence_start(folded, start)
    hi = min(len(folded), end + 300)
    first = _sentence_end(folded, end, hi)
    if first is not None:
        if _RECENT.search(folded, lo, first.end()):
            return None  # "the storm last week": live, whatever came before
        second = _sentence_end(folded, first.end(), hi)
        hi = second.start() if second is not None else hi
    found = _LONG_REPAIRED.search(folded, lo, hi)
    return found.group() if found is not None else None


# A filing said to be recent or current is live, whatever else the message says.
_RECENT = re.compile(
    r"\b(?:last (?:week|month)|this (?:week|month|year)|yesterday|today|just filed|recently|"
    r"currently|right now|we are in|i am in|i'm in|la semana pasada|el mes pasado|ayer|hoy|"
    r"acabamos de|estamos en|semana passada|mes passado|ontem|hoje|estamos em|"
    r"la semaine derniere|le mois dernier|hier|aujourd'hui|nous sommes en|"
    r"tuan truoc|thang truoc|hom qua|hom nay|dang)\b"
    r"|上周|上週|上个月|上個月|昨天|今天|刚刚|剛剛|正在|지난주|지난달|어제|오늘"
    r"|الأسبوع الماضي|الشهر الماضي"
)
# A case said to have ended, closed or been dismissed in a year named or years ago, or a
# bankruptcy no longer needed: read where the cues above are, but never when either
# sentence tells of a case still open or begun again ("the first one was dismissed in
# 2022 and we are now in a new chapter 13 case").
_OVER_IN_SENTENCE = re.compile(
    # A case said to have ended, closed or been dismissed in a year named, or years ago,
    # with or without "was" ("(discharged in 2019, we kept the house)", "se cerró en
    # marzo de 2024", "eso ya se terminó en 2017", "terminou em 2018"): the stay ended
    # with it, whatever the portal still shows.
    r"\b(?:discharged|dismissed|(?:case|it|bankruptcy|filing) (?:was |got |has been )?"
    r"(?:closed|ended|terminated)) (?:back )?"
    r"(?:in (?:[a-z]+ )?(?:19|20)\d\d|(?:january|february|march|april|may|june|july|august"
    r"|september|october|november|december) (?:19|20)\d\d|(?:\S+ )?years ago)\b"
    # "(discharged October 2014, long over)", "the bankruptcy is long done".
    r"|\b(?:discharged|dismissed|closed)\b[^.!?\n]{0,30}\blong (?:over|done|closed|finished)\b"
    # "2011 年 filed 過 Chapter 7，2012 年初就 discharged 了": the year, then the discharge.
    r"|\b(?:19|20)\d\d\b(?:\W+(?:年初就|年初|年底|年中|年|就|and|was|were|got|it|then|"
    r"finally|been)){0,2}?\W+(?:discharged|dismissed)\b(?!\W+yet\b)"
    # "li fini depi lontan", "terminó hace años", "acabou há muito tempo": over long ago.
    r"|\b(?:fini|te fini) depi lontan\b"
    r"|\b(?:termino|se acabo|se cerro) hace (?:muchos )?(?:anos|mucho tiempo)\b"
    r"|\b(?:terminou|acabou) ha (?:muitos )?(?:anos|muito tempo)\b"
    r"|\b(?:terminee?|finie?) depuis (?:longtemps|des annees)\b"
    r"|انته(?:ى|ت|ي)\s(?:\S+\s)?(?:من زمان|منذ زمن|منذ سنوات|من سنين)"
    r"|\b(?:bankruptcy|chapter \d+|case|filing)(?: was| is|'s)? long "
    r"(?:over|done|closed|finished)\b"
    r"|\bse (?:cerro|termino|acabo|desestimo|descargo) (?:\S+ ){0,2}?en (?:[a-z]+ (?:de )?)?"
    r"(?:19|20)\d\d\b"
    r"|\b(?:terminou|acabou|encerrou|se encerrou) (?:\S+ ){0,2}?em (?:[a-z]+ (?:de )?)?"
    r"(?:19|20)\d\d\b"
    r"|\b(?:s'est (?:terminee?|close)|a ete classee?) (?:\S+ ){0,2}?en (?:[a-z]+ )?(?:19|20)\d\d\b"
    # A bankruptcy the writer says is no longer needed ("now we no longer need to file",
    # "ya no tenemos que declararnos en bancarrota", "也不用破產了"): considered, never
    # filed, and every mention of it in that sentence or the one before is of that.
    r"|\bno longer (?:need|have) to (?:file|declare)\b"
    # Considered and not filed ("met with a bankruptcy attorney but decided not to file").
    r"|\b(?:(?:i|we|he|she|they) (?:\S+ )?|but )(?:decided|chose) not to "
    r"(?:file|declare|go through with it)\b(?! (?:a|an|the|any|for a|our|my)? ?"
    r"(?:reaffirmation|motion|claim|proof|objection|tax|return|answer|appeal))"
    r"|\bdecid(?:i|imos) no (?:declararme|declararnos)\b"
    r"|\b(?:don't|do not|dont|didn't|did not|didnt) (?:need|have) to (?:file|declare) "
    r"(?:\S+ ){0,2}?(?:anymore|any more|after all)\b"
    r"|\bya no (?:tengo|tenemos|necesito|necesitamos) (?:que |de )?(?:declararme|declararnos|"
    r"declarar|meterme|meternos|presentar)\b"
    r"|\bnao (?:preciso|precisamos|vou|vamos) mais (?:de )?(?:declarar|pedir|entrar)\b"
    r"|\bplus besoin de (?:declarer|deposer|faire|demander)\b"
    r"|\bkhong (?:can|phai|con phai|con can) (?:khai|nop don|xin) pha san nua\b"
    r"|\bhindi na (?:\S+ )?(?:kailangan|kailangang) (?:\S+ )?(?:mag-?file|magdeklara)\b"
    r"|\bpa bezwen (?:fe|depoze|mande) (?:\S+ )?fayit\b"
    r"|(?:也|就|已经|已經)?(?:不用|不必|不需要|没必要|沒必要)(?:再)?(?:申请|申請)?破[产產]了"
    r"|파산(?:을|은)?\s?(?:안 해도|하지 않아도|할 필요가 없)"
    r"|لم (?:نعد|اعد) (?:بحاجة|نحتاج|احتاج) (?:الى|ل)(?:اعلان )?(?:ال)?افلاس"
)
# A case told as still open or begun again: the one the match is about is live.
_STILL_OPEN = re.compile(
    r"\b(?:still (?:open|active|pending|in)|(?:an|our|my) open (?:chapter|case|bankruptcy)|"
    r"now in|new (?:chapter|case|filing)|again|re-?filed|re-?file|"
    r"sigue (?:abierto|activo)|todavia (?:esta|estamos)|otra vez|de nuevo|nuevo caso|"
    r"ainda (?:esta|estamos)|de novo|novamente|toujours en cours|a nouveau|encore)\b"
)
# A sentence about another, older filing: its "before this loan" is not about this one.
_ANOTHER_FILING = re.compile(
    r"\b(?:old|older|another|previous|prior|earlier|first|other|separate|otra|otro|anterior|outra|"
    r"outro|autre|ancienne|ancien|precedente|iba|nakaraan|khac|cu)\b"
    r"|另一|以前的|之前的|上一次|다른|이전|예전|السابق|آخر|أخرى"
)


def before_this_loan_cue(folded: str, start: int, end: int) -> str | None:
    """Words in the sentence of ``[start, end)`` (or the next one) saying the matter was
    over before this loan or house, or closed in a year named, or no longer needed
    (unless a case is told as still open there), if any."""
    lo = _sentence_start(folded, start)
    first = _sentence_end(folded, end, min(len(folded), end + 300))
    hi = min(len(folded), end + 300)
    if first is not None:
        own_end = first.end()
        if _RECENT.search(folded, lo, own_end):
            return None  # "we filed Chapter 13 last week": live, whatever came before
        second = _sentence_end(folded, own_end, hi)
        hi = second.start() if second is not None else hi
        if _ANOTHER_FILING.search(folded, own_end, hi):
            hi = own_end  # "our old Chapter 7 ended before...": that one, not this one
    found = _BEFORE_THIS_LOAN.search(folded, lo, hi)
    if found is not None:
        return found.group()
    if _STILL_OPEN.search(folded, lo, hi):
        return None
    found = _OVER_IN_SENTENCE.search(folded, lo, hi)
    return found.group() if found is not None else None


def news_cue(folded: str, start: int) -> str | None:
    """A news story named earlier in the sentence of a match at ``start``, if any."""
    found = _NEWS.search(folded, _sentence_start(folded, start), start)
    return found.group() if found is not None else None


# The writer saying a threat was a joke ("vou processar vocês, brincadeira 😂", "소송 걸
# 거예요 ㅋㅋㅋ 농담입니다"): the label, not laughter alone, since an angry writer laughs
# too. "This is no joke" says the opposite, so a negation just before it (or, in
# Korean, after it) leaves the threat standing.
_JOKE = re.compile(
    r"\b(?:just kidding|just joking|(?:i'm|im|i am) (?:only |just )?(?:kidding|joking)|jk|j/k|"
    r"kidding aside|joking aside|"
    r"(?:es|era) (?:una |solo una |pura )?broma|(?:estoy )?bromeando|de broma|"
    r"brincadeira|(?:to|tou|estou) brincando|zoeira|"
    r"je plaisante|je rigole|c'est une blague|(?:pour|en) rire|"
    r"(?:m|mwen) (?:ap|t ap) (?:jwe|fe blag)|se (?:yon )?blag|"
    r"(?:noi|chi) dua(?: thoi)?|dua thoi|"
    r"biro lang|joke lang|joke only|charot|char lang)\b"
    r"|开玩笑|開玩笑|说笑|說笑|講笑|농담|장난(?:이에요|입니다|이고|이요)|أمزح|امزح|بمزح|مزاح"
)
_NOT_JOKE_BEFORE = re.compile(
    r"(?:\bno|\bnot|n't|\bnao|\bpas|\bni|\bhindi|\bkhong|\bpa|不是|不|아니|ليس|مش)\W*(?:\S+\W+)?$"
)
_NOT_JOKE_AFTER = re.compile(r"\s?(?:이|가)?\s?아니")


# The writer's fear that something may go wrong ("I'm afraid they will charge me twice",
# "em sợ bị trừ hai lần", "怕會扣兩次"): what is feared has not been said to happen. A
# fear word shortly before the error word in its sentence, with no "because" between
# ("I'm worried because you charged me twice" says what was done). Korean says the fear
# after the verb ("두 번 빠져나갈까 봐").
_FEAR = re.compile(
    r"\b(?:(?:i'?m|i am|we'?re|we are) (?:so |really |a little |a bit )?(?:afraid|worried|scared)"
    r" (?:that )?(?:they|you|it|he|she|someone|somebody|the (?:\w+ ){0,2}?\w+)"
    r" (?:will|would|might|may|could)"
    r"|(?:afraid|worried|scared) (?:of|about) (?:being|getting)"
    # Not "temo que", "me preocupa que", "je crains que", "receio que": polite ways of
    # saying something happened ("temo que hubo un error: me cobraron dos veces").
    r"|(?:tengo|me da) miedo (?:de )?que|no (?:vaya|vayan) a ser que"
    r"|(?:tenho|estou com|fico com) (?:medo|receio) (?:de |que )"
    r"|j'ai peur (?:que|de|d')|de (?:peur|crainte) (?:que|de)"
    r"|(?:m|mwen|nou) (?:gen )?pe (?:pou|ke|yo|nou|sa)"
    # "sợ" only: "lo" is also "to see to" ("tôi lo hồ sơ vay").
    r"|(?:toi|em|anh|chi|minh|chung toi|con) (?:rat |hoi |cung |lai )?so (?:la |rang )?"
    r"(?:bi|se|ho|gui|no|ben|cong ty)"
    r"|natatakot (?:ako|kami) (?:na|baka)"
    r"|(?:اخشى|اخاف|خائف|خايف) (?:ان|من))\b"
    # Not 驚: 吃驚, 震驚 are surprise at what was done.
    r"|(?:我|我们|我們)?(?:好|很|有点|有點)?(?:怕|担心|擔心|害怕)(?:会|會|被|又|再)"
)
_FEAR_AFTER = re.compile(r"^\S{0,4}\s?(?:까\s?(?:봐|걱정|두려|무서))")
# What ends a fear's reach: its reason given ("worried because you charged me twice"), or
# a new clause ("I'm afraid you might not believe me, but you charged me twice").
_BECAUSE = re.compile(
    r"\b(?:because|since|but|porque|pois|pero|mas|parce que|mais|paske|men|vi|kasi|pero|"
    r"nhung|لان|لكن)\b|因为|因為|由于|由於|但是|可是|[,;:，；：]"
)
_FEAR_REACH = 60


def feared_cue(folded: str, start: int, end: int) -> str | None:
    """A fear word governing ``[start, end)``: shortly before it in its sentence (no
    "because" between), or in Korean just after it, if any."""
    lo = max(_sentence_start(folded, start, _FEAR_REACH), start - _FEAR_REACH)
    found = None
    for m in _FEAR.finditer(folded, lo, start):
        found = m
    if found is not None and _BECAUSE.search(folded, found.end(), start) is None:
        return found.group()
    after = _FEAR_AFTER.search(folded[end : end + 12])
    return after.group().strip() if after is not None else None


# A sentence or list item that opens as an indirect question of what can be done ("I'd
# like to know: - how I can have PMI removed", "- cuál es el proceso para que me quiten
# del préstamo", "2. ... kijan nou pral renmèt mwen l"): the error word in it is asked
# about. Only the forms that ask how to go about something: "why" or a bare "how come"
# ("怎么扣了两次", "how could you charge me twice") still says it was done, and so do a
# polite demand ("if we could get the duplicate fee you charged removed") and "how many
# times" ("konbyen fwa pou m di nou, nou chaje m de fwa").
_ASKED_OPENER = re.compile(
    r"(?:[-*•·]|\d{1,2}[.)])?\s*(?:"
    r"how (?:do|can|could|would|should) (?:i|we)\b|how to\b|whether (?:i|we)\b"
    r"|(?:what|which) is the process\b|the process (?:to|for)\b"
    r"|(?:cual es )?el proceso (?:para|de)\b|como (?:puedo|podemos|hago|hacemos)\b"
    r"|si (?:puedo|podemos)\b"
    r"|(?:qual e )?o processo (?:para|de)\b|como (?:posso|podemos|faco|fazemos)\b"
    r"|se (?:eu )?(?:posso|podemos)\b"
    r"|comment (?:puis-je|pouvons-nous|je peux|nous pouvons|faire)\b"
    r"|si (?:je|nous) (?:peux|pouvons)\b"
    r"|quelle est la (?:procedure|demarche)\b"
    r"|(?:kijan|ki jan) (?:m|mwen|nou) (?:ka|pral|dwe)\b|si (?:m|mwen|nou) ka\b"
    # "How much is there" ("konbyen ki gen nan kont escrow la"), not "how many times".
    r"|konbyen (?:ki gen|lajan|kob)\b"
    r"|(?:lam sao|lam the nao) de\b|thu tuc de\b"
    r"|(?:kung )?paano (?:ko|namin|po)\b"
    r"|كيف (?:يمكنني|يمكننا|استطيع|نستطيع)|ما هي (?:الاجراءات|الخطوات)"
    r"|(?:我|我们|我們)?(?:如何|怎样|怎樣|怎么|怎麼)(?:才)?(?:可以|能)|是否(?:可以|能)"
    r"|어떻게 (?:하면|해야))"
)


def asked_cue(folded: str, start: int) -> str | None:
    """The indirect-question words opening the sentence or list item that holds
    ``start``, if any."""
    lo = _sentence_start(folded, start, 300)
    # An Arabic question mark ends a sentence too ("كيف ...؟ هذا خطأ واضح").
    lo = max(lo, folded.rfind("؟", lo, start) + 1)
    while lo < start and folded[lo] in " \t":
        lo += 1
    m = _ASKED_OPENER.match(folded, lo)
    return m.group().strip(" \t-*•·.)0123456789") if m is not None and m.end() <= start else None


def joke_cue(folded: str, start: int, end: int) -> str | None:
    """The writer's own word that a threat at ``[start, end)`` was a joke, in its
    sentence or the next one, if any ("brincadeira", "농담입니다", "just kidding")."""
    lo = _sentence_start(folded, start)
    limit = min(len(folded), end + 200)
    first = _sentence_end(folded, end, limit)
    hi = limit
    if first is not None:
        second = _sentence_end(folded, first.end(), limit)
        hi = second.start() if second is not None else limit
    for found in _JOKE.finditer(folded, lo, hi):
        if _NOT_JOKE_BEFORE.search(folded, max(lo, found.start() - 16), found.start()):
            continue
        if _NOT_JOKE_AFTER.match(folded, found.end()):
            continue
        return found.group()
    return None


# Plain-text mail is often wrapped at a fixed width: a line break after a long line
# that ends no sentence, before a line that goes on with a word, is inside a sentence
# ("my mother died in 2024 and you confirmed me as successor\n(that was all resolved)").
_WRAP_WIDTH = 60
_SENTENCE_ENDS_LINE = ".!?:;。！？؟"
# A dash that goes on the sentence ("last spring\n-- that was all straightened out"): two
# hyphens or a long dash with words after it, not a list item's "- " nor the "-- "
# delimiter alone on its line that opens a signature.
_DASH_ON = re.compile(r"(?:--|—|–) ?[^\W_]")


def soft_break(folded: str, i: int) -> bool:
    """True if the line break at ``i`` only wraps a long line."""
    line = folded[folded.rfind("\n", 0, i) + 1 : i].rstrip()
    if not wrapped_width(line) or line[-1] in _SENTENCE_ENDS_LINE:
        return False
    nxt = folded[i + 1 : i + 2]
    return nxt.isalpha() or nxt in "(\"'" or _DASH_ON.match(folded, i + 1) is not None


def wrapped_width(line: str) -> bool:
    """Whether ``line`` is as wide on screen as mail clients wrap at, so a break after it
    may be the client's, not the writer's. Chinese, Japanese and Korean characters take
    two columns each: a client wraps them after half as many. (The one measure of a
    wrapped line: sentence reading here and the rules' joined view both use it.)"""
    if len(line) >= _WRAP_WIDTH or line.isascii():
        return len(line) >= _WRAP_WIDTH
    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in line) >= _WRAP_WIDTH


def _sentence_start(folded: str, pos: int, reach: int = 200) -> int:
    """Where the sentence holding ``pos`` starts, looking back at most ``reach`` characters."""
    floor = max(0, pos - reach)
    # One rfind per mark instead of a regex match per character: this runs for every
    # rule occurrence, and long letters hold hundreds of them.
    last = max(folded.rfind(mark, floor, pos) for mark in _SENTENCE_MARKS if mark != "\n")
    nl = folded.rfind("\n", max(floor, last + 1), pos)
    while nl >= 0 and soft_break(folded, nl):
        nl = folded.rfind("\n", max(floor, last + 1), nl)
    last = max(last, nl)
    return last + 1 if last >= 0 else floor


def _sentence_end(folded: str, pos: int, limit: int) -> re.Match[str] | None:
    """The mark ending the sentence that goes on at ``pos`` (soft line breaks skipped)."""
    for m in _SENTENCE.finditer(folded, pos, limit):
        if m.group() != "\n" or not soft_break(folded, m.start()):
            return m
    return None


def sentence_span(folded: str, start: int, end: int) -> tuple[int, int]:
    """The sentence(s) holding ``[start, end)``, as the rules read sentences: a line
    wrapped at a fixed width does not end one."""
    found = _sentence_end(folded, end, len(folded))
    return _sentence_start(folded, start, reach=start), (
        found.end() if found is not None else len(folded)
    )


@dataclass(frozen=True, slots=True)
class Zones:
    """Where, in one folded body, the text is quoted history, a disclaimer or a signature.

    ``cue_starts``/``cue_texts`` give, sorted by position, the start of each zone and the
    text that made it one, for the record of what suppressed a match.
    """

    quoted: SpanSet
    disclaimer: SpanSet
    signature: SpanSet
    cue_starts: tuple[int, ...] = ()
    cue_texts: tuple[str, ...] = ()

    def reason_at(self, start: int, end: int) -> tuple[str, str] | None:
        """(reason, cue) if ``[start, end)`` lies in a zone, else None."""
        for reason, spans in (
            ("quoted", self.quoted),
            ("disclaimer", self.disclaimer),
            ("signature", self.signature),
        ):
            if spans.overlaps(start, end):
                return reason, self._cue(spans, start)
        return None

    def _cue(self, spans: SpanSet, pos: int) -> str:
        # The cue of the nearest zone that starts at or before the match.
        del spans
        i = bisect_right(self.cue_starts, pos) - 1
        return self.cue_texts[i] if i >= 0 else ""


EMPTY_ZONES = Zones(SpanSet(), SpanSet(), SpanSet())


def is_forwarded_subject(folded_subject: str) -> bool:
    """True when the subject says the message forwards another ("Fwd:", "RV:", "转发:")."""
    return _FORWARD_SUBJECT.search(folded_subject) is not None


def find_zones(folded: str, forwarded: bool) -> Zones:
    """Quoted, disclaimer and signature spans of one folded body."""
    cues: dict[int, str] = {}
    quoted: list[tuple[int, int]] = []
    for m in _QUOTED_LINE.finditer(folded):
        quoted.append((m.start(), m.end()))
        cues.setdefault(m.start(), ">")
    marker = _FORWARD_MARKER.search(folded)
    forwarded = forwarded or marker is not None
    header = _REPLY_HEADER.search(folded)
    if header is not None and not forwarded:
        quoted.append((header.start(), len(folded)))
        cues[header.start()] = header.group().strip()[:60]
    elif header is not None and marker is not None and header.start() < marker.start():
        # A reply above a forwarded message: the reply's quoted part ends where the
        # forwarded message begins.
        quoted.append((header.start(), marker.start()))
        cues[header.start()] = header.group().strip()[:60]
    disclaimer: list[tuple[int, int]] = []
    for para in _PARAGRAPH.finditer(folded):
        found = _DISCLAIMER.search(para.group())
        if found is not None:
            start = para.start()
            line = para.group().rfind("\n", 0, found.start()) + 1
            if any(len(x) > _PROSE_LINE for x in para.group()[:line].split("\n")):
                # Mail made from HTML often has no blank line between paragraphs: a
                # line of the letter's prose before the disclaimer's says the block is
                # the whole letter, and only the lines from the disclaimer's own on are
                # the disclaimer (a signature block above it has short lines).
                start += line
            disclaimer.append((start, para.end()))
            cues[start] = found.group()[:60]
    for m in _BOILERPLATE.finditer(folded):
        start = _sentence_start(folded, m.start())
        close = _sentence_end(folded, m.end(), len(folded))
        disclaimer.append((start, close.end() if close is not None else len(folded)))
        cues.setdefault(start, m.group()[:60])
    signature: list[tuple[int, int]] = []
    sig = _SIGNATURE.search(folded)
    if sig is not None:
        end = len(folded)
        if marker is not None and marker.start() > sig.start():
            end = marker.start()
        signature.append((sig.start(), end))
        cues[sig.start()] = sig.group().strip()[:60] or "--"
    ordered = sorted(cues.items())
    return Zones(
        SpanSet(quoted),
        SpanSet(disclaimer),
        SpanSet(signature),
        tuple(k for k, _ in ordered),
        tuple(v for _, v in ordered),
    )


def negation_cue(
    folded: str, start: int, end: int, contracted_no: bool = False, asserted_after_why: bool = False
) -> str | None:
    """The negation cue governing the match at ``[start, end)``, if any.

    ``contracted_no``: the text is Portuguese, where "no" is "em" + "o" ("vídeo no
    Instagram", "contar no jornal") and only "não" negates.
    ``asserted_after_why``: the match is an error assertion, which the writer's "I don't
    understand why" presupposes rather than denies (see ``_UNDERSTANDING``).
    """
    lo = max(0, start - 80)
    before = folded[lo:start]
    breaks = [
        b
        for b in _CLAUSE_BREAK.finditer(before)
        if b.group() != "\n" or not soft_break(folded, lo + b.start())
    ]
    if breaks:
        before = before[breaks[-1].end() :]
    tokens: list[str] = _TOKEN.findall(before.replace("\u2019", "'"))
    window = tokens[-(_NEGATION_WINDOW + 1) :]
    offset = len(tokens) - len(window)
    matched = folded[start:end]
    for i, t in enumerate(window):
        if t in _NEGATION_WORDS and not (contracted_no and t == "no"):
            if _conditioned(tokens[: offset + i], window[i + 1 :]) or (
                asserted_after_why and _wondering(window, i, matched)
            ):
                continue
            return t
        if t == "pa" and i > 0 and window[i - 1] in _CREOLE_SUBJECTS:
            if asserted_after_why and _wondering(window, i, matched):
                continue
            return f"{window[i - 1]} pa"
    # Vietnamese "never" is three words, none a negation alone ("chưa" is also "not yet")
    if before.rstrip().endswith(_VI_NEVER):
        return "chua bao gio"
    near = _A_NOT_A.sub("", before[-8:])
    for cue in _NEGATION_NEAR:
        if cue in near:
            return cue
    after = _NEGATION_AFTER.search(folded[end : end + 16])
    return str(after.group()) if after is not None else None


def _wondering(window: list[str], i: int, matched: str) -> bool:
    """Whether the negation at ``window[i]`` is of the writer's understanding, with a
    why or how after it (or opening the match): what follows is presupposed, not
    denied."""
    beside = window[max(0, i - 2) : i + 3]
    after = " ".join([*window[i + 1 :], matched])
    return any(t in _UNDERSTANDING for t in beside) and _WHY_HOW.search(after) is not None


def _conditioned(before: list[str], after: list[str]) -> bool:
    """Whether a negation with these tokens around it belongs to a condition that
    ends before the match: a conditional word before it, a main clause after it."""
    return any(t in _CONDITIONALS for t in before) and any(
        t in _MAIN_CLAUSE or t.startswith("j'") for t in after
    )


# The next sentence saying the very thing was put right, pointing back at it ("phí đó đã
# được xoá rồi", "that fee has been refunded"): a demonstrative, not any fee or error.
_RESOLVED_BACK = re.compile(
    r"\b(?:that|this|those|these) (?:late )?(?:fee|fees|charge|charges|error|mistake) "
    r"(?:has|have|had)? ?(?:already )?(?:been|was|were|got) (?:already )?"
    r"(?:removed|refunded|reversed|waived|corrected|fixed|taken off|credited back)\b"
    r"|\b(?:ese|este|esos|estos) (?:cargo|cargos|recargo|recargos|cobro|error) (?:ya )?"
    r"(?:fue|fueron|se|lo|los) (?:\S+ )?(?:eliminad|quitad|reembolsad|reversad|corregid|"
    r"devuelt|quit[oa]|elimin[oa]|corrigi|reembols[oa]|devolvi)\w*"
    r"|\b(?:essa|esta|essas|estas|esse|este) (?:taxa|taxas|cobranca|multa|erro|valor) (?:ja )?"
    r"(?:foi|foram) (?:\S+ )?(?:removid|estornad|corrigid|devolvid|reembolsad|cancelad)\w*"
    r"|\b(?:ces|ce|cette) (?:frais|erreur|penalite) (?:a|ont) (?:deja )?ete "
    r"(?:retire|rembourse|corrige|annule)e?s?\b"
    r"|\b(?:phi|khoan|loi) (?:\S+ )?(?:do|nay|ay) (?:\S+ )?da duoc (?:xoa|hoan lai|go bo|sua)\b"
    r"|(?:那笔|那筆|这笔|這筆|那个|那個)(?:费用|費用|罚款|罰款|钱|錢|错误|錯誤).{0,4}"
    r"(?:已经|已經)(?:退|取消|删除|刪除|更正|改正)"
)


def resolution_cue(folded: str, start: int, end: int) -> str | None:
    """A resolution phrase in the same sentence as ``[start, end)``, or the next sentence
    saying that very thing was put right, if any."""
    lo = _sentence_start(folded, start, 300)
    limit = min(len(folded), end + 300)
    m = _sentence_end(folded, end, limit)
    hi = m.start() if m is not None else limit
    found = _RESOLUTION.search(folded, lo, hi)
    if found is None and m is not None:
        after = _sentence_end(folded, m.end(), limit)
        found = _RESOLVED_BACK.search(folded, m.end(), after.start() if after else limit)
    return found.group() if found is not None else None


# Someone else's trade named just before ("her housing counselor", "the borrower's
# Realtor"), and the writer's own ("I am a", "as a", "soy").
_SOMEONE_ELSES = re.compile(
    r"\b(?:her|his|their|the borrowers?'?s?|(?:my )?client'?s|su|sus|seu|sua|son|sa|leur)\W+"
    r"(?:\S+\W+){0,3}$"
)
_OWN_TRADE = re.compile(
    r"\b(?:i am|i'm|im|i work as|as an?|we are|soy|somos|trabajo como|sou|je suis|"
    r"nous sommes)\b"
)
_SHORT_LINE_WORDS = 8


def own_trade(folded: str, start: int, end: int) -> bool:
    """Whether the trade named at ``[start, end)`` is the writer's: on a short line of its
    own (a signature's title, "Senior Housing Counselor"), or after "I am a", "as a",
    "soy" in the 60 characters before it; never right after "her", "the borrower's"."""
    line_start = folded.rfind("\n", 0, start) + 1
    if _SOMEONE_ELSES.search(folded[max(line_start, start - 40) : start]):
        return False
    line_end = folded.find("\n", end)
    line = folded[line_start : len(folded) if line_end < 0 else line_end]
    if len(line.split()) <= _SHORT_LINE_WORDS:
        return True
    return _OWN_TRADE.search(folded, max(line_start, start - 60), start) is not None


# A lawyer's title on a line of its own, as signatures give it ("Jane Roe, Attorney",
# "Abogada", "Senior Counsel"); a line saying "not" or "no" is no title.
_LAWYER_TITLE = re.compile(
    r"^(?![^\n]*\b(?:not|no)\b)[^\n]{0,40}\b(?:attorney|lawyer|counsel|abogad[oa]|advogad[oa]|"
    r"avocate?)\b[^\n]{0,40}$",
    re.MULTILINE,
)


def has_lawyer_title(folded: str) -> bool:
    """Whether a short line of ``folded`` gives a lawyer's title."""
    return any(len(m.group().split()) <= _SHORT_LINE_WORDS for m in _LAWYER_TITLE.finditer(folded))
