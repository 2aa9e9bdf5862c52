"""A statistical recogniser for two request kinds: a notice of error (12 CFR 1024.35)
and a request for information (1024.36), as borrowers write them.

Keyword rules fit the writers they were tuned on; a new writer's "you took my money
twice and nobody answers" is missed at about the same rate after every tuning round.
This recogniser scores the sender's own words with a linear model over character
n-grams (2 to 5 characters within word boundaries, of the folded text the rules see),
which needs no tokeniser and so works alike for English, Vietnamese typed without
accents, Chinese, Korean and Arabic.

The model is trained offline on the development corpus only (``bench/train_recogniser.py``,
with scikit-learn) and shipped as ``recogniser.json``: per kind the n-grams with a
non-zero weight, the intercept and the decision threshold, plus the digest of the
corpus and the trainer's settings. Scoring here is a sum of weights: no learning
library is needed at run time, and a decision can name the n-grams that made it.

What the model reads (:class:`ModelText`): the subject (not a reply's, which names the
thread rather than what the reply says) and the body without quoted history,
disclaimers, signatures, and without each sentence in which the rules suppressed a
match for a negation, a resolution, someone else's situation, or a mistake only feared
or asked about ("this is not a complaint", "it was fixed, thanks", "I'm afraid you will
charge me twice"): what the rules may not count, the model may not either. Only the
first :data:`MAX_CHARS` characters are scored, and every digit reads as ``0``.

The same file may hold a third model, ``machine``: is this automatic mail? It reads
:func:`pipeline.classify.machine.machine_text` (the subject and the writer's own part of
the body, footers and all, folded: a mailing's footer or a system's fixed lines are what
it learns from), and :mod:`pipeline.classify.machine` consults it only for mail that is
no reply or forward and in which neither the rules nor the kinds' models found
anything: no automatic-mail words, no request, no concern.

And a fourth, ``ordinary``: how strongly the sender's own words (the kinds' model
text) read as mail that needs no escalation. Trained on the people's mail of the
development part with "no escalation family" as its target, it lets
:func:`pipeline.classify.classifier.classify` withhold an escalation the rules raised
when those words read overwhelmingly as ordinary mail (never a family the servicer
rates critical), if the servicer turns that on (``ClassifyPolicy.model_doubt``); the
families stay on the record as suppressed evidence naming the score and the words that
made it.
"""

from __future__ import annotations

import hashlib
import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any

from pipeline.errors import ConfigError

__all__ = [
    "MAX_CHARS",
    "MODEL_KINDS",
    "NGRAM_RANGE",
    "Contribution",
    "KindModel",
    "KindScore",
    "ModelText",
    "Recogniser",
    "first_spans",
    "load_recogniser",
    "ngram_spans",
    "ngrams",
    "readable_grams",
]

# The kinds the model decides (payoff statements and loss-mitigation applications are
# named plainly enough for the rules; the model did not help there).
MODEL_KINDS: tuple[str, ...] = ("notice_of_error", "request_for_information")
# Character n-gram lengths, within word boundaries (scikit-learn's "char_wb").
NGRAM_RANGE = (2, 5)
# Characters of own text scored: a notice or a request is said near the top, and a
# pasted statement or letter below it should not cost time linear in its length.
MAX_CHARS = 3000
# How many of the strongest n-grams a score keeps (its evidence names the first few
# that a reader can judge: not numbers).
TOP_CONTRIBUTIONS = 8
_WORD = re.compile(r"\S+")
_DIGIT = re.compile(r"\d")


def ngram_spans(text: str) -> list[tuple[str, int, int]]:
    """Every character n-gram of ``text`` with its span, as scikit-learn's ``char_wb``
    analyser makes them: each whitespace-separated word padded with one space each
    side, n-grams of :data:`NGRAM_RANGE` lengths inside it (a word shorter than ``n``
    gives itself once). Spans index ``text`` and leave out the padding."""
    low, high = NGRAM_RANGE
    out: list[tuple[str, int, int]] = []
    for m in _WORD.finditer(text):
        w = f" {m.group()} "
        size = len(w)
        base = m.start() - 1
        for n in range(low, high + 1):
            last = max(size - n, 0)
            for offset in range(last + 1):
                gram = w[offset : offset + n]
                start = max(base + offset, m.start())
                end = min(base + offset + len(gram), m.end())
                out.append((gram, start, end))
            if size <= n:
                break
    return out


def ngrams(text: str) -> list[str]:
    """The n-grams of :func:`ngram_spans` alone (the trainer's analyser)."""
    return [g for g, _, _ in ngram_spans(text)]


@dataclass(frozen=True, slots=True)
class ModelText:
    """The text the model scores, and where each piece of it came from.

    ``pieces`` holds, in order, ``(offset, field, folded_start)``: the model text from
    ``offset`` on (to the next piece) is the folded text of ``field`` from
    ``folded_start`` on.
    """

    text: str
    pieces: tuple[tuple[int, str, int], ...] = ()

    def locate(self, start: int, end: int) -> tuple[str, int, int]:
        """``(field, folded_start, folded_end)`` of a span of the model text."""
        i = bisect_right([p[0] for p in self.pieces], start) - 1
        if i < 0:
            raise ValueError(f"span {start}:{end} before the first piece")
        offset, field, folded = self.pieces[i]
        return field, folded + start - offset, folded + end - offset


@dataclass(frozen=True, slots=True)
class Contribution:
    """One n-gram that raised a score: its weight and its span in the model text."""

    gram: str
    weight: float
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class KindScore:
    """The model's decision value for one kind, its threshold, and why."""

    kind: str
    score: float
    threshold: float
    top: tuple[Contribution, ...]
    # Which model decided: the start of its file's SHA-256 ("" for a model built in code).
    model: str = ""

    @property
    def decided_by(self) -> str:
        """The model and threshold, as kept on the evidence of a decision."""
        name = f"recogniser {self.model}" if self.model else "recogniser"
        return f"{name} threshold {self.threshold:g}"

    @property
    def passes(self) -> bool:
        """True if the score reaches the kind's threshold."""
        return self.score >= self.threshold


@dataclass(frozen=True, slots=True)
class KindModel:
    """One kind's linear model: n-gram weights, intercept, decision threshold."""

    weights: Mapping[str, float]
    intercept: float
    threshold: float

    def score_grams(self, kind: str, grams: Mapping[str, tuple[int, int]]) -> KindScore:
        """Intercept plus the weight of each distinct n-gram present (binary features),
        given the text's distinct n-grams, each with its first span."""
        total = self.intercept
        raising: list[Contribution] = []
        weights = self.weights
        for gram, (start, end) in grams.items():
            weight = weights.get(gram)
            if weight is None:
                continue
            total += weight
            if weight > 0:
                raising.append(Contribution(gram, weight, start, end))
        raising.sort(key=lambda c: (-c.weight, c.start))
        return KindScore(kind, total, self.threshold, tuple(raising[:TOP_CONTRIBUTIONS]))


# An n-gram a reader can judge as evidence: three characters or more, with a letter.
_READABLE = re.compile(r"^(?=.*[^\W\d_]).{3,}$")


def readable_grams(score: KindScore, limit: int = 4) -> list[str]:
    """The strongest n-grams behind ``score`` that a reader can judge (three characters
    or more, with a letter), stripped of the word-boundary padding, at most ``limit``."""
    grams = (c.gram.strip() for c in score.top)
    return [g for g in grams if _READABLE.search(g)][:limit]


def first_spans(text: str) -> dict[str, tuple[int, int]]:
    """Each distinct n-gram of ``text`` with the span of its first occurrence (the
    spans of :func:`ngram_spans`, built only once per distinct n-gram: this runs on
    every message)."""
    low, high = NGRAM_RANGE
    first: dict[str, int] = {}
    setdefault = first.setdefault
    for m in _WORD.finditer(text):
        w = f" {m.group()} "
        size = len(w)
        base = m.start() - 1
        for n in range(low, high + 1):
            for offset in range(max(size - n, 0) + 1):
                setdefault(w[offset : offset + n], base + offset)
            if size <= n:
                break
    # A leading or trailing space is the padding, not a character of the text.
    return {
        g: (p + (g[0] == " "), p + len(g) - (len(g) > 1 and g[-1] == " ")) for g, p in first.items()
    }


@dataclass(frozen=True, slots=True)
class Recogniser:
    """The shipped model: one :class:`KindModel` per kind, and where it came from."""

    kinds: Mapping[str, KindModel]
    corpus_sha256: str = ""
    settings: Mapping[str, Any] | None = None
    # SHA-256 of the model file it was read from: which model made a decision.
    digest: str = ""
    # Is it automatic mail? (see the module docstring); None: not in the file.
    machine: KindModel | None = None
    # Does it read as mail needing no escalation? (the module docstring); None: not in the file.
    ordinary: KindModel | None = None

    def machine_score(self, text: str) -> KindScore | None:
        """The machine model's score of :func:`machine_text` ``text``; None without one."""
        if self.machine is None:
            return None
        score = self.machine.score_grams("machine", first_spans(text))
        return replace(score, model=self.digest[:16])

    def ordinary_score(
        self, text: ModelText, grams: Mapping[str, tuple[int, int]] | None = None
    ) -> KindScore | None:
        """The ordinary-mail model's score of the kinds' model text; None without one.
        ``grams``: the text's :func:`first_spans`, when the caller has them already."""
        if self.ordinary is None:
            return None
        found = first_spans(text.text) if grams is None else grams
        score = self.ordinary.score_grams("ordinary", found)
        return replace(score, model=self.digest[:16])

    def scores(
        self, text: ModelText, grams: Mapping[str, tuple[int, int]] | None = None
    ) -> tuple[KindScore, ...]:
        """Each kind's score of ``text``, in :data:`MODEL_KINDS` order. ``grams``: the
        text's :func:`first_spans`, when the caller has them already."""
        grams = first_spans(text.text) if grams is None else grams
        return tuple(
            replace(self.kinds[k].score_grams(k, grams), model=self.digest[:16])
            for k in MODEL_KINDS
            if k in self.kinds
        )

    def with_thresholds(self, thresholds: Mapping[str, float]) -> Recogniser:
        """The same weights with other thresholds (for choosing them)."""
        return Recogniser(
            {
                k: KindModel(m.weights, m.intercept, thresholds.get(k, m.threshold))
                for k, m in self.kinds.items()
            },
            self.corpus_sha256,
            self.settings,
            self.digest,
            self.machine,
            self.ordinary,
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any], digest: str = "") -> Recogniser:
        """Read the model file's structure; a malformed file is a configuration error."""
        try:
            kinds = {str(name): _kind_model(entry) for name, entry in data["kinds"].items()}
            unknown = set(kinds) - set(MODEL_KINDS)
            if unknown:
                raise ConfigError(f"recogniser model names unknown kinds {sorted(unknown)}")
            machine = _kind_model(data["machine"]) if "machine" in data else None
            ordinary = _kind_model(data["ordinary"]) if "ordinary" in data else None
            return cls(
                kinds,
                str(data.get("corpus_sha256", "")),
                data.get("settings"),
                digest,
                machine,
                ordinary,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"recogniser model is malformed ({exc!r})") from exc

    def to_json(self) -> dict[str, Any]:
        """The model file's structure (weights sorted by n-gram, so files diff well)."""
        out: dict[str, Any] = {
            "corpus_sha256": self.corpus_sha256,
            "settings": dict(self.settings or {}),
            "kinds": {k: _kind_json(m) for k, m in self.kinds.items()},
        }
        if self.machine is not None:
            out["machine"] = _kind_json(self.machine)
        if self.ordinary is not None:
            out["ordinary"] = _kind_json(self.ordinary)
        return out


def _kind_model(entry: Mapping[str, Any]) -> KindModel:
    return KindModel(
        {str(g): float(w) for g, w in entry["weights"].items()},
        float(entry["intercept"]),
        float(entry["threshold"]),
    )


def _kind_json(m: KindModel) -> dict[str, Any]:
    return {
        "intercept": m.intercept,
        "threshold": m.threshold,
        "weights": dict(sorted(m.weights.items())),
    }


MODEL_FILE = "recogniser.json"


@lru_cache(maxsize=1)
def load_recogniser() -> Recogniser:
    """The packaged model, read once (like the rule packs)."""
    base = resources.files("pipeline.classify")
    try:
        raw = base.joinpath(MODEL_FILE).read_bytes()
        data = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{MODEL_FILE}: cannot be read ({exc})") from exc
    return Recogniser.from_json(data, hashlib.sha256(raw).hexdigest())


def join_pieces(parts: Iterable[tuple[str, int, str]], limit: int = MAX_CHARS) -> ModelText:
    """A :class:`ModelText` from ``(field, folded_start, text)`` parts, joined by
    newlines and cut at ``limit`` characters."""
    text: list[str] = []
    pieces: list[tuple[int, str, int]] = []
    size = 0
    for field, start, piece in parts:
        if size >= limit:
            break
        if not piece.strip():
            continue
        if text:
            text.append("\n")
            size += 1
        piece = piece[: max(limit - size, 0)]
        pieces.append((size, field, start))
        text.append(piece)
        size += len(piece)
    # Every digit reads as 0: a date, a sum or a loan number says what kind of thing it
    # is, not which one (and no loan number becomes a feature or a piece of evidence).
    return ModelText(_DIGIT.sub("0", "".join(text)), tuple(pieces))


# Where a sentence ends, for leaving out a sentence the rules suppressed a match in.
# Suppressions whose whole sentence the model must not read either (quoted history,
# disclaimers and signatures are left out as zones): a mistake denied, resolved,
# someone else's, or only feared or asked about ("I'm afraid you will charge me twice").
SENTENCE_SUPPRESSIONS = frozenset({"negation", "resolution", "other_party", "unasserted"})


def own_parts(
    field: str,
    folded: str,
    excluded: Iterable[tuple[int, int]],
) -> list[tuple[str, int, str]]:
    """The pieces of one folded field the model reads: the text outside ``excluded``
    spans (quoted history, disclaimer, signature, and the sentences the rules suppressed
    a match in; folded positions). Pure; pieces are ``(field, start, text)``."""
    cut: list[tuple[int, int]] = [s for s in excluded if s[0] < s[1]]
    parts: list[tuple[str, int, str]] = []
    pos = 0
    for start, end in sorted(cut):
        if start > pos:
            parts.append((field, pos, folded[pos:start]))
        pos = max(pos, end)
    if pos < len(folded):
        parts.append((field, pos, folded[pos:]))
    return parts
