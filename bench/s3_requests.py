"""S3 requests and bytes per message: sealing, assembly, and a full poll, on moto's server.

A real Dovecot holds ``--messages`` messages of the benchmark corpus. In this process,
with the deployment's own adapters (``open_runtime``, ``open_poller``,
``open_assembler``), three fresh buckets receive: (1) ``poll --seal-only`` then
``assemble`` (the two stages apart), (2) a full ``poll`` (both, one batch in flight).
Every API call the stores' boto3 clients make is counted by operation with
``bench.ledger_append.count_requests``, and request and response body bytes are summed.
The cost of a million messages uses AWS S3 Standard request prices (``--put-price``,
``--get-price``: dollars per 1,000 requests; PUT, COPY, POST and LIST are billed as
PUT, GET and HEAD as GET).

Usage: .venv/bin/python -m bench.s3_requests --messages 1000
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import structlog  # noqa: E402

from bench import corpus  # noqa: E402
from bench.__main__ import s3_target, write_config  # noqa: E402
from bench.ledger_append import count_requests  # noqa: E402
from pipeline.config import load_config  # noqa: E402
from pipeline.demo.dovecot import DovecotServer  # noqa: E402
from pipeline.runtime import open_runtime  # noqa: E402
from pipeline.storage.s3 import S3Store  # noqa: E402
from pipeline.worker.build import open_assembler, open_poller  # noqa: E402
from tests.harness.moto_server import MotoServer  # noqa: E402

PUT_CLASS = {"PutObject", "CopyObject", "ListObjectsV2", "ListObjects", "PostObject"}
GET_CLASS = {"GetObject", "HeadObject"}


def stored_bytes(store: S3Store) -> int:
    """Bytes of every object in the store's bucket (what the puts left there)."""
    paginator = store.client.get_paginator("list_objects_v2")
    return sum(
        item["Size"]
        for page in paginator.paginate(Bucket=store.settings.bucket)
        for item in page.get("Contents", [])
    )


def count_bytes(store: S3Store) -> dict[str, int]:
    """Response body bytes received (GetObject); ``sent`` is filled in from the bucket."""
    sizes = {"sent": -stored_bytes(store), "received": 0}

    def after(parsed: dict[str, Any], model: Any, **_kwargs: Any) -> None:
        if model.name == "GetObject":
            sizes["received"] += int(parsed.get("ContentLength") or 0)

    store.client.meta.events.register("after-call.s3", after)
    return sizes


def _counted(config_path: Path) -> tuple[Any, collections.Counter[str], dict[str, int]]:
    runtime = open_runtime(load_config(config_path), writable=True)
    assert isinstance(runtime.store, S3Store)
    sizes = count_bytes(runtime.store)  # its LIST of the bucket is not counted
    return runtime, count_requests(runtime.store), sizes


def _summary(
    runtime: Any,
    requests: collections.Counter[str],
    sizes: dict[str, int],
    messages: int,
    args: Any,
) -> dict[str, Any]:
    requests = collections.Counter(dict(requests))  # before the LIST below is counted
    sizes["sent"] += stored_bytes(runtime.store)
    put = sum(n for op, n in requests.items() if op in PUT_CLASS)
    get = sum(n for op, n in requests.items() if op in GET_CLASS)
    other = sum(requests.values()) - put - get
    per = 1_000_000 / messages
    return {
        "by_operation_per_message": {
            op: round(n / messages, 3) for op, n in sorted(requests.items())
        },
        "put_class_per_message": round(put / messages, 3),
        "get_class_per_message": round(get / messages, 3),
        "other_per_message": round(other / messages, 3),
        "bytes_stored_per_message": round(sizes["sent"] / messages),
        "bytes_received_per_message": round(sizes["received"] / messages),
        "dollars_per_million_messages": round(
            put * per / 1000 * args.put_price + get * per / 1000 * args.get_price, 2
        ),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.s3_requests", description=__doc__)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--put-price", type=float, default=0.005)
    parser.add_argument("--get-price", type=float, default=0.0004)
    args = parser.parse_args(argv)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    results: dict[str, Any] = {}
    with (
        tempfile.TemporaryDirectory(prefix="mailledger-s3req-") as tmp,
        DovecotServer() as dovecot,
        MotoServer() as moto,
    ):
        user = dovecot.add_user("s3req")
        dovecot.create_folder(user, "INBOX")
        dovecot.append_many(user, "INBOX", list(corpus.generate(args.messages, args.seed)))
        os.environ.update(moto.env())
        work = Path(tmp)

        # (1) the stages apart: seal only, then assemble
        path, env = write_config(
            work / "stages", dovecot, user, s3=s3_target(moto, "stages"), fsync=False
        )
        os.environ.update(env)
        runtime, requests, sizes = _counted(path)
        config = runtime.config
        with open_poller(config, runtime, seal_only=True, workers=1) as poller:
            poller.poll()
        results["seal"] = _summary(runtime, requests, sizes, args.messages, args)
        runtime, requests, sizes = _counted(path)
        with open_assembler(config, runtime) as assembler:
            done = assembler.assemble_pending()
        assert done.assembled == args.messages, done
        results["assemble"] = _summary(runtime, requests, sizes, args.messages, args)

        # (2) a full poll (seal and assemble, one batch in flight)
        path, env = write_config(
            work / "poll", dovecot, user, s3=s3_target(moto, "poll"), fsync=False
        )
        runtime, requests, sizes = _counted(path)
        with open_poller(runtime.config, runtime) as poller:
            poller.poll()
        results["poll"] = _summary(runtime, requests, sizes, args.messages, args)
    results["messages"] = args.messages
    results["prices_per_1000"] = {"put_class": args.put_price, "get_class": args.get_price}
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
