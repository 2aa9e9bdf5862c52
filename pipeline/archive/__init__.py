"""The archive service: every audited action on the records (see :mod:`.service`)."""

from pipeline.archive.service import (
    Archive,
    ArchiveSettings,
    DisposalOutcome,
    ExportOutcome,
    RawMessage,
    ShownMessage,
)

__all__ = [
    "Archive",
    "ArchiveSettings",
    "DisposalOutcome",
    "ExportOutcome",
    "RawMessage",
    "ShownMessage",
]
