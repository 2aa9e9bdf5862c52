"""Where a message came from, and the identity that makes recording exactly-once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pipeline.ledger.entry import format_time


@dataclass(frozen=True)
class MessageSource:
    """The mailbox position (or file) a message was read from.

    IMAP identity is (mailbox, folder, UIDVALIDITY, UID): UIDs are unique and never
    reused within one UIDVALIDITY (RFC 9051 section 2.3.1.1). Message-ID is not
    identity: drafts and forwards reuse it.
    """

    kind: Literal["imap", "import"]
    mailbox: str
    folder: str
    uidvalidity: int | None = None
    uid: int | None = None
    internaldate: datetime | None = None
    direction: Literal["inbound", "outbound"] = "inbound"
    path: str | None = None

    @property
    def imported(self) -> bool:
        """Backfilled from files: never auto-acknowledged."""
        return self.kind == "import"

    def record_id(self, raw_sha256: str) -> str:
        """Deterministic record id, so a rerun derives the same id for the same message."""
        if self.kind == "imap":
            basis = (
                f"imap\0{self.mailbox}\0{self.folder}\0{self.uidvalidity}\0{self.uid}\0{raw_sha256}"
            )
        else:
            basis = f"import\0{raw_sha256}"
        return "r-" + hashlib.sha256(basis.encode()).hexdigest()[:24]

    def to_json(self) -> dict[str, Any]:
        """The ``source`` object of a record entry."""
        return {
            "kind": self.kind,
            "mailbox": self.mailbox,
            "folder": self.folder,
            "uidvalidity": self.uidvalidity,
            "uid": self.uid,
            "internaldate": format_time(self.internaldate) if self.internaldate else None,
            "direction": self.direction,
            "imported": self.imported,
            "path": self.path,
        }
