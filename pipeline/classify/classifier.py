"""One call that classifies a message: rules, category, language, accounts, sensitive numbers.

The result is a frozen :class:`Classification` the ledger stores via
:meth:`Classification.to_json` and reads back with :meth:`Classification.from_json`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.classify.accounts import (
    DEFAULT_ACCOUNT_PATTERN,
    account_guide,
    find_account_numbers,
    mask_account,
)
from pipeline.classify.category import Category, categorize, keyword_guides
from pipeline.classify.clocks import ClockPolicy, RequestKind
from pipeline.classify.literals import LiteralSet
from pipeline.classify.normalize import fold
from pipeline.classify.rules import (
    SEVERITY_ORDER,
    FieldName,
    MessageFields,
    PreparedFields,
    RuleMatch,
    RuleSet,
    Severity,
    match_rules,
    rule_guides,
)
from pipeline.classify.sensitive import (
    SensitiveFinding,
    SensitiveReport,
    bank_account_guide,
    find_sensitive,
)
from pipeline.errors import ConfigError

__all__ = ["Classification", "ClassifyPolicy", "classify", "detect_language"]

Language = Literal["en", "es"]
SCHEMA_VERSION = 1

# Frequent function words; accents already folded. Words shared by both languages
# ("a", "no", "me") are left out so they cannot tip the balance.
_EN_STOPWORDS = frozenset(
    [
        "the",
        "and",
        "is",
        "are",
        "was",
        "were",
        "to",
        "of",
        "in",
        "for",
        "on",
        "my",
        "your",
        "i",
        "you",
        "it",
        "this",
        "that",
        "with",
        "have",
        "has",
        "please",
        "thank",
        "thanks",
        "would",
        "could",
        "will",
        "not",
        "be",
        "we",
        "our",
        "from",
        "at",
        "as",
        "but",
        "if",
        "about",
        "can",
    ]
)
_ES_STOPWORDS = frozenset(
    [
        "el",
        "la",
        "los",
        "las",
        "y",
        "es",
        "son",
        "fue",
        "de",
        "del",
        "en",
        "por",
        "para",
        "mi",
        "mis",
        "su",
        "sus",
        "yo",
        "usted",
        "que",
        "con",
        "tengo",
        "tiene",
        "gracias",
        "favor",
        "pero",
        "como",
        "esta",
        "este",
        "esto",
        "una",
        "un",
        "al",
        "se",
        "lo",
        "le",
        "nos",
        "cuando",
        "porque",
        "hola",
        "quiero",
        "necesito",
    ]
)
_WORD = re.compile(r"[^\W\d_]+")
_EN_STOP_BYTES = frozenset(w.encode() for w in _EN_STOPWORDS)
_ES_STOP_BYTES = frozenset(w.encode() for w in _ES_STOPWORDS)
# UTF-8 bytes with every ASCII character that is not a letter (what ``_WORD`` calls a
# letter in ASCII) made a space. Bytes of non-ASCII characters are kept: they only
# occur inside the tokens that hold such characters, which ``_WORD`` then splits.
_ASCII_LETTERS_ONLY = bytes(b if b >= 0x80 or chr(b).isalpha() else 0x20 for b in range(256))


class ClassifyPolicy(BaseModel):
    """Settings for :func:`classify`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    clock: ClockPolicy = Field(default_factory=ClockPolicy)
    account_pattern: str = DEFAULT_ACCOUNT_PATTERN
    # A message is "escalated" if any match is at least this severe.
    escalate_min_severity: Severity = "medium"

    def model_post_init(self, __context: Any) -> None:
        """Reject an unusable account pattern at configuration time."""
        try:
            compiled = re.compile(self.account_pattern)
        except re.error as exc:
            raise ConfigError(f"account_pattern is not a valid regular expression ({exc})") from exc
        if "number" not in compiled.groupindex:
            raise ConfigError("account_pattern needs a named group (?P<number>...)")


def detect_language(text: str) -> Language:
    """``"es"`` if Spanish function words outnumber English ones, else ``"en"``."""
    return _language(fold(text))


def _language(folded: str) -> Language:
    # The words are the runs of ``_WORD``. Splitting bytes in C is several times
    # faster than that regex (which tests Unicode categories at every character);
    # "surrogatepass" round-trips lone surrogates from undecodable mail.
    tokens = folded.encode("utf-8", "surrogatepass").translate(_ASCII_LETTERS_ONLY).split()
    # Counting distinct words once (C-level Counter) beats a membership test per word.
    counts = Counter(tokens)
    en = sum(counts.get(w, 0) for w in _EN_STOP_BYTES)
    es = sum(counts.get(w, 0) for w in _ES_STOP_BYTES)
    if not folded.isascii():
        for token, n in counts.items():
            if not token.isascii():
                for word in _WORD.findall(token.decode("utf-8", "surrogatepass")):
                    en += n * (word in _EN_STOPWORDS)
                    es += n * (word in _ES_STOPWORDS)
    return "es" if es > en else "en"


@dataclass(frozen=True, slots=True)
class Classification:
    """Everything classification found in one message.

    ``account_numbers`` are the full numbers (the record needs them) and are kept
    out of ``repr`` so a stray log line shows only ``masked_accounts``.
    """

    category: Category
    subcategory: str
    request_kind: RequestKind
    language: Language
    matches: tuple[RuleMatch, ...]
    escalated: bool
    severity: Severity | None
    routes: tuple[str, ...]
    account_numbers: tuple[str, ...] = field(repr=False)
    sensitive: SensitiveReport
    error_asserted: bool = False

    @property
    def rules(self) -> tuple[str, ...]:
        """Names of the rules that matched, sorted."""
        return tuple(sorted({m.rule for m in self.matches}))

    @property
    def masked_accounts(self) -> tuple[str, ...]:
        """The account numbers as ``****1234``."""
        return tuple(mask_account(n) for n in self.account_numbers)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able dict (str/int/bool/None/list/dict only) for the ledger."""
        return {
            "schema": SCHEMA_VERSION,
            "category": self.category,
            "subcategory": self.subcategory,
            "request_kind": self.request_kind,
            "language": self.language,
            "escalated": self.escalated,
            "severity": self.severity,
            "routes": list(self.routes),
            "error_asserted": self.error_asserted,
            "account_numbers": list(self.account_numbers),
            "matches": [
                {
                    "rule": m.rule,
                    "field": m.field,
                    "item": m.item,
                    "start": m.start,
                    "end": m.end,
                    "matched": m.matched,
                    "severity": m.severity,
                    "route": m.route,
                }
                for m in self.matches
            ],
            "sensitive": [
                {
                    "kind": f.kind,
                    "field": f.field,
                    "start": f.start,
                    "end": f.end,
                    "masked": f.masked,
                }
                for f in self.sensitive.findings
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Classification:
        """Rebuild a classification from :meth:`to_json` output."""
        if data.get("schema") != SCHEMA_VERSION:
            raise ValueError(f"unsupported classification schema {data.get('schema')!r}")
        return cls(
            category=data["category"],
            subcategory=data["subcategory"],
            request_kind=data["request_kind"],
            language=data["language"],
            matches=tuple(
                RuleMatch(
                    rule=m["rule"],
                    field=m["field"],
                    start=m["start"],
                    end=m["end"],
                    matched=m["matched"],
                    severity=m["severity"],
                    route=m["route"],
                    item=m["item"],
                )
                for m in data["matches"]
            ),
            escalated=data["escalated"],
            severity=data["severity"],
            routes=tuple(data["routes"]),
            account_numbers=tuple(data["account_numbers"]),
            sensitive=SensitiveReport(
                tuple(
                    SensitiveFinding(f["kind"], f["field"], f["start"], f["end"], f["masked"])
                    for f in data["sensitive"]
                )
            ),
            error_asserted=data["error_asserted"],
        )


def _scan_sensitive(fields: MessageFields, prepared: PreparedFields) -> SensitiveReport:
    findings: list[SensitiveFinding] = []
    for name in ("subject", "text", "html_text"):
        value: str = getattr(fields, name)
        if value:
            norm = prepared.norm(name)
            occurrences = prepared.occurrences(norm.text)
            findings.extend(find_sensitive(value, name, norm, occurrences))
    return SensitiveReport(tuple(findings))


@lru_cache(maxsize=16)
def _literal_set(rules: RuleSet, account_pattern: str) -> LiteralSet:
    # Every literal any step's guide tests, so one scan per text answers them all.
    guides = (
        *rule_guides(rules),
        *keyword_guides(),
        account_guide(account_pattern),
        bank_account_guide(),
    )
    return LiteralSet(lit for g in guides for lit in g.literals())


def classify(
    fields: MessageFields, rules: RuleSet, policy: ClassifyPolicy | None = None
) -> Classification:
    """Classify one message (pure; no I/O)."""
    policy = policy or ClassifyPolicy()
    # Each field is normalised once here and shared by every step below.
    prepared = PreparedFields(fields, _literal_set(rules, policy.account_pattern))
    matches = match_rules(rules, fields, prepared)
    cat = categorize(fields, matches, prepared)
    threshold = SEVERITY_ORDER[policy.escalate_min_severity]
    severity: Severity | None = None
    for m in matches:
        if severity is None or SEVERITY_ORDER[m.severity] > SEVERITY_ORDER[severity]:
            severity = m.severity
    escalated = severity is not None and SEVERITY_ORDER[severity] >= threshold
    routes = tuple(dict.fromkeys(m.route for m in matches))
    accounts: list[str] = []
    body_field: FieldName = "text" if fields.text else "html_text"
    for name in ("subject", body_field):
        prepared_field = prepared.get(name)
        norm = prepared_field.norm
        probe = prepared_field.probe
        occurrences = None if probe is None else prepared.occurrences(probe)
        for n in find_account_numbers(norm.original, policy.account_pattern, norm, occurrences):
            if n not in accounts:
                accounts.append(n)
    # fold() works character by character, so folding "subject\nbody" is joining the
    # folded parts with "\n".
    language = _language(f"{prepared.norm('subject').text}\n{prepared.norm(body_field).text}")
    return Classification(
        category=cat.category,
        subcategory=cat.subcategory,
        request_kind=cat.request_kind,
        language=language,
        matches=matches,
        escalated=escalated,
        severity=severity,
        routes=routes,
        account_numbers=tuple(accounts),
        sensitive=_scan_sensitive(fields, prepared),
        error_asserted=cat.error_asserted,
    )
