"""The local filesystem backend: the embedded default.

Create-only semantics match S3 ``If-None-Match: *``: data goes to a temporary
file, which is made read-only and then hard-linked into place (``link`` fails if the
name exists, which makes the claim atomic even between processes). The new file and
its directory are then fsynced so both survive a power cut, or, inside
:meth:`LocalStore.durable_batch`, flushed with the batch's other writes by one
syncfs(2) when the block ends, before any ledger entry refers to them.
Retention and legal holds live in a sidecar ``.protection`` tree with the
semantics of S3 Object Lock: retention can be extended, never shortened.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipeline.errors import (
    IntegrityError,
    ObjectConflictError,
    ObjectNotFoundError,
    RetentionError,
    StorageError,
    StoreWriteError,
)
from pipeline.storage.base import Protection, PutOutcome
from pipeline.storage.keys import expected_sha256

_SIDE = ".protection"
_TMP = ".tmp"
_HASHES = ".sha256"
_READ_CHUNK = 1 << 20  # bytes read at a time when an object is only hashed

# Failures of the machine, not of the stored data: the same write succeeds once the
# folder is writable again or has space, so they are reported as such (exit 3), apart
# from a store whose shape is wrong (a file where a folder belongs), which is damage.
_ENVIRONMENT_ERRNOS = frozenset(
    {
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EMFILE,
        errno.ENFILE,
        errno.EIO,
    }
)


def _write_failure(what: str, description: str, path: Path, exc: OSError) -> StorageError:
    """The error for a failed write of ``what`` (at ``path`` unless the OS names another):
    :class:`StoreWriteError` when the environment refused it, else a StorageError; both
    name the path and the OS's reason."""
    reason = exc.strerror or type(exc).__name__
    where = f" ({exc.filename if exc.filename is not None else path}: {reason})"
    if exc.errno in _ENVIRONMENT_ERRNOS:
        action = (
            "free space there, then run the command again"
            if exc.errno in (errno.ENOSPC, errno.EDQUOT)
            else "make it writable for this user, then run the command again"
        )
        return StoreWriteError(f"cannot write {what} to {description}{where}: {action}")
    return StorageError(f"could not write {what} to {description}{where}")


def _syncfs(root: Path) -> bool:
    """syncfs(2) on the file system holding ``root``; False where it is not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        syncfs = libc.syncfs
    except (OSError, AttributeError):
        return False
    fd = os.open(root, os.O_RDONLY)
    try:
        return bool(syncfs(fd) == 0)
    finally:
        os.close(fd)


def _flush(root: Path, paths: list[Path]) -> None:
    """Make ``paths`` and their directory entries durable.

    One syncfs(2) flushes a whole batch (data and directory entries) for the cost
    of a single fsync, where fsyncing each file and directory costs one each.
    """
    if not paths or _syncfs(root):
        return
    directories: set[Path] = set()
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        directories.add(path.parent)
    for directory in directories:
        _fsync_dir(directory)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalStore:
    """Objects as files under a root directory."""

    def __init__(
        self,
        root: Path,
        *,
        retain_days: int | None = None,
        retention_mode: str | None = None,
        fsync: bool = True,
        file_mode: int = 0o600,
    ) -> None:
        self.root = root
        # Stored objects are made read-only, but never readable by more people than
        # the configured file mode allows (they are borrowers' mail).
        self.read_only_mode = file_mode & 0o444
        self.retain_days = retain_days
        self.retention_mode = retention_mode if retain_days else None
        self.fsync = fsync
        self.description = f"local store at {root}"
        # Creating files is the cost of a put, and concurrent creates contend in the
        # kernel: on the benchmark machine 8 threads took 0.93 ms of wall time and 1.4 ms
        # of CPU per 25 KB object, one thread 0.25 ms of each.
        self.write_concurrency = 1
        # No folder is made until the first put: reading a mistyped path must not create it.
        self._known_dirs: set[Path] = set()
        # Inside durable_batch(): paths whose fsync is deferred to the end of the batch.
        self._pending: list[Path] | None = None
        self._pending_lock = threading.Lock()
        # How many durable_batch(settle_existing=True) blocks are open, in any thread:
        # while one is, objects found stored are settled. A count, not a flag, so that one
        # thread's block ending cannot switch settling off under another thread's block
        # (a put settled that did not need it costs one fsync; one not settled that
        # needed it loses a retention record).
        self._settling = 0
        self._settling_lock = threading.Lock()

    @contextlib.contextmanager
    def durable_batch(self, *, settle_existing: bool = False) -> Iterator[None]:
        """Defer fsyncs of the puts made inside to one flush when the block ends.

        Puts are visible at once; they are durable when the block exits normally,
        which callers arrange to be before anything (a ledger entry) refers to them.
        A process crash loses nothing written (the page cache survives it); a power
        cut inside the block loses only objects nothing refers to yet.

        ``settle_existing``: an object a put finds already there may have been created by
        a process that died inside its own batch, before its flush and before it wrote
        the retention record. The put then writes a missing retention record and makes
        the object durable with the batch, as if it had created it.
        """
        if settle_existing:
            with self._settling_lock:
                self._settling += 1
        try:
            if not self.fsync or self._pending is not None:
                yield
                return
            self._pending = []
            try:
                yield
                with self._pending_lock:
                    pending, self._pending = self._pending, None
                _flush(self.root, pending)
            finally:
                self._pending = None
        finally:
            if settle_existing:
                with self._settling_lock:
                    self._settling -= 1

    def _sync(self, path: Path) -> None:
        with self._pending_lock:
            if self._pending is not None:
                self._pending.append(path)
                return
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        _fsync_dir(path.parent)

    def _mkdirs(self, directory: Path) -> None:
        if directory not in self._known_dirs:
            directory.mkdir(parents=True, exist_ok=True)
            self._known_dirs.add(directory)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*self._parts(key))

    @staticmethod
    def _parts(key: str) -> list[str]:
        parts = key.split("/")
        if not key or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
            raise StorageError(f"invalid object key {key!r}")
        return parts

    def _meta_path(self, kind: str, key: str) -> Path:
        return self.root / kind / (key + ".json")

    def put(self, key: str, data: bytes) -> PutOutcome:
        """Create ``key`` with ``data``; same bytes again is a no-op, other bytes a conflict."""
        target = self._path(key)
        digest = hashlib.sha256(data).hexdigest()
        if target.exists():
            return self._existing(key, target, digest)
        tmp: Path | None = None
        try:
            self._mkdirs(target.parent)
            self._mkdirs(self.root / _TMP)
            fd, tmp_name = tempfile.mkstemp(dir=self.root / _TMP)
            tmp = Path(tmp_name)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            tmp.chmod(self.read_only_mode)
            try:
                os.link(tmp, target)
            except FileExistsError:
                return self._existing(key, target, digest)
            # Only the writer that won the link records the hash: a loser writing it first
            # would leave the winner's object looking altered. A crash before this line
            # leaves an object without a recorded hash, which the next put of it restores.
            # Content-addressed keys carry their hash in the name and need no record.
            if expected_sha256(key) is None:
                self._write_meta(_HASHES, key, {"sha256": digest}, overwrite=True)
            if self.fsync:
                self._sync(target)
            self._retain(key)
        except OSError as exc:
            raise _write_failure(key, self.description, target, exc) from exc
        finally:
            if tmp is not None:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
        return PutOutcome.CREATED

    def _retain(self, key: str) -> bool:
        """Record the store's retention for ``key`` unless a record is there (retention is
        extended, never shortened); True when it wrote one."""
        if not self.retain_days or self._meta_path(_SIDE, key).exists():
            return False
        until = datetime.now(UTC) + timedelta(days=self.retain_days)
        self._write_meta(
            _SIDE,
            key,
            {"retain_until": until.isoformat(), "mode": self.retention_mode, "hold": False},
            overwrite=False,
        )
        return True

    def _existing(self, key: str, target: Path, digest: str) -> PutOutcome:
        current = hashlib.sha256(target.read_bytes()).hexdigest()
        if current != digest:
            raise ObjectConflictError(
                f"{key} already exists in {self.description} with different content;"
                " it was not overwritten"
            )
        try:
            if expected_sha256(key) is None:
                self._write_meta(_HASHES, key, {"sha256": digest}, overwrite=False)
            # A writer killed between creating the object and recording its retention (a
            # worker, or a whole poll, run or assemble) left it unprotected: whoever puts
            # it again records the retention, whatever the batch.
            retained = self._retain(key)
            if self.fsync and (self._settling or retained):
                # settling: the dead writer may not have flushed the object either
                # (see durable_batch)
                if self._settling:
                    self._sync(target)
                if retained:
                    self._sync(self._meta_path(_SIDE, key))
        except OSError as exc:
            raise _write_failure(key, self.description, target, exc) from exc
        return PutOutcome.EXISTED

    def _write_meta(
        self, kind: str, key: str, value: dict[str, object], *, overwrite: bool
    ) -> None:
        path = self._meta_path(kind, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and not overwrite:
            return
        # unique per thread too: two threads of one process must not share a temporary file
        tmp = path.with_name(path.name + f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(value))
        tmp.replace(path)

    def get(self, key: str, *, verify: bool = True) -> bytes:
        """Read ``key`` and check it against the SHA-256 recorded when it was written."""
        target = self._path(key)
        try:
            data = target.read_bytes()
        except FileNotFoundError as exc:
            raise ObjectNotFoundError(f"{key} is not in {self.description}") from exc
        except OSError as exc:
            raise StorageError(f"could not read {key} from {self.description}: {exc}") from exc
        if verify:
            self._check_recorded(key, hashlib.sha256(data).hexdigest())
        return data

    def sha256(self, key: str) -> str:
        """The SHA-256 of ``key``'s bytes, read in chunks, checked as :meth:`get` checks them."""
        # os-level calls and string paths: verify calls this once per stored object, and
        # pathlib and buffered files cost more than reading a small object does
        path = os.path.join(self.root, *self._parts(key))  # noqa: PTH118 - hot path
        digest = hashlib.sha256()
        try:
            fd = os.open(path, os.O_RDONLY)
            try:
                while chunk := os.read(fd, _READ_CHUNK):
                    digest.update(chunk)
            finally:
                os.close(fd)
        except FileNotFoundError as exc:
            raise ObjectNotFoundError(f"{key} is not in {self.description}") from exc
        except OSError as exc:
            raise StorageError(f"could not read {key} from {self.description}: {exc}") from exc
        actual = digest.hexdigest()
        self._check_recorded(key, actual)
        return actual

    def _check_recorded(self, key: str, actual: str) -> None:
        """Raise IntegrityError unless ``actual`` is the hash recorded and the key promises."""
        meta = os.path.join(self.root, _HASHES, key + ".json")  # noqa: PTH118 - hot path
        present = os.path.exists(meta)  # noqa: PTH110 - hot path
        recorded = json.loads(Path(meta).read_text())["sha256"] if present else None
        for expected in (recorded, expected_sha256(key)):
            if expected is not None and actual != expected:
                raise IntegrityError(
                    f"{key} in {self.description} no longer matches the SHA-256 recorded"
                    " when it was written: it was altered"
                )

    def exists(self, key: str) -> bool:
        """True when ``key`` is stored."""
        return self._path(key).is_file()

    def list(self, prefix: str, start_after: str | None = None) -> Iterator[str]:
        """Keys under ``prefix`` in ascending order (the order S3 lists in)."""
        keys: list[str] = []
        # Walk only below the deepest directory the prefix names, not the whole store.
        head = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        base = self.root / head if head else self.root
        if not base.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(base):
            rel_dir = Path(dirpath).relative_to(self.root).as_posix()
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for name in filenames:
                key = name if rel_dir == "." else f"{rel_dir}/{name}"
                if key.startswith(prefix) and (start_after is None or key > start_after):
                    keys.append(key)
        yield from sorted(keys)

    def protection(self, key: str) -> Protection:
        """Retention and hold recorded for ``key``."""
        if not self.exists(key):
            raise ObjectNotFoundError(f"{key} is not in {self.description}")
        path = self._meta_path(_SIDE, key)
        if not path.exists():
            return Protection(None, None, False)
        meta = json.loads(path.read_text())
        until = datetime.fromisoformat(meta["retain_until"]) if meta["retain_until"] else None
        return Protection(until, meta["mode"], bool(meta["hold"]))

    def set_legal_hold(self, key: str, on: bool) -> None:
        """Place or lift a legal hold."""
        current = self.protection(key)
        try:
            self._write_meta(
                _SIDE,
                key,
                {
                    "retain_until": (
                        current.retain_until.isoformat() if current.retain_until else None
                    ),
                    "mode": current.mode,
                    "hold": on,
                },
                overwrite=True,
            )
        except OSError as exc:
            raise _write_failure(
                f"the legal hold of {key}", self.description, self._meta_path(_SIDE, key), exc
            ) from exc

    def delete(self, key: str) -> None:
        """Delete ``key`` once no retention or hold protects it."""
        if self.protection(key).blocks_deletion(datetime.now(UTC)):
            raise RetentionError(f"{key} is under retention or legal hold and cannot be deleted")
        target = self._path(key)
        target.chmod(self.read_only_mode | 0o200)
        target.unlink()
        self._meta_path(_HASHES, key).unlink(missing_ok=True)
