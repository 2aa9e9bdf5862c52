"""A separate process that appends to a ledger: ``python -m tests.ledger.appender``.

Arguments: ``local ROOT``, ``s3 ENDPOINT BUCKET`` or ``rgw ENDPOINT BUCKET PREFIX`` (credentials
from the environment), then a writer name, a batch count and a
batch size (0 batches: append forever, for crash tests).
"""

from __future__ import annotations

import sys
from pathlib import Path

import structlog

from pipeline.storage.base import ObjectStore
from pipeline.storage.s3 import S3Store
from tests.ledger.ledger_helpers import draft, ledger_on
from tests.storage.backends import RGW_SETTINGS, fake_aws_env, local_store, s3_settings


def open_store(args: list[str]) -> tuple[ObjectStore, list[str]]:
    if args[0] == "local":
        return local_store(Path(args[1])), args[2:]
    if args[0] == "rgw":
        settings = s3_settings(args[1], args[2], prefix=args[3], max_attempts=8, **RGW_SETTINGS)
        return S3Store(settings), args[4:]
    fake_aws_env()
    return S3Store(s3_settings(args[1], args[2], max_attempts=8)), args[3:]


def main(argv: list[str]) -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    store, rest = open_store(argv)
    writer, batches, size = rest[0], int(rest[1]), int(rest[2])
    ledger = ledger_on(store)
    i = 0
    while batches == 0 or i < batches:
        ledger.append([draft(0, {"writer": writer, "batch": i, "item": j}) for j in range(size)])
        print(i, flush=True)
        i += 1


if __name__ == "__main__":
    main(sys.argv[1:])
