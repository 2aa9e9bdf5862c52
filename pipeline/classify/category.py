"""Servicing category, subcategory and request kind of an inquiry.

Taxonomy (category -> subcategories):

* ``complaint_legal``: lawsuit, bankruptcy, foreclosure, attorney,
  regulator_complaint, cease_and_desist, discrimination, complaint
* ``document_request``: payoff_statement, tax_form_1098, loan_modification, assumption
* ``payment_clarification``: payment_application, late_fee, processing_delay, partial_payment
* ``account_inquiry``: escrow, rate_adjustment, payment_history, balance
* ``other``: hardship, general

Deterministic precedence:

1. If any legal/complaint escalation rule matched, the category is
   ``complaint_legal`` and the subcategory is the first matched rule in the
   order listed above (a lawsuit outranks a mere complaint).
2. Otherwise each topic subcategory is scored by keyword hits (a hit in the
   subject counts 2, in the body 1; quoted reply text is ignored). The highest
   score wins; ties go to the earlier subcategory in the order
   document_request, payment_clarification, account_inquiry as listed, because
   document requests carry the shortest clocks (payoff: 7 business days).
3. Otherwise ``other``: ``hardship`` if the hardship rule matched, else ``general``.

Request kind (drives the clocks in :mod:`pipeline.classify.clocks`), first that applies:

1. ``notice_of_error``: the notice_of_error rule matched, or the message asserts
   an error ("charged in error", "misapplied", "disputo el cargo") -- Reg X treats
   any written assertion of a covered error as a notice of error
   (12 CFR 1024.35(a)), including a qualified written request that asserts one.
2. ``request_for_information``: the request_for_information rule matched, or a
   qualified written request that asserts no error (12 CFR 1024.36(a)).
3. ``payoff_statement``: the subcategory is payoff_statement (12 CFR 1026.36(c)(3)).
4. ``general``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pipeline.classify.anchors import Guide, guide_for, guided_finditer
from pipeline.classify.clocks import RequestKind
from pipeline.classify.literals import Occurrences
from pipeline.classify.normalize import fold
from pipeline.classify.rules import MessageFields, PreparedFields, RuleMatch

__all__ = [
    "LEGAL_SUBCATEGORIES",
    "TOPICS",
    "Category",
    "CategoryResult",
    "asserts_error",
    "categorize",
    "keyword_guides",
]

Category = Literal[
    "account_inquiry", "payment_clarification", "document_request", "complaint_legal", "other"
]

# Rule names that make a message complaint_legal, in precedence order.
LEGAL_SUBCATEGORIES: tuple[str, ...] = (
    "lawsuit",
    "bankruptcy",
    "foreclosure",
    "attorney",
    "regulator_complaint",
    "cease_and_desist",
    "discrimination",
    "complaint",
)


# For each keyword regex, the literals its matches must contain: most messages
# contain few of them, and trying the regex only where one occurs is far cheaper than
# a scan that evaluates the leading lookbehind at every position.
_GUIDES: dict[re.Pattern[str], Guide] = {}


def _kw(*alternatives: str) -> re.Pattern[str]:
    # A space in a keyword stands for any whitespace run: plain-text mail wraps lines.
    alts = [f"(?:{a})".replace(" ", r"\s+") for a in alternatives]
    regex = re.compile(rf"(?<![^\W_])(?:{'|'.join(alts)})(?![^\W_])")
    _GUIDES[regex] = guide_for(alts, ignore_case=False)
    return regex


def keyword_guides() -> tuple[Guide, ...]:
    """The guides of every topic and error-assertion regex."""
    return tuple(_GUIDES.values())


def _count(regex: re.Pattern[str], text: str, occurrences: Occurrences | None) -> int:
    # len(regex.findall(text)): findall and finditer find the same matches.
    return sum(1 for _ in guided_finditer(regex, text, text, _GUIDES[regex], occurrences))


def _search(regex: re.Pattern[str], text: str, occurrences: Occurrences | None) -> bool:
    # A plain search stops at the first match (error assertions are common and early),
    # where guiding would first collect every candidate; the anchor test still saves
    # the scan when no literal occurs.
    anchors = _GUIDES[regex].anchors
    if anchors is not None:
        if occurrences is None:
            if not any(a in text for a in anchors):
                return False
        elif not any(occurrences.contains(a, text) for a in anchors):
            return False
    return regex.search(text) is not None


# Topic keywords on folded text (lower case, no accents). Order is the tie-break.
TOPICS: tuple[tuple[Category, str, re.Pattern[str]], ...] = (
    (
        "document_request",
        "payoff_statement",
        _kw(
            r"pay[\s\-]?off",
            r"payoff (?:statement|quote|letter|amount|figures?)",
            r"pay (?:off|it off) (?:the|my) (?:loan|mortgage)",
            r"liquidacion (?:total|del prestamo)",
            r"saldo (?:total )?para liquidar",
            r"liquidar (?:el|mi) prestamo",
            r"liquidar la hipoteca",
            r"carta de liquidacion",
            r"monto de liquidacion",
            r"pagar (?:el prestamo|la hipoteca) (?:por )?completo",
            r"saldar (?:el|mi) prestamo",
            r"refinanc\w*",
        ),
    ),
    (
        "document_request",
        "tax_form_1098",
        _kw(
            r"1098",
            r"tax form",
            r"tax statement",
            r"mortgage interest statement",
            r"forma de impuestos",
            r"formulario de impuestos",
            r"declaracion de impuestos",
            r"intereses pagados",
        ),
    ),
    (
        "document_request",
        "loan_modification",
        _kw(
            r"loan mod\w*",
            r"modification",
            r"modify (?:my|the) loan",
            r"modificacion",
            r"modificar (?:mi|el) prestamo",
            r"repayment plan",
            r"plan de pagos",
        ),
    ),
    (
        "document_request",
        "assumption",
        _kw(
            r"assum(?:e|ption|ing) (?:the |my |this )?(?:loan|mortgage)",
            r"loan assumption",
            r"assumption",
            r"asumir (?:el|la|mi) (?:prestamo|hipoteca)",
            r"asuncion",
        ),
    ),
    (
        "payment_clarification",
        "late_fee",
        _kw(
            r"late (?:fee|fees|charge|charges)",
            r"cargos? por (?:pago )?(?:atrasado|tardio|retraso|mora)",
            r"recargos?",
            r"multa por atraso",
            r"penalidad",
        ),
    ),
    (
        "payment_clarification",
        "partial_payment",
        _kw(
            r"partial payments?",
            r"half (?:of )?(?:my|the) payment",
            r"pago parcial",
            r"pagos parciales",
            r"suspense account",
            r"unapplied funds",
            r"cuenta de suspenso",
            r"mitad del pago",
        ),
    ),
    (
        "payment_clarification",
        "payment_application",
        _kw(
            r"misapplied",
            r"(?:was|were|been|not) (?:applied|credited|posted)",
            r"appl(?:y|ied) (?:it |the payment |the extra )?to (?:the )?principal",
            r"extra principal",
            r"applied (?:incorrectly|wrong)",
            r"aplicad[oa]s?",
            r"aplicar (?:el|mi) pago",
            r"acreditad[oa]",
            r"a capital",
            r"al principal",
            r"principal adicional",
            r"double (?:charged|payment)",
            r"charged (?:me )?twice",
            r"cobrado dos veces",
            r"me cobraron dos veces",
        ),
    ),
    (
        "payment_clarification",
        "processing_delay",
        _kw(
            r"(?:not|hasn'?t|has not|haven'?t|have not) (?:been )?(?:processed|posted|cleared)",
            r"still (?:pending|processing|not posted|hasn'?t posted)",
            r"processing (?:delay|time)",
            r"autopay",
            r"auto[\s\-]?pay",
            r"automatic payments?",
            r"no (?:se )?ha (?:sido )?procesado",
            r"no aparece (?:mi|el) pago",
            r"pago automatico",
            r"sigue pendiente",
            r"(?:payment|pago) (?:is |esta )?(?:pending|pendiente)",
            r"bounced",
            r"returned payment",
        ),
    ),
    (
        "account_inquiry",
        "escrow",
        _kw(
            r"escrow",
            r"impound",
            r"property tax(?:es)?",
            r"homeowners? insurance",
            r"hazard insurance",
            r"insurance premium",
            r"shortage",
            r"plica",
            r"cuenta de deposito",
            r"impuestos? (?:de|sobre la) propiedad",
            r"seguro (?:de|del) (?:hogar|casa|propietario)",
            r"deficit",
            r"faltante",
            r"reserva",
            r"(?:payment|pago|mensualidad) (?:went up|increased|subio|aumento)",
            r"(?:subio|aumento) (?:mi|el) (?:pago|mensualidad)",
        ),
    ),
    (
        "account_inquiry",
        "rate_adjustment",
        _kw(
            r"interest rate",
            r"rate (?:adjustment|change|increase|went up)",
            r"arm",
            r"adjustable",
            r"tasa de interes",
            r"ajuste de (?:la )?tasa",
            r"tasa ajustable",
            r"subio la tasa",
        ),
    ),
    (
        "account_inquiry",
        "payment_history",
        _kw(
            r"payment history",
            r"transaction history",
            r"history of (?:my )?payments",
            r"historial de pagos?",
            r"historial de (?:la )?cuenta",
            r"record of (?:my )?payments",
            r"statements? for (?:the )?(?:last|past)",
        ),
    ),
    (
        "account_inquiry",
        "balance",
        _kw(
            r"(?:current|principal|remaining|outstanding|loan) balance",
            r"balance",
            r"how much (?:do i|i) (?:still )?owe",
            r"saldo",
            r"cuanto (?:debo|me falta)",
        ),
    ),
)

_ERROR_ASSERTION = _kw(
    r"in error",
    r"by mistake",
    r"misapplied",
    r"incorrect(?:ly)?",
    r"wrongly",
    r"wrong amount",
    r"i dispute",
    r"we dispute",
    r"disputing",
    r"dispute (?:the|this)",
    r"(?:not|never) (?:been )?(?:applied|credited|posted)",
    r"charged (?:me )?twice",
    r"double[\s\-]charged",
    r"error (?:in|on) (?:my|the|our) (?:account|statement|escrow)",
    r"por error",
    r"equivocad[oa]",
    r"incorrect[oa]s?",
    r"incorrectamente",
    r"disputo",
    r"disputar",
    r"(?:un|el) error en (?:mi|la|el|nuestra)",
    r"cobraron dos veces",
    r"no (?:fue|fueron|ha sido|han sido) (?:aplicad|acreditad)\w*",
    r"nunca (?:fue )?aplicad\w*",
    r"no lo acreditaron",
    r"wrongful(?:ly)?",
    r"(?:paid|made|disbursed) (?:it |them )?late",
    r"(?:hasn'?t|has not|still not|never) (?:been )?(?:posted|credited|applied)",
    r"no (?:han|ha|se ha|se han) (?:aplicado|acreditado|reflejado)",
    r"no aparece (?:en mi cuenta|reflejado|mi pago|el pago)",
    r"todavia no aparece",
    r"no lo aplicaron",
)

_QUOTE_START = re.compile(
    r"^(?:on\s[^\n]{0,200}\swrote:|el\s[^\n]{0,200}\sescribio:|-{2,}\s*(?:original message|"
    r"mensaje original))",
    re.MULTILINE,
)


# Characters str.splitlines() breaks on besides "\n" (see its documentation).
_OTHER_LINE_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def _unquoted_folded(folded: str) -> str:
    m = _QUOTE_START.search(folded)
    if m:
        folded = folded[: m.start()]
    if ">" not in folded and not any(b in folded for b in _OTHER_LINE_BREAKS):
        # No quoted line and only "\n" breaks: splitting and re-joining would give
        # the same text minus one trailing "\n", without building a list of lines.
        return folded[:-1] if folded.endswith("\n") else folded
    return "\n".join(line for line in folded.splitlines() if not line.lstrip().startswith(">"))


def _unquoted(text: str) -> str:
    return _unquoted_folded(fold(text))


@dataclass(frozen=True, slots=True)
class _Folded:
    """The folded texts topics and error assertions look at, built once per message,
    with which guide literals each contains (None: unknown)."""

    subject: str
    body: str
    attachments: str
    subject_seen: Occurrences | None
    body_seen: Occurrences | None
    attachments_seen: Occurrences | None


def _folded(fields: MessageFields, prepared: PreparedFields | None) -> _Folded:
    if prepared is None:
        prepared = PreparedFields(fields)
    # The folded text of a normalised field is fold() of it (same per-character map),
    # and folding is per character, so joining folded names equals folding the join.
    subject = prepared.norm("subject").text
    body_field = prepared.get("text" if fields.text else "html_text")
    body = _unquoted_folded(body_field.norm.text)
    attachments = " ".join(
        prepared.norm("attachment_names", i).text for i in range(len(fields.attachment_names))
    )
    return _Folded(
        subject=subject,
        body=body,
        attachments=attachments,
        subject_seen=prepared.occurrences(subject),
        body_seen=prepared.occurrences(body, within=body_field.probe),
        attachments_seen=prepared.occurrences(attachments),
    )


def asserts_error(fields: MessageFields, prepared: PreparedFields | None = None) -> bool:
    """True if subject or (unquoted) body asserts an error on the account."""
    return _asserts_error(_folded(fields, prepared))


def _asserts_error(folded: _Folded) -> bool:
    return _search(_ERROR_ASSERTION, folded.subject, folded.subject_seen) or _search(
        _ERROR_ASSERTION, folded.body, folded.body_seen
    )


@dataclass(frozen=True, slots=True)
class CategoryResult:
    """Category, subcategory and request kind with the topic scores behind them."""

    category: Category
    subcategory: str
    request_kind: RequestKind
    error_asserted: bool


def _topic(folded: _Folded) -> tuple[Category, str] | None:
    best: tuple[int, int] | None = None
    chosen: tuple[Category, str] | None = None
    for order, (category, sub, regex) in enumerate(TOPICS):
        score = 2 * _count(regex, folded.subject, folded.subject_seen)
        score += _count(regex, folded.body, folded.body_seen)
        score += _count(regex, folded.attachments, folded.attachments_seen)
        if score == 0:
            continue
        key = (score, -order)
        if best is None or key > best:
            best, chosen = key, (category, sub)
    return chosen


def categorize(
    fields: MessageFields, matches: tuple[RuleMatch, ...], prepared: PreparedFields | None = None
) -> CategoryResult:
    """Category, subcategory and request kind by the precedence in the module docstring.

    ``prepared`` (built from the same ``fields``) shares normalised text with the rules.
    """
    matched = {m.rule for m in matches}
    folded = _folded(fields, prepared)
    error = _asserts_error(folded)
    category: Category
    legal = next((r for r in LEGAL_SUBCATEGORIES if r in matched), None)
    topic = _topic(folded)
    if legal is not None:
        category, sub = "complaint_legal", legal
    else:
        if topic is not None:
            category, sub = topic
        else:
            category, sub = "other", "hardship" if "hardship" in matched else "general"

    kind: RequestKind
    if "notice_of_error" in matched or error:
        kind = "notice_of_error"
    elif "request_for_information" in matched or "qualified_written_request" in matched:
        kind = "request_for_information"
    elif topic is not None and topic[1] == "payoff_statement":
        # Also when a legal topic outranks it: a payoff request inside a foreclosure
        # email still runs the 7-business-day clock.
        kind = "payoff_statement"
    else:
        kind = "general"
    return CategoryResult(category, sub, kind, error)
