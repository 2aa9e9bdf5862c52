"""Process-wide memory settings for long mail batches."""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable

# mallopt(3) parameter number of M_MMAP_THRESHOLD in glibc's malloc.h
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 128 * 1024
"""Allocations at least this large get their own mapping, returned to the system on free."""


def return_large_buffers() -> bool:
    """Keep every large buffer in its own mapping, so freeing it gives the memory back.

    glibc raises its mmap threshold each time a mapped block is freed (up to 32 MiB on
    64-bit), after which buffers of that size come from the heap and stay resident when
    freed. A poll handles raw messages, pickled batches and decoded attachments of up
    to 30 MB each; with the threshold adjusting itself, one large message left the
    process some 50 MB larger for the rest of the run. Setting the threshold explicitly
    turns the adjustment off. Returns False where the C library has no mallopt (musl,
    macOS): nothing changes there. It runs before logging is configured, so it logs
    nothing (an unconfigured logger would write to standard output, into ``--json``).
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1)


def _libc_malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


_LIBC_MALLOC_TRIM = _libc_malloc_trim()


def start_returning_freed_memory(
    interval: float = 0.5, trim: Callable[[int], int] | None = _LIBC_MALLOC_TRIM
) -> threading.Event | None:
    """Give heap memory freed in this process back to the system every ``interval``
    seconds, from a daemon thread; returns the event that stops it, or None where the C
    library has no ``malloc_trim`` (musl, macOS; ``trim=None``).

    glibc returns freed heap memory only from the top of the heap; pages freed below a
    block still in use stay resident. A long poll frees each batch's messages and records
    between blocks that live on: the process of ``run --once`` grew by about 1.2 KB per
    message (241 -> 248 MiB from 4,000 to 10,000 messages) while the Python objects it
    kept did not grow (55.3 and 55.2 MB at the end). ``malloc_trim(0)`` releases every
    free page, wherever it lies. With it the largest process peaked lower at both sizes
    (231 and 243 MiB, one run each), though single runs vary by several MiB and the
    growth with the mailbox is not shown gone (``bench/README.md``).
    """
    if trim is None:
        return None
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval):
            trim(0)

    threading.Thread(target=loop, name="return-freed-memory", daemon=True).start()
    return stop
