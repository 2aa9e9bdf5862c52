"""Latency under ``mailledger run`` with IMAP IDLE: APPEND -> sealed, record, event.

A real Dovecot on loopback; ``run`` waits in IDLE on a fresh user's INBOX while this
process APPENDs ``--messages`` generated servicing messages at a steady rate (one
every ``--gap`` seconds). A watcher thread reads the ledger every 5 ms and notes
when each ``message.sealed`` and ``message.received`` entry appears, and tails the
JSON Lines event sink for each ``message.received`` event (what the acknowledgment
and escalation handlers consume). The k-th APPEND is paired with the k-th of each
(UIDs, seals, records and events all follow APPEND order). Nothing asserts timings.

Usage::

    .venv/bin/python -m bench.latency --messages 200 --gap 0.1 --runs 3
    .venv/bin/python -m bench.latency --command "python -m pipeline" --cwd OTHER_CHECKOUT

``--command``/``--cwd`` run another checkout's ``mailledger`` (for before/after);
with ``--runs`` above one and a second ``--command-b``, the two alternate.
``--noop-seconds``/``--noop-seconds-b`` set ``worker.noop_seconds`` for a side (NOOP
instead of IDLE); with only ``--noop-seconds-b``, both sides run the same command.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402
from bench.__main__ import MAILLEDGER, ORIGIN, write_config  # noqa: E402
from pipeline.demo.dovecot import DovecotServer  # noqa: E402
from pipeline.ledger.keys import read_signing_key  # noqa: E402


def _spread(sent: list[float], done: list[float]) -> dict[str, float]:
    pairs = sorted(d - s for s, d in zip(sent, done, strict=False))
    if not pairs:
        return {}
    return {
        "p50_s": round(pairs[len(pairs) // 2], 3),
        "p95_s": round(pairs[min(len(pairs) - 1, int(len(pairs) * 0.95))], 3),
        "max_s": round(pairs[-1], 3),
    }


def latency(
    dovecot: DovecotServer,
    work: Path,
    count: int,
    gap: float,
    bound: float,
    command: list[str] | None = None,
    cwd: Path | None = None,
    noop_seconds: float | None = None,
) -> dict[str, Any]:
    """One ``run`` under a steady stream of APPENDs; p50/p95/max to sealed, record, event."""
    from pipeline.ledger.log import Ledger
    from pipeline.storage.local import LocalStore

    user = dovecot.add_user(f"lat-{os.getpid()}-{random.randrange(10**9)}")
    dovecot.create_folder(user, "INBOX")
    events = work / "events.jsonl"
    config, env = write_config(
        work,
        dovecot,
        user,
        extra={
            "metrics": {"textfile": None, "listen_port": 0},
            "worker": {"dispatch_after_poll": True}
            | ({"noop_seconds": noop_seconds} if noop_seconds else {}),
            "events": {"sinks": [{"kind": "jsonl", "path": str(events)}]},
        },
    )
    proc = subprocess.Popen(
        [*(command or [str(MAILLEDGER)]), "--config", str(config), "run"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
        start_new_session=True,
        cwd=cwd,
    )
    rng = random.Random(7)
    sent: list[float] = []
    sealed: list[float] = []
    committed: list[float] = []
    delivered: list[float] = []
    try:
        deadline = time.monotonic() + 60
        # the worker takes its mailbox lease in state_dir when its first poll starts
        while not (work / "state").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(3.0)  # let the worker reach IDLE
        signing = read_signing_key(env=None, file=work / "keys" / "ledger.key")
        assert signing is not None
        ledger = Ledger(LocalStore(work / "store", fsync=False), ORIGIN, [signing.verifier])
        stop = threading.Event()

        def watch() -> None:
            seen, offset = 0, 0
            while not stop.is_set():
                try:
                    types = [e.type for e in ledger.entries(seen)]
                except Exception:  # noqa: BLE001 - a batch being written; look again
                    types = []
                now = time.monotonic()
                sealed.extend([now] * types.count("message.sealed"))
                committed.extend([now] * types.count("message.received"))
                seen = ledger._size
                if events.exists():
                    with events.open("rb") as handle:
                        handle.seek(offset)
                        chunk = handle.read()
                    complete = chunk[: chunk.rfind(b"\n") + 1]
                    offset += len(complete)
                    for line in complete.splitlines():
                        if json.loads(line)["type"] == "message.received":
                            delivered.append(now)
                time.sleep(0.005)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        began = time.monotonic()
        with dovecot.session(user) as imap:
            for index in range(count):
                if time.monotonic() - began > bound:
                    break
                raw = corpus.make_message(rng, 900_000 + index, "text")
                sent.append(time.monotonic())
                imap.append("INBOX", raw)
                # a steady rate: the next APPEND at its slot, whatever this one took
                time.sleep(max(0.0, began + (index + 1) * gap - time.monotonic()))
        end = time.monotonic() + 60
        while len(delivered) < len(sent) and time.monotonic() < end:
            time.sleep(0.05)
        stop.set()
        watcher.join()
    finally:
        os.killpg(proc.pid, 15)
        try:
            _out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            _out, err = proc.communicate()
    return {
        "messages": len(sent),
        "sealed": len(sealed),
        "committed": len(committed),
        "events": len(delivered),
        "gap_s": gap,
        "exit": proc.returncode,
        "stderr_tail": err.decode(errors="replace")[-500:] if proc.returncode else "",
        # APPEND -> message.sealed; -> message.received; -> its event in the sink
        "to_sealed": _spread(sent, sealed),
        "to_record": _spread(sent, committed),
        "to_event": _spread(sent, delivered),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.latency", description=__doc__)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between APPENDs")
    parser.add_argument("--runs", type=int, default=1, help="runs (per command)")
    parser.add_argument("--command", help="mailledger command (default: this checkout's)")
    parser.add_argument("--cwd", help="working directory for --command")
    parser.add_argument("--command-b", help="a second command, alternated with the first")
    parser.add_argument("--cwd-b", help="working directory for --command-b")
    parser.add_argument(
        "--noop-seconds", type=float, help="worker.noop_seconds for the first command"
    )
    parser.add_argument(
        "--noop-seconds-b", type=float, help="worker.noop_seconds for the second command"
    )
    args = parser.parse_args(argv)
    sides = [("a", args.command, args.cwd, args.noop_seconds)]
    if args.command_b or args.noop_seconds_b:
        same = args.command_b is None  # the first command, in its own directory
        sides.append(
            (
                "b",
                args.command if same else args.command_b,
                args.cwd if same else args.cwd_b,
                args.noop_seconds_b,
            )
        )
    results: dict[str, list[dict[str, Any]]] = {name: [] for name, *_ in sides}
    with (
        tempfile.TemporaryDirectory(prefix="mailledger-latency-") as tmp,
        DovecotServer() as dovecot,
    ):
        for run in range(args.runs):
            for name, command, cwd, noop_seconds in sides:
                result = latency(
                    dovecot,
                    Path(tmp) / f"{name}-{run}",
                    args.messages,
                    args.gap,
                    args.messages * args.gap + 60,
                    shlex.split(command) if command else None,
                    Path(cwd) if cwd else None,
                    noop_seconds,
                )
                results[name].append(result)
                print(name, json.dumps(result), flush=True)
    for name, runs in results.items():
        summary = {
            what: {
                stat: statistics.median(r[what][stat] for r in runs if r[what])
                for stat in ("p50_s", "p95_s", "max_s")
            }
            for what in ("to_sealed", "to_record", "to_event")
            if any(r[what] for r in runs)
        }
        print(f"{name} median of {len(runs)} runs: {json.dumps(summary)}")


if __name__ == "__main__":
    main()
