"""Freed memory is given back to the system: large buffers (glibc's mmap threshold is
fixed) and heap pages freed below live blocks (malloc_trim, every half second)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest

from pipeline.memory import start_returning_freed_memory

# One large message, then a batch of medium buffers held below a live block: with the
# threshold adjusting itself, glibc serves the batch from the heap and keeps it resident.
_PROGRAM = textwrap.dedent(
    """
    import sys
    from pipeline.memory import return_large_buffers

    def rss_mib():
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * 4096 / 2**20

    if sys.argv[1] == "fixed":
        assert return_large_buffers()
    large = bytearray(20 * 2**20)
    del large
    before = rss_mib()
    batch = [bytearray(4 * 2**20) for _ in range(10)]
    live = bytearray(100_000)
    del batch
    print(rss_mib() - before)
    """
)


def _growth_mib(mode: str, program: str = _PROGRAM) -> float:
    out = subprocess.run(
        [sys.executable, "-c", program, mode], capture_output=True, text=True, check=True
    )
    return float(out.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc behaviour")
def test_freed_medium_buffers_are_returned_after_a_large_one() -> None:
    assert _growth_mib("fixed") < 5


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc behaviour")
def test_without_the_setting_glibc_keeps_them_resident() -> None:
    # the control: shows the measurement above can fail
    assert _growth_mib("default") > 30


# Many heap-sized buffers (above Python's small-object allocator, below the mmap
# threshold) freed while a block allocated after them lives on: the heap cannot shrink
# from the top, so the pages stay resident unless they are given back.
_HEAP_PROGRAM = textwrap.dedent(
    """
    import sys, time
    from pipeline.memory import return_large_buffers, start_returning_freed_memory

    def rss_mib():
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * 4096 / 2**20

    return_large_buffers()
    before = rss_mib()
    batch = [bytearray(2000) for _ in range(50_000)]
    live = bytearray(3000)
    del batch
    if sys.argv[1] == "returned":
        assert start_returning_freed_memory(0.01) is not None
        time.sleep(0.3)
    print(rss_mib() - before)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc behaviour")
def test_memory_freed_below_a_live_block_is_given_back() -> None:
    assert _growth_mib("returned", _HEAP_PROGRAM) < 10


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc behaviour")
def test_without_giving_it_back_the_freed_heap_stays_resident() -> None:
    # the control: about 100 MiB freed, and still resident
    assert _growth_mib("kept", _HEAP_PROGRAM) > 60


def test_freed_memory_is_given_back_until_stopped() -> None:
    calls = threading.Semaphore(0)
    stop = start_returning_freed_memory(0.01, trim=lambda pad: calls.release() or 0)
    assert stop is not None
    assert calls.acquire(timeout=5) and calls.acquire(timeout=5)  # called again and again
    stop.set()


def test_without_malloc_trim_nothing_is_started() -> None:
    # a C library without malloc_trim (musl, macOS)
    assert start_returning_freed_memory(trim=None) is None
