"""Real sample files built in memory for the attachment tests."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pypdf
from PIL import Image


def png_bytes(width: int = 40, height: int = 30) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 10, 10)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes(width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    image = Image.effect_noise((width, height), 50).convert("RGB")
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def zip_bytes(names: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (names or {"readme.txt": b"hello from a zip\n" * 20}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    content_types = (
        b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        b'package/2006/content-types"><Override PartName="/word/document.xml" ContentType='
        b'"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        b"</Types>"
    )
    return zip_bytes(
        {
            "[Content_Types].xml": content_types,
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<w:document/>",
        }
    )


def pdf_bytes(catalog_extra: str = "", objects: tuple[str, ...] = ()) -> bytes:
    """A minimal one-page PDF with a correct xref table; extra objects start at 4 0 obj."""
    bodies = [
        f"<< /Type /Catalog /Pages 2 0 R {catalog_extra}>>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        *objects,
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(bodies) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(bodies) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def pdf_with_javascript() -> bytes:
    return pdf_bytes("/OpenAction 4 0 R ", ("<< /S /JavaScript /JS (app.alert\\(1\\);) >>",))


def pdf_with_launch() -> bytes:
    return pdf_bytes("/OpenAction 4 0 R ", ("<< /S /Launch /F (cmd.exe) >>",))


def pdf_with_embedded_file() -> bytes:
    return pdf_bytes(
        "/Names << /EmbeddedFiles << /Names [(note.txt) 4 0 R] >> >> ",
        (
            "<< /Type /Filespec /F (note.txt) /EF << /F 5 0 R >> >>",
            "<< /Type /EmbeddedFile /Length 6 >>\nstream\nhello\n\nendstream",
        ),
    )


def encrypted_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password="", owner_password="owner-secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def elf_bytes() -> bytes:
    # ELF64 little-endian header (System V gABI), type ET_DYN, machine x86-64.
    header = b"\x7fELF\x02\x01\x01" + b"\x00" * 9
    header += struct.pack("<HHIQQQIHHHHHH", 3, 0x3E, 1, 0x1000, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    return header + b"\x00" * 512


def pe_bytes() -> bytes:
    # MZ stub whose e_lfanew (offset 0x3C) points at a "PE\0\0" COFF header.
    dos = bytearray(b"MZ" + b"\x90\x00" * 29)
    dos += b"\x00" * (0x3C - len(dos))
    dos += struct.pack("<I", 0x80)
    dos += b"\x00" * (0x80 - len(dos))
    coff = b"PE\x00\x00" + struct.pack("<HHIIIHH", 0x8664, 1, 0, 0, 0, 0xF0, 0x22)
    optional = struct.pack("<H", 0x20B) + b"\x00" * 0xEE
    return bytes(dos) + coff + optional + b"\x00" * 512


def png_bomb(width: int, height: int) -> bytes:
    """A valid PNG header claiming huge dimensions, with almost no pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
