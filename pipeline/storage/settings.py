"""Small, picklable settings from which a process opens its own object store.

A worker process cannot share the store object of the process that started it (an S3
client and its connection pool belong to one process); it is given these settings and
opens a store of its own with :func:`open_store`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pipeline.storage.base import ObjectStore
from pipeline.storage.local import LocalStore


@dataclass(frozen=True)
class LocalSettings:
    """What :class:`LocalStore` is opened with."""

    root: Path
    retain_days: int | None = None
    fsync: bool = True
    file_mode: int = 0o600


@dataclass(frozen=True)
class S3Settings:
    """Connection and write-protection settings for :class:`S3Store`.

    Its fields repeat the S3 part of the config on purpose: a worker process is given
    these small, picklable settings, not the validated config
    (:func:`pipeline.runtime.store_settings` maps one to the other).
    """

    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None
    addressing_style: Literal["auto", "path", "virtual"] = "auto"
    checksum: Literal["sha256", "md5"] = "sha256"
    retry_mode: Literal["standard", "adaptive"] = "standard"
    max_attempts: int = 8
    lock_mode: Literal["COMPLIANCE", "GOVERNANCE"] | None = None
    retain_days: int | None = None
    sse_kms_key_id: str | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_pool_connections: int = 16
    first_version_wins: bool = False  # see pipeline.storage.s3; needed for Ceph RGW


StoreSettings = LocalSettings | S3Settings


def open_store(settings: StoreSettings) -> ObjectStore:
    """The store ``settings`` describe; S3 credentials come from the boto3 chain."""
    if isinstance(settings, LocalSettings):
        return LocalStore(
            settings.root,
            retain_days=settings.retain_days,
            fsync=settings.fsync,
            file_mode=settings.file_mode,
        )
    # boto3 and botocore take some 23 MiB once imported: only a deployment on S3 pays it
    from pipeline.storage.s3 import S3Store

    return S3Store(settings)
