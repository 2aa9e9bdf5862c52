"""The archive service: every audited action on the records (see :mod:`.service`)."""

from pipeline.archive.service import (
    Archive,
    ArchiveSettings,
    AttachmentContent,
    DisposalOutcome,
    ExportOutcome,
    Grant,
    Health,
    RawMessage,
    ShownMessage,
)

__all__ = [
    "Archive",
    "ArchiveSettings",
    "AttachmentContent",
    "DisposalOutcome",
    "ExportOutcome",
    "Grant",
    "Health",
    "RawMessage",
    "ShownMessage",
]
