"""What one poll cycle did, per folder and per mailbox (printed by ``poll --json``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class FolderReport:
    """Counts for one folder in one cycle, and the completeness reconciliation."""

    folder: str
    uidvalidity: int | None = None
    uidnext: int | None = None
    server_count: int = 0
    recorded_count: int = 0
    fetched: int = 0
    sealed: int = 0  # sealed in this cycle (stage 1)
    recorded: int = 0  # assembled records appended in this cycle (stage 2)
    already_recorded: int = 0
    bytes: int = 0
    attachments_accepted: int = 0
    attachments_rejected: int = 0
    after_record_done: int = 0
    gaps: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class MailboxReport:
    """One mailbox's cycle."""

    mailbox: str
    folders: list[FolderReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when nothing failed (a skipped mailbox is not a failure)."""
        return not self.errors and not any(f.errors for f in self.folders)

    def total(self, name: str) -> int:
        """Sum of one counter over the folders."""
        return sum(int(getattr(f, name)) for f in self.folders)

    def to_json(self) -> dict[str, Any]:
        """Per-mailbox summary with the per-folder detail."""
        return {
            "mailbox": self.mailbox,
            "ok": self.ok,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 3),
            "fetched": self.total("fetched"),
            "sealed": self.total("sealed"),
            "recorded": self.total("recorded"),
            "already_recorded": self.total("already_recorded"),
            "attachments_accepted": self.total("attachments_accepted"),
            "attachments_rejected": self.total("attachments_rejected"),
            "errors": self.errors + [e for f in self.folders for e in f.errors],
            "folders": [asdict(f) for f in self.folders],
        }
