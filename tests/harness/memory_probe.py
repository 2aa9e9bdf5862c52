"""A child process that shows whether large buffers get mappings of their own.

glibc raises its mmap threshold each time a mapped block is freed; after one 20 MiB
buffer, 4 MiB ones come from the heap, where freeing them rarely gives the memory back.
The probe runs ``setup`` first, then that sequence, and asks glibc (``mallinfo2``) how
much of the 4 MiB batch sits in mappings of its own. Asking the allocator, rather than
watching the process's size, keeps the answer independent of what ``setup`` left on the
heap.
"""

from __future__ import annotations

import ctypes
import subprocess
import sys
import textwrap

_PROBE = """
import ctypes

class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd",
            "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost",
        )
    ]

_libc = ctypes.CDLL(None)
_libc.mallinfo2.restype = _MallInfo2

def mapped_mib():
    return _libc.mallinfo2().hblkhd / 2**20

large = bytearray(20 * 2**20)
del large
before = mapped_mib()
batch = [bytearray(4 * 2**20) for _ in range(10)]
print(mapped_mib() - before)
"""


def can_probe() -> bool:
    """Whether this C library answers the probe: glibc 2.33 or later has ``mallinfo2``
    (musl and macOS do not)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return hasattr(ctypes.CDLL(None), "mallinfo2")
    except OSError:
        return False


def batch_in_own_mappings_mib(setup: str = "") -> float:
    """MiB of a batch of ten 4 MiB buffers, allocated after a freed 20 MiB one, that
    glibc put in mappings of their own (given back on free), once ``setup`` (Python
    source) has run in a fresh interpreter: about 40 with the threshold fixed, 0 when
    glibc adjusts it."""
    program = textwrap.dedent(setup) + "\n" + _PROBE
    out = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])
