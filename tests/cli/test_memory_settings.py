"""Freed large buffers are given back to the system: glibc's mmap threshold is fixed."""

from __future__ import annotations

import pytest

from tests.harness.memory_probe import batch_in_own_mappings_mib, can_probe


@pytest.mark.skipif(not can_probe(), reason="glibc behaviour (mallinfo2)")
def test_freed_medium_buffers_are_returned_after_a_large_one() -> None:
    setup = """
        from pipeline.memory import return_large_buffers
        assert return_large_buffers()
    """
    assert batch_in_own_mappings_mib(setup) > 35


@pytest.mark.skipif(not can_probe(), reason="glibc behaviour (mallinfo2)")
def test_without_the_setting_glibc_keeps_them_resident() -> None:
    # the control: shows the measurement above can fail
    assert batch_in_own_mappings_mib() < 5
