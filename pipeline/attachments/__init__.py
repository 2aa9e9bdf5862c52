"""Attachment verification: content type, structure, policy verdict and safe names (no I/O)."""

from pipeline.attachments.filenames import safe_filename
from pipeline.attachments.policy import AttachmentPolicy
from pipeline.attachments.verdict import AttachmentVerdict, check_attachment

__all__ = ["AttachmentPolicy", "AttachmentVerdict", "check_attachment", "safe_filename"]
