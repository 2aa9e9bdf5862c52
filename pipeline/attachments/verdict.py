"""One verdict per attachment: accepted or rejected, with reasons a person can read."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from pipeline.attachments.detect import content_type, describe, extension, normalize_type
from pipeline.attachments.filenames import safe_filename
from pipeline.attachments.image_check import check_image
from pipeline.attachments.pdf_check import check_pdf
from pipeline.attachments.policy import DEFAULT_POLICY, AttachmentPolicy


@dataclass(frozen=True, slots=True)
class AttachmentVerdict:
    """The decision on one attachment and the facts it rests on.

    ``reasons`` explain a rejection (empty when accepted); ``flags`` are
    noteworthy facts that did not by themselves reject the file under the
    policy (for example "encrypted").  ``declared_type`` is the sender's type as
    normalised (``None`` when absent or "application/octet-stream").
    """

    verdict: Literal["accepted", "rejected"]
    reasons: tuple[str, ...]
    flags: tuple[str, ...]
    detected_type: str
    declared_type: str | None
    extension: str | None
    safe_filename: str
    sha256: str
    size: int


# MIME parts that hold message structure rather than a file (RFC 3462/6522 reports,
# RFC 3464 delivery status, RFC 8098 disposition notifications, RFC 2046 message/rfc822),
# and what libmagic may call their content (headers read as text or mail).
_CONTAINER_TYPES = frozenset(
    {
        "message/rfc822",
        "message/global",
        "message/delivery-status",
        "message/global-delivery-status",
        "message/disposition-notification",
        "message/global-disposition-notification",
        "text/rfc822-headers",
        "message/global-headers",
    }
)
_CONTAINER_CONTENT = frozenset(
    {"message/rfc822", "text/plain", "application/octet-stream", "text/x-mail", "message/news"}
)

# PDF flag -> (policy switch, reason text).
_PDF_RULES: dict[str, tuple[str, str]] = {
    "javascript": ("reject_pdf_javascript", "the PDF contains JavaScript"),
    "launch": ("reject_pdf_launch", "the PDF contains a Launch action that can start programs"),
    "embedded-files": ("reject_pdf_embedded_files", "the PDF carries embedded files"),
    "rich-media": ("reject_pdf_rich_media", "the PDF contains rich media (Flash/3D content)"),
    "encrypted": ("reject_encrypted_pdf", "the PDF is encrypted"),
    "data-after-eof": ("reject_trailing_data", "data follows the end of the PDF"),
}


def _structure(detected: str, data: bytes, policy: AttachmentPolicy) -> tuple[list[str], list[str]]:
    reasons: list[str] = []
    flags: list[str] = []
    if detected == "application/pdf":
        pdf = check_pdf(data)
        reasons.extend(pdf.problems)
        flags.extend(pdf.flags)
        for flag in pdf.flags:
            rule = _PDF_RULES.get(flag)
            if rule and getattr(policy, rule[0]):
                reasons.append(rule[1])
    else:
        image = check_image(data, policy.max_pixels)
        reasons.extend(image.problems)
        flags.extend(image.flags)
        if "data-after-end" in image.flags and policy.reject_trailing_data:
            reasons.append("data follows the end of the image")
    return reasons, flags


def check_attachment(
    filename: str | None,
    declared_type: str | None,
    data: bytes,
    policy: AttachmentPolicy = DEFAULT_POLICY,
) -> AttachmentVerdict:
    """Decide whether an attachment may be stored as an accepted document.

    Accepted only when the content (libmagic), the file name's extension and the
    declared MIME type agree on a type the policy allows, the file is within the
    size limit and its structure check passes.  Never raises on bad input.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    size = len(data)
    ext = extension(filename)
    declared = normalize_type(declared_type)
    detected = content_type(data)
    reasons: list[str] = []
    flags: list[str] = []

    def verdict() -> AttachmentVerdict:
        return AttachmentVerdict(
            verdict="rejected" if reasons else "accepted",
            reasons=tuple(dict.fromkeys(reasons)),
            flags=tuple(dict.fromkeys(flags)),
            detected_type=detected,
            declared_type=declared,
            extension=ext,
            safe_filename=safe_filename(filename, sha256),
            sha256=sha256,
            size=size,
        )

    if declared in _CONTAINER_TYPES and detected in _CONTAINER_CONTENT:
        # A bounce's delivery status, a read receipt's disposition, a forwarded
        # message: parts of the message's own structure (their documents, if any, are
        # checked as attachments of their own), not files the sender attached.
        flags.append(f"container: {declared}")
        return verdict()
    if size == 0:
        reasons.append("the file is empty")
        return verdict()
    if size > policy.max_size_bytes:
        # Structure checks of an oversized file would cost time for nothing.
        reasons.append(f"the file is {size:,} bytes, over the limit of {policy.max_size_bytes:,}")
        return verdict()

    allowed = policy.allowed_types
    claimed = next((mime for mime, exts in allowed.items() if ext in exts), None)
    if detected not in allowed:
        if claimed is not None:
            reasons.append(f"content is {describe(detected)} but the name says {ext}")
        else:
            reasons.append(f"content is {describe(detected)}, which is not an allowed type")
    elif ext is None:
        reasons.append(
            f"content is {describe(detected)} but the file has no extension to confirm it"
        )
    elif ext not in allowed[detected]:
        reasons.append(f"content is {describe(detected)} but the name says {ext}")
    # An octet-stream (or missing) declared type is "unknown", not a disagreement:
    # mail clients send it for any file they have no type for (normalize_type maps
    # those spellings to None).  Any concrete declared type must match.
    if declared is not None and declared != detected:
        reasons.append(f"content is {describe(detected)} but it was sent as {declared}")
    if reasons:
        return verdict()

    structure_reasons, structure_flags = _structure(detected, data, policy)
    reasons.extend(structure_reasons)
    flags.extend(structure_flags)
    return verdict()
