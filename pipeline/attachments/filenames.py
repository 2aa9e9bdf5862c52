"""Safe storage and display names for attachments."""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 120
# Many filesystems cap a name at 255 bytes; keep well clear in UTF-8.
MAX_BYTES = 240
_MAX_EXTENSION = 16
# Characters that are separators or reserved on Windows, macOS or POSIX.
_RESERVED_CHARS = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')
_SPACES = re.compile(r"\s+")
# Device names Windows reserves whatever the extension ("CON.pdf" is CON).
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{dev}{n}" for dev in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)


def _visible(ch: str) -> bool:
    # Cc: control characters (NUL included); Cf: format characters, which hold
    # the bidi overrides (U+202E makes "cod.exe" display as "exe.doc"), zero
    # width spaces and the BOM; Cs/Co/Cn: surrogates, private use, unassigned.
    return unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")


def _fit(text: str, chars: int, max_bytes: int) -> str:
    text = text[:chars]
    while len(text.encode("utf-8")) > max_bytes:
        text = text[:-1]
    return text


def safe_filename(original: str | None, sha256: str) -> str:
    """Return a name that is safe to show and to use as one path component.

    Deterministic for the same ``original`` and ``sha256``.  Keeps only the last
    path component, removes control, format (bidi override) and reserved
    characters, applies NFC, never yields "", ".", ".." or a Windows device name,
    and caps the length at 120 characters / 240 UTF-8 bytes, keeping the
    extension and marking the cut with part of the content hash.
    """
    fallback = f"attachment-{sha256[:12]}"
    if not original:
        return fallback
    name = unicodedata.normalize("NFC", original)
    name = "".join(ch for ch in name if _visible(ch))
    # Only the last component: "../../etc/passwd" and "C:\\x\\a.pdf" name a file,
    # not a place to put it.
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _RESERVED_CHARS.sub("_", name)
    name = _SPACES.sub(" ", name).strip(" .")
    if not name:
        return fallback
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > _MAX_EXTENSION or not stem:
        stem, ext = name, ""
    ext = f".{ext}" if ext else ""
    if stem.split(".", 1)[0].rstrip(" ").upper() in _WINDOWS_DEVICES:
        stem = f"_{stem}"
    if len(stem) + len(ext) > MAX_CHARS or len((stem + ext).encode("utf-8")) > MAX_BYTES:
        marker = f"~{sha256[:8]}"
        room_chars = MAX_CHARS - len(ext) - len(marker)
        room_bytes = MAX_BYTES - len(ext.encode("utf-8")) - len(marker)
        stem = _fit(stem, room_chars, room_bytes).rstrip(" .") + marker
    return stem + ext


COMPONENT_BYTES = 255
"""What most filesystems allow for one name (ext4, XFS, APFS, NTFS in UTF-16 units)."""


def prefixed_component(prefix: str, name: str, max_bytes: int = COMPONENT_BYTES) -> str:
    """``prefix`` and ``name`` as one path component of at most ``max_bytes`` UTF-8 bytes.

    A safe name may use all of :data:`MAX_BYTES`, so a prefix (an export's document
    number) can push it past what a filesystem accepts; then the name's stem is cut,
    its extension kept. The prefix is unique where it is used, so the cut name is too.
    """
    whole = prefix + name
    if len(whole.encode("utf-8")) <= max_bytes:
        return whole
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > _MAX_EXTENSION or not stem:
        stem, ext = name, ""
    ext = f".{ext}" if ext else ""
    room = max_bytes - len(prefix.encode("utf-8")) - len(ext.encode("utf-8"))
    return prefix + _fit(stem, len(stem), room).rstrip(" .") + ext
