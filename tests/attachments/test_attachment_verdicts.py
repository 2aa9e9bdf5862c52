"""check_attachment: what is accepted, what is rejected, and why."""

from __future__ import annotations

import hashlib

import pytest
from attachment_samples import (
    docx_bytes,
    elf_bytes,
    encrypted_pdf,
    jpeg_bytes,
    pdf_bytes,
    pdf_with_embedded_file,
    pdf_with_javascript,
    pdf_with_launch,
    pe_bytes,
    png_bomb,
    png_bytes,
    zip_bytes,
)
from pydantic import ValidationError

from pipeline.attachments.policy import AttachmentPolicy
from pipeline.attachments.verdict import check_attachment


def test_valid_pdf_is_accepted_with_its_facts():
    data = pdf_bytes()
    verdict = check_attachment("statement.pdf", "application/pdf", data)
    assert verdict.verdict == "accepted"
    assert verdict.reasons == ()
    assert verdict.detected_type == "application/pdf"
    assert verdict.declared_type == "application/pdf"
    assert verdict.extension == ".pdf"
    assert verdict.safe_filename == "statement.pdf"
    assert verdict.sha256 == hashlib.sha256(data).hexdigest()
    assert verdict.size == len(data)


def test_valid_jpeg_is_accepted_with_jpg_alias_declared():
    verdict = check_attachment("check.JPG", "image/jpg", jpeg_bytes())
    assert (verdict.verdict, verdict.declared_type, verdict.extension) == (
        "accepted",
        "image/jpeg",
        ".jpg",
    )


def test_valid_png_is_accepted():
    assert check_attachment("scan.png", "image/png", png_bytes()).verdict == "accepted"


def test_octet_stream_declared_type_counts_as_unknown_not_a_mismatch():
    verdict = check_attachment("scan.png", "application/octet-stream", png_bytes())
    assert verdict.verdict == "accepted"
    assert verdict.declared_type is None


def test_declared_type_of_another_allowed_type_is_a_mismatch():
    verdict = check_attachment("scan.png", "application/pdf", png_bytes())
    assert verdict.verdict == "rejected"
    assert verdict.reasons == ("content is a PNG image but it was sent as application/pdf",)


def test_extension_of_another_allowed_type_is_a_mismatch():
    verdict = check_attachment("scan.pdf", None, png_bytes())
    assert verdict.reasons == ("content is a PNG image but the name says .pdf",)


def test_missing_extension_is_rejected_because_nothing_confirms_the_type():
    verdict = check_attachment("scan", "image/png", png_bytes())
    assert verdict.verdict == "rejected"
    assert "no extension" in verdict.reasons[0]


def test_truncated_png_is_rejected_as_truncated():
    verdict = check_attachment("scan.png", "image/png", png_bytes()[:-30])
    assert verdict.verdict == "rejected"
    assert "the PNG image has no end marker (it is truncated)" in verdict.reasons


def test_truncated_jpeg_is_rejected_as_truncated():
    data = jpeg_bytes()
    verdict = check_attachment("photo.jpg", "image/jpeg", data[: len(data) // 2])
    assert verdict.verdict == "rejected"
    assert "the JPEG image has no end marker (it is truncated)" in verdict.reasons


def test_truncated_pdf_is_rejected_for_missing_eof():
    verdict = check_attachment("statement.pdf", None, pdf_bytes()[:-40])
    assert verdict.verdict == "rejected"
    assert "the PDF has no %%EOF marker (it is truncated or not a PDF)" in verdict.reasons


def test_pdf_with_junk_before_header_is_rejected():
    verdict = check_attachment("statement.pdf", None, b"junk" * 10 + pdf_bytes())
    assert verdict.verdict == "rejected"
    assert "40 bytes of other data come before the %PDF- header" in verdict.reasons
    assert "junk-before-header" in verdict.flags


def test_gif_header_in_front_of_a_pdf_is_rejected_as_a_gif():
    verdict = check_attachment("statement.pdf", None, b"GIF89a junk " * 3 + pdf_bytes())
    assert verdict.reasons == ("content is a GIF image but the name says .pdf",)


def test_pdf_with_javascript_open_action_is_rejected():
    verdict = check_attachment("statement.pdf", None, pdf_with_javascript())
    assert verdict.verdict == "rejected"
    assert verdict.reasons == ("the PDF contains JavaScript",)
    assert {"javascript", "open-action"} <= set(verdict.flags)


def test_pdf_with_javascript_is_only_flagged_when_policy_allows_it():
    policy = AttachmentPolicy(reject_pdf_javascript=False)
    verdict = check_attachment("statement.pdf", None, pdf_with_javascript(), policy)
    assert verdict.verdict == "accepted"
    assert "javascript" in verdict.flags


def test_pdf_with_hex_escaped_javascript_name_is_still_caught():
    data = pdf_bytes("/OpenAction 4 0 R ", ("<< /S /J#61vaScript /J#53 (app.alert\\(1\\);) >>",))
    verdict = check_attachment("statement.pdf", None, data)
    assert verdict.verdict == "rejected"
    assert {"javascript", "obfuscated-name"} <= set(verdict.flags)


def test_pdf_with_launch_action_is_rejected():
    verdict = check_attachment("statement.pdf", None, pdf_with_launch())
    assert verdict.reasons == ("the PDF contains a Launch action that can start programs",)


def test_encrypted_pdf_is_accepted_and_flagged():
    verdict = check_attachment("statement.pdf", "application/pdf", encrypted_pdf())
    assert verdict.verdict == "accepted"
    assert "encrypted" in verdict.flags


def test_encrypted_pdf_is_rejected_when_policy_says_so():
    policy = AttachmentPolicy(reject_encrypted_pdf=True)
    verdict = check_attachment("statement.pdf", None, encrypted_pdf(), policy)
    assert verdict.reasons == ("the PDF is encrypted",)


def test_pdf_with_embedded_file_is_rejected():
    verdict = check_attachment("statement.pdf", None, pdf_with_embedded_file())
    assert verdict.verdict == "rejected"
    assert verdict.reasons == ("the PDF carries embedded files",)


def test_pdf_with_zip_appended_is_rejected_as_polyglot():
    verdict = check_attachment("statement.pdf", None, pdf_bytes() + zip_bytes())
    assert verdict.verdict == "rejected"
    assert verdict.reasons == (
        "a ZIP archive is appended after the end of the PDF (polyglot file)",
    )
    assert {"polyglot", "data-after-eof"} <= set(verdict.flags)


def test_png_with_zip_appended_is_rejected_as_polyglot():
    verdict = check_attachment("scan.png", None, png_bytes() + zip_bytes())
    assert verdict.reasons == (
        "a ZIP archive is appended after the end of the PNG image (polyglot file)",
    )


def test_jpeg_with_zip_appended_is_rejected_as_polyglot():
    verdict = check_attachment("photo.jpg", None, jpeg_bytes() + zip_bytes())
    assert verdict.reasons == (
        "a ZIP archive is appended after the end of the JPEG image (polyglot file)",
    )


def test_padding_after_png_end_is_flagged_but_accepted():
    verdict = check_attachment("scan.png", None, png_bytes() + b"\x00\x00\x00\x01\x02")
    assert verdict.verdict == "accepted"
    assert "data-after-end" in verdict.flags


def test_elf_named_statement_pdf_is_rejected_with_mismatch_reason():
    verdict = check_attachment("statement.pdf", "application/pdf", elf_bytes())
    assert verdict.verdict == "rejected"
    assert verdict.reasons[0] == "content is an ELF executable but the name says .pdf"


def test_windows_executable_named_pdf_is_rejected():
    verdict = check_attachment("statement.pdf", None, pe_bytes())
    assert verdict.reasons == ("content is a Windows executable but the name says .pdf",)


def test_html_named_pdf_is_rejected():
    html = b"<!DOCTYPE html><html><head><title>Pay</title></head><body>login</body></html>\n"
    verdict = check_attachment("statement.pdf", None, html)
    assert verdict.reasons == ("content is an HTML document but the name says .pdf",)


def test_zip_archive_is_rejected_as_not_allowed():
    verdict = check_attachment("docs.zip", "application/zip", zip_bytes())
    assert verdict.reasons[0] == "content is a ZIP archive, which is not an allowed type"


def test_docx_is_rejected_as_not_allowed():
    verdict = check_attachment("letter.docx", None, docx_bytes())
    assert verdict.verdict == "rejected"
    assert verdict.reasons[0].endswith("which is not an allowed type")


def test_empty_file_is_rejected():
    verdict = check_attachment("statement.pdf", "application/pdf", b"")
    assert (verdict.verdict, verdict.reasons, verdict.size) == (
        "rejected",
        ("the file is empty",),
        0,
    )


def test_file_over_size_limit_is_rejected():
    policy = AttachmentPolicy(max_size_bytes=100)
    verdict = check_attachment("scan.png", None, png_bytes(), policy)
    assert verdict.reasons[0].startswith("the file is ")
    assert verdict.reasons[0].endswith("bytes, over the limit of 100")


def test_png_over_pixel_budget_is_rejected_before_decoding():
    verdict = check_attachment("scan.png", None, png_bomb(8000, 8000))
    assert verdict.reasons == (
        "the image is 8000 x 8000 pixels, over the limit of 50,000,000 pixels "
        "(decompression bomb?)",
    )


def test_png_decompression_bomb_with_huge_dimensions_is_rejected():
    verdict = check_attachment("scan.png", None, png_bomb(100_000, 100_000))
    assert verdict.verdict == "rejected"
    assert "decompression bomb" in verdict.reasons[0]


def test_policy_rejects_unknown_keys():
    with pytest.raises(ValidationError):
        AttachmentPolicy(allow_everything=True)  # type: ignore[call-arg]


def test_policy_refuses_types_without_a_structure_check():
    with pytest.raises(ValidationError, match="no structure check exists for application/zip"):
        AttachmentPolicy(allowed_types={"application/zip": (".zip",)})


def test_policy_is_frozen():
    policy = AttachmentPolicy()
    with pytest.raises(ValidationError):
        policy.max_pixels = 1  # type: ignore[misc]
