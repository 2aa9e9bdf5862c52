"""Export and verify at scale, side by side in one run.

Builds one local deployment per size by importing the seeded benchmark corpus
(``bench.corpus``; ``mailledger import`` seals and assembles every message), then,
alternating the runs, measures:

- ``mailledger export`` of every record to a folder: wall time, CPU seconds and peak RSS
  of the process;
- full ``verify`` (with content, timed inside its process, start-up excluded): seconds
  and peak RSS; and, as the reference throughput, plain SHA-256 over the same bytes
  (batch files and every stored object, one file after another, hashlib in this
  process) and ``sha256sum`` over the same files.

With ``--baseline SRC`` (a source tree of an earlier commit, e.g. from ``git archive``)
each run measures that code and this checkout one after the other, on the same data.

    .venv/bin/python -m bench.export_verify --sizes 2000,20000 --runs 3 [--baseline SRC]
        [--as-of head|imported|prior-export] [--no-verify]

Each size's deployment is kept under ``--work`` and reused by later runs (the import of
20,000 messages takes a while). Every export appends its own ``access.viewed`` and
``export.created`` entries, so by default (``head``) each run exports a longer log than
the one before. ``--as-of imported`` exports against the checkpoint the import left,
so every run exports the same log; ``--as-of prior-export`` first makes one full export
(once per deployment) and then exports against the checkpoint after it: every record's
trail then holds an earlier export naming all records.

Prints the figures and writes ``bench/results/export-verify-<time>.json``. No assertions.
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
    (root / "imported-size").write_text(f"{_log_size(config)}\n")
    return config


def _log_size(config: Path) -> int:
    """Entries in the deployment's log now."""
    code = (
        "import sys; from pathlib import Path; from pipeline.config import load_config;"
        " from pipeline.runtime import open_runtime;"
        " print(open_runtime(load_config(Path(sys.argv[1])), writable=False).ledger.size())"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(config)], capture_output=True, text=True, check=True
    )
    return int(proc.stdout.strip().splitlines()[-1])


def as_of_size(config: Path, mode: str) -> int | None:
    """The checkpoint size the exports are proven against (None: the log's head).

    ``imported``: the log as the import left it (its size recorded at build time).
    ``prior-export``: after one full export made once for the deployment, so every
    trail holds an ``export.created`` and an ``access.viewed`` entry naming all records.
    """
    root = config.parent
    if mode == "head":
        return None
    imported = root / "imported-size"
    if not imported.exists():
        raise SystemExit(f"{imported} is missing: the deployment predates it; rebuild it")
    if mode == "imported":
        return int(imported.read_text())
    marker = root / "prior-export-size"
    if not marker.exists():
        if _log_size(config) != int(imported.read_text()):
            raise SystemExit(f"{root} holds exports already; rebuild it for --as-of prior-export")
        export_once(config, root / "prior-export", None, None)
        marker.write_text(f"{_log_size(config)}\n")
    return int(marker.read_text())


def _files(store: Path) -> list[Path]:
    """The batch files and every stored object: the bytes a full verify reads."""
    batches = sorted((store / "ledger" / "entries").glob("*.jsonl"))
    objects = sorted(p for top in ("objects", "quarantine") for p in (store / top).rglob("*"))
    return batches + [p for p in objects if p.is_file()]


_VERIFY = """
import json, sys, time
from pathlib import Path
from pipeline.config import load_config
from pipeline.ledger.verify import verify_ledger
from pipeline.runtime import build_store, verifier_keys
config = load_config(Path(sys.argv[1]))
store, keys = build_store(config), verifier_keys(config)
began, cpu = time.perf_counter(), time.process_time()
report = verify_ledger(store, keys, config.origin, check_content=True)
seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
print(json.dumps({"s": seconds, "cpu_s": cpu, "ok": report.ok, "size": report.size}))
"""


def _env(src: Path | None) -> dict[str, str]:
    """The environment of a run of the code in ``src`` (None: this checkout)."""
    env = os.environ.copy()
    if src is not None:
        env["PYTHONPATH"] = str(src)
    return env


def export_once(
    config: Path, out: Path, src: Path | None, as_of: int | None = None
) -> dict[str, Any]:
    shutil.rmtree(out, ignore_errors=True)
    command = [str(MAILLEDGER), "--config", str(config), "export", "--out", str(out)]
    if as_of is not None:
        command += ["--as-of", str(as_of)]
    result = run_measured([*command, "--reason", "bench"], _env(src))
    if result["rc"] != 0:
        raise SystemExit(f"export failed: {result['stderr'][-2000:]}")
    shutil.rmtree(out)
    return {
        "wall_s": result["wall"],
        "cpu_s": result["cpu"],
        "peak_rss_mib": result["tree_rss"] / 2**20,
    }


def verify_once(config: Path, src: Path | None) -> dict[str, Any]:
    """Full verify with content, timed inside the process (start-up excluded, as for
    hashlib); peak RSS of the whole process. ``-P``: the current directory must not
    come before ``PYTHONPATH``, or a baseline run would import this checkout."""
    result = run_measured([sys.executable, "-P", "-c", _VERIFY, str(config)], _env(src))
    if result["rc"] != 0:
        raise SystemExit(f"verify failed: {result['stderr'][-2000:]}")
    figures = json.loads(result["stdout"].strip().splitlines()[-1])
    if not figures["ok"]:
        raise SystemExit("verify found problems in the benchmark ledger")
    return {
        "s": figures["s"],
        "cpu_s": figures["cpu_s"],
        "peak_rss_mib": result["tree_rss"] / 2**20,
    }


def hashlib_once(files: list[Path]) -> float:
    """SHA-256 of every file, one after another, 1 MiB reads (what verify must at least do)."""
    began = time.perf_counter()
    for path in files:
        with path.open("rb") as handle:
            digest = hashlib.sha256()
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return time.perf_counter() - began


def sha256sum_once(files: list[Path]) -> float:
    """``sha256sum`` over the same files, a few thousand per process."""
    began = time.perf_counter()
    for i in range(0, len(files), 5000):
        subprocess.run(
            ["sha256sum", *map(str, files[i : i + 5000])], stdout=subprocess.DEVNULL, check=True
        )
    return time.perf_counter() - began


SIDES = ("baseline", "current")


def measure(
    config: Path,
    runs: int,
    baseline: Path | None,
    as_of: int | None = None,
    *,
    verify: bool = True,
    export: bool = True,
) -> dict[str, Any]:
    """Alternate the sides ``runs`` times: unless ``export`` is False an export (against
    ``as_of``, None: the head), then unless ``verify`` is False: verify, hashlib,
    sha256sum."""
    store = config.parent / "store"
    files = _files(store)
    sides = {"current": None} if baseline is None else {"baseline": baseline, "current": None}
    samples: dict[str, list[float]] = {"hashlib_s": [], "sha256sum_s": []}
    for side in sides:
        for name in (
            "export_s",
            "export_cpu_s",
            "export_rss",
            "verify_s",
            "verify_cpu_s",
            "verify_rss",
        ):
            samples[f"{side}_{name}"] = []
    out = config.parent / "export-out"
    for run in range(runs):
        for side, src in sides.items():
            if export:
                e = export_once(config, out, src, as_of)
                samples[f"{side}_export_s"].append(e["wall_s"])
                samples[f"{side}_export_cpu_s"].append(e["cpu_s"])
                samples[f"{side}_export_rss"].append(e["peak_rss_mib"])
            if not verify:
                continue
            v = verify_once(config, src)
            samples[f"{side}_verify_s"].append(v["s"])
            samples[f"{side}_verify_cpu_s"].append(v["cpu_s"])
            samples[f"{side}_verify_rss"].append(v["peak_rss_mib"])
        if verify:
            samples["hashlib_s"].append(hashlib_once(files))
            samples["sha256sum_s"].append(sha256sum_once(files))
        print(f"  run {run + 1}: {json.dumps(samples)}", flush=True)
    if not verify:
        return {
            "as_of": as_of,
            "samples": samples,
            **{
                side: {
                    "export_s": round(statistics.median(samples[f"{side}_export_s"]), 2),
                    "export_cpu_s": round(statistics.median(samples[f"{side}_export_cpu_s"]), 2),
                    "export_peak_rss_mib": round(max(samples[f"{side}_export_rss"]), 1),
                    "export_median_rss_mib": round(
                        statistics.median(samples[f"{side}_export_rss"]), 1
                    ),
                }
                for side in sides
            },
        }
    med = {k: statistics.median(v) for k, v in samples.items() if v}
    figures: dict[str, Any] = {
        "as_of": as_of,
        "files": len(files),
        "bytes": sum(p.stat().st_size for p in files),
        "samples": samples,
        "hashlib_s": round(med["hashlib_s"], 2),
        "sha256sum_s": round(med["sha256sum_s"], 2),
    }
    for side in sides:
        exported = bool(samples[f"{side}_export_s"])
        figures[side] = {
            "export_s": round(med[f"{side}_export_s"], 2) if exported else None,
            "export_cpu_s": round(med[f"{side}_export_cpu_s"], 2) if exported else None,
            "export_peak_rss_mib": round(max(samples[f"{side}_export_rss"]), 1)
            if exported
            else None,
            "verify_s": round(med[f"{side}_verify_s"], 2),
            "verify_cpu_s": round(med[f"{side}_verify_cpu_s"], 2),
            "verify_peak_rss_mib": round(max(samples[f"{side}_verify_rss"]), 1),
            "verify_share_of_hashlib": round(med["hashlib_s"] / med[f"{side}_verify_s"], 3),
            "verify_share_of_sha256sum": round(med["sha256sum_s"] / med[f"{side}_verify_s"], 3),
        }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "mailledger-bench-export"
    )
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument(
        "--as-of",
        choices=("head", "imported", "prior-export"),
        default="head",
        help="the checkpoint exports are proven against (see the module's docstring)",
    )
    parser.add_argument("--no-verify", action="store_true", help="measure the export only")
    parser.add_argument(
        "--verify-only", action="store_true", help="measure verify and hashing, no export"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="a source tree of the code to compare with (git archive of an earlier commit),"
        " run alternately with this checkout",
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"load_average_start": os.getloadavg()}
    for size in (int(s) for s in args.sizes.split(",")):
        config = build(args.work, size, args.seed)
        print(f"[{size}] built", flush=True)
        if args.build_only:
            continue
        as_of = as_of_size(config, args.as_of)
        results[str(size)] = figures = measure(
            config,
            args.runs,
            args.baseline,
            as_of,
            verify=not args.no_verify,
            export=not args.verify_only,
        )
        shown = {k: v for k, v in figures.items() if k != "samples"}
        print(f"[{size}] {json.dumps(shown)}", flush=True)
    results["load_average_end"] = os.getloadavg()
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"export-verify-{stamp}.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
