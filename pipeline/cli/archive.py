"""Builds the archive service for a command from the application config."""

from __future__ import annotations

from pipeline.archive import Archive, ArchiveSettings
from pipeline.cli.app import AppContext
from pipeline.config import Config, LocalStorageConfig
from pipeline.entries.models import RetentionPolicy
from pipeline.index.db import INDEX_FILE
from pipeline.runtime import actor_name


def archive_settings(config: Config) -> ArchiveSettings:
    """The archive's settings: index file, clock policy, the store's retention."""
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
    )


def open_archive(app: AppContext, *, writable: bool) -> Archive:
    """The archive acting for the configured person; ``writable`` needs the signing key."""
    runtime = app.runtime(writable=writable)
    return Archive(
        runtime.store, runtime.ledger, archive_settings(app.config), actor_name(app.config)
    )
