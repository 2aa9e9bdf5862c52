"""Unpacking of Outlook's winmail.dat (application/ms-tnef) attachments."""

from __future__ import annotations

from dataclasses import dataclass

from tnefparse import TNEF

# TNEF streams start with this little-endian signature ([MS-OXTNEF] 2.1.3.1).
_TNEF_SIGNATURE = b"\x78\x9f\x3e\x22"


@dataclass(frozen=True, slots=True)
class TnefFile:
    """One file carried inside a TNEF stream."""

    filename: str | None
    payload: bytes


def is_tnef(content_type: str | None, filename: str | None, payload: bytes) -> bool:
    """Say whether a part is a TNEF stream, by type, by name or by signature."""
    if content_type in ("application/ms-tnef", "application/vnd.ms-tnef"):
        return True
    if filename is not None and filename.strip().lower() == "winmail.dat":
        return True
    return payload[:4] == _TNEF_SIGNATURE


def _attachment_name(attachment: object) -> str | None:
    # tnefparse decodes names with the codec it guessed and raises on bytes that
    # do not fit; the name is only a label, so a failure just leaves it unnamed.
    for getter in ("long_filename", "name"):
        try:
            value = getattr(attachment, getter)
            value = value() if callable(value) else value
        except (UnicodeDecodeError, AttributeError, LookupError):
            continue
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, str) and value.strip("\x00 "):
            return value.strip("\x00 ")
    return None


def expand_tnef(payload: bytes) -> tuple[tuple[TnefFile, ...], str | None]:
    """Return the files inside a TNEF stream and, if it is damaged, why.

    Never raises on bad input: tnefparse walks offsets taken from the data
    itself, so a truncated or forged stream fails with struct, index or value
    errors, which are turned into the returned problem text.
    """
    try:
        tnef = TNEF(payload, do_checksum=False)
    except (ValueError, IndexError, KeyError, TypeError, UnicodeError, OverflowError) as exc:
        return (), f"winmail.dat could not be unpacked ({type(exc).__name__}: {exc})"
    except Exception as exc:  # noqa: BLE001 - struct.error and others from untrusted offsets
        return (), f"winmail.dat could not be unpacked ({type(exc).__name__})"
    files = []
    for attachment in tnef.attachments:
        data = getattr(attachment, "data", b"")
        if not isinstance(data, bytes):
            data = bytes(data) if isinstance(data, bytearray | memoryview) else b""
        files.append(TnefFile(filename=_attachment_name(attachment), payload=data))
    return tuple(files), None
