"""``python -m bench.s3_seal``: sealing into S3 against the endpoint's own PUT rate.

Sealing stores each raw message as one object and appends small ledger batches, so on
S3 its ceiling is how fast the endpoint takes PUTs. This measures both in one run, on
the same messages and the same endpoint: the messages of the benchmark corpus
(``bench.corpus``) are APPENDed to a real Dovecot once; then, alternating, (a) the
endpoint's PUT rate: the same raw messages PUT by boto3 into a fresh bucket from one
process, as many at once as the S3 store puts (``storage.max_pool_connections``); and
(b) ``mailledger poll --seal-only`` from that mailbox into another fresh bucket on the
same endpoint (IMAP fetch, hashing, the raw PUTs, the seal batches and checkpoints).
Reported: messages per second of each, and the seal's fraction of the PUT rate, medians
of the alternated runs. The endpoint is moto's server. Nothing asserts timings.

    .venv/bin/python -m bench.s3_seal --messages 2000 --runs 3
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402
from bench.__main__ import seal_once  # noqa: E402
from pipeline.config import S3StorageConfig  # noqa: E402
from pipeline.demo.dovecot import DovecotServer  # noqa: E402

# What the S3 store puts at once (one connection per concurrent put).
CONCURRENCY = S3StorageConfig.model_fields["max_pool_connections"].default


def put_rate(endpoint: Any, bucket: str, raws: list[bytes]) -> dict[str, Any]:
    """PUT every raw message once, ``CONCURRENCY`` at a time; wall time and rate."""
    import boto3
    from botocore.config import Config

    from tests.harness.moto_server import ACCESS_KEY, REGION, SECRET_KEY

    client = boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint.endpoint_url,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name=REGION,
        config=Config(
            max_pool_connections=CONCURRENCY,
            retries={"total_max_attempts": 3, "mode": "standard"},
            s3={"addressing_style": "path"},
        ),
    )
    client.create_bucket(Bucket=bucket)

    def put(raw: bytes) -> None:
        key = "raw/" + hashlib.sha256(raw).hexdigest()
        client.put_object(Bucket=bucket, Key=key, Body=raw)

    began = time.monotonic()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(put, raws))
    wall = time.monotonic() - began
    return {"wall": round(wall, 2), "msg_per_s": round(len(raws) / wall, 1)}


def seal_rate(
    dovecot: DovecotServer, user: str, endpoint: Any, bucket: str, work: Path
) -> dict[str, Any]:
    """``poll --seal-only`` into a fresh bucket on ``endpoint``; wall time and rate."""
    endpoint.client("s3").create_bucket(Bucket=bucket)
    target = {
        "storage": {"bucket": bucket, "endpoint_url": endpoint.endpoint_url, "max_attempts": 3},
        "env": endpoint.env(),
    }
    result = seal_once(dovecot, user, work, target, True)
    wall = float(result["wall"])
    return {
        "wall": round(wall, 2),
        "messages": result["messages"],
        "msg_per_s": round(result["messages"] / wall, 1),
    }


def measure(
    name: str, endpoint: Any, dovecot: DovecotServer, user: str, raws: list[bytes], args: Any
) -> dict[str, Any]:
    """Alternated PUT and seal runs on one endpoint; medians and the ratio."""
    puts: list[dict[str, Any]] = []
    seals: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="mailledger-s3seal-") as tmp:
        for run in range(args.runs):
            puts.append(put_rate(endpoint, f"put-{name}-{run}", raws))
            print(name, "put", run + 1, json.dumps(puts[-1]), flush=True)
            seals.append(
                seal_rate(dovecot, user, endpoint, f"seal-{name}-{run}", Path(tmp) / f"s{run}")
            )
            print(name, "seal", run + 1, json.dumps(seals[-1]), flush=True)
    put_median = statistics.median(p["msg_per_s"] for p in puts)
    seal_median = statistics.median(s["msg_per_s"] for s in seals)
    return {
        "endpoint": name,
        "put_msg_per_s": put_median,
        "seal_msg_per_s": seal_median,
        "seal_fraction_of_put": round(seal_median / put_median, 3),
        "puts": puts,
        "seals": seals,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.s3_seal", description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3, help="alternated runs per side")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    from tests.harness.moto_server import MotoServer

    raws = list(corpus.generate(args.messages, args.seed))
    results = []
    with DovecotServer() as dovecot:
        user = dovecot.add_user("s3seal")
        dovecot.append_many(user, "INBOX", iter(raws), batch=100)
        print(f"corpus: {len(raws)} messages, {sum(map(len, raws)):,} bytes", flush=True)
        moto = MotoServer().start()
        try:
            results.append(measure("moto", moto, dovecot, user, raws, args))
        finally:
            moto.close()
    for r in results:
        print(
            f"{r['endpoint']}: PUT {r['put_msg_per_s']} msg/s, seal {r['seal_msg_per_s']} msg/s,"
            f" seal at {r['seal_fraction_of_put']} of the endpoint's PUT rate"
            f" (medians of {args.runs} alternated runs, {CONCURRENCY} puts at once)"
        )


if __name__ == "__main__":
    main()
