"""Export and verify at scale, side by side in one run.

Builds one local deployment per size by importing the seeded benchmark corpus
(``bench.corpus``; ``mailledger import`` seals and assembles every message), then,
alternating the runs, measures:

- ``mailledger export`` of every record to a folder: wall time and peak RSS of the process;
- ``mailledger verify --content``: entries/s, and plain SHA-256 over the same bytes
  (batch files and every stored object, one file after another, hashlib in this
  process) and ``sha256sum`` over the same files, as the reference throughput.

    .venv/bin/python -m bench.export_verify --sizes 2000,20000 --runs 3 [--work DIR]

Prints a table and writes ``bench/results/export-verify-<time>.json``. No assertions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import mailbox
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.__main__ import MAILLEDGER, run_measured
from bench.corpus import generate
from tests.ingest.conftest import make_deployment

RESULTS = Path(__file__).resolve().parent / "results"


def build(work: Path, size: int, seed: int) -> Path:
    """A deployment holding ``size`` imported messages; reused when already built."""
    root = work / f"d{size}"
    config = root / "config.yaml"
    done = root / "imported"
    if done.exists():
        return config
    shutil.rmtree(root, ignore_errors=True)
    make_deployment(root, [])
    box = mailbox.Maildir(str(root / "maildir"), create=True)
    for raw in generate(size, seed):
        box.add(raw)
    box.close()
    began = time.perf_counter()
    proc = subprocess.run(
        [str(MAILLEDGER), "--config", str(config), "import", str(root / "maildir")],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"import of {size} failed: {proc.stderr[-2000:]}")
    done.write_text(f"{time.perf_counter() - began:.1f}\n")
    shutil.rmtree(root / "maildir")
    return config


def _files(store: Path) -> list[Path]:
    batches = sorted((store / "ledger" / "entries").glob("*.jsonl"))
    objects = sorted(p for top in ("objects", "quarantine") for p in (store / top).rglob("*"))
    return batches + [p for p in objects if p.is_file()]


def export_once(config: Path, out: Path) -> dict[str, Any]:
    shutil.rmtree(out, ignore_errors=True)
    result = run_measured(
        [str(MAILLEDGER), "--config", str(config), "export", "--out", str(out), "--reason", "b"],
        os.environ.copy(),
    )
    if result["rc"] != 0:
        raise SystemExit(f"export failed: {result['stderr'][-2000:]}")
    shutil.rmtree(out)
    return {"wall_s": result["wall"], "peak_rss_mib": result["tree_rss"] / 2**20}


def verify_once(config: Path) -> dict[str, Any]:
    result = run_measured(
        [str(MAILLEDGER), "--config", str(config), "verify", "--json"],
        os.environ.copy(),
    )
    if result["rc"] != 0:
        raise SystemExit(f"verify failed: {result['stderr'][-2000:]}")
    return {"wall_s": result["wall"], "peak_rss_mib": result["tree_rss"] / 2**20}


def hashlib_once(files: list[Path]) -> float:
    began = time.perf_counter()
    for path in files:
        with path.open("rb") as handle:
            digest = hashlib.sha256()
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return time.perf_counter() - began


def sha256sum_once(files: list[Path]) -> float:
    began = time.perf_counter()
    # one process over every file, as a shell user would run it
    for i in range(0, len(files), 5000):
        subprocess.run(
            ["sha256sum", *map(str, files[i : i + 5000])], stdout=subprocess.DEVNULL, check=True
        )
    return time.perf_counter() - began


def measure(config: Path, runs: int) -> dict[str, Any]:
    store = config.parent / "store"
    files = _files(store)
    total = sum(p.stat().st_size for p in files)
    ledger = store / "ledger" / "entries"
    entries = sum(
        sum(1 for line in p.read_bytes().splitlines() if line.startswith(b"{"))
        for p in ledger.glob("*.jsonl")
    )
    out = config.parent / "export-out"
    samples: dict[str, list[float]] = {
        k: [] for k in ("export_s", "export_rss", "verify_s", "verify_rss", "hashlib_s", "sum_s")
    }
    for _ in range(runs):
        e = export_once(config, out)
        samples["export_s"].append(e["wall_s"])
        samples["export_rss"].append(e["peak_rss_mib"])
        v = verify_once(config)
        samples["verify_s"].append(v["wall_s"])
        samples["verify_rss"].append(v["peak_rss_mib"])
        samples["hashlib_s"].append(hashlib_once(files))
        samples["sum_s"].append(sha256sum_once(files))
    med = {k: statistics.median(v) for k, v in samples.items()}
    return {
        "entries": entries,
        "files": len(files),
        "bytes": total,
        "samples": samples,
        "export_s": round(med["export_s"], 2),
        "export_peak_rss_mib": round(max(samples["export_rss"]), 1),
        "verify_s": round(med["verify_s"], 2),
        "verify_peak_rss_mib": round(max(samples["verify_rss"]), 1),
        "hashlib_s": round(med["hashlib_s"], 2),
        "sha256sum_s": round(med["sum_s"], 2),
        "verify_share_of_hashlib": round(med["hashlib_s"] / med["verify_s"], 3),
        "verify_share_of_sha256sum": round(med["sum_s"] / med["verify_s"], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "mailledger-bench-export"
    )
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"load_average_start": os.getloadavg()}
    for size in (int(s) for s in args.sizes.split(",")):
        config = build(args.work, size, args.seed)
        print(f"[{size}] built", flush=True)
        if args.build_only:
            continue
        results[str(size)] = figures = measure(config, args.runs)
        print(f"[{size}] {json.dumps({k: v for k, v in figures.items() if k != 'samples'})}")
    results["load_average_end"] = os.getloadavg()
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"export-verify-{stamp}.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    sys.exit(main())
