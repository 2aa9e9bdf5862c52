"""Escalation rules: configured phrases and regular expressions that flag a message.

A rule fires when one of its phrases or patterns occurs in one of its fields.
Matching is done on folded text (see :mod:`pipeline.classify.normalize`): case
and accents do not matter, and spans are reported in the original text.

Why each matching choice:

* Phrases and patterns only match on word boundaries, where a boundary is
  "not next to a letter or digit". ``_`` and ``-`` count as boundaries so that
  attachment names such as ``Notice_of_Error.pdf`` match, while "respa" does not
  fire inside "respawn".
* The words of a phrase may be separated by any run of whitespace, ``-`` or ``_``
  (line wraps in plain-text mail, ``cease-and-desist``).
* ``unless`` patterns are hard negatives: a candidate match that overlaps an
  ``unless`` match is dropped ("power of attorney", "car auction").
* ``negatable`` rules drop a match when a negation cue ("no", "not", "sin",
  "never", "don't") is among the five words before it in the same clause
  ("no complaints, thanks"; "nunca me he declarado en bancarrota"). The window
  is short on purpose: "I have not received a response to my complaint" is
  still a complaint.
* ``skip_quoted`` (default on) ignores quoted reply text (lines starting with
  ``>`` and everything after an "On ... wrote:" / "El ... escribió:" header), so
  our own earlier replies quoted back to us do not escalate the new message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.classify.anchors import Guide, ascii_probe, guide_for, guided_finditer
from pipeline.classify.intervals import SpanSet
from pipeline.classify.literals import LiteralSet, Occurrences
from pipeline.classify.normalize import NormalizedText, fold, normalize
from pipeline.errors import ConfigError

__all__ = [
    "ALL_FIELDS",
    "SEVERITY_ORDER",
    "EscalationRule",
    "FieldName",
    "MessageFields",
    "PreparedField",
    "PreparedFields",
    "RuleMatch",
    "RuleSet",
    "Severity",
    "load_default_rules",
    "load_rules_yaml",
    "match_rules",
    "rule_guides",
]

FieldName = Literal["subject", "text", "html_text", "attachment_names"]
Severity = Literal["low", "medium", "high", "critical"]
ALL_FIELDS: tuple[FieldName, ...] = ("subject", "text", "html_text", "attachment_names")
SEVERITY_ORDER: dict[str, int] = {"low": 0, "medium": 1, "high": 2, "critical": 3}

# A boundary is any position not adjacent to a letter or digit. ``[^\W_]`` is
# "a word character other than underscore", i.e. a letter or digit.
_B_START = r"(?<![^\W_])"
_B_END = r"(?![^\W_])"
_PHRASE_GAP = r"[\s\-_]+"

# Negation cues, folded (no accents). "ni" and "nor" cover "ni queja ni reclamo".
_NEGATION_CUES = frozenset(
    {
        "no",
        "not",
        "never",
        "without",
        "none",
        "nor",
        "dont",
        "don't",
        "didnt",
        "didn't",
        "isnt",
        "isn't",
        "wasnt",
        "wasn't",
        "arent",
        "aren't",
        "doesnt",
        "doesn't",
        "havent",
        "haven't",
        "wont",
        "won't",
        "cannot",
        "sin",
        "nunca",
        "ni",
        "tampoco",
        "ningun",
        "ninguna",
        "ninguno",
        "jamas",
    }
)
_NEGATION_WINDOW = 4
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\n]|\bbut\b|\bpero\b|\bhowever\b|\bsin embargo\b")

# Quoted reply detection (on folded text). The header forms are the ones mail
# clients insert above a quoted message in English and Spanish.
_QUOTE_HEADER = re.compile(
    r"^(?:on\s[^\n]{0,200}(?:\n[^\n]{0,200})?\swrote:[ \t]*$"
    r"|el\s[^\n]{0,200}(?:\n[^\n]{0,200})?\sescribio:[ \t]*$|-{2,}\s*original message\s*-{2,}"
    r"|-{2,}\s*mensaje original\s*-{2,}|from:\s.*\n(?:.*\n){0,3}?sent:\s)",
    re.MULTILINE,
)
_QUOTED_LINE = re.compile(r"^[ \t]*>.*$", re.MULTILINE)


class EscalationRule(BaseModel):
    """One configured escalation rule (validated from YAML)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    # Tuples, not lists: rules are hashable, so compiled regexes are cached per rule
    # value (a model_copy with changes gets its own compilation).
    phrases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    fields: tuple[FieldName, ...] = Field(default=ALL_FIELDS, min_length=1)
    severity: Severity
    route: str = Field(min_length=1)
    unless: tuple[str, ...] = ()
    negatable: bool = False
    skip_quoted: bool = True
    description: str = ""

    @field_validator("phrases")
    @classmethod
    def _phrases_not_blank(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if any(not p.strip() for p in v):
            raise ValueError("phrases must not be blank")
        return v

    def compiled(self) -> tuple[re.Pattern[str], tuple[re.Pattern[str], ...]]:
        """The rule's trigger regex and its ``unless`` regexes, compiled for folded text.

        Raises :class:`ConfigError` naming the rule if a pattern is not a valid regex.
        """
        alternatives = self._alternatives()
        if not alternatives:
            raise ConfigError(f"escalation rule {self.name!r} has no phrases and no patterns")
        trigger = _compile(self.name, "patterns", f"{_B_START}(?:{'|'.join(alternatives)}){_B_END}")
        unless = tuple(
            _compile(self.name, "unless", f"{_B_START}(?:{_fold_pattern(u)}){_B_END}")
            for u in self.unless
        )
        return trigger, unless

    def _alternatives(self) -> list[str]:
        alternatives = [_phrase_regex(p) for p in self.phrases]
        for pattern in self.patterns:
            _check_regex(self.name, "patterns", pattern)
            alternatives.append(f"(?:{_fold_pattern(pattern)})")
        return alternatives

    def guide(self) -> Guide:
        """Where the trigger can match, from literals its phrases and patterns must contain.

        Lower-case ASCII anchors, for :func:`pipeline.classify.anchors.ascii_probe` text.
        """
        return guide_for(self._alternatives(), ignore_case=True)

    def unless_guides(self) -> tuple[Guide, ...]:
        """A :class:`Guide` for each ``unless`` regex, in order."""
        return tuple(guide_for([f"(?:{_fold_pattern(u)})"], ignore_case=True) for u in self.unless)


class RuleSet(BaseModel):
    """An ordered collection of escalation rules with unique names."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = "1"
    rules: tuple[EscalationRule, ...]

    @field_validator("rules")
    @classmethod
    def _unique_names(cls, v: tuple[EscalationRule, ...]) -> tuple[EscalationRule, ...]:
        seen: set[str] = set()
        for rule in v:
            if rule.name in seen:
                raise ValueError(f"duplicate rule name {rule.name!r}")
            seen.add(rule.name)
        return v

    @property
    def compiled_rules(
        self,
    ) -> tuple[tuple[EscalationRule, re.Pattern[str], tuple[re.Pattern[str], ...]], ...]:
        """Each rule with its compiled trigger and ``unless`` regexes (cached per rule)."""
        return tuple((r, *_compiled_rule(r)) for r in self.rules)

    def compile_all(self) -> None:
        """Compile every rule now, so a bad regex fails at load time, not on a message."""
        _ = self.compiled_rules

    def rule(self, name: str) -> EscalationRule:
        """The rule called ``name`` (KeyError if there is none)."""
        for r in self.rules:
            if r.name == name:
                return r
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class MessageFields:
    """The parts of a message that rules look at."""

    subject: str = ""
    text: str = ""
    html_text: str = ""
    attachment_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleMatch:
    """One occurrence of a rule in one field.

    ``start``/``end`` index the ORIGINAL field text (for ``attachment_names``,
    the name at position ``item``); ``matched`` is that original text.
    """

    rule: str
    field: FieldName
    start: int
    end: int
    matched: str
    severity: Severity
    route: str
    item: int = 0


class PreparedField:
    """One field value, normalised, with what rules derive from it computed on demand."""

    __slots__ = ("_quoted", "norm", "probe", "quotable")

    def __init__(self, value: str, quotable: bool) -> None:
        self.norm = normalize(value)
        self.quotable = quotable
        # Lower-cased folded text for anchor tests (None: anchors cannot be trusted).
        self.probe = ascii_probe(self.norm.text)
        self._quoted: SpanSet | None = None

    @property
    def quoted(self) -> SpanSet:
        """Quoted reply spans (only bodies have them); needed only once a trigger matches."""
        if self._quoted is None:
            self._quoted = SpanSet(_quoted_mask(self.norm.text) if self.quotable else ())
        return self._quoted


class PreparedFields:
    """A message's fields, each normalised once and shared by every classifier step.

    Folding a 20 KB body costs as much as several regex scans, and rules, topics,
    account numbers, sensitive numbers and language detection all read the same
    folded text, so it is built once per message (lazily, per field value).
    """

    __slots__ = ("_cache", "_occurrences", "fields", "literals")

    def __init__(self, fields: MessageFields, literals: LiteralSet | None = None) -> None:
        self.fields = fields
        # Every literal the steps' guides test; None: each test is its own search.
        self.literals = literals
        self._cache: dict[tuple[FieldName, int], PreparedField] = {}
        self._occurrences: dict[str, Occurrences] = {}

    def get(self, name: FieldName, item: int = 0) -> PreparedField:
        """The prepared value of field ``name`` (``item`` indexes attachment names)."""
        key = (name, item)
        found = self._cache.get(key)
        if found is None:
            value = _field_values(self.fields, name)[item]
            found = PreparedField(value, name in ("text", "html_text"))
            self._cache[key] = found
        return found

    def norm(self, name: FieldName, item: int = 0) -> NormalizedText:
        """The normalised text of field ``name``."""
        return self.get(name, item).norm

    def occurrences(self, text: str, within: str | None = None) -> Occurrences | None:
        """Where :attr:`literals` occur in ``text`` (None without a literal set).

        Kept per text value: a subject's anchor probe and its folded text are
        usually the same string, and one scan serves both.  When ``text`` is a
        prefix of ``within`` (an unquoted body of its field's probe), the scan of
        ``within`` serves: every occurrence in ``text`` is one there at the same
        offset, and the extra ones only add candidates that fail to match.
        """
        if self.literals is None:
            return None
        if within is not None and within.startswith(text):
            text = within
        found = self._occurrences.get(text)
        if found is None:
            found = self._occurrences[text] = self.literals.occurrences(text)
        return found


@lru_cache(maxsize=1024)
def _rule_guide(rule: EscalationRule) -> Guide:
    return rule.guide()


@lru_cache(maxsize=1024)
def _unless_guides(rule: EscalationRule) -> tuple[Guide, ...]:
    return rule.unless_guides()


@lru_cache(maxsize=1024)
def _compiled_rule(
    rule: EscalationRule,
) -> tuple[re.Pattern[str], tuple[re.Pattern[str], ...]]:
    return rule.compiled()


def _check_regex(rule: str, key: str, pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ConfigError(
            f"escalation rule {rule!r}: invalid regular expression in {key}: {pattern!r} ({exc}); "
            "fix or remove it in the rules file"
        ) from exc


def _compile(rule: str, key: str, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ConfigError(
            f"escalation rule {rule!r}: invalid regular expression in {key} ({exc}); "
            "fix or remove it in the rules file"
        ) from exc


def _fold_pattern(pattern: str) -> str:
    """Strip accents from a regex so it matches folded text (case via IGNORECASE).

    Casefolding a whole regex would corrupt escapes (``\\S`` -> ``\\s``), so only
    non-ASCII characters are folded; IGNORECASE handles case.
    """
    return "".join(ch if ch.isascii() else fold(ch) for ch in pattern)


def _phrase_regex(phrase: str) -> str:
    words = fold(phrase).split()
    return "(?:" + _PHRASE_GAP.join(re.escape(w) for w in words) + ")"


def _quoted_mask(folded: str) -> list[tuple[int, int]]:
    """Spans of folded text that are quoted reply material."""
    spans = [(m.start(), m.end()) for m in _QUOTED_LINE.finditer(folded)]
    header = _QUOTE_HEADER.search(folded)
    if header is not None:
        spans.append((header.start(), len(folded)))
    return spans


def _negated(folded: str, start: int) -> bool:
    """True if a negation cue occurs within the window before ``start`` in its clause."""
    window_start = max(0, start - 80)
    before = folded[window_start:start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    tokens = [t.replace("\u2019", "'") for t in _TOKEN.findall(before.replace("\u2019", "'"))]
    return any(t in _NEGATION_CUES for t in tokens[-(_NEGATION_WINDOW + 1) :])


def _field_values(fields: MessageFields, name: FieldName) -> tuple[str, ...]:
    if name == "attachment_names":
        return fields.attachment_names
    value: str = getattr(fields, name)
    return (value,)


def _match_one(
    rule: EscalationRule,
    trigger: re.Pattern[str],
    unless: tuple[re.Pattern[str], ...],
    field_name: FieldName,
    item: int,
    prepared: PreparedField,
    occurrences: Occurrences | None,
) -> list[RuleMatch]:
    norm = prepared.norm
    folded = norm.text
    # The "unless" spans are only needed once the trigger matches (most rules match nothing).
    blocked: SpanSet | None = None
    out: list[RuleMatch] = []
    # Same matches as trigger.finditer(folded), trying only where an anchor allows.
    for m in guided_finditer(trigger, folded, prepared.probe, _rule_guide(rule), occurrences):
        span = (m.start(), m.end())
        if span[0] == span[1]:
            continue
        if blocked is None:
            blocked = SpanSet(
                (b.start(), b.end())
                for u, guide in zip(unless, _unless_guides(rule), strict=True)
                for b in guided_finditer(u, folded, prepared.probe, guide, occurrences)
            )
        if blocked.overlaps(*span):
            continue
        if rule.skip_quoted and prepared.quotable and prepared.quoted.overlaps(*span):
            continue
        if rule.negatable and _negated(folded, span[0]):
            continue
        start, end = norm.original_span(*span)
        out.append(
            RuleMatch(
                rule=rule.name,
                field=field_name,
                start=start,
                end=end,
                matched=norm.original[start:end],
                severity=rule.severity,
                route=rule.route,
                item=item,
            )
        )
    return out


def match_rules(
    rules: RuleSet, fields: MessageFields, prepared: PreparedFields | None = None
) -> tuple[RuleMatch, ...]:
    """Every occurrence of every rule in ``fields``, in rule order then field order.

    ``prepared`` (built from the same ``fields``) shares normalised text with the
    other classifier steps. Raises :class:`ConfigError` if a rule's regex is invalid
    (naming the rule).
    """
    if prepared is None:
        prepared = PreparedFields(fields)
    results: list[RuleMatch] = []
    for rule, trigger, unless in rules.compiled_rules:
        for field_name in rule.fields:
            for item, value in enumerate(_field_values(fields, field_name)):
                if not value:
                    continue
                field = prepared.get(field_name, item)
                occurrences = None if field.probe is None else prepared.occurrences(field.probe)
                results.extend(
                    _match_one(rule, trigger, unless, field_name, item, field, occurrences)
                )
    return tuple(results)


def rule_guides(rules: RuleSet) -> tuple[Guide, ...]:
    """The guides of every rule's trigger and ``unless`` regexes, in rule order."""
    return tuple(g for r in rules.rules for g in (_rule_guide(r), *_unless_guides(r)))


def load_rules_yaml(text: str, source: str = "<rules>") -> RuleSet:
    """Parse and validate a YAML rule pack; every regex is compiled before returning.

    Raises :class:`ConfigError` (saying which source and rule) on any problem.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML ({exc})") from exc
    try:
        ruleset = RuleSet.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: invalid escalation rules: {exc}") from exc
    try:
        ruleset.compile_all()
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from exc
    return ruleset


def load_default_rules() -> RuleSet:
    """The packaged English/Spanish mortgage-servicing rule pack."""
    text = resources.files("pipeline.classify").joinpath("default_rules.yaml").read_text("utf-8")
    return load_rules_yaml(text, source="default_rules.yaml")
