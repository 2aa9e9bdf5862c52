"""An assembly worker process gives freed large buffers back to the system.

Each worker parses messages of up to 30 MB and frees them again; with glibc's
self-adjusting mmap threshold, one such message would keep the worker some 50 MB larger
for the rest of its life. The pool's initializer fixes the threshold, as the main
process does at start.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness.memory_probe import batch_in_own_mappings_mib, can_probe

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not can_probe(), reason="glibc behaviour (mallinfo2)")
def test_a_started_worker_process_returns_freed_buffers(tmp_path: Path) -> None:
    setup = f"""
        from pathlib import Path
        from pipeline.config import load_config
        from pipeline.logs import LogSettings
        from pipeline.storage.settings import LocalSettings
        from pipeline.worker.assembly_pool import init_worker_process
        from pipeline.worker.build import record_settings

        settings = record_settings(load_config(Path({str(ROOT / "config.yaml")!r})))
        init_worker_process(settings, LocalSettings(root=Path({str(tmp_path)!r})), LogSettings())
    """
    assert batch_in_own_mappings_mib(setup) > 35
