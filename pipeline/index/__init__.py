"""A local SQLite (FTS5) index of records, derived from the ledger and synced incrementally.

The ledger is the only truth: the index can be deleted at any time and is
rebuilt from the ledger (and the stored text bodies) on the next command.
"""

from pipeline.index.db import (
    INDEX_FILE,
    EntryLink,
    IndexQueryError,
    RecordIndex,
    RecordRow,
    SearchCriteria,
    normalize_message_id,
)

__all__ = [
    "INDEX_FILE",
    "EntryLink",
    "IndexQueryError",
    "RecordIndex",
    "RecordRow",
    "SearchCriteria",
    "normalize_message_id",
]
