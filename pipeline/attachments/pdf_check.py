"""Structural check of PDF files (ISO 32000) with pypdf, plus a raw-bytes backstop."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pypdf
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from pipeline.attachments.detect import content_type, describe

# ISO 32000-1 section 7.5.2: the header is "%PDF-1.n"; readers such as Acrobat
# look for it within the first 1024 bytes, which is what makes "junk first"
# polyglots possible.
_HEADER = b"%PDF-"
_HEADER_WINDOW = 1024
_EOF = b"%%EOF"
# Bytes after %%EOF that do not make a file anything else (line ends, padding).
_HARMLESS_TAIL = b" \t\r\n\x00\x0c"
# Flags, by the name tokens that carry them (ISO 32000-1 12.6 actions, 7.11.4
# embedded files, 12.7.8 XFA; RichMedia is from the Adobe extension level 3).
_TOKEN_FLAGS = {
    b"JavaScript": "javascript",
    b"JS": "javascript",
    b"Launch": "launch",
    b"EmbeddedFile": "embedded-files",
    b"EmbeddedFiles": "embedded-files",
    b"RichMedia": "rich-media",
    b"XFA": "xfa",
    b"OpenAction": "open-action",
}
# A name token ends at whitespace or a delimiter (ISO 32000-1 7.2.2); "#xx"
# escapes inside names are legal and used to hide "/JavaScript" from scanners.
_NAME = re.compile(rb"/([A-Za-z0-9#]+)")
_STREAM = re.compile(rb"stream\r?\n")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# Pages are walked at most this far: enough to prove the page tree is sound
# without letting a forged page count cost unbounded time.
_MAX_PAGES_WALKED = 10_000


@dataclass(frozen=True, slots=True)
class PdfReport:
    """Outcome of a PDF check: ``problems`` make it unusable, ``flags`` are facts for policy."""

    problems: tuple[str, ...]
    flags: tuple[str, ...]
    page_count: int | None

    @property
    def ok(self) -> bool:
        """True when the structure is sound (flags may still lead to rejection)."""
        return not self.problems


def _object_spans(data: bytes) -> list[tuple[int, int]]:
    # Stream bodies are compressed binary: "/JS" turns up by chance about once
    # per 20 MB of random bytes, so scanning them would reject honest large
    # PDFs.  Only the object syntax between streams is scanned.
    spans = []
    position = 0
    for match in _STREAM.finditer(data):
        if match.start() < position:
            continue
        spans.append((position, match.start()))
        end = data.find(b"endstream", match.end())
        if end < 0:
            return spans
        position = end + len(b"endstream")
    spans.append((position, len(data)))
    return spans


def _raw_flags(data: bytes) -> set[str]:
    flags: set[str] = set()
    matches = (m for a, b in _object_spans(data) for m in _NAME.finditer(data, a, b))
    for match in matches:
        token = match.group(1)
        if b"#" in token:
            decoded = _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), token)
            if decoded in _TOKEN_FLAGS:
                flags.add("obfuscated-name")
            token = decoded
        flag = _TOKEN_FLAGS.get(token)
        if flag:
            flags.add(flag)
    return flags


def _resolve(value: object) -> object:
    return value.get_object() if isinstance(value, IndirectObject) else value


def _action_flags(action: object, flags: set[str], depth: int = 0) -> None:
    action = _resolve(action)
    if depth > 16 or not isinstance(action, DictionaryObject):
        return
    kind = action.get("/S")
    if kind == NameObject("/JavaScript") or "/JS" in action:
        flags.add("javascript")
    elif kind == NameObject("/Launch"):
        flags.add("launch")
    elif kind in (NameObject("/GoToE"), NameObject("/ImportData")):
        flags.add("embedded-files")
    # Actions chain through /Next (ISO 32000-1 12.6.2).
    following = _resolve(action.get("/Next"))
    for item in following if isinstance(following, ArrayObject) else [following]:
        _action_flags(item, flags, depth + 1)


def _catalog_flags(reader: pypdf.PdfReader) -> set[str]:
    flags: set[str] = set()
    root = _resolve(reader.trailer.get("/Root"))
    if not isinstance(root, DictionaryObject):
        return flags
    if "/OpenAction" in root:
        flags.add("open-action")
        _action_flags(root["/OpenAction"], flags)
    additional = _resolve(root.get("/AA"))
    if isinstance(additional, DictionaryObject):
        flags.add("additional-actions")
        for action in additional.values():
            _action_flags(action, flags)
    names = _resolve(root.get("/Names"))
    if isinstance(names, DictionaryObject):
        if "/JavaScript" in names:
            flags.add("javascript")
        if "/EmbeddedFiles" in names:
            flags.add("embedded-files")
    form = _resolve(root.get("/AcroForm"))
    if isinstance(form, DictionaryObject) and "/XFA" in form:
        flags.add("xfa")
    return flags


def _page_flags(page: DictionaryObject, flags: set[str]) -> None:
    additional = _resolve(page.get("/AA"))
    if isinstance(additional, DictionaryObject):
        flags.add("additional-actions")
        for action in additional.values():
            _action_flags(action, flags)
    annotations = _resolve(page.get("/Annots"))
    if not isinstance(annotations, ArrayObject):
        return
    for item in annotations:
        annotation = _resolve(item)
        if not isinstance(annotation, DictionaryObject):
            continue
        subtype = annotation.get("/Subtype")
        if subtype == NameObject("/RichMedia"):
            flags.add("rich-media")
        elif subtype == NameObject("/FileAttachment"):
            flags.add("embedded-files")
        if "/A" in annotation:
            _action_flags(annotation["/A"], flags)


def _tail(data: bytes, problems: list[str], flags: set[str]) -> None:
    end = data.rfind(_EOF)
    if end < 0:
        problems.append("the PDF has no %%EOF marker (it is truncated or not a PDF)")
        return
    after = end + len(_EOF)
    # Scan only the first bytes after the marker: that is enough to name them.
    trailing = data[after : after + 65536].lstrip(_HARMLESS_TAIL)
    if not trailing:
        return
    flags.add("data-after-eof")
    kind = content_type(trailing)
    if kind not in ("application/octet-stream", "text/plain", "application/x-empty"):
        flags.add("polyglot")
        problems.append(f"{describe(kind)} is appended after the end of the PDF (polyglot file)")


def check_pdf(data: bytes) -> PdfReport:
    """Check that ``data`` is one intact PDF and list its risky features.

    Problems (reasons to refuse the file): no header at offset 0, no %%EOF, a
    cross-reference table or page tree pypdf cannot read, another file format
    appended after the end.  Flags: encrypted, javascript, launch,
    embedded-files, rich-media, xfa, open-action, additional-actions,
    obfuscated-name, data-after-eof, polyglot, junk-before-header, repaired.
    Never raises on bad input.
    """
    problems: list[str] = []
    flags: set[str] = set()
    start = data.find(_HEADER, 0, _HEADER_WINDOW + len(_HEADER))
    if start < 0:
        return PdfReport(("the file has no %PDF- header",), (), None)
    if start > 0:
        flags.add("junk-before-header")
        problems.append(f"{start} bytes of other data come before the %PDF- header")
    _tail(data, problems, flags)
    # The raw scan sees tokens in uncompressed objects even when pypdf cannot
    # parse the file; the catalog walk below sees those in object streams.
    flags |= _raw_flags(data)

    page_count: int | None = None
    stream = io.BytesIO(data)
    try:
        try:
            reader = pypdf.PdfReader(stream, strict=True)
        except pypdf.errors.PdfReadError:
            # Real-world PDFs often have slightly wrong xref offsets that every
            # viewer repairs; accept a lenient read but say it was needed.
            stream.seek(0)
            reader = pypdf.PdfReader(stream, strict=False)
            flags.add("repaired")
        if reader.is_encrypted:
            flags.add("encrypted")
            # Most mailed statements are encrypted with an empty user password
            # (permissions only); without it the page tree cannot be read.
            if not reader.decrypt(""):
                return PdfReport(tuple(problems), tuple(sorted(flags)), None)
        flags |= _catalog_flags(reader)
        page_count = len(reader.pages)
        if page_count == 0:
            problems.append("the PDF has no pages")
        for index, page in enumerate(reader.pages):
            if index >= _MAX_PAGES_WALKED:
                break
            _page_flags(page, flags)
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types on hostile input
        problems.append(f"the PDF structure cannot be read ({type(exc).__name__}: {exc})"[:300])
    return PdfReport(tuple(problems), tuple(sorted(flags)), page_count)
