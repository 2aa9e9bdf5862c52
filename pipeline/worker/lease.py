"""A per-mailbox lease so overlapping scheduled runs do not work the same mailbox at once.

An advisory ``flock`` on a file in the state directory: the kernel releases it
when the process dies, so a killed worker never leaves a stale lease. It only
spares work; exactly-once never depends on it (the ledger append re-checks).
Workers on different hosts are kept apart by the scheduler (Kubernetes
``concurrencyPolicy: Forbid``, one ECS task per schedule).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from pipeline.errors import LeaseHeldError


class MailboxLease:
    """Context manager holding the lease for one mailbox."""

    def __init__(self, state_dir: Path, mailbox: str) -> None:
        self.path = state_dir / "leases" / f"{mailbox}.lock"
        self.mailbox = mailbox
        self._fd: int | None = None

    def __enter__(self) -> MailboxLease:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            raise LeaseHeldError(
                f"mailbox {self.mailbox}: another worker on this host is polling it; skipped"
            ) from exc
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
