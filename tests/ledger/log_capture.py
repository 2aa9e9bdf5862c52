"""Capturing structured log events in tests, whatever other tests configured before."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import structlog
from structlog.testing import LogCapture


@contextmanager
def captured_logs(*modules: ModuleType) -> Iterator[list[MutableMapping[str, Any]]]:
    """Every event the ``log`` of ``modules`` emits while the block runs, at every level.

    Module loggers keep the set-up of their first use and other tests raise the level,
    so each module's ``log`` is bound again for the block, then put back.
    """
    before = structlog.get_config()
    capture = LogCapture()
    structlog.configure(
        processors=[capture],
        wrapper_class=structlog.make_filtering_bound_logger(0),
        cache_logger_on_first_use=False,
    )
    saved = [(module, module.log) for module in modules]
    try:
        for module in modules:
            module.log = structlog.get_logger(module.__name__)
        yield capture.entries
    finally:
        for module, logger in saved:
            module.log = logger
        structlog.configure(**before)
