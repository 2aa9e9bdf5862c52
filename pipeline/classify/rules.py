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
* Triggers and ``unless`` patterns run on a view of the folded text in which a
  sentence wrapped onto the next line is one line (see :mod:`pipeline.classify.wrap`):
  a pattern's spaces and ``[^.\\n]`` then cross a hard wrap as they cross a space,
  while blank lines, list items, quoted lines and sentence ends still separate.
  Spans are mapped back, so evidence points at the original text. What changes a
  match's meaning (negation, resolution, someone else's situation, a matter over
  before this loan, a joke, the media, the news) is read on the view too, at the
  match's view span: "the late fee was\nrefunded" is one sentence, as the match found
  it. Only zones (quoted lines, a reply header, a disclaimer paragraph, a signature
  delimiter) are read on the folded text, line by line: they are made of whole lines.
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
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.classify.anchors import Guide, ascii_probe, guide_for, guided_finditer
from pipeline.classify.context import (
    EMPTY_ZONES,
    Zones,
    asked_cue,
    before_this_loan_cue,
    feared_cue,
    find_zones,
    is_forwarded_subject,
    joke_cue,
    long_repaired_cue,
    media_seen_cue,
    negation_cue,
    news_cue,
    other_party_cue,
    resolution_cue,
)
from pipeline.classify.intervals import SpanSet
from pipeline.classify.kinds import (
    EscalationFamily,
    RequestKind,
    RequestSubkind,
    Suppression,
    SuppressionReason,
)
from pipeline.classify.literals import LiteralSet, Occurrences
from pipeline.classify.machine import MachineHeaders
from pipeline.classify.normalize import NormalizedText, fold, fold_pattern, normalize
from pipeline.classify.wrap import unwrap
from pipeline.errors import ConfigError

__all__ = [
    "ALL_FIELDS",
    "SEVERITY_ORDER",
    "EscalationRule",
    "FamilyRoute",
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
    "match_rules_detailed",
    "rule_guides",
]

FieldName = Literal["subject", "text", "html_text", "attachment_names", "attachment_text"]
Signal = Literal[
    "error_cue",
    # Words that assert an error only of what they name beside them: the writer's
    # good standing ("I always pay on time") and a fairness judgement ("it is not
    # right"). See the classifier's _judgements.
    "judgement_cue",
    # A lateness put on the account ("late fee", "reported late", "past due"): what a
    # statement of good standing disputes wherever in the message it is.
    "late_mark",
    "servicing_object",
    "amount",
    "request_cue",
    "info_object",
    "payoff_object",
    "application_reference",
    "application_material",
    "application_act",
    "plan_in_place",
    "elderly",
    "exploitation_act",
    "own_fault",
    "own_loan",
    "lawsuit_threat",
    "counsel_writing",
    # Business of a sale or refinance the writer's office handles ("our office closed the
    # refinance", "this is a routine sale closing"): see the classifier's _closing_firm.
    "closing_business",
    # The writer's trade, where it is not the law ("HUD-certified housing counselor",
    # "Realtor", "I am not an attorney"): see the classifier's _agent_not_counsel.
    "non_lawyer_role",
    # The writer disclaims asserting anything ("não estou reclamando, só quero entender",
    # "baka hindi ko lang naiintindihan") or clears the servicer ("this isn't your
    # fault"): see the classifier's _decide and _model_decisions.
    "no_claim",
]
# Signals that assert an error, read alike for negation and resolution.
_ERROR_SIGNALS = frozenset({"error_cue", "judgement_cue"})
Severity = Literal["low", "medium", "high", "critical"]
ALL_FIELDS: tuple[FieldName, ...] = (
    "subject",
    "text",
    "html_text",
    "attachment_names",
    "attachment_text",
)
SEVERITY_ORDER: dict[str, int] = {"low": 0, "medium": 1, "high": 2, "critical": 3}
_T = TypeVar("_T")
# Families about the writer's own situation: the same words about a neighbour, a friend
# or another company ("the house next door went to auction") escalate nothing; nor
# does a complaint that is a friend's idea ("朋友说可以去投诉，不过我觉得还是先问问你们").
_OWN_SITUATION = frozenset(
    {"foreclosure_sale", "bankruptcy", "legal_representation", "successor_in_interest",
     "disaster_hardship", "servicemember", "regulator_complaint", "complaint"}
)  # fmt: skip
# ...of which a sibling's or cousin's is theirs alone ("mi hermano está en bancarrota").
_OWN_AFFAIRS = frozenset({"bankruptcy"})
# Threats a writer can take back as a joke: suing, going to the press or a regulator.
_THREATS = frozenset({"legal_representation", "media_threat", "regulator_complaint"})
# A story on the news about fraud or a disaster is nobody's report here.
_NEWSWORTHY = frozenset({"fraud_identity_theft", "elder_exploitation"})

# A boundary is any position not adjacent to a letter or digit of a script written
# with spaces between words: Latin (with Vietnamese's letters, U+1E00-U+1EFF), Greek,
# Cyrillic, Armenian, Hebrew (all below U+0600). ``(?=[^\W_])`` keeps, of those, the
# letters and digits. Letters of scripts written without spaces between a word and its
# particles (Hangul, Chinese, Japanese kana, Arabic) do not count: a Latin word written
# among them ends where their letters begin ("CFPB에 민원을", "向CFPB投诉"), and the
# packs of those scripts match without boundaries anyway.
# The class names the few spaced scripts, not the many unspaced ones: Python's compiler
# expands a character class into a table of every code point it covers (about 1 ms for
# the 40,000 of the unspaced scripts), every rule carries the boundary twice, and that
# made loading the rule packs take seconds. ``(?-i:...)``: case folding would visit
# each code point again, and the class is the same under it.
_SPACED = "\x00-\u05ff\u1e00-\u1eff"
_B_START = rf"(?<!(?-i:(?=[^\W_])[{_SPACED}]))"
_B_END = rf"(?!(?-i:(?=[^\W_])[{_SPACED}]))"
_PHRASE_GAP = r"[\s\-_]+"
_PHRASE_GAP_TL = r"[\s\-_]+(?:(?:po|ho)[\s\-_]+)?"


CUE = "cue"
CUE_GROUP = "(?P<cue>"
"""A pattern's named group whose text alone is the match shown as evidence."""


class EscalationRule(BaseModel):
    """One configured escalation rule (validated from YAML)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    # Tuples, not lists: rules are hashable, so compiled regexes are cached per rule
    # value (a model_copy with changes gets its own compilation).
    phrases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    fields: tuple[FieldName, ...] = Field(default=ALL_FIELDS, min_length=1)
    severity: Severity = "low"
    route: str = Field(default="none", min_length=1)
    unless: tuple[str, ...] = ()
    negatable: bool = False
    skip_quoted: bool = True
    description: str = ""
    # What a match means (see pipeline.classify.kinds): an escalation family, a
    # request kind (and subkind), or a signal that only counts next to another one
    # (an error assertion next to a servicing object makes a notice of error).
    family: EscalationFamily | None = None
    kind: RequestKind | None = None
    subkind: RequestSubkind | None = None
    signal: Signal | None = None
    # The language of the rule's words ("*": any). Packs other than English and
    # Spanish run only on mail detected (primary or secondary) in their language.
    language: str = "*"
    # Word boundaries suit alphabetic scripts; Chinese has no spaces and Korean and
    # Arabic attach particles and prefixes, so their packs match anywhere.
    word_boundaries: bool = True
    # A family whose words sit in an attorney's signature still counts there.
    counts_in_signature: bool = False
    # A request cue that is also an everyday conjunction ("cuando", "donde", "porque",
    # "quand") asks only in a sentence ending with a question mark, or where written
    # with the accent that marks the interrogative ("cuándo", "dónde", "por qué").
    asks_only: bool = False
    # A document or record that a notice of error names ("the escrow analysis is
    # wrong") is part of the assertion; it is a request for information there only
    # when asked for (a request cue nearby, or a question).
    named_in_errors: bool = False
    # The words ask what an application still needs ("what documents do you need?"):
    # in a new loss-mitigation application that is part of it (the servicer must say
    # what is missing anyway, 1024.41(b)(2)(i)(B)) unless asked in a question, as for
    # an application's materials (see pipeline.classify.classifier).
    application_asks_only: bool = False
    # A wish to know a fact ("I'd also like to know if ...") asks by its own words: a
    # request of its own inside a notice of error, whose other questions are part of
    # the assertion; elsewhere the request cue and the information object decide, as
    # for any request.
    errors_only: bool = False
    # The words say the writer did not consent ("I did not authorize", "sin mi
    # autorización"): next to a sum of money they dispute a charge (a notice of error),
    # elsewhere they report fraud. The classifier decides which.
    consent_denial: bool = False
    # The words name a scam that may be only suspected ("is this a scam?"): the
    # classifier drops them when the writer did not fall for it and no data of theirs
    # is said to be in someone's hands.
    suspicion: bool = False
    # The words are only a law office's name ("Brightwater Law Group"): counsel writing
    # to us, unless the mail only orders a payoff or closes a sale for its client.
    firm_name: bool = False
    # The words are only a client named ("my client", "nuestro cliente"): a lawyer's
    # client, unless the writer says their trade is another (a housing counsellor's, an
    # agent's), which the classifier decides.
    client_words: bool = False

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
        b_start, b_end = (_B_START, _B_END) if self.word_boundaries else ("", "")
        trigger = _compile(self.name, "patterns", f"{b_start}(?:{'|'.join(alternatives)}){b_end}")
        unless = tuple(
            _compile(self.name, "unless", f"{b_start}(?:{fold_pattern(u)}){b_end}")
            for u in self.unless
        )
        return trigger, unless

    def _alternatives(self) -> list[str]:
        # Tagalog puts its politeness particle inside any phrase ("hindi po tama",
        # "bayad na po ako"): a phrase of the pack allows it between its words.
        gap = _PHRASE_GAP_TL if self.language == "tl" else _PHRASE_GAP
        alternatives = [_phrase_regex(p, gap) for p in self.phrases]
        for i, pattern in enumerate(self.patterns):
            _check_regex(self.name, "patterns", pattern)
            # A pattern's "(?P<cue>...)" group is what it shows as matched (words around a
            # name or an address only place the cue); numbered, as the alternation joins
            # every pattern of the rule into one regex.
            folded = fold_pattern(pattern).replace(CUE_GROUP, f"(?P<{CUE}{i}>")
            alternatives.append(f"(?:{folded})")
        return alternatives

    def guide(self) -> Guide:
        """Where the trigger can match, from literals its phrases and patterns must contain.

        Lower-case ASCII anchors, for :func:`pipeline.classify.anchors.ascii_probe` text.
        """
        return guide_for(self._alternatives(), ignore_case=True)

    def unless_guides(self) -> tuple[Guide, ...]:
        """A :class:`Guide` for each ``unless`` regex, in order."""
        return tuple(guide_for([f"(?:{fold_pattern(u)})"], ignore_case=True) for u in self.unless)


class FamilyRoute(BaseModel):
    """Where an escalation family goes and how urgent it is."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    family: EscalationFamily
    route: str = Field(min_length=1)
    severity: Severity


class RuleSet(BaseModel):
    """An ordered collection of escalation rules with unique names, and the route and
    severity of each escalation family."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = "1"
    rules: tuple[EscalationRule, ...]
    families: tuple[FamilyRoute, ...] = ()

    def family_route(self, family: str) -> FamilyRoute | None:
        """The configured route and severity of ``family`` (None if not configured)."""
        for f in self.families:
            if f.family == family:
                return f
        return None

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
        return per_ruleset(
            self, "compiled", lambda: tuple((r, *_compiled_rule(r)) for r in self.rules)
        )

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
    # Text extracted from attachments that are text (plain-text files, forwarded
    # messages' bodies), one item per attachment.
    attachment_text: tuple[str, ...] = ()
    # Header facts for the machine-mail decision (None: not known, e.g. in tests).
    headers: MachineHeaders | None = None


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

    __slots__ = ("_zones", "forwarded", "norm", "probe", "quotable", "view")

    def __init__(self, value: str, quotable: bool, forwarded: bool = False) -> None:
        self.norm = normalize(value)
        self.quotable = quotable
        self.forwarded = forwarded
        # Lower-cased folded text for anchor tests (None: anchors cannot be trusted).
        self.probe = ascii_probe(self.norm.text)
        # What rules match on: the folded text with soft line breaks joined (the
        # folded text itself when nothing is wrapped); see pipeline.classify.wrap.
        self.view = unwrap(self.norm, self.probe)
        self._zones: Zones | None = None

    @property
    def zones(self) -> Zones:
        """Quoted, disclaimer and signature spans (only bodies have them); computed
        only once a trigger matches."""
        if self._zones is None:
            self._zones = (
                find_zones(self.norm.text, self.forwarded) if self.quotable else EMPTY_ZONES
            )
        return self._zones

    @property
    def quoted(self) -> SpanSet:
        """Quoted reply spans."""
        return self.zones.quoted


class PreparedFields:
    """A message's fields, each normalised once and shared by every classifier step.

    Folding a 20 KB body costs as much as several regex scans, and rules, topics,
    account numbers, sensitive numbers and language detection all read the same
    folded text, so it is built once per message (lazily, per field value).
    """

    __slots__ = ("_cache", "_occurrences", "fields", "forwarded", "literals")

    def __init__(self, fields: MessageFields, literals: LiteralSet | None = None) -> None:
        self.fields = fields
        # A forwarding message's forwarded text is what the sender brings to us now.
        self.forwarded = is_forwarded_subject(fold(fields.subject))
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
            found = PreparedField(
                value, name in ("text", "html_text", "attachment_text"), self.forwarded
            )
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


_PER_RULESET: dict[tuple[int, str], tuple[RuleSet, object]] = {}


def per_ruleset(rules: RuleSet, name: str, build: Callable[[], _T]) -> _T:
    """``build()`` computed once per rule set object.

    Rule sets are frozen pydantic models, hashed field by field: with a few hundred
    rules, hashing one for an ``lru_cache`` lookup on every message cost more than
    matching. They live as long as their configuration, so they are keyed by
    identity (the set itself is kept, so its id cannot be reused while cached).
    """
    key = (id(rules), name)
    found = _PER_RULESET.get(key)
    if found is None or found[0] is not rules:
        if len(_PER_RULESET) > 256:
            _PER_RULESET.clear()
        found = _PER_RULESET[key] = (rules, build())
    return found[1]  # type: ignore[return-value]


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


def _phrase_regex(phrase: str, gap: str = _PHRASE_GAP) -> str:
    words = fold(phrase).split()
    return "(?:" + gap.join(re.escape(w) for w in words) + ")"


def _field_values(fields: MessageFields, name: FieldName) -> tuple[str, ...]:
    if name == "attachment_names":
        return fields.attachment_names
    if name == "attachment_text":
        return fields.attachment_text
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
    suppressed: list[Suppression],
    primary: str | None = None,
) -> list[RuleMatch]:
    norm = prepared.norm
    # Triggers and "unless" patterns run on the view with soft line breaks joined, and
    # the anchor probe and ``occurrences`` are the view's, so the guide skips no match
    # a scan of the view would find. The context cues are read on the view as well (a
    # cue's words wrapped apart are as much one phrase as the match's); zones, made of
    # whole lines ("> " prefixes, a "-- " delimiter, a blank-line paragraph), are read
    # at the match's span in the folded text.
    view = prepared.view
    # The "unless" spans are only needed once the trigger matches (most rules match nothing).
    blocked: SpanSet | None = None
    out: list[RuleMatch] = []
    # Same matches as trigger.finditer(view.text), trying only where an anchor allows.
    cues = [g for g in trigger.groupindex if g.startswith(CUE)]
    for m in guided_finditer(trigger, view.text, view.probe, _rule_guide(rule), occurrences):
        vspan = next(((m.start(g), m.end(g)) for g in cues if m.start(g) >= 0), m.span())
        if vspan[0] == vspan[1]:
            continue
        if blocked is None:
            blocked = SpanSet(
                (b.start(), b.end())
                for u, guide in zip(unless, _unless_guides(rule), strict=True)
                for b in guided_finditer(u, view.text, view.probe, guide, occurrences)
            )
        if blocked.overlaps(*vspan):
            continue
        span = view.folded_span(*vspan)
        start, end = norm.original_span(*span)
        why: tuple[SuppressionReason, str] | None = None
        if rule.skip_quoted and prepared.quotable:
            zone = prepared.zones.reason_at(*span)
            if zone is not None and not (zone[0] == "signature" and rule.counts_in_signature):
                why = (zone[0], zone[1])  # type: ignore[assignment]
        if why is None and rule.negatable:
            # A negation is read on the view, as the match was: "we have never\nfiled for
            # bankruptcy" is one clause (the folded text reads only long lines as wrapped);
            # so are the cues below ("that was all\nstraightened out").
            cue = negation_cue(
                view.text,
                *vspan,
                contracted_no=primary == "pt",
                asserted_after_why=rule.signal in _ERROR_SIGNALS,
            )
            if cue is not None:
                why = ("negation", cue)
        # A mistake only feared ("I'm afraid you will charge me twice") or asked about in
        # an indirect question ("- how I can have PMI removed") is none asserted.
        if why is None and rule.signal in _ERROR_SIGNALS:
            cue = feared_cue(view.text, *vspan) or asked_cue(view.text, vspan[0])
            if cue is not None:
                why = ("unasserted", cue)
        # A resolved matter ("my CFPB complaint was resolved") is no live escalation,
        # whichever family the words belong to.
        resolvable = rule.negatable or rule.family is not None or rule.signal in _ERROR_SIGNALS
        if why is None and resolvable and (rule.signal is None or rule.signal in _ERROR_SIGNALS):
            cue = resolution_cue(view.text, *vspan)
            if cue is not None:
                why = ("resolution", cue)
        # A disaster whose damage was repaired long ago is no hardship now.
        if why is None and rule.family == "disaster_hardship":
            cue = long_repaired_cue(view.text, *vspan)
            if cue is not None:
                why = ("resolution", cue)
        # A bankruptcy over before this loan was taken is no live matter for it.
        if why is None and rule.family in _OWN_AFFAIRS:
            cue = before_this_loan_cue(view.text, *vspan)
            if cue is not None:
                why = ("resolution", cue)
        if why is None and rule.family in _OWN_SITUATION:
            cue = other_party_cue(view.text, vspan[0], rule.family in _OWN_AFFAIRS)
            if cue is not None:
                why = ("other_party", cue)
        # A threat the writer says was a joke ("vou processar vocês, brincadeira").
        if why is None and (rule.family in _THREATS or rule.signal == "lawsuit_threat"):
            cue = joke_cue(view.text, *vspan)
            if cue is not None:
                why = ("joke", cue)
        # "I saw an ad on Facebook", "they were talking about the CFPB on the radio".
        if why is None and rule.family in ("media_threat", "regulator_complaint"):
            cue = media_seen_cue(view.text, *vspan)
            if cue is not None:
                why = ("seen_in_media", cue)
        if why is None and rule.family in _NEWSWORTHY:
            cue = news_cue(view.text, vspan[0])
            if cue is not None:
                why = ("other_party", cue)
        if why is not None:
            suppressed.append(
                Suppression(
                    reason=why[0],
                    rule=rule.name,
                    field=field_name,
                    start=start,
                    end=end,
                    matched=norm.original[start:end],
                    cue=why[1],
                )
            )
            continue
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
    return match_rules_detailed(rules, fields, prepared)[0]


def match_rules_detailed(
    rules: RuleSet,
    fields: MessageFields,
    prepared: PreparedFields | None = None,
    languages: frozenset[str] | None = None,
    primary: str | None = None,
) -> tuple[tuple[RuleMatch, ...], tuple[Suppression, ...]]:
    """Like :func:`match_rules`, also returning every match context suppressed.

    ``languages``: run only rules of these languages (and those of any language,
    ``"*"``); None runs every rule. ``primary``: the message's detected language,
    which decides what some words mean (Portuguese "no" is "in the", no negation).
    """
    if prepared is None:
        prepared = PreparedFields(fields)
    results: list[RuleMatch] = []
    suppressed: list[Suppression] = []
    for rule, trigger, unless in rules.compiled_rules:
        if languages is not None and rule.language != "*" and rule.language not in languages:
            continue
        for field_name in rule.fields:
            for item, value in enumerate(_field_values(fields, field_name)):
                if not value:
                    continue
                field = prepared.get(field_name, item)
                probe = field.view.probe
                occurrences = None if probe is None else prepared.occurrences(probe)
                results.extend(
                    _match_one(
                        rule,
                        trigger,
                        unless,
                        field_name,
                        item,
                        field,
                        occurrences,
                        suppressed,
                        primary,
                    )
                )
    return tuple(results), tuple(suppressed)


def rule_guides(rules: RuleSet) -> tuple[Guide, ...]:
    """The guides of every rule's trigger and ``unless`` regexes, in rule order."""
    return tuple(g for r in rules.rules for g in (_rule_guide(r), *_unless_guides(r)))


# libyaml's parser when PyYAML was built with it (its wheels are): the packs are
# read at every process start, and the pure-Python parser took about a second on them.
_YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse_yaml(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML ({exc})") from exc


def load_rules_yaml(text: str, source: str = "<rules>") -> RuleSet:
    """Parse and validate a YAML rule pack; every regex is compiled before returning.

    Raises :class:`ConfigError` (saying which source and rule) on any problem.
    """
    return _rules_from_data(_parse_yaml(text, source), source)


def _rules_from_data(data: Any, source: str) -> RuleSet:
    try:
        ruleset = RuleSet.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: invalid escalation rules: {exc}") from exc
    try:
        ruleset.compile_all()
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from exc
    return ruleset


def _pack_rules(text: str, source: str) -> tuple[str, bool, list[dict[str, object]]]:
    data = _parse_yaml(text, source)
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ConfigError(f"{source}: a language pack needs 'language' and a 'rules' list")
    language = str(data.get("language", "*"))
    boundaries = bool(data.get("word_boundaries", True))
    return language, boundaries, [r for r in data["rules"] if isinstance(r, dict)]


def with_family_routes(rules: list[dict[str, object]], families: list[dict[str, object]]) -> None:
    """Give each rule with a ``family`` and no route/severity of its own the family's."""
    table = {str(f.get("family")): f for f in families if isinstance(f, dict)}
    for rule in rules:
        family = rule.get("family")
        if family is None:
            continue
        found = table.get(str(family))
        if found is None:
            continue
        rule.setdefault("route", found.get("route"))
        rule.setdefault("severity", found.get("severity"))


# Routes of request-kind rules without a family (the desks that own those clocks).
_KIND_ROUTES = {
    "notice_of_error": "error-resolution",
    "request_for_information": "error-resolution",
    "payoff_statement": "error-resolution",
    "loss_mitigation_application": "loss-mitigation",
}


@lru_cache(maxsize=1)
def load_default_rules() -> RuleSet:
    """The packaged rule packs: ``default_rules.yaml`` (English/Spanish escalation rules
    and the escalation families' routes) plus one pack per language under ``packs/``.
    """
    base = resources.files("pipeline.classify")
    data = _parse_yaml(base.joinpath("default_rules.yaml").read_text("utf-8"), "default_rules.yaml")
    rules: list[dict[str, object]] = list(data.get("rules", []))
    families: list[dict[str, object]] = list(data.get("families", []))
    packs = sorted(
        (p for p in base.joinpath("packs").iterdir() if p.name.endswith(".yaml")),
        key=lambda p: p.name,
    )
    for pack in packs:
        language, boundaries, pack_rules = _pack_rules(pack.read_text("utf-8"), pack.name)
        for rule in pack_rules:
            rule.setdefault("language", language)
            rule.setdefault("word_boundaries", boundaries)
            rules.append(rule)
    with_family_routes(rules, families)
    for rule in rules:
        # Every rule shown as evidence names a route the escalation handler knows.
        if rule.get("signal") is None and "route" not in rule:
            rule["route"] = _KIND_ROUTES.get(str(rule.get("kind")), "supervisor")
    data = {"version": data.get("version", "1"), "rules": rules, "families": families}
    return _rules_from_data(data, source="packaged rule packs")
