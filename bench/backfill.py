"""``python -m bench.backfill``: a mailbox backfilled at several sizes, stage by stage.

For each size a fresh Dovecot user gets the seeded benchmark corpus (``bench.corpus``),
either by IMAP APPEND or, from ``--synthetic-from`` messages on, as Maildir folders of
``--folder-size`` messages written straight into the user's mail location and indexed
with ``doveadm force-resync`` (the mail is the same; only the filling is faster). Then,
each in its own measured process:

1. seal: ``mailledger poll --seal-only`` from that mailbox into a fresh local store;
2. assemble: ``mailledger assemble --workers N`` over every seal;
3. verify: ``mailledger verify`` (chain, signatures and content);
4. export (only with ``--export``): ``mailledger export`` of every record.

With ``--baseline SRC`` (a source tree of an earlier commit), assembly is first run
side by side: the same seals assembled by that code and by this checkout, alternated
``--assemble-runs`` times, each from a copy of the deployment as sealing left it. With
``--ingest-runs N`` as well, ``poll --seal-only`` and full ``poll`` and ``run --once``
(seal and assemble in one process tree) are compared the same way, each from the
deployment before any seal.

Per stage: msg/s, CPU ms per message (the whole process tree), peak RSS of the largest
process and of the tree, peak PSS of the tree, bytes the stage added to the store per
message, the load average around it, and the stage's rate early and late in the run
(from the times of its ledger entries), which shows whether cost grows with the log.
Results go to ``bench/results/backfill-<timestamp>.json``; a Markdown table is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from bench import corpus
from bench.__main__ import MAILLEDGER, ROOT, machine, run_measured, write_config
from pipeline.demo.dovecot import DovecotServer

STAGE_TIMEOUT = 6 * 3600
"""Seconds a stage may run before the benchmark gives up on it (200,000 messages on a
shared two-core machine take hours)."""


# ----------------------------------------------------------------- filling the mailbox
def _counted(size: int, seed: int, tally: list[int]) -> Iterator[bytes]:
    for raw in corpus.generate(size, seed):
        tally[0] += len(raw)
        yield raw


def fill_by_append(dovecot: DovecotServer, user: str, size: int, seed: int) -> int:
    """APPEND the corpus into the user's INBOX (MULTIAPPEND batches); returns its bytes."""
    tally = [0]
    dovecot.append_many(user, "INBOX", _counted(size, seed, tally), batch=100)
    return tally[0]


def folder_names(size: int, per_folder: int) -> list[str]:
    """The folders a mailbox of ``size`` messages is spread over, ``per_folder`` each."""
    if not per_folder or size <= per_folder:
        return ["INBOX"]
    return [f"backfill-{n + 1:02d}" for n in range(-(-size // per_folder))]


def fill_by_maildir(
    dovecot: DovecotServer, user: str, size: int, seed: int, folders: list[str]
) -> int:
    """Write the corpus as Maildir files where Dovecot keeps the user's ``folders`` (in
    order, an equal share each), then let Dovecot index them (``doveadm force-resync``);
    returns the corpus's bytes.

    The files get the names Dovecot would give (``<time>.M<n>P<pid>.<host>,S=<size>:2,``)
    and belong to the mail user, so Dovecot serves them exactly as appended mail.
    """
    maildir = dovecot.maildir(user)
    uid, gid = dovecot.mail_uid, dovecot.mail_gid
    # Maildir++: INBOX is the Maildir itself, another folder a dot-directory inside it
    places = [maildir if name == "INBOX" else maildir / f".{name}" for name in folders]
    for place in places:
        for sub in ("cur", "new", "tmp"):
            (place / sub).mkdir(parents=True, exist_ok=True)
        for path in (maildir.parent, maildir, place, place / "cur", place / "new", place / "tmp"):
            os.chown(path, uid, gid)
    stamp, pid, total = int(time.time()), os.getpid(), 0
    share = -(-size // len(folders))
    for index, raw in enumerate(corpus.generate(size, seed)):
        total += len(raw)
        path = places[index // share] / "cur" / f"{stamp}.M{index}P{pid}.bench,S={len(raw)}:2,"
        with open(path, "wb") as handle:
            handle.write(raw)
        os.chown(path, uid, gid)
    doveadm = shutil.which("doveadm") or "/usr/bin/doveadm"
    config = str(dovecot.config_file)
    for name in folders:
        command = [doveadm, "-c", config, "force-resync", "-u", user, name]
        subprocess.run(command, check=True, capture_output=True)
    return total


# ----------------------------------------------------------------- what the store holds
def store_bytes(root: Path) -> tuple[int, int]:
    """(bytes, files) under ``root``, apparent sizes."""
    total = files = 0
    stack = [root] if root.is_dir() else []
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_size
                    files += 1
    return total, files


def entry_times(store: Path, entry_type: str) -> list[tuple[int, float]]:
    """(entries so far, POSIX time) at each ledger batch whose first entry has
    ``entry_type``, in log order: the batch's entry count and its first entry's time."""
    out: list[tuple[int, float]] = []
    done = 0
    for path in sorted((store / "ledger" / "entries").iterdir()):
        with open(path, "rb") as handle:
            lines = handle.read().splitlines()
        first = json.loads(lines[0])
        if first["type"] != entry_type:
            continue
        # every line but the writer proof is an entry
        done += sum(1 for line in lines if line.startswith(b"{"))
        moment = datetime.fromisoformat(first["time"].replace("Z", "+00:00")).timestamp()
        out.append((done, moment))
    return out


def early_late_rates(times: list[tuple[int, float]]) -> dict[str, float | None]:
    """Entries per second between 10% and 30% of the run's entries and between 70% and
    90%: if a stage's cost grew with the log, the late rate would fall behind the early."""
    if len(times) < 10:
        return {"early_msg_per_s": None, "late_msg_per_s": None}
    total = times[-1][0]

    def at(fraction: float) -> tuple[int, float]:
        return next(point for point in times if point[0] >= fraction * total)

    def rate(lo: float, hi: float) -> float:
        (n0, t0), (n1, t1) = at(lo), at(hi)
        return round((n1 - n0) / (t1 - t0), 1) if t1 > t0 else 0.0

    return {"early_msg_per_s": rate(0.1, 0.3), "late_msg_per_s": rate(0.7, 0.9)}


# ----------------------------------------------------------------- one stage
def stage(
    name: str,
    command: list[str],
    env: dict[str, str],
    messages: int,
    store: Path | None,
    stop_after: float | None = None,
) -> dict[str, Any]:
    """Run one stage in its own session and summarise it per message.

    With ``stop_after`` the stage is asked to stop (SIGTERM) after that many seconds;
    ``messages`` is then read from its JSON output by the caller (see ``per_message``).
    """
    before = store_bytes(store) if store is not None else (0, 0)
    load_before = os.getloadavg()
    result = run_measured(command, env, timeout=STAGE_TIMEOUT, stop_after=stop_after)
    load_after = os.getloadavg()
    if result["rc"] != 0:
        raise SystemExit(f"{name} failed ({result['rc']}): {result['stderr'][-3000:]}")
    after = store_bytes(store) if store is not None else (0, 0)
    print(f"  {name}: {result['wall']:.1f} s", flush=True)
    if stop_after is not None:
        messages = json.loads(result["stdout"])["assembled"]
    row = {
        "messages": messages,
        "wall_s": round(result["wall"], 2),
        "msg_per_s": round(messages / result["wall"], 1),
        "cpu_ms_per_msg": round(result["cpu"] / messages * 1000, 3),
        "peak_rss_largest_mib": round(result["max_rss"] / 2**20, 1),
        "peak_rss_main_mib": round(result["main_rss"] / 2**20, 1),
        "peak_rss_tree_mib": round(result["tree_rss"] / 2**20, 1),
        "peak_pss_tree_mib": round(result["tree_pss"] / 2**20, 1),
        "load": [round(load_before[0], 1), round(load_after[0], 1)],
        "stdout": result["stdout"],
    }
    if store is not None:
        row["bytes_stored_per_msg"] = round((after[0] - before[0]) / messages)
        row["files_stored_per_msg"] = round((after[1] - before[1]) / messages, 3)
    return row


def backfill(
    dovecot: DovecotServer, work: Path, size: int, args: argparse.Namespace
) -> dict[str, Any]:
    """Fill, seal, assemble, verify (and with ``--export``, export) one size."""
    user = dovecot.add_user(f"backfill{size}")
    synthetic = size >= args.synthetic_from
    folders = folder_names(size, args.folder_size) if synthetic else ["INBOX"]
    began = time.monotonic()
    if synthetic:
        total = fill_by_maildir(dovecot, user, size, args.seed, folders)
    else:
        total = fill_by_append(dovecot, user, size, args.seed)
    out: dict[str, Any] = {
        "messages": size,
        "corpus_bytes": total,
        "source": "maildir + doveadm force-resync" if synthetic else "IMAP APPEND",
        "folders": len(folders),
        "fill_s": round(time.monotonic() - began, 1),
    }
    print(f"[{size}] filled by {out['source']} in {out['fill_s']} s ({total} bytes)", flush=True)
    root = work / f"backfill-{size}"
    config, env = write_config(root, dovecot, user)
    if folders != ["INBOX"]:
        settings = yaml.safe_load(config.read_text())
        settings["mailboxes"][0]["folders"] = folders
        config.write_text(yaml.safe_dump(settings, sort_keys=False))
    base = [str(MAILLEDGER), "--config", str(config)]
    store = root / "store"
    fresh = root.with_name(root.name + ".fresh")
    if args.baseline is not None and args.ingest_runs:
        # poll and run seal and assemble in one process tree: compared from no store
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.copytree(root, fresh, symlinks=True)

    # The side-by-side runs' copy of the unsealed deployment is removed however they end.
    try:
        out["seal"] = stage("seal", [*base, "poll", "--json", "--seal-only"], env, size, store)
        (box,) = json.loads(out["seal"].pop("stdout"))["mailboxes"]
        if box["sealed"] != size:
            raise SystemExit(f"sealed {box['sealed']} of {size} messages: {box['errors']}")
        out["seal"].update(early_late_rates(entry_times(store, "message.sealed")))

        command = [*base, "assemble", "--json", "--workers", str(args.workers)]
        # At the largest sizes assembly may be cut short: the messages it assembled in
        # that time, against a log holding every seal, give its cost per message there.
        bounded = args.assemble_minutes * 60 if synthetic and args.assemble_minutes else None
        label = f"assemble ({args.workers} workers)"
        if args.baseline is not None:
            out["assemble_side_by_side"] = side_by_side(
                root, command, env, size, store, args.baseline, args.assemble_runs
            )
            ingest = {
                "seal": [*base, "poll", "--json", "--seal-only"],
                "poll": [*base, "poll", "--json"],
                "run": [*base, "run", "--once"],
            }
            for name, ingest_command in ingest.items() if args.ingest_runs else ():
                out[f"{name}_side_by_side"] = side_by_side(
                    root, ingest_command, env, size, store, args.baseline, args.ingest_runs,
                    source=fresh, label=name,
                )  # fmt: skip
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    out["assemble"] = stage(label, command, env, size, store, stop_after=bounded)
    report = json.loads(out["assemble"].pop("stdout"))
    if bounded is None and (report["assembled"] != size or report["waiting"]):
        raise SystemExit(f"assembled {report['assembled']} of {size}, {report['waiting']} left")
    out["assemble"]["waiting"] = report["waiting"]
    out["assemble"].update(early_late_rates(entry_times(store, "message.received")))

    out["verify"] = stage("verify", [*base, "verify", "--json"], env, size, None)
    out["verify"]["ok"] = json.loads(out["verify"].pop("stdout")).get("ok")

    if args.export:
        target = root / "export"
        command = [*base, "export", "--out", str(target), "--reason", "backfill benchmark"]
        out["export"] = stage("export", command, env, size, None)
        out["export"].pop("stdout")
    out["store_bytes"], out["store_files"] = store_bytes(store)
    return out


_COMPARED = (
    "wall_s",
    "cpu_ms_per_msg",
    "peak_rss_largest_mib",
    "peak_rss_main_mib",
    "peak_rss_tree_mib",
)


def side_by_side(
    root: Path,
    command: list[str],
    env: dict[str, str],
    size: int,
    store: Path,
    baseline: Path,
    runs: int,
    source: Path | None = None,
    label: str = "assemble",
) -> dict[str, Any]:
    """``command`` run by the code in ``baseline`` and by this checkout, alternated
    ``runs`` times, each from a copy of ``source`` (default: the deployment as it is now,
    which is also what ``root`` holds again afterwards); every run's figures and the
    medians (the largest RSS: its maximum too)."""
    sealed = root.with_name(root.name + ".sealed")
    shutil.rmtree(sealed, ignore_errors=True)
    shutil.copytree(root, sealed, symlinks=True)
    start = source or sealed
    sides = {"baseline": {**env, "PYTHONPATH": str(baseline)}, "current": env}
    samples: dict[str, dict[str, list[float]]] = {
        side: {name: [] for name in _COMPARED} for side in sides
    }
    loads: dict[str, list[list[float]]] = {side: [] for side in sides}
    try:
        for run in range(runs):
            for side, side_env in sides.items():
                shutil.rmtree(root)
                shutil.copytree(start, root, symlinks=True)
                row = stage(f"{label}, {side} {run + 1}", command, side_env, size, store)
                for name in _COMPARED:
                    samples[side][name].append(row[name])
                loads[side].append(row["load"])
        # the stages after this one start from the deployment as it was
        shutil.rmtree(root)
        shutil.copytree(sealed, root, symlinks=True)
    finally:
        shutil.rmtree(sealed, ignore_errors=True)
    return {
        side: {
            "runs": figures,
            "median": {name: statistics.median(v) for name, v in figures.items()},
            "max_peak_rss_largest_mib": max(figures["peak_rss_largest_mib"]),
            "load": loads[side],  # 1-minute load average at each run's start and end
        }
        for side, figures in samples.items()
    }


def remove(dovecot: DovecotServer, work: Path, size: int) -> None:
    """Delete one size's deployment and mailbox (minutes at 200,000 messages)."""
    shutil.rmtree(work / f"backfill-{size}", ignore_errors=True)
    shutil.rmtree(dovecot.maildir(f"backfill{size}").parent, ignore_errors=True)


# ----------------------------------------------------------------- report
def table(results: dict[str, Any]) -> str:
    lines = [
        "| size | stage | wall s | msg/s (early / late) | CPU ms / msg | peak RSS largest /"
        " tree MiB | peak PSS tree MiB | bytes stored / msg | load (start / end) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size, entry in results["sizes"].items():
        compared = [
            (what, side, figures)
            for what in ("assemble", "seal", "poll", "run")
            for side, figures in entry.get(f"{what}_side_by_side", {}).items()
        ]
        for what, side, figures in compared:
            median, runs = figures["median"], figures["runs"]
            lines.append(
                f"| {int(size):,} | {what}, {side} (median of {len(runs['wall_s'])};"
                f" largest RSS of each run {runs['peak_rss_largest_mib']}, of the command's own"
                f" process {runs['peak_rss_main_mib']}) | {median['wall_s']}"
                f" | | {median['cpu_ms_per_msg']} | {median['peak_rss_largest_mib']} /"
                f" {median['peak_rss_tree_mib']} | | | {figures.get('load', '')} |"
            )
        for name in ("seal", "assemble", "verify", "export"):
            row = entry.get(name)
            if row is None:
                continue
            rates = f"{row['msg_per_s']}"
            if row["messages"] != int(size):
                name = f"{name} (first {row['messages']:,})"
            if row.get("early_msg_per_s") is not None:
                rates += f" ({row['early_msg_per_s']} / {row['late_msg_per_s']})"
            stored = row.get("bytes_stored_per_msg", "")
            lines.append(
                f"| {int(size):,} | {name} | {row['wall_s']} | {rates} | {row['cpu_ms_per_msg']}"
                f" | {row['peak_rss_largest_mib']} / {row['peak_rss_tree_mib']}"
                f" | {row['peak_pss_tree_mib']} | {stored} | {row['load'][0]} / {row['load'][1]} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.backfill", description=__doc__)
    parser.add_argument("--sizes", default="2000,20000", help="mailbox sizes (comma-separated)")
    parser.add_argument(
        "--synthetic-from",
        type=int,
        default=100_000,
        help="sizes from this one on are filled as a Maildir, not by APPEND",
    )
    parser.add_argument(
        "--folder-size",
        type=int,
        default=50_000,
        help="at synthetic sizes, messages per folder (one UID SEARCH ALL answer of about"
        " 158,000 UIDs is more than imaplib reads in one line)",
    )
    parser.add_argument("--workers", type=int, default=2, help="assembly processes")
    parser.add_argument(
        "--assemble-minutes",
        type=float,
        default=0,
        help="at synthetic sizes, stop assembly after this long (0: assemble everything)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--export", action="store_true", help="also measure export (default off)")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="a source tree of the code to compare with (git archive of an earlier commit):"
        " before the measured assembly, assemble the same seals with it and with this"
        " checkout, alternated --assemble-runs times",
    )
    parser.add_argument(
        "--assemble-runs", type=int, default=2, help="runs per side with --baseline"
    )
    parser.add_argument(
        "--ingest-runs",
        type=int,
        default=0,
        help="with --baseline, also compare 'poll --seal-only', full 'poll' and 'run --once'"
        " (from an empty store; the last two seal and assemble in one process tree),"
        " this many runs per side",
    )
    parser.add_argument("--work", help="work directory (default: a temporary one, removed)")
    parser.add_argument("--keep", action="store_true", help="keep each size's store and mailbox")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="mailledger-backfill-"))
    results: dict[str, Any] = {"machine": machine(), "args": vars(args), "sizes": {}}
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    out_file = out_dir / f"backfill-{time.strftime('%Y%m%dT%H%M%S')}.json"
    try:
        with DovecotServer() as dovecot:
            for size in sizes:
                results["sizes"][str(size)] = backfill(dovecot, work, size, args)
                # written after every size: the largest may not finish
                out_file.write_text(json.dumps(results, indent=2, default=str))
                print(table({"sizes": {str(size): results["sizes"][str(size)]}}), flush=True)
                if not args.keep:
                    remove(dovecot, work, size)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print(table(results))
    print(f"results: {out_file.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
