"""Process-wide memory settings for long mail batches."""

from __future__ import annotations

import ctypes

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
