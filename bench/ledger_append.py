"""Ledger append throughput (entries/s) by batch size, on the local store and moto's server.

Usage: .venv/bin/python -m bench.ledger_append   (prints a table; takes about a minute)
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import structlog

from pipeline.storage.base import ObjectStore
from tests.harness.moto_server import MotoServer
from tests.ledger.ledger_helpers import draft, ledger_on
from tests.storage.backends import local_store, s3_store

BATCH_SIZES = (1, 10, 100, 500)
SECONDS = 3.0


def measure(store: ObjectStore, batch_size: int) -> float:
    ledger = ledger_on(store)
    body = {"record_id": "r-" + "0" * 24, "raw": {"sha256": "a" * 64, "size": 25000}}
    count, began = 0, time.perf_counter()
    while time.perf_counter() - began < SECONDS or count == 0:
        ledger.append([draft(count + j, body) for j in range(batch_size)])
        count += batch_size
    return count / (time.perf_counter() - began)


def main() -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    rows = []
    with MotoServer() as server:
        for size in BATCH_SIZES:
            with tempfile.TemporaryDirectory() as root:
                fsync_on = measure(local_store(Path(root)).__class__(Path(root)), size)
            with tempfile.TemporaryDirectory() as root:
                fsync_off = measure(local_store(Path(root)), size)
            moto = measure(s3_store(server), size)
            rows.append((size, fsync_on, fsync_off, moto))
    print(f"{'batch':>6} {'local fsync':>12} {'local no-fsync':>15} {'moto server':>12}")
    for size, a, b, c in rows:
        print(f"{size:>6} {a:>12,.0f} {b:>15,.0f} {c:>12,.0f}")


if __name__ == "__main__":
    main()
