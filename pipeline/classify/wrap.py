"""A field's folded text with its soft line breaks joined, for rule matching.

Plain-text mail is hard-wrapped (at 72-78 columns, or wherever the writer pressed
Enter) and text taken from a PDF is broken at every printed line. A rule's phrases
allow any whitespace between their words, but its patterns are regular expressions
whose spaces do not match a line break and whose ``.`` or ``[^.\\n]`` stop at one:
"and tell\\nme what was changed" would miss the request "tell me what was changed".

So rules match on a *view* of the folded text in which each soft line break, with
the spaces and tabs around it, is one space. A break is soft when the line before
it ends inside a sentence (a letter, a digit or a comma, or a closing quote or
bracket right after a word), and the line after it
goes on with a lower-case letter (looked up in the original text: folding loses
case). A capital, a digit or a letter of a script without case goes on the sentence
too after a line as long as mail clients wrap at (60 columns or more, a Korean
character taking two; :func:`pipeline.classify.context.wrapped_width`): a name or
"I" wrapped to the next line, a year ("discharged in October\n2019"), a message
written all in capitals; after a shorter line it starts a line the writer began.
Everything that really separates text stays as it is: a blank line (the next line
does not start with a letter or a digit), a list item ("- ", "* ", "• ", "1. ",
"2)", "a) "), a quoted line ("> ", before or after the break), a header-like line
of a forwarded block ("from:", "de :", "发件人："; their labels start upper-case
anyway, so this guards a writer who types them in lower case), and a line that ends
a sentence.

The view is shorter than the folded text when a break had spaces around it
("tell \nme", as format=flowed mail and indented PDF text write it): a same-length
view (each break a space) would leave "tell  me", which a pattern's single space
still misses. :meth:`Unwrapped.folded_span` maps a span of the view back to the
folded text, and from there evidence goes to the original text.

What changes a match's meaning is read on the view too, at the match's view span
(:meth:`Unwrapped.view_span` maps a folded span there), so a cue wrapped apart is
read as the match was: negation ("we have never\nfiled for bankruptcy"), resolution
("that was all\nstraightened out"), someone else's situation, a matter over long ago,
a joke, the media or the news, an impostor's act or words, a relative named in the
sentence, whether a sentence ends in a question mark, the sentences the model is not
shown, and an out-of-office reply's wording. Only zones are read on the folded
text: quoted lines, a reply header, a disclaimer paragraph and a signature are made
of whole lines, and a line's prefix, a delimiter line or a blank line marks them.

Anchor probes and literal scans must be of the view too: a literal with a space in
it ("tell me") is absent from "tell\nme", and a guide looking there would skip a
match the regex finds in the view.

In scripts without letter case a wrap cannot be told from a new line by its next
letter (in Korean and Arabic mail the breaks between short lines are nearly all after
a greeting, before a name or between sentences), so Korean and Arabic lines join only
after a line as long as a client wraps at. Chinese and Japanese, written without
spaces, are never joined: a space would come between their words, and the Chinese
pack stops at a line break on purpose.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from pipeline.classify.anchors import ascii_probe
from pipeline.classify.context import wrapped_width
from pipeline.classify.normalize import NormalizedText

__all__ = ["Unwrapped", "unwrap"]

# A line break with the horizontal space around it, between a letter, digit or comma
# (or a closing quote or bracket right after a word: 'put toward "escrow advance"\n
# instead of') and a letter or digit. Which of these are soft is decided in :func:`_soft`.
_BREAK = re.compile(
    r"(?:(?<=[^\W_]|,)|(?<=[^\W_][\"')\u201d\u2019\u00bb]))[ \t]*\n[ \t]*(?=[^\W_])"
)
# Han and kana: scripts written without spaces between words.
_UNSPACED = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# A numbered list item ("1. ", "2) ") opens a line of its own, however long the last one.
_NUMBERED = re.compile(r"\d{1,2}[.)](?:\s|$)")
# The line before a break is quoted: what follows it is the writer's own again.
_QUOTED_LINE = re.compile(r"[ \t]*>")
# The line after a break opens a lettered list item ("a) ", "b. ") or is a header-like
# "label:" line of one or two words ("from: ...", "de : ...", "reply-to:").
_HARD_NEXT = re.compile(r"[^\W\d_][.)][ \t]|[^\W\d_][^\W_]*(?:[ \-][^\W_]+)?[ \t]*[:：]")


@dataclass(frozen=True, slots=True)
class Unwrapped:
    """The view of a folded text that rules match on (see module docstring).

    ``shifts``: for each view position in ``at`` and after, add the matching
    ``shifts`` entry to get the folded position (empty: the view has the folded
    text's positions).
    """

    text: str
    # Lower-cased view for anchor tests (None: anchors cannot be trusted).
    probe: str | None
    at: tuple[int, ...] = ()
    shifts: tuple[int, ...] = ()
    # The folded position of each ``at`` (where the text after a shortened run resumes).
    resumes: tuple[int, ...] = ()

    def folded_pos(self, pos: int) -> int:
        """The folded position of the view character at ``pos``."""
        k = bisect_right(self.at, pos) - 1
        return pos if k < 0 else pos + self.shifts[k]

    def folded_span(self, start: int, end: int) -> tuple[int, int]:
        """The folded span of a non-empty half-open span of the view."""
        if not self.at:
            return start, end
        return self.folded_pos(start), self.folded_pos(end - 1) + 1

    def view_pos(self, pos: int) -> int:
        """The view position of folded position ``pos`` (inside a joined break: its space)."""
        if not self.at:
            return pos
        k = bisect_right(self.resumes, pos) - 1
        view = pos if k < 0 else pos - self.shifts[k]
        if k + 1 < len(self.at):
            view = min(view, self.at[k + 1] - 1)
        return view

    def view_span(self, start: int, end: int) -> tuple[int, int]:
        """The view span of a non-empty half-open span of the folded text."""
        if not self.at:
            return start, end
        return self.view_pos(start), self.view_pos(end - 1) + 1


def unwrap(norm: NormalizedText, probe: str | None) -> Unwrapped:
    """The view of ``norm.text`` with soft line breaks joined; ``probe`` is the
    folded text's anchor probe, kept when nothing is joined."""
    folded = norm.text
    if "\n" not in folded:
        return Unwrapped(folded, probe)
    pieces: list[str] = []
    at: list[int] = []
    shifts: list[int] = []
    pos = 0
    shift = 0
    joined = False
    for m in _BREAK.finditer(folded):
        if not _soft(norm, m.start(), m.end()):
            continue
        pieces.append(folded[pos : m.start()])
        pieces.append(" ")
        joined = True
        pos = m.end()
        if m.end() - m.start() > 1:
            # The space stands for the whole run: what follows it sits this much
            # further on in the folded text.
            shift += m.end() - m.start() - 1
            at.append(m.end() - shift)
            shifts.append(shift)
    if not joined:
        return Unwrapped(folded, probe)
    pieces.append(folded[pos:])
    text = "".join(pieces)
    resumes = tuple(a + s for a, s in zip(at, shifts, strict=True))
    return Unwrapped(text, ascii_probe(text), tuple(at), tuple(shifts), resumes)


def _soft(norm: NormalizedText, start: int, end: int) -> bool:
    """Whether the break spanning ``[start, end)`` of the folded text only wraps a line."""
    folded = norm.text
    # A next line going on with a lower-case letter (looked up in the original:
    # folding lower-cases everything) goes on the sentence after any line.
    first = norm.original[norm.starts[end]]
    line_start = folded.rfind("\n", 0, start) + 1
    # A capital (a name, "I", a message written in capitals), a number or a letter of a
    # script without case (Korean, Arabic) goes on the sentence only after a line as
    # long as a client wraps at; a short line before it ends where the writer pressed
    # Enter (a greeting, a name).
    if not first.islower() and (
        not wrapped_width(folded[line_start:start]) or _NUMBERED.match(folded, end) is not None
    ):
        return False
    # Nor is a line written without spaces (Chinese, Japanese) joined, before or after
    # the break: a space would come between its words.
    if _UNSPACED.match(folded, start - 1) or _UNSPACED.match(folded, end):
        return False
    if _HARD_NEXT.match(folded, end):
        return False
    return _QUOTED_LINE.match(folded, line_start) is None
