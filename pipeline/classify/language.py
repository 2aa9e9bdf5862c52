"""Which language a message is written in, how sure, and which second language it
switches to.

Detection uses ``lingua-language-detector``: its n-gram models ship inside the wheel
(no download, no network at run time), it is maintained, it is accurate on short
texts (a two-line email), it gives a confidence per language, and it can be
restricted to the languages a servicer's inboxes receive, which makes it both faster
and more accurate than a detector choosing among a hundred languages. Haitian Creole
is not among its languages, so Creole is recognised by its frequent function words
(which French, its closest relative, does not use), on the text lingua would
otherwise call French or another language.

lingua reads with one of two sets of models (:data:`LanguageModels`). ``full``, the
default, uses all of them (unigrams to fivegrams) on texts under 120 characters: about
135 MiB in every process that classifies, loaded by the first short text. ``compact``
uses its trigrams only (lingua's low-accuracy mode): about 14 MiB, for deployments that
must keep each assembly process small. Its confidence in Tagalog or English on a short
text means little (one line of Haitian Creole is Tagalog "with confidence 1.0"), so
there it does not keep the function words below from deciding; the record keeps that
confidence as lingua gave it (``bench/README.md``, "Language models").
:func:`release_models` frees whatever models a process has loaded (they load again
when next needed): an assembly worker does so before parsing a very large message, so
that message and the full models are never in memory together.

Chinese is reported as ``zh`` with the script: ``hant`` when characters only the
traditional script uses outnumber those only the simplified script uses.

Acknowledgments go out in the sender's language when a reviewed template exists,
otherwise in English and Spanish together (:func:`ack_languages`), never in a third
language the sender did not use.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from pipeline.classify.kinds import LanguageGuess
from pipeline.classify.normalize import fold

__all__ = [
    "REVIEWED_TEMPLATES",
    "SUPPORTED_LANGUAGES",
    "ack_languages",
    "detect",
    "release_models",
]

# The languages rules exist for (ISO 639-1).
SUPPORTED_LANGUAGES = ("en", "es", "vi", "zh", "ht", "pt", "ko", "tl", "ar", "fr")
# Languages with a reviewed acknowledgment template in handlers.
REVIEWED_TEMPLATES: tuple[str, ...] = ("en", "es")
# Only the start of a long message is looked at: the first few hundred words decide
# the language as well as the whole body does, at a fraction of the cost.
_SAMPLE = 3000
_MIXED_SAMPLE = 1500
# Texts shorter than this lingua reads with all its models when it has them.
_SHORT_TEXT = 120


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_CREOLE_WORDS = _words(
    "mwen nou yo pou ak nan sa ki gen kounye kay lajan peye tanpri mesi bonjou "
    "paske anpil kijan poukisa fe genyen konnen vle kapab kob pa te ap map li se "
    "sou yon lan bay pral dwe anko fanmi manman papa"
)
_FRENCH_WORDS = _words(
    "je nous vous les des est sont pour avec dans une mon mes votre vos merci "
    "bonjour madame monsieur que qui pas ne suis avons etre"
)
# Vietnamese typed without diacritics looks like Tagalog or Indonesian to n-gram models;
# its function words settle it.
_VIETNAMESE_WORDS = _words(
    "toi khong cua duoc nha tien va cho xin cam on vui long chung ban anh chi "
    "em ong ba con roi nay thang ngay nam da dang se bi tra vay goi"
)
_TAGALOG_WORDS = _words(
    "ang ng sa po ko na mga ako ninyo namin kayo ito yung lang ba naman pero kasi "
    "hindi salamat opo ngayon"
)
_WORD = re.compile(r"[^\W\d_]+")
_TRADITIONAL = frozenset("們這個來時說會對為還與國點開關發過後麼裡錢貸款銀幣費帳號單據請謝問題繳")
_SIMPLIFIED = frozenset("们这个来时说会对为还与国点开关发过后么里钱贷款银币费账号单据请谢问题缴")


def _lingua_code(language: Any) -> str:
    return str(language.iso_code_639_1.name).lower()


LanguageModels = Literal["compact", "full"]
"""Which of lingua's models detection reads with (see the module's docstring)."""


# One detector per set of models, built on first use; lingua loads each model the
# first time a text needs it and keeps it until :func:`release_models`.
_DETECTORS: dict[str, Any] = {}


def _detector(models: LanguageModels) -> Any:
    detector = _DETECTORS.get(models)
    if detector is None:
        detector = _DETECTORS[models] = _build_detector(models)
    return detector


def release_models() -> None:
    """Free the n-gram models detection has loaded in this process.

    With the ``full`` models that is about 100 MiB once a short text has been read.
    Detection stays correct: the next text loads what it needs again (about 0.6 s of
    CPU for the ``full`` short-text models).
    """
    for detector in _DETECTORS.values():
        detector.unload_language_models()


def _build_detector(models: LanguageModels) -> Any:
    from lingua import Language, LanguageDetectorBuilder

    languages = [
        Language.ENGLISH,
        Language.SPANISH,
        Language.VIETNAMESE,
        Language.CHINESE,
        Language.PORTUGUESE,
        Language.KOREAN,
        Language.TAGALOG,
        Language.ARABIC,
        Language.FRENCH,
    ]
    builder = LanguageDetectorBuilder.from_languages(*languages)
    return (builder.with_low_accuracy_mode() if models == "compact" else builder).build()


def _creole_score(folded_words: list[str]) -> tuple[int, int]:
    ht = sum(1 for w in folded_words if w in _CREOLE_WORDS)
    fr = sum(1 for w in folded_words if w in _FRENCH_WORDS)
    return ht, fr


def _script(text: str) -> str:
    trad = sum(1 for ch in text if ch in _TRADITIONAL)
    simp = sum(1 for ch in text if ch in _SIMPLIFIED)
    return "hant" if trad > simp else "hans"


def detect(text: str, models: LanguageModels = "full") -> LanguageGuess:
    """The language of ``text`` (subject and body), with confidence and any second one."""
    sample = text[:_SAMPLE]
    if not sample.strip():
        return LanguageGuess("en", 0.0, method="empty")
    detector = _detector(models)
    values = detector.compute_language_confidence_values(sample)
    ranked = [(_lingua_code(v.language), float(v.value)) for v in values if v.value > 0]
    if not ranked:
        return LanguageGuess("en", 0.0, method="none")
    code, confidence = ranked[0]
    method = "lingua"
    words = _WORD.findall(fold(sample))
    ht, fr = _creole_score(words)
    tl = sum(1 for w in words if w in _TAGALOG_WORDS)
    # Creole sentences are short function words; three or more, outnumbering French
    # and Tagalog ones ("sa", "pa" are both).
    # lingua is often certain of English or Tagalog on Creole text (Creole is not
    # among its languages), so enough Creole function words overrule it.
    dense = ht >= 5 and ht >= 0.12 * len(words)
    # lingua's trigrams alone are sure of almost any short text (one line of Creole is
    # Tagalog or English "with confidence 1.0"); the full models, which lingua reads
    # short texts with, are not. Below lingua's short-text length the compact reading's
    # confidence in those two does not keep the function words from deciding (Spanish
    # keeps it: "se", "te" and "yo" are Creole function words too).
    overconfident = models == "compact" and len(sample) < _SHORT_TEXT and code in ("tl", "en")
    sure = 0.5 if overconfident else confidence
    certain = code in ("en", "es", "vi", "tl") and sure > 0.9 and not dense
    if ht >= 3 and ht > 2 * fr and ht > 2 * tl and not certain:
        code, confidence, method = "ht", min(1.0, ht / max(1, len(words)) * 4), "function-words"
    if (code in ("tl", "en", "pt", "fr") and sure < 0.95) or code == "tl":
        vi = sum(1 for w in words if w in _VIETNAMESE_WORDS)
        if vi >= 4 and vi > 2 * tl:
            code, confidence, method = "vi", min(1.0, vi / max(1, len(words)) * 3), "function-words"
    # Looking for a second language costs more than detecting the first; only mail
    # whose first reading leaves room for one is examined.
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    secondary = _secondary(detector, sample[:_MIXED_SAMPLE], code) if runner_up >= 0.01 else None
    if secondary is None and code in ("en", "es"):
        # Spanglish often reads as one language with certainty; the other language's
        # function words show the switch at no cost.
        secondary = _english_spanish_switch(words, code)
    script = _script(sample) if code == "zh" else None
    # Three decimals: what the ledger keeps, so a record read back compares equal.
    return LanguageGuess(
        code, round(confidence, 3), script=script, secondary=secondary, method=method
    )


_ENGLISH_WORDS = _words(
    "the and is are was to of my your you it this that with have please thank thanks would "
    "could will not we our from but if about can what when why how"
)
_SPANISH_WORDS = _words(
    "el la los las y es son fue de del mi mis su sus yo usted que con tengo tiene gracias "
    "favor pero como esta este esto una por para cuando porque hola quiero necesito"
)


def _english_spanish_switch(words: list[str], primary: str) -> str | None:
    en = sum(1 for w in words if w in _ENGLISH_WORDS)
    es = sum(1 for w in words if w in _SPANISH_WORDS)
    other, mine, code = (es, en, "es") if primary == "en" else (en, es, "en")
    return code if other >= 3 and other >= 0.2 * mine else None


def _secondary(detector: Any, sample: str, primary: str) -> str | None:
    """A second language covering at least a fifth of the text (code-switching)."""
    cover: dict[str, int] = {}
    for part in detector.detect_multiple_languages_of(sample):
        lang = _lingua_code(part.language)
        cover[lang] = cover.get(lang, 0) + (part.end_index - part.start_index)
    total = sum(cover.values())
    best = sorted(
        ((n, lang) for lang, n in cover.items() if lang != primary),
        reverse=True,
    )
    if best and total and best[0][0] >= total / 5:
        return best[0][1]
    return None


def ack_languages(
    guess: LanguageGuess, templates: Sequence[str] = REVIEWED_TEMPLATES
) -> tuple[str, ...]:
    """The acknowledgment's language(s): the sender's where a reviewed template exists,
    else English and Spanish together (never a third language)."""
    if guess.code in templates:
        if guess.secondary in templates and guess.secondary != guess.code:
            # Code-switched mail (Spanglish): the writer used both, so answer in both.
            return tuple(x for x in templates if x in (guess.code, guess.secondary))
        return (guess.code,)
    return ("en", "es")
