"""Store factories shared by the storage and ledger tests: a local tree or a bucket on moto."""

from __future__ import annotations

import itertools
import os
import uuid
from pathlib import Path

from pipeline.storage.local import LocalStore
from pipeline.storage.s3 import S3Settings, S3Store
from tests.harness.moto_server import REGION, MotoServer, fake_credentials_env

_counter = itertools.count()


def fake_aws_env() -> None:
    """Make boto3 (ours and any child process's) use moto's fake credentials."""
    for name, value in fake_credentials_env().items():
        os.environ.setdefault(name, value)


def new_bucket(server: MotoServer, *, object_lock: bool = False) -> str:
    """A fresh bucket on ``server`` (versioned with Object Lock when asked)."""
    name = f"st-{next(_counter)}-{uuid.uuid4().hex[:12]}"
    args: dict[str, object] = {"Bucket": name}
    if object_lock:
        args["ObjectLockEnabledForBucket"] = True
    server.client("s3").create_bucket(**args)
    return name


def s3_settings(endpoint_url: str, bucket: str, **overrides: object) -> S3Settings:
    """Settings for a bucket on a loopback endpoint (path-style, few retries)."""
    values: dict[str, object] = {
        "bucket": bucket,
        "endpoint_url": endpoint_url,
        "region": REGION,
        "addressing_style": "path",
        "max_attempts": 3,
    }
    values.update(overrides)
    return S3Settings(**values)  # type: ignore[arg-type]


def s3_store(server: MotoServer, *, object_lock: bool = False, **overrides: object) -> S3Store:
    """An S3Store over a fresh bucket on the moto server."""
    fake_aws_env()
    return S3Store(
        s3_settings(server.endpoint_url, new_bucket(server, object_lock=object_lock), **overrides)
    )


def local_store(root: Path, **kwargs: object) -> LocalStore:
    """A LocalStore under ``root`` (no fsync: tests do not simulate power cuts)."""
    return LocalStore(root, fsync=False, **kwargs)  # type: ignore[arg-type]
