"""Store factories shared by the storage and ledger tests: a local tree, a bucket on moto,
or an Object Lock bucket on Ceph RGW (configured as a deployment on RGW must be)."""

from __future__ import annotations

import itertools
import os
import uuid
from pathlib import Path

from pipeline.storage.local import LocalStore
from pipeline.storage.s3 import S3Store, make_client
from pipeline.storage.settings import S3Settings
from tests.harness.moto_server import REGION, MotoServer, fake_credentials_env
from tests.harness.rgw import RgwServer

_counter = itertools.count()

# RGW 16 has no flexible checksums and ignores If-None-Match: * on versioned buckets.
RGW_SETTINGS: dict[str, object] = {"checksum": "md5", "first_version_wins": True}


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


def rgw_credentials_env(server: RgwServer) -> dict[str, str]:
    """Environment giving a child process's boto3 the gateway's credentials."""
    return {
        "AWS_ACCESS_KEY_ID": server.access_key,
        "AWS_SECRET_ACCESS_KEY": server.secret_key,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }


def new_rgw_bucket(server: RgwServer) -> str:
    """A fresh Object Lock (hence versioned) bucket on the gateway."""
    name = f"st-{next(_counter)}-{uuid.uuid4().hex[:12]}"
    server.client("s3").create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    return name


_rgw_shared: dict[str, str] = {}


def shared_rgw_bucket(server: RgwServer) -> str:
    """One Object Lock bucket per gateway for the session: creating one takes RGW ~1 s."""
    if server.endpoint_url not in _rgw_shared:
        _rgw_shared[server.endpoint_url] = new_rgw_bucket(server)
    return _rgw_shared[server.endpoint_url]


def rgw_store(server: RgwServer, bucket: str | None = None, **overrides: object) -> S3Store:
    """An S3Store with the RGW settings on an Object Lock bucket on the gateway.

    Without ``bucket``: the session's shared bucket under a fresh key prefix, so each
    store still starts empty.
    """
    if bucket is None:
        bucket = shared_rgw_bucket(server)
        overrides.setdefault("prefix", f"t{next(_counter)}-{uuid.uuid4().hex[:8]}")
    settings = s3_settings(server.endpoint_url, bucket, **{**RGW_SETTINGS, **overrides})
    client = make_client(settings, access_key=server.access_key, secret_key=server.secret_key)
    return S3Store(settings, client)


def raw_key(store: S3Store, key: str) -> str:
    """The bucket key the store keeps ``key`` under (with its prefix)."""
    prefix = store.settings.prefix.rstrip("/")
    return f"{prefix}/{key}" if prefix else key
