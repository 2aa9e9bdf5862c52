"""What a file is: by content (libmagic), by name (extension) and by the sender's word."""

from __future__ import annotations

import magic

# Names mail clients and servers use for "type unknown"; a part declared this way
# makes no claim about its content, so it cannot disagree with it.
UNKNOWN_DECLARED = frozenset(
    {"application/octet-stream", "binary/octet-stream", "application/unknown",
     "application/x-unknown", "application/download", "application/force-download"}
)  # fmt: skip

# Non-canonical spellings seen in the wild for the types we accept.
_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/x-png": "image/png",
    "application/x-pdf": "application/pdf",
    "application/acrobat": "application/pdf",
    "text/pdf": "application/pdf",
}

_DESCRIPTIONS = {
    "application/pdf": "a PDF document",
    "image/jpeg": "a JPEG image",
    "image/png": "a PNG image",
    "image/gif": "a GIF image",
    "image/tiff": "a TIFF image",
    "image/bmp": "a BMP image",
    "image/webp": "a WebP image",
    "image/svg+xml": "an SVG image (which can carry scripts)",
    "application/x-executable": "an ELF executable",
    "application/x-sharedlib": "an ELF executable",
    "application/x-pie-executable": "an ELF executable",
    "application/x-object": "an ELF object file",
    "application/x-elf": "an ELF executable",
    "application/x-mach-binary": "a macOS executable",
    "application/vnd.microsoft.portable-executable": "a Windows executable",
    "application/x-dosexec": "a Windows executable",
    "application/x-msdownload": "a Windows executable",
    "application/x-msi": "a Windows installer",
    "text/x-shellscript": "a shell script",
    "text/x-script.python": "a Python script",
    "text/x-msdos-batch": "a Windows batch script",
    "text/html": "an HTML document",
    "application/xhtml+xml": "an HTML document",
    "text/xml": "an XML document",
    "application/javascript": "a JavaScript file",
    "text/javascript": "a JavaScript file",
    "application/zip": "a ZIP archive",
    "application/x-rar": "a RAR archive",
    "application/vnd.rar": "a RAR archive",
    "application/x-7z-compressed": "a 7-Zip archive",
    "application/gzip": "a gzip archive",
    "application/x-tar": "a tar archive",
    "application/x-bzip2": "a bzip2 archive",
    "application/x-xz": "an xz archive",
    "application/x-iso9660-image": "a disk image (ISO)",
    "application/msword": "a Word document",
    "application/vnd.ms-excel": "an Excel workbook",
    "application/vnd.ms-powerpoint": "a PowerPoint presentation",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        "a Word document (DOCX)"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (
        "an Excel workbook (XLSX)"
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "a PowerPoint presentation (PPTX)"
    ),
    "application/vnd.ms-outlook": "an Outlook message",
    "application/vnd.ms-tnef": "an Outlook winmail.dat",
    "application/x-ole-storage": "an OLE compound document (old Office format)",
    "application/CDFV2": "an OLE compound document (old Office format)",
    "application/rtf": "an RTF document",
    "text/rtf": "an RTF document",
    "message/rfc822": "an email message",
    "text/plain": "plain text",
    "application/x-empty": "empty",
    "application/octet-stream": "unrecognised binary data",
}


def normalize_type(value: str | None) -> str | None:
    """Lower-case a MIME type, drop its parameters and map known aliases.

    Returns ``None`` for a missing value or one of the "unknown" spellings such as
    ``application/octet-stream``.
    """
    if not value:
        return None
    base = value.split(";", 1)[0].strip().lower()
    if not base or "/" not in base or base in UNKNOWN_DECLARED:
        return None
    return _ALIASES.get(base, base)


def content_type(data: bytes) -> str:
    """Return the MIME type libmagic finds in ``data`` ("application/octet-stream" if none).

    libmagic reads only leading bytes (and a few fixed offsets), so this names
    what a file claims to be, not whether it is intact: structure checks follow.
    """
    if not data:
        return "application/x-empty"
    try:
        found = magic.from_buffer(data, mime=True)
    except Exception:  # noqa: BLE001 - libmagic errors on odd data mean "unrecognised"
        return "application/octet-stream"
    return (
        _ALIASES.get(found, found)
        if isinstance(found, str) and found
        else ("application/octet-stream")
    )


def extension(filename: str | None) -> str | None:
    """Return the lower-case final extension (".pdf") of a name, or ``None``.

    Trailing dots and spaces are ignored because Windows strips them when saving,
    so "invoice.exe. " opens as an .exe.
    """
    if not filename:
        return None
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].rstrip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem.strip(" .") or not ext:
        return None
    return "." + ext.lower()


def describe(mime: str) -> str:
    """Words for a MIME type a person can read: "an ELF executable"."""
    return _DESCRIPTIONS.get(mime) or _DESCRIPTIONS.get(mime.lower()) or f"data of type {mime}"
