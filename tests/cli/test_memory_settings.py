"""Freed large buffers are given back to the system: glibc's mmap threshold is fixed."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

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


def _growth_mib(mode: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", _PROGRAM, mode], capture_output=True, text=True, check=True
    )
    return float(out.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc behaviour")
def test_freed_medium_buffers_are_returned_after_a_large_one() -> None:
    assert _growth_mib("fixed") < 5


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc behaviour")
def test_without_the_setting_glibc_keeps_them_resident() -> None:
    # the control: shows the measurement above can fail
    assert _growth_mib("default") > 30
