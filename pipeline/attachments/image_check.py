"""Structural check of JPEG and PNG images: full decode with Pillow, within a pixel budget."""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from pipeline.attachments.detect import content_type, describe

DEFAULT_MAX_PIXELS = 50_000_000
# Only these decoders are tried: every other Pillow plugin is attack surface we do not need.
_FORMATS = ("JPEG", "PNG")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Standalone JPEG markers carry no length field (ITU T.81 B.1.1.3, Table B.1).
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


@dataclass(frozen=True, slots=True)
class ImageReport:
    """Outcome of an image check: ``problems`` make it unusable, ``flags`` are facts."""

    format: str | None
    width: int | None
    height: int | None
    problems: tuple[str, ...]
    flags: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when the image decoded completely within the limits."""
        return not self.problems


def _png_end(data: bytes) -> int | None:
    """Offset just past the IEND chunk (PNG spec 5.3), or None if it is missing."""
    offset = len(_PNG_SIGNATURE)
    while offset + 12 <= len(data):
        (length,) = struct.unpack_from(">I", data, offset)
        kind = data[offset + 4 : offset + 8]
        offset += 12 + length
        if kind == b"IEND":
            return offset if offset <= len(data) else None
    return None


def _jpeg_end(data: bytes) -> int | None:
    """Offset just past the EOI marker that ends the image, or None if it is missing.

    Walks marker segments by their lengths (so EXIF thumbnails, which carry their
    own SOI/EOI inside APP1, are skipped) and entropy-coded data by looking for
    the next marker that is not a stuffed 0xFF00 or a restart marker.
    """
    if data[:2] != b"\xff\xd8":
        return None
    offset = 2
    size = len(data)
    while offset < size:
        if data[offset] != 0xFF:
            # Entropy-coded scan data: jump to the next real marker.
            offset = data.find(b"\xff", offset)
            if offset < 0:
                return None
            continue
        if offset + 1 >= size:
            return None
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte (T.81 B.1.1.2)
            offset += 1
        elif marker == 0x00 or marker in _JPEG_STANDALONE:
            offset += 2
        elif marker == 0xD9:
            return offset + 2
        else:
            if offset + 4 > size:
                return None
            (length,) = struct.unpack_from(">H", data, offset + 2)
            offset += 2 + length
    return None


def _trailing(
    data: bytes, end: int | None, what: str, problems: list[str], flags: set[str]
) -> None:
    if end is None:
        problems.append(f"the {what} has no end marker (it is truncated)")
        return
    tail = data[end : end + 65536]
    if not tail.strip(b"\x00\r\n "):
        return
    flags.add("data-after-end")
    kind = content_type(tail)
    if kind not in ("application/octet-stream", "text/plain", "application/x-empty"):
        flags.add("polyglot")
        problems.append(f"{describe(kind)} is appended after the end of the {what} (polyglot file)")


def check_image(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageReport:
    """Decode a JPEG or PNG completely and report what is wrong with it.

    The pixel budget is checked from the header before any pixel is decoded, so a
    decompression bomb (huge dimensions, tiny file) costs nothing.  Pillow's own
    global ``Image.MAX_IMAGE_PIXELS`` is left alone: changing it would affect
    every other user of Pillow in the process; its hard limit (twice that value)
    may still stop an image first, and is reported the same way.
    Never raises on bad input.
    """
    problems: list[str] = []
    flags: set[str] = set()
    fmt: str | None = None
    width: int | None = None
    height: int | None = None
    try:
        # Pillow warns (DecompressionBombWarning) past its soft limit; the warning is
        # left alone because silencing it would change process-wide filters from
        # any thread, and our own limit below is lower and decides.
        with Image.open(io.BytesIO(data), formats=_FORMATS) as image:
            fmt, (width, height) = image.format, image.size
            if fmt not in ("JPEG", "PNG"):
                problems.append(f"the image is {fmt or 'of an unknown format'}, not JPEG or PNG")
            elif width * height > max_pixels:
                problems.append(
                    f"the image is {width} x {height} pixels, over the limit of "
                    f"{max_pixels:,} pixels (decompression bomb?)"
                )
            else:
                # verify() checks chunk CRCs and structure but leaves the image
                # unusable, hence the second open for the full decode.
                image.verify()
        if not problems:
            with Image.open(io.BytesIO(data), formats=_FORMATS) as image:
                image.load()
    except Image.DecompressionBombError as exc:
        problems.append(f"the image is too large to decode safely (decompression bomb): {exc}")
    except UnidentifiedImageError:
        problems.append("the data is not a readable JPEG or PNG image")
    except Exception as exc:  # noqa: BLE001 - decoders raise OSError, SyntaxError, ValueError...
        problems.append(f"the image is damaged or truncated ({type(exc).__name__}: {exc})"[:300])
    if fmt == "PNG":
        _trailing(data, _png_end(data), "PNG image", problems, flags)
    elif fmt == "JPEG":
        _trailing(data, _jpeg_end(data), "JPEG image", problems, flags)
    # A truncated file may be reported twice (decoder and end marker): keep one of each.
    return ImageReport(fmt, width, height, tuple(dict.fromkeys(problems)), tuple(sorted(flags)))
