"""The ``ObjectStore`` protocol that every storage backend implements."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable


class PutOutcome(enum.Enum):
    """What a create-only write did."""

    CREATED = "created"
    EXISTED = "existed"  # the same bytes were already stored: an idempotent success


@dataclass(frozen=True)
class Protection:
    """Retention and legal hold of a stored object."""

    retain_until: datetime | None
    mode: str | None
    legal_hold: bool

    def blocks_deletion(self, now: datetime) -> bool:
        """True while retention runs or a legal hold applies."""
        return self.legal_hold or (self.retain_until is not None and self.retain_until > now)


class ObjectStore(Protocol):
    """Create-only object storage.

    ``put`` never overwrites: the same bytes under an existing key succeed as
    ``EXISTED``; different bytes raise :class:`pipeline.errors.ObjectConflictError`.
    ``get`` re-checks the SHA-256 recorded at write time, and for a content-addressed key
    (:func:`pipeline.storage.keys.expected_sha256`) the SHA-256 the key names, and raises
    :class:`pipeline.errors.IntegrityError` when the bytes changed.
    """

    description: str
    # How many puts are worth running at once: S3 writes wait on the network and
    # overlap well; local file creation does not (see LocalStore).
    write_concurrency: int

    def put(self, key: str, data: bytes) -> PutOutcome:
        """Store ``data`` under ``key`` unless the key exists."""
        ...

    def get(self, key: str, *, verify: bool = True) -> bytes:
        """The bytes under ``key``, checked against their recorded SHA-256 unless ``verify``
        is False (only ``verify`` itself reads damaged objects, to say what changed)."""
        ...

    def sha256(self, key: str) -> str:
        """The hex SHA-256 of the bytes under ``key``, read in bounded chunks.

        Raises :class:`pipeline.errors.IntegrityError` exactly when ``get`` would, so a
        caller that only needs to know the bytes are intact need not hold them.
        """
        ...

    def exists(self, key: str) -> bool:
        """True when ``key`` holds an object."""
        ...

    def list(self, prefix: str, start_after: str | None = None) -> Iterator[str]:
        """Keys under ``prefix`` in ascending byte order, after ``start_after`` if given."""
        ...

    def delete(self, key: str) -> None:
        """Remove ``key``; refused with :class:`RetentionError` while protected."""
        ...

    def protection(self, key: str) -> Protection:
        """Retention and legal hold of ``key``."""
        ...

    def set_legal_hold(self, key: str, on: bool) -> None:
        """Place or lift a legal hold on ``key``."""
        ...

    def durable_batch(self, *, settle_existing: bool = False) -> AbstractContextManager[None]:
        """A block whose puts become durable together when it ends (or one by one).

        ``settle_existing``: a put that finds its object already stored also completes
        what a writer that died may have left undone (made durable, given its retention),
        for a re-run of work a dead process had started.
        """
        ...


@dataclass(frozen=True)
class StoredVersion:
    """One version (or delete marker) of a key in a versioned bucket."""

    key: str
    version_id: str
    delete_marker: bool
    modified: datetime | None


@runtime_checkable
class VersionedStore(Protocol):
    """A store that can show a key's history (S3 versioning); verify reads it."""

    # True when a key's oldest version is the object (see pipeline.storage.s3), so later
    # versions written by writers that lost a race are harmless.
    oldest_version_wins: bool

    def list_versions(self, prefix: str) -> list[StoredVersion] | None:
        """Every version and delete marker under ``prefix``, each key's newest first;
        None when the bucket has never been versioned."""
        ...

    def read_version(self, key: str, version_id: str) -> bytes:
        """The bytes of one version of ``key``."""
        ...
