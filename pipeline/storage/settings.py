"""Small, picklable settings from which a process opens its own object store.

A worker process cannot share the store object of the process that started it (an S3
client and its connection pool belong to one process); it is given these settings and
opens a store of its own with :func:`open_store`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.storage.base import ObjectStore
from pipeline.storage.local import LocalStore
from pipeline.storage.s3 import S3Settings, S3Store


@dataclass(frozen=True)
class LocalSettings:
    """What :class:`LocalStore` is opened with."""

    root: Path
    retain_days: int | None = None
    fsync: bool = True
    file_mode: int = 0o600


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
    return S3Store(settings)
