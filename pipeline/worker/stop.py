"""The stop signal a worker checks between batches.

Apart from the poller so the commands that start workers can install it without
importing the IMAP client, the MIME parser and the attachment checkers first.
"""

from __future__ import annotations

import signal
import threading
from typing import Any


class StopFlag:
    """Set by SIGTERM/SIGINT: finish the batch in hand, commit it, then stop."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self, *_args: Any) -> None:
        """Ask the worker to stop after the current batch."""
        self._event.set()

    @property
    def is_set(self) -> bool:
        """True once a stop was asked for."""
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True if a stop was asked for meanwhile."""
        return self._event.wait(seconds)

    def install(self) -> None:
        """Handle SIGTERM and SIGINT (main thread only)."""
        signal.signal(signal.SIGTERM, self.set)
        signal.signal(signal.SIGINT, self.set)
