"""Ledger append throughput: by batch size, and with 1, 2 and 4 concurrent writers.

Usage::

    .venv/bin/python -m bench.ledger_append                 # batch sizes, one writer
    .venv/bin/python -m bench.ledger_append --writers 1,2,4 --batch 20 --seconds 10 \
        --backends local,moto,rgw

With ``--writers``, each writer is a process of its own with its own ``Ledger`` on the
same store (as separate workers are), appending batches of ``--batch`` entries for
``--seconds`` after a common start. Every append that lost the race for its position
(another writer took it first; the batch key is create-only) is counted, with the S3
requests each writer sent (a boto3 event hook counts them by operation). Writer counts
alternate within each round (``--rounds``) and the median is reported. RGW is started
the way the test suite starts it (skipped when Ceph is not installed).
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

from pipeline.ledger.log import Ledger
from pipeline.storage.base import ObjectStore
from pipeline.storage.local import LocalStore
from pipeline.storage.s3 import S3Store
from tests.harness.moto_server import MotoServer
from tests.ledger.ledger_helpers import draft, ledger_on
from tests.storage.backends import (
    RGW_SETTINGS,
    local_store,
    new_bucket,
    new_rgw_bucket,
    rgw_credentials_env,
    s3_settings,
    s3_store,
)

BATCH_SIZES = (1, 10, 100, 500)
SECONDS = 3.0
BODY = {"record_id": "r-" + "0" * 24, "raw": {"sha256": "a" * 64, "size": 25000}}


def count_requests(store: S3Store) -> collections.Counter[str]:
    """S3 requests ``store`` sends from now on, by operation name (ListObjectsV2, PutObject...).

    Counted with botocore's ``before-call`` hook: one per API call (a retry of the same
    call is not counted again; on loopback there are none).
    """
    sent: collections.Counter[str] = collections.Counter()

    def note(model: Any, **_kwargs: Any) -> None:
        sent[model.name] += 1

    store.client.meta.events.register("before-call.s3", note)
    return sent


def measure(store: ObjectStore, batch_size: int) -> float:
    ledger = ledger_on(store)
    count, began = 0, time.perf_counter()
    while time.perf_counter() - began < SECONDS or count == 0:
        ledger.append([draft(count + j, BODY) for j in range(batch_size)])
        count += batch_size
    return count / (time.perf_counter() - began)


@dataclass(frozen=True)
class StoreSpec:
    """How a writer process opens the shared store (picklable)."""

    kind: str  # local | s3
    path: str = ""
    endpoint_url: str = ""
    bucket: str = ""
    env: tuple[tuple[str, str], ...] = ()
    rgw: bool = False

    def open(self) -> ObjectStore:
        if self.kind == "local":
            return LocalStore(Path(self.path), fsync=True)
        os.environ.update(dict(self.env))
        overrides = RGW_SETTINGS if self.rgw else {}
        return S3Store(s3_settings(self.endpoint_url, self.bucket, **overrides))


def _writer(spec: StoreSpec, batch: int, start_at: float, seconds: float, out: Any) -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    store = spec.open()
    sent = count_requests(store) if isinstance(store, S3Store) else collections.Counter()
    ledger: Ledger = ledger_on(store)
    ledger.refresh()
    time.sleep(max(0.0, start_at - time.time()))
    entries = appends = lost = 0
    stop_at = start_at + seconds
    me = os.getpid()
    while time.time() < stop_at:
        # Entries of their own: two writers with the same key and the same drafts at the
        # same position would write byte-identical batches, and both would count them.
        drafts = [draft(0, {**BODY, "writer": me, "n": entries + j}) for j in range(batch)]
        result = ledger.append_with(lambda _ledger, mine=drafts: mine)
        entries += len(result.entries)
        appends += 1
        lost += result.attempts - 1
    out.put({"entries": entries, "appends": appends, "lost": lost, "requests": dict(sent)})


def concurrent(spec: StoreSpec, writers: int, batch: int, seconds: float) -> dict[str, Any]:
    """``writers`` processes appending to one ledger for ``seconds``; totals per second."""
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    start_at = time.time() + 8.0  # every process imported and refreshed by then
    procs = [
        context.Process(target=_writer, args=(spec, batch, start_at, seconds, out))
        for _ in range(writers)
    ]
    for proc in procs:
        proc.start()
    results = [out.get(timeout=seconds + 300) for _ in procs]
    for proc in procs:
        proc.join()
    entries = sum(r["entries"] for r in results)
    appends = sum(r["appends"] for r in results)
    lost = sum(r["lost"] for r in results)
    requests: collections.Counter[str] = collections.Counter()
    for r in results:
        requests.update(r["requests"])
    return {
        "writers": writers,
        "entries_per_s": round(entries / seconds, 1),
        "appends_per_s": round(appends / seconds, 2),
        "lost_races_per_append": round(lost / max(appends, 1), 2),
        "requests_per_append": {k: round(v / max(appends, 1), 2) for k, v in requests.items()},
    }


def _specs(backends: list[str], root: Path, moto: Any, rgw: Any) -> dict[str, StoreSpec]:
    """A fresh, empty store per backend (each round writes its own ledger)."""
    specs: dict[str, StoreSpec] = {}
    for name in backends:
        if name == "local":
            path = root / f"local-{time.monotonic_ns()}"
            specs[name] = StoreSpec("local", path=str(path))
        elif name == "moto":
            # moto's fake credentials are in this process's environment, which the
            # writer processes inherit
            specs[name] = StoreSpec("s3", endpoint_url=moto.endpoint_url, bucket=new_bucket(moto))
        elif name == "rgw":
            specs[name] = StoreSpec(
                "s3",
                endpoint_url=rgw.endpoint_url,
                bucket=new_rgw_bucket(rgw),
                env=tuple(rgw_credentials_env(rgw).items()),
                rgw=True,
            )
    return specs


def writers_main(args: argparse.Namespace) -> None:
    from tests.harness.rgw import RgwServer, rgw_unavailable_reason
    from tests.storage.backends import fake_aws_env

    fake_aws_env()
    backends = [b for b in args.backends.split(",") if b]
    counts = [int(n) for n in args.writers.split(",") if n]
    rgw = None
    if "rgw" in backends:
        reason = rgw_unavailable_reason()
        if reason is not None:
            print(f"rgw skipped: {reason}")
            backends.remove("rgw")
        else:
            rgw = RgwServer().start()
    rows: dict[tuple[str, int], list[dict[str, Any]]] = collections.defaultdict(list)
    try:
        with MotoServer() as moto, tempfile.TemporaryDirectory() as tmp:
            for round_ in range(args.rounds):
                for writers in counts if round_ % 2 == 0 else list(reversed(counts)):
                    for name, spec in _specs(backends, Path(tmp), moto, rgw).items():
                        result = concurrent(spec, writers, args.batch, args.seconds)
                        rows[(name, writers)].append(result)
                        print(name, result, flush=True)
    finally:
        if rgw is not None:
            rgw.close()
    print(f"\nbatch {args.batch}, {args.seconds:.0f} s per run, medians of {args.rounds} rounds")
    print(f"{'store':>6} {'writers':>7} {'entries/s':>10} {'appends/s':>10} {'lost/append':>11}")
    for (name, writers), results in sorted(rows.items()):
        med = {
            k: statistics.median(r[k] for r in results)
            for k in ("entries_per_s", "appends_per_s", "lost_races_per_append")
        }
        print(
            f"{name:>6} {writers:>7} {med['entries_per_s']:>10,.0f} {med['appends_per_s']:>10.1f}"
            f" {med['lost_races_per_append']:>11.2f}  {results[-1]['requests_per_append']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ledger_append", description=__doc__)
    parser.add_argument("--writers", help="concurrent writer counts, e.g. 1,2,4")
    parser.add_argument("--batch", type=int, default=20, help="entries per append (--writers)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--backends", default="local,moto,rgw")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    if args.writers:
        writers_main(args)
        return
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
