"""What attachments mailledger accepts; loaded from configuration, frozen once made."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Types for which a structure check exists; accepting anything else would mean
# accepting a file nobody has looked inside.
CHECKABLE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


class AttachmentPolicy(BaseModel):
    """Allowed types and limits for attachments, and which PDF features reject a file.

    Defaults: PDF, JPEG and PNG up to 25 MiB and 50 megapixels; PDFs with
    JavaScript, launch actions, embedded files or rich media are rejected,
    encrypted PDFs are accepted with a flag.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    allowed_types: dict[str, tuple[str, ...]] = Field(
        default_factory=lambda: {
            "application/pdf": (".pdf",),
            "image/jpeg": (".jpg", ".jpeg"),
            "image/png": (".png",),
        },
        description="MIME type -> file name extensions accepted for it (lower case, with dot)",
    )
    max_size_bytes: int = Field(default=25 * 1024 * 1024, gt=0)
    max_pixels: int = Field(default=50_000_000, gt=0)
    reject_encrypted_pdf: bool = False
    reject_pdf_javascript: bool = True
    reject_pdf_launch: bool = True
    reject_pdf_embedded_files: bool = True
    reject_pdf_rich_media: bool = True
    # Non-format bytes after a file's end marker (padding, scanner junk) only flag
    # by default; bytes that form another file (a polyglot) are always rejected.
    reject_trailing_data: bool = False

    @field_validator("allowed_types")
    @classmethod
    def _checkable(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        unknown = sorted(set(value) - CHECKABLE_TYPES)
        if unknown:
            raise ValueError(
                f"no structure check exists for {', '.join(unknown)}; "
                f"allowed types must be among {', '.join(sorted(CHECKABLE_TYPES))}"
            )
        for mime, extensions in value.items():
            bad = [e for e in extensions if not e.startswith(".") or e != e.lower()]
            if bad or not extensions:
                raise ValueError(
                    f"extensions for {mime} must be non-empty, lower case and start "
                    f"with '.', got {list(extensions)}"
                )
        return value


DEFAULT_POLICY = AttachmentPolicy()
