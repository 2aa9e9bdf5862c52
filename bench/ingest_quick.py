"""Quick ingest benchmark: ``mailledger poll`` of generated mail from a real Dovecot.

Generates ~2,000 messages of ~25 KB (one in five with a PDF attachment), APPENDs them
to a fresh Dovecot user, then times one ``poll`` into the local backend and one into
S3 (moto server mode). Prints messages/s, MB/s, the batch size, the peak RSS of the
largest process (``/usr/bin/time -v``) and the peak RSS summed over the poll's process
tree (sampled). No assertions.

    python bench/ingest_quick.py [--messages 2000] [--batch 200] [--workers 0]
"""

from __future__ import annotations

import argparse
import email.policy
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.attachments.attachment_samples import pdf_bytes
from tests.conftest import ImapAccount, S3Bucket
from tests.harness.dovecot import DovecotServer
from tests.harness.moto_server import MotoServer
from tests.ingest._mail import text_message
from tests.ingest.conftest import MAILLEDGER, Deployment, mailbox_entry, make_deployment

PARAGRAPH = (
    "Dear servicer, I am writing about my mortgage account and the escrow analysis you"
    " sent last month. The payment amount changed and I would like an explanation.\n"
)


def message(index: int, size: int = 25_000) -> bytes:
    """A generated message of about ``size`` bytes; every fifth carries a small PDF."""
    body = PARAGRAPH * (size // len(PARAGRAPH))
    if index % 5:
        return text_message(f"Escrow question {index}", body, message_id=f"<bench-{index}@test>")
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = "Borrower <borrower@example.com>"
    msg["To"] = "service@servicer.example"
    msg["Subject"] = f"Statement {index}"
    msg["Message-ID"] = f"<bench-{index}@test>"
    msg.set_content(body[: size - 2_000])
    msg.add_attachment(
        pdf_bytes(), maintype="application", subtype="pdf", filename=f"statement-{index}.pdf"
    )
    return msg.as_bytes()


def _tree_rss(pgid: int) -> int:
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pgid:
                continue
            with open(f"/proc/{entry.name}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except (OSError, ProcessLookupError):
            continue
    return total


def timed_poll(app: Deployment) -> dict[str, float]:
    """One ``poll --json`` under ``/usr/bin/time -v``, sampling the tree's RSS meanwhile."""
    timing = app.root / "time.txt"
    command = ["/usr/bin/time", "-v", "-o", str(timing), str(MAILLEDGER)]
    command += ["--config", str(app.config_path), "poll", "--json"]
    began = time.monotonic()
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **app.env},
        start_new_session=True,
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.1):
            peak = max(peak, _tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.monotonic() - began
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"poll failed ({proc.returncode}):\n{err[-3000:]}")
    (box,) = json.loads(out)["mailboxes"]
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing.read_text())
    return {
        "seconds": seconds,
        "messages": box["recorded"],
        "bytes": sum(f["bytes"] for f in box["folders"]),
        "max_rss": int(match.group(1)) * 1024 if match else 0,
        "tree_rss": peak,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--workers", type=int, default=0, help="parse workers (0: per core)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    with DovecotServer() as dovecot, MotoServer() as moto:
        print(f"cores {os.cpu_count()}, batch {args.batch} messages, workers {args.workers}")
        runs: list[tuple[str, ImapAccount, S3Bucket | None]] = []
        for backend in ("local", "s3"):
            user = dovecot.add_user(f"bench-{backend}")
            account = ImapAccount(dovecot, user, dovecot.password(user))
            began = time.monotonic()
            dovecot.append_many(user, "INBOX", (message(i) for i in range(args.messages)))
            print(f"{backend}: appended {args.messages} in {time.monotonic() - began:.1f} s")
            bucket = None
            if backend == "s3":
                client = moto.client("s3")
                client.create_bucket(Bucket="ingest-bench")
                bucket = S3Bucket("ingest-bench", client, moto.endpoint_url)
            runs.append((backend, account, bucket))
        for backend, account, bucket in runs:
            app = make_deployment(
                work / backend,
                [mailbox_entry(account, batch_messages=args.batch)],
                bucket=bucket,
                parse_workers=args.workers,
            )
            result = timed_poll(app)
            rate = result["messages"] / result["seconds"]
            mbps = result["bytes"] / result["seconds"] / 1e6
            print(
                f"{backend:5}: {int(result['messages'])} messages,"
                f" {result['bytes'] / 1e6:.1f} MB in {result['seconds']:.1f} s:"
                f" {rate:.0f} msg/s, {mbps:.1f} MB/s;"
                f" peak RSS largest process {result['max_rss'] / 2**20:.0f} MiB,"
                f" process tree {result['tree_rss'] / 2**20:.0f} MiB"
            )


if __name__ == "__main__":
    main()
