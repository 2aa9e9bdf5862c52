"""Builds the archive service from the application config (for the CLI, the web app, scripts).

Kept apart from :mod:`pipeline.runtime` so that processes that only ingest or handle
events (the worker, the Lambda handlers) do not import the read side.
"""

from __future__ import annotations

from pipeline.archive import Archive, ArchiveSettings
from pipeline.config import Config, LocalStorageConfig
from pipeline.entries.models import RetentionPolicy
from pipeline.index.db import INDEX_FILE
from pipeline.runtime import Runtime, actor_name


def archive_settings(config: Config) -> ArchiveSettings:
    """The archive service's settings: index file, clock policy, the store's retention."""
    storage = config.storage
    if isinstance(storage, LocalStorageConfig):
        retention = RetentionPolicy(retain_days=storage.retain_days, mode=None)
    else:
        lock = storage.object_lock
        retention = RetentionPolicy(
            retain_days=lock.retain_days if lock else None, mode=lock.mode if lock else None
        )
    return ArchiveSettings(
        index_path=config.state_dir / INDEX_FILE,
        clock=config.classification.policy.clock,
        retention=retention,
        min_dispose_days=config.retention.min_dispose_days,
        source=str(config.source_path or "the configuration"),
        scratch_dir=config.state_dir,
    )


def open_archive(runtime: Runtime, actor: str | None = None) -> Archive:
    """The archive service over ``runtime``, acting for ``actor`` (default: the configured one)."""
    return Archive(
        runtime.store,
        runtime.ledger,
        archive_settings(runtime.config),
        actor or actor_name(runtime.config),
    )
