"""``python -m bench``: mbsync vs ``mailledger poll`` on the same Dovecot mailbox, sealing
alone vs mbsync, assembly with 1, 2, 4 workers (local and on moto's SQS), IDLE
latency, verify, Merkle proofs at 1M entries, export, memory. Writes JSON to
``bench/results/<timestamp>.json`` and prints a table. See bench/README.md."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402
from pipeline.demo.dovecot import DovecotServer  # noqa: E402
from pipeline.ledger.checkpoint import SigningKey  # noqa: E402
from pipeline.ledger.keys import write_signing_key  # noqa: E402

MAILLEDGER = Path(sys.executable).parent / "mailledger"
ORIGIN = "mailledger.bench/ledger"


# ----------------------------------------------------------------- process measurement
def _pss(pid: int) -> int:
    """Proportional set size: resident pages, each shared page divided among its sharers."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _proc_tree(session: int) -> dict[int, tuple[float, int]]:
    """pid -> (cpu seconds, rss bytes) for every process of one session."""
    out: dict[int, tuple[float, int]] = {}
    tick = os.sysconf("SC_CLK_TCK")
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) != session:  # field 6: session id
            continue
        cpu = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        out[int(entry.name)] = (cpu, int(fields[21]) * page)  # rss pages
    return out


def run_measured(
    command: list[str],
    env: dict[str, str] | None = None,
    timeout: float = 1500,
    stop_after: float | None = None,
) -> dict[str, Any]:
    """Run ``command`` in its own session: wall time, CPU (own + every descendant, sampled
    and from wait4), peak RSS (largest process from wait4, and summed over the tree).

    With ``stop_after``, the command (not its children) gets SIGTERM after that many
    seconds and is left to finish what it has in hand and exit."""
    began = time.monotonic()
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    cpu_seen: dict[int, float] = {}
    peak_tree = peak_one = peak_pss = peak_main = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_tree, peak_one, peak_pss, peak_main
        while not done.wait(0.05):
            tree = _proc_tree(proc.pid)
            peak_main = max(peak_main, tree.get(proc.pid, (0.0, 0))[1])
            peak_tree = max(peak_tree, sum(rss for _, rss in tree.values()))
            peak_pss = max(peak_pss, sum(_pss(pid) for pid in tree))
            peak_one = max([peak_one, *(rss for _, rss in tree.values())])
            for pid, (cpu, _) in tree.items():
                cpu_seen[pid] = max(cpu_seen.get(pid, 0.0), cpu)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out_chunks: list[bytes] = []
    err_chunks: list[bytes] = []
    readers = [
        threading.Thread(target=lambda: out_chunks.append(proc.stdout.read()), daemon=True),  # type: ignore[union-attr]
        threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()), daemon=True),  # type: ignore[union-attr]
    ]
    for reader in readers:
        reader.start()
    deadline = began + timeout
    stop_at = None if stop_after is None else began + stop_after
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if stop_at is not None and time.monotonic() > stop_at:
            os.kill(proc.pid, signal.SIGTERM)
            stop_at = None
        if time.monotonic() > deadline:
            os.killpg(proc.pid, 9)
            raise SystemExit(f"timed out: {' '.join(command)}")
        time.sleep(0.01)
    wall = time.monotonic() - began
    done.set()
    sampler.join()
    for reader in readers:
        reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    own = usage.ru_utime + usage.ru_stime
    sampled = sum(cpu_seen.values())
    return {
        "rc": proc.returncode,
        "stdout": b"".join(out_chunks).decode("utf-8", "replace"),
        "stderr": b"".join(err_chunks).decode("utf-8", "replace"),
        "wall": wall,
        "cpu": max(own, sampled),
        # sampled every 50 ms: wait4's ru_maxrss would include the RSS this (parent)
        # process had when it forked the child
        "max_rss": peak_one,
        # the command's own process, apart from the workers it starts
        "main_rss": peak_main,
        "tree_rss": peak_tree,
        # RSS summed over processes counts pages they share (libraries, the modules the
        # workers inherit from the fork server) once per process; PSS counts them once
        "tree_pss": peak_pss,
    }


# ----------------------------------------------------------------- the two sides
def mbsync_once(dovecot: DovecotServer, user: str, work: Path) -> dict[str, Any]:
    """mbsync the user's INBOX into a fresh Maildir."""
    if work.exists():
        shutil.rmtree(work)
    (work / "mail").mkdir(parents=True)
    config = work / "mbsyncrc"
    config.write_text(
        f"IMAPAccount bench\nHost {dovecot.host}\nPort {dovecot.port}\nUser {user}\n"
        f"Pass {dovecot.password(user)}\nSSLType None\nAuthMechs LOGIN\n\n"
        "IMAPStore remote\nAccount bench\n\n"
        f"MaildirStore local\nPath {work}/mail/\nInbox {work}/mail/INBOX\n\n"
        "Channel bench\nFar :remote:\nNear :local:\nPatterns INBOX\nCreate Near\nSync Pull\n"
        f"SyncState {work}/state/\n"
    )
    (work / "state").mkdir()
    result = run_measured(["mbsync", "-q", "-c", str(config), "bench"])
    if result["rc"] != 0:
        raise SystemExit(f"mbsync failed: {result['stderr'][-2000:]}")
    result["messages"] = sum(1 for _ in (work / "mail" / "INBOX" / "cur").iterdir()) + sum(
        1 for _ in (work / "mail" / "INBOX" / "new").iterdir()
    )
    return result


def write_config(
    root: Path,
    dovecot: DovecotServer,
    user: str,
    *,
    s3: dict[str, Any] | None = None,
    fsync: bool = True,
    extra: dict[str, Any] | None = None,
) -> tuple[Path, dict[str, str]]:
    """A fresh mailledger deployment under ``root`` reading ``user``'s INBOX."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    key = root / "keys" / "ledger.key"
    write_signing_key(key, SigningKey.generate(ORIGIN))
    env = {"MAILLEDGER_BENCH_PASSWORD": dovecot.password(user)}
    storage: dict[str, Any]
    if s3 is not None:
        storage = {
            "backend": "s3",
            "region": "us-east-1",
            "addressing_style": "path",
            **s3["storage"],
        }
        env.update(s3["env"])
    else:
        storage = {"backend": "local", "path": str(root / "store"), "fsync": fsync}
    config: dict[str, Any] = {
        "origin": ORIGIN,
        "actor": "worker:bench",
        "state_dir": str(root / "state"),
        "storage": storage,
        "signing": {"key_file": str(key), "key_env": None},
        "mailboxes": [
            {
                "name": "inbox",
                "host": dovecot.host,
                "port": dovecot.port,
                "tls": "none",
                "allow_plaintext": True,
                "username": user,
                "password_env": "MAILLEDGER_BENCH_PASSWORD",
                "timeout_seconds": 60,
            }
        ],
        "worker": {"dispatch_after_poll": False},
        "metrics": {"textfile": str(root / "metrics.prom")},
        "logging": {"level": "warning", "format": "json"},
        **(extra or {}),
    }
    path = root / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path, env


def poll_once(
    dovecot: DovecotServer, user: str, root: Path, s3: dict[str, Any] | None, fsync: bool
) -> dict[str, Any]:
    config, env = write_config(root, dovecot, user, s3=s3, fsync=fsync)
    result = run_measured([str(MAILLEDGER), "--config", str(config), "poll", "--json"], env)
    if result["rc"] != 0:
        raise SystemExit(f"poll failed ({result['rc']}): {result['stderr'][-3000:]}")
    (box,) = json.loads(result["stdout"])["mailboxes"]
    result["messages"] = box["recorded"]
    result["config"] = str(config)
    return result


def seal_once(
    dovecot: DovecotServer,
    user: str,
    root: Path,
    s3: dict[str, Any] | None,
    fsync: bool,
    extra: dict[str, Any] | None = None,
    env_extra: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Stage 1 alone: ``poll --seal-only`` (or, with a queue in ``extra``, seal and announce)."""
    config, env = write_config(root, dovecot, user, s3=s3, fsync=fsync, extra=extra)
    env.update(env_extra or {})
    args = ["poll", "--json"] if extra else ["poll", "--json", "--seal-only"]
    result = run_measured([str(MAILLEDGER), "--config", str(config), *args], env)
    if result["rc"] != 0:
        raise SystemExit(f"seal failed ({result['rc']}): {result['stderr'][-3000:]}")
    (box,) = json.loads(result["stdout"])["mailboxes"]
    result["messages"] = box["sealed"]
    result["config"] = str(config)
    result["env"] = env
    return result


def assemble_once(config: str, env: dict[str, str], workers: int) -> dict[str, Any]:
    """Stage 2 alone over every sealed message: one ``assemble`` with ``workers`` processes."""
    command = [str(MAILLEDGER), "--config", config, "assemble", "--json"]
    result = run_measured([*command, "--workers", str(workers)], env)
    if result["rc"] != 0:
        raise SystemExit(f"assemble failed ({result['rc']}): {result['stderr'][-3000:]}")
    result["messages"] = json.loads(result["stdout"])["assembled"]
    return result


def assemble_sqs_once(
    config: str, env: dict[str, str], workers: int, queue_url: str
) -> dict[str, Any]:
    """``workers`` separate ``assemble --queue-url`` processes until the queue is empty."""
    one = (
        f"{MAILLEDGER} --config {config} assemble --json --workers 1 --until-empty"
        f" --wait-seconds 2 --queue-url {queue_url}"
    )
    script = " & ".join([one] * workers) + " & wait"
    result = run_measured(["sh", "-c", script], env)
    if result["rc"] != 0:
        raise SystemExit(f"assemble (SQS) failed: {result['stderr'][-3000:]}")
    # each worker prints one (indented) JSON object
    decoder, text, at, assembled = json.JSONDecoder(), result["stdout"], 0, 0
    while text[at:].strip():
        report, at = decoder.raw_decode(text, len(text) - len(text[at:].lstrip()))
        assembled += report["assembled"]
    result["messages"] = assembled
    return result


def sqs_queue(moto: Any, name: str) -> str:
    url: str = moto.client("sqs").create_queue(
        QueueName=name, Attributes={"VisibilityTimeout": "600"}
    )["QueueUrl"]
    return url


def stage_figures(
    dovecot: DovecotServer,
    user: str,
    work: Path,
    size: int,
    total: int,
    args: argparse.Namespace,
    moto: Any,
) -> dict[str, Any]:
    """Seal vs mbsync (alternated, one pair per worker count), then assembly per count."""
    out: dict[str, Any] = {}
    mbsync_runs: list[dict[str, Any]] = []
    seal_runs: list[dict[str, Any]] = []
    counts = [int(n) for n in args.assemble_workers.split(",") if n]
    for workers in counts or [0]:
        mbsync_runs.append(mbsync_once(dovecot, user, work / f"mbsync-stage-{size}"))
        sealed = seal_once(dovecot, user, work / f"seal-{size}", None, not args.no_fsync)
        seal_runs.append(sealed)
        print(
            f"[{size}] mbsync {mbsync_runs[-1]['wall']:.1f} s, seal {sealed['wall']:.1f} s",
            flush=True,
        )
        if workers:
            done = assemble_once(sealed["config"], sealed["env"], workers)
            out[f"assemble_{workers}"] = summarize([done], total)
            print(f"[{size}] assemble, {workers} workers: {done['wall']:.1f} s", flush=True)
    out["mbsync"] = summarize(mbsync_runs, total)
    out["seal"] = summarize(seal_runs, total)
    out["seal"]["ratio_to_mbsync"] = round(out["seal"]["msg_per_s"] / out["mbsync"]["msg_per_s"], 3)
    if moto is not None:
        for workers in [int(n) for n in args.sqs_workers.split(",") if n]:
            url = sqs_queue(moto, f"bench-assemble-{size}-{workers}")
            extra = {
                "worker": {
                    "dispatch_after_poll": False,
                    "assembly_queue": {
                        "queue_url": url,
                        "region": "us-east-1",
                        "endpoint_url": moto.endpoint_url,
                    },
                }
            }
            sealed = seal_once(
                dovecot, user, work / f"seal-sqs-{size}", None, not args.no_fsync, extra, moto.env()
            )
            done = assemble_sqs_once(sealed["config"], sealed["env"], workers, url)
            out[f"assemble_sqs_{workers}"] = summarize([done], total)
            print(f"[{size}] assemble on SQS, {workers} workers: {done['wall']:.1f} s", flush=True)
    return out


def summarize(runs: list[dict[str, Any]], total_bytes: int) -> dict[str, Any]:
    wall = statistics.median(r["wall"] for r in runs)
    cpu = statistics.median(r["cpu"] for r in runs)
    messages = runs[0]["messages"]
    return {
        "runs": len(runs),
        "messages": messages,
        "wall_s": round(wall, 2),
        "walls": [round(r["wall"], 2) for r in runs],
        "msg_per_s": round(messages / wall, 1),
        "mb_per_s": round(total_bytes / wall / 1e6, 2),
        "cpu_s_per_1000": round(cpu / messages * 1000, 2),
        "peak_rss_mib": round(max(r["max_rss"] for r in runs) / 2**20, 1),
        "peak_tree_rss_mib": round(max(r["tree_rss"] for r in runs) / 2**20, 1),
        "peak_tree_pss_mib": round(max(r["tree_pss"] for r in runs) / 2**20, 1),
    }


# ----------------------------------------------------------------- verify, proofs, export
def verify_figures(config_path: Path) -> dict[str, Any]:
    from pipeline.config import load_config
    from pipeline.ledger.verify import verify_ledger
    from pipeline.runtime import build_store, verifier_keys

    config = load_config(config_path)
    store = build_store(config)
    keys = verifier_keys(config)
    out: dict[str, Any] = {}
    for label, content in (("chain", False), ("content", True)):
        began = time.perf_counter()
        report = verify_ledger(store, keys, config.origin, check_content=content)
        seconds = time.perf_counter() - began
        assert report.ok, report.to_json()
        out[f"{label}_entries_per_s"] = round(report.size / seconds)
        out[f"{label}_s"] = round(seconds, 2)
        out["entries"] = report.size
        out["objects"] = report.objects_checked
    root = Path(config.storage.path)  # type: ignore[union-attr]
    batches = sorted((root / "ledger" / "entries").glob("*.jsonl"))
    objects = [p for p in (root / "objects").rglob("*") if p.is_file()] + [
        p for p in (root / "quarantine").rglob("*") if p.is_file()
    ]
    for label, files in (("chain", batches), ("content", batches + objects)):
        total = 0
        began = time.perf_counter()
        for path in files:
            data = path.read_bytes()
            hashlib.sha256(data).digest()
            total += len(data)
        seconds = time.perf_counter() - began
        out[f"sha256_{label}_bytes"] = total
        out[f"sha256_{label}_entries_per_s"] = round(out["entries"] / seconds)
        out[f"{label}_share_of_sha256"] = round(
            out[f"{label}_entries_per_s"] / out[f"sha256_{label}_entries_per_s"], 3
        )
    return out


def merkle_figures(size: int) -> dict[str, Any]:
    from pipeline.merkle import MerkleTree, verify_consistency, verify_inclusion  # noqa: F401

    rng = random.Random(5)
    leaves = [rng.randbytes(32) for _ in range(size)]
    began = time.perf_counter()
    tree = MerkleTree(leaves)
    root = tree.root()
    built = time.perf_counter() - began
    began = time.perf_counter()
    inclusion = tree.inclusion_proof(size // 3)
    t_inc = time.perf_counter() - began
    began = time.perf_counter()
    consistency = tree.consistency_proof(size // 2 + 12_345)
    t_con = time.perf_counter() - began
    return {
        "leaves": size,
        "tree_root_s": round(built, 2),
        "inclusion_ms": round(t_inc * 1000, 2),
        "inclusion_bytes": 32 * len(inclusion),
        "consistency_ms": round(t_con * 1000, 2),
        "consistency_bytes": 32 * len(consistency),
        "root": root.hex()[:16],
    }


def export_figures(
    config_path: Path, env: dict[str, str], work: Path, messages: int
) -> dict[str, Any]:
    out_dir = work / "export"
    shutil.rmtree(out_dir, ignore_errors=True)
    result = run_measured(
        [
            str(MAILLEDGER),
            "--config",
            str(config_path),
            "export",
            "--out",
            str(out_dir),
            "--reason",
            "bench",
        ],
        env,
    )
    if result["rc"] != 0:
        return {"error": result["stderr"][-1500:]}
    check = run_measured(["python3", "-I", "-S", str(out_dir / "verify.py"), str(out_dir)])
    return {
        "export_s": round(result["wall"], 2),
        "export_msg_per_s": round(messages / result["wall"], 1),
        "export_peak_rss_mib": round(result["tree_rss"] / 2**20, 1),
        "verify_py_s": round(check["wall"], 2),
        "verify_py_msg_per_s": round(messages / check["wall"], 1),
        "verify_py_ok": check["rc"] == 0,
    }


# ----------------------------------------------------------------- main
def machine() -> dict[str, Any]:
    model = ""
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as handle:
        mem_kb = int(handle.readline().split()[1])

    def version(cmd: list[str]) -> str:
        try:
            return (
                subprocess.run(cmd, capture_output=True, text=True, check=False)
                .stdout.strip()
                .splitlines()[0]
            )
        except (OSError, IndexError):
            return "?"

    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory_gib": round(mem_kb / 2**20, 1),
        "python": platform.python_version(),
        "dovecot": version(["dovecot", "--version"]),
        "mbsync": version(["mbsync", "--version"]),
        "load_at_start": os.getloadavg(),
    }


def s3_target(moto: Any, bucket: str) -> dict[str, Any]:
    client = moto.client("s3")
    client.create_bucket(Bucket=bucket)
    return {
        "storage": {"bucket": bucket, "endpoint_url": moto.endpoint_url, "max_attempts": 3},
        "env": moto.env() if callable(getattr(moto, "env", None)) else {},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000", help="corpus sizes (comma-separated)")
    parser.add_argument("--runs", type=int, default=3, help="runs per side at the smallest size")
    parser.add_argument("--runs-large", type=int, default=1, help="runs per side at larger sizes")
    parser.add_argument("--skip-s3", action="store_true", help="local backend only")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--no-fsync", action="store_true", help="local store without fsync")
    parser.add_argument("--latency-messages", type=int, default=200)
    parser.add_argument("--merkle-leaves", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="2,000 messages, 1 run, no S3")
    parser.add_argument("--work", help="work directory (default: a temporary one, removed)")
    parser.add_argument("--skip-poll", action="store_true", help="no full poll (local, s3) sides")
    parser.add_argument("--skip-stages", action="store_true", help="no seal/assemble figures")
    parser.add_argument("--assemble-workers", default="1,2,4", help="local assembly processes")
    parser.add_argument("--sqs-workers", default="2,4", help="assemble workers on moto's SQS")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.runs, args.runs_large, args.skip_s3 = "2000", 1, 1, True
        args.latency_messages = min(args.latency_messages, 50)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="mailledger-bench-"))
    results: dict[str, Any] = {"machine": machine(), "args": vars(args), "sizes": {}}
    started = time.monotonic()
    moto = None
    try:
        with DovecotServer() as dovecot:
            if not args.skip_s3:
                from tests.harness.moto_server import MotoServer

                moto = MotoServer().start()
            for size in sizes:
                entry: dict[str, Any] = {}
                user = dovecot.add_user(f"bench{size}")
                began = time.monotonic()
                total = 0
                stats_kinds = corpus.plan(size, args.seed)

                def counted(count: int) -> Any:
                    nonlocal total
                    for raw in corpus.generate(count, args.seed):
                        total += len(raw)
                        yield raw

                dovecot.append_many(user, "INBOX", counted(size), batch=100)
                entry["corpus"] = {
                    "messages": size,
                    "bytes": total,
                    "mean_kb": round(total / size / 1000, 1),
                    "with_attachments": sum(1 for k, _ in stats_kinds if k in ("attach", "large")),
                    "large": [b for k, b in stats_kinds if k == "large"],
                    "malformed": sum(1 for k, _ in stats_kinds if k == "malformed"),
                    "generate_and_append_s": round(time.monotonic() - began, 1),
                }
                print(f"[{size}] corpus {entry['corpus']}", flush=True)
                runs = args.runs if size == min(sizes) else args.runs_large
                sides: dict[str, list[dict[str, Any]]] = {"mbsync": [], "local": [], "s3": []}
                if not args.skip_stages:
                    entry["stages"] = stage_figures(dovecot, user, work, size, total, args, moto)
                for run in range(0 if args.skip_poll else runs):
                    sides["mbsync"].append(mbsync_once(dovecot, user, work / f"mbsync-{size}"))
                    print(
                        f"[{size}] mbsync run {run + 1}: {sides['mbsync'][-1]['wall']:.1f} s",
                        flush=True,
                    )
                    sides["local"].append(
                        poll_once(dovecot, user, work / f"local-{size}", None, not args.no_fsync)
                    )
                    print(
                        f"[{size}] poll local run {run + 1}: {sides['local'][-1]['wall']:.1f} s",
                        flush=True,
                    )
                    if moto is not None:
                        target = s3_target(moto, f"bench-{size}-{run}")
                        sides["s3"].append(
                            poll_once(dovecot, user, work / f"s3-{size}", target, True)
                        )
                        print(
                            f"[{size}] poll s3 run {run + 1}: {sides['s3'][-1]['wall']:.1f} s",
                            flush=True,
                        )
                for side, rows in sides.items():
                    if rows:
                        entry[side] = summarize(rows, total)
                if args.skip_poll:
                    results["sizes"][str(size)] = entry
                    continue
                base = entry["mbsync"]["msg_per_s"]
                for side in ("local", "s3"):
                    if side in entry:
                        entry[side]["ratio_to_mbsync"] = round(entry[side]["msg_per_s"] / base, 3)
                local_config = Path(sides["local"][-1]["config"])
                if size == max(sizes):
                    entry["verify"] = verify_figures(local_config)
                    print(f"[{size}] verify {entry['verify']}", flush=True)
                    if not args.skip_export:
                        _, env = write_config(work / "unused", dovecot, user)
                        entry["export"] = export_figures(local_config, env, work, size)
                        print(f"[{size}] export {entry['export']}", flush=True)
                results["sizes"][str(size)] = entry
            if not args.skip_latency:
                from bench.latency import latency

                results["latency"] = latency(
                    dovecot, work / "latency", args.latency_messages, 0.1, 90
                )
                print(f"latency {results['latency']}", flush=True)
        results["merkle"] = merkle_figures(args.merkle_leaves)
    finally:
        if moto is not None:
            moto.close()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    results["total_s"] = round(time.monotonic() - started, 1)
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    out_file = out_dir / (time.strftime("%Y%m%dT%H%M%S") + ".json")
    out_file.write_text(json.dumps(results, indent=2, default=str))
    print(table(results))
    print(f"results: {out_file.relative_to(ROOT)}")


def table(results: dict[str, Any]) -> str:
    lines = [
        "| size | side | msg/s | MB/s | ratio to mbsync | CPU s / 1000 msg"
        " | peak RSS (largest / tree) MiB | peak PSS tree MiB | runs (wall s) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size, entry in results["sizes"].items():
        for side in ("mbsync", "local", "s3"):
            row = entry.get(side)
            if row:
                lines.append(
                    f"| {size} | {side} | {row['msg_per_s']} | {row['mb_per_s']}"
                    f" | {row.get('ratio_to_mbsync', 1.0)} | {row['cpu_s_per_1000']}"
                    f" | {row['peak_rss_mib']} / {row['peak_tree_rss_mib']}"
                    f" | {row['peak_tree_pss_mib']} | {row['walls']} |"
                )
    stage_rows = [
        (size, side, row)
        for size, entry in results["sizes"].items()
        for side, row in entry.get("stages", {}).items()
    ]
    if stage_rows:
        lines += [
            "",
            "| size | stage | msg/s | ratio to mbsync | CPU s / 1000 msg"
            " | peak RSS (largest / tree) MiB | peak PSS tree MiB | wall s |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for size, side, row in stage_rows:
            lines.append(
                f"| {size} | {side} | {row['msg_per_s']} | {row.get('ratio_to_mbsync', '')}"
                f" | {row['cpu_s_per_1000']} | {row['peak_rss_mib']} / {row['peak_tree_rss_mib']}"
                f" | {row['peak_tree_pss_mib']} | {row['walls']} |"
            )
    for size, entry in results["sizes"].items():
        if "verify" in entry:
            lines.append(f"\nverify ({size}): {json.dumps(entry['verify'])}")
        if "export" in entry:
            lines.append(f"export ({size}): {json.dumps(entry['export'])}")
    if "latency" in results:
        lines.append(f"latency: {json.dumps(results['latency'])}")
    lines.append(f"merkle: {json.dumps(results.get('merkle'))}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
