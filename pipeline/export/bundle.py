"""Examination exports: a self-contained production a regulator verifies without trusting us.

The bundle follows the ``mailledger-export/1`` contract in
:mod:`pipeline.export.bundle_verifier` (shipped inside as ``verify.py``):
natives tied to their ``message.received`` entries, every included ledger entry
with an inclusion proof against one signed checkpoint, and every file listed in
the manifest with its SHA-256.

Determinism: the same criteria against the same checkpoint give byte-identical
files. Nothing reads the clock: ``created_at`` and the "as of" time of deadline
statuses are the time of the last entry the checkpoint covers; lists are in
ledger or control-number order; zip members carry a fixed timestamp and mode.
Pass the records of an earlier checkpoint (``as_of``) to re-create an earlier export
exactly, since each export appends its own ``export.created`` entry to the log; only
the seal (``seal/``, the new ``export.created`` entry and the checkpoint covering it)
differs.

Memory stays flat however many records an export holds: natives and attachments
are read, written and hashed one at a time; the included ledger entries, the load
files, the listing of ``index.html`` and the long lists of the manifest (files,
entries, records) go to scratch files as they are produced and are copied into the
bundle (hashed on the way) when complete. Every scratch file of an export, these and
the packed rows and inbound case records below, is in one scratch directory beside
the export (:func:`scratch_beside`), never the system temp directory, and is removed
however the export ends. What the export keeps
per record is the position of its entry and one byte per position of the log; each
row is made again from the records (packed in a scratch file, see
:mod:`pipeline.trail.evidence`) when its turn comes, and each record's case status is
evaluated from its inbound record read back from the case model's scratch file
(:class:`pipeline.cases.read.RecordCases`). What still grows with the log is a few
numbers per record or position (ids, links, offsets, 32-byte Merkle nodes): about
0.4 KB per record.
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
import json
import os
import secrets
import shutil
import tempfile
import threading
import zipfile
from array import array
from collections import OrderedDict
from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import IO, Any

import structlog

import pipeline.export.bundle_verifier as bundle_verifier
from pipeline.attachments.filenames import prefixed_component
from pipeline.cases.read import RecordCases, read_record_cases
from pipeline.classify.clocks import DEFAULT_POLICY, ClockPolicy
from pipeline.entries import decode, decode_record, names
from pipeline.entries.models import MessageSealed, Party, RecordBody
from pipeline.errors import ExportError, ExportExistsError, ExportWriteError, IntegrityError
from pipeline.export.loadfile import FIELDS, csv_header, csv_row, dat_header, dat_row
from pipeline.export.pages import Summary, index_page, message_page, sealed_page
from pipeline.index.db import RecordRow, SearchCriteria
from pipeline.ledger.entry import LedgerEntry, parse_time
from pipeline.ledger.log import Ledger
from pipeline.merkle import leaf_hash, verify_inclusion
from pipeline.storage.base import ObjectStore
from pipeline.trail.build import SharedItems, Trail, trail_from_entries
from pipeline.trail.evidence import LedgerRecords
from pipeline.trail.proofs import ProofContext, read_entries

log = structlog.get_logger(__name__)

FORMAT = bundle_verifier.FORMAT
CONTROL_PREFIX = "ML"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time zip can store: no wall clock in the archive
_CHUNK = 1 << 20  # bytes per read when a scratch file is copied into the bundle
_RUN = 20_000  # file records sorted in memory at a time (some 9 MB); longer lists are merged
_SHARED_CACHE_BYTES = 4 << 20  # entry bytes of shared entries kept decoded
# Bytes handed to the folder writer's threads and not yet written. A count of files
# alone let a 22 MB message, its attachments and its page wait at once (35 MiB over
# the export's level at 200,000 messages); a file larger than this still goes, alone.
_PENDING_BYTES = 8 << 20
_PROOF_RECORDS = 256  # records whose trails share one cache of inclusion proofs


def control_number(n: int) -> str:
    """The n-th document's control number (1-based), e.g. ``ML00000001``."""
    return f"{CONTROL_PREFIX}{n:08d}"


class _FileList:
    """Path, SHA-256 and size of every listed file, sorted by path when read back.

    Kept in sorted runs of at most ``_RUN`` records on disk and merged, so a
    manifest of millions of files needs no more memory than one run.
    """

    def __init__(self, scratch: Path) -> None:
        self._scratch = scratch
        self._run: list[tuple[str, str, int]] = []
        self._runs: list[Path] = []
        self.count = 0

    def add(self, path: str, sha256: str, size: int) -> None:
        """Remember one written file."""
        self._run.append((path, sha256, size))
        self.count += 1
        if len(self._run) >= _RUN:
            self._spill()

    def _spill(self) -> None:
        run = self._scratch / f"files-{len(self._runs)}.jsonl"
        with run.open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(item) + "\n" for item in sorted(self._run))
        self._runs.append(run)
        self._run = []

    def sorted(self) -> Iterator[tuple[str, str, int]]:
        """Every record in path order; :class:`ExportError` when two share a path."""
        self._spill()
        handles = [run.open(encoding="utf-8") for run in self._runs]
        try:
            runs = [(tuple(json.loads(line)) for line in handle) for handle in handles]
            last = None
            for path, sha256, size in heapq.merge(*runs):
                if path == last:
                    raise ExportError(f"two files in the export would be named {path}")
                last = path
                yield path, sha256, size
        finally:
            for handle in handles:
                handle.close()


class _JsonList:
    """A JSON array of objects written item by item as ``json.dumps(indent=1)`` would
    write it as the value of a top-level key of the manifest."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] = path.open("w", encoding="utf-8")
        self.count = 0

    def add(self, item: Mapping[str, Any]) -> None:
        """Append one item."""
        text = json.dumps(item, indent=1, sort_keys=True, ensure_ascii=False)
        # items of a list under a top-level key sit two levels deep: JSON text holds no
        # raw line breaks but those of its indentation, so each gains two spaces
        self._handle.write(("[\n  " if self.count == 0 else ",\n  ") + text.replace("\n", "\n  "))
        self.count += 1

    def chunks(self) -> Iterator[str]:
        """The whole array's text."""
        self._handle.close()
        if self.count == 0:
            yield "[]"
            return
        with self.path.open(encoding="utf-8") as handle:
            while chunk := handle.read(_CHUNK):
                yield chunk
        yield "\n ]"


class _EntrySpill:
    """The included ledger entries, in a scratch file in ledger order, read back by position.

    Entries in more than one trail still to be written are kept decoded in a small
    cache, bounded by their size, so an ``event.delivered`` listing the events of
    thousands of records is not decoded again for each of their trails. (One whose
    trail item is the same in every trail, an ``export.created`` among them, is read
    once: the export then keeps its item instead, see :func:`_trail_entry`.)
    """

    def __init__(self, path: Path, shared: Container[int]) -> None:
        self._handle = path.open("w+b")
        self._seqs = array("q")
        self._offsets = array("q")
        self._end = 0
        self._shared = shared
        self._cache: OrderedDict[int, LedgerEntry] = OrderedDict()
        self._cached_bytes = 0

    def add(self, entry: LedgerEntry) -> None:
        """Append the next entry (positions ascending)."""
        if self._seqs and entry.seq <= self._seqs[-1]:
            raise ExportError(f"ledger entry {entry.seq} was read out of order")
        self._handle.write(entry.raw)
        self._seqs.append(entry.seq)
        self._offsets.append(self._end)
        self._end += len(entry.raw)

    def __len__(self) -> int:
        return len(self._seqs)

    def _raw(self, i: int) -> bytes:
        end = self._offsets[i + 1] if i + 1 < len(self._offsets) else self._end
        return os.pread(self._handle.fileno(), end - self._offsets[i], self._offsets[i])

    def get(self, seq: int) -> LedgerEntry:
        """The entry at ``seq``, which must have been added."""
        cached = self._cache.get(seq)
        if cached is not None:
            self._cache.move_to_end(seq)
            return cached
        self._handle.flush()
        i = bisect.bisect_left(self._seqs, seq)
        if i == len(self._seqs) or self._seqs[i] != seq:
            raise ExportError(f"ledger entry {seq} was not read for the export")
        entry = LedgerEntry.decode(self._raw(i))
        if seq in self._shared:
            self._cache[seq] = entry
            self._cached_bytes += len(entry.raw)
            while self._cached_bytes > _SHARED_CACHE_BYTES and len(self._cache) > 1:
                _, dropped = self._cache.popitem(last=False)
                self._cached_bytes -= len(dropped.raw)
        return entry

    def forget(self, seq: int) -> None:
        """Let go of the decoded entry at ``seq`` if it is kept (it is not asked for again)."""
        dropped = self._cache.pop(seq, None)
        if dropped is not None:
            self._cached_bytes -= len(dropped.raw)

    def raw_in_order(self) -> Iterator[tuple[int, bytes]]:
        """Every entry's position and bytes, in ledger order."""
        self._handle.flush()
        for i, seq in enumerate(self._seqs):
            yield seq, self._raw(i)

    def close(self) -> None:
        """Close the scratch file."""
        self._handle.close()


class _Selection:
    """The records an export includes, by the position of each one's own entry, in ledger
    order; each row is made again from ``records`` when it is read."""

    def __init__(self, records: LedgerRecords, seqs: array[int]) -> None:
        self._records = records
        self._seqs = seqs

    def __len__(self) -> int:
        return len(self._seqs)

    def __iter__(self) -> Iterator[RecordRow]:
        for seq in self._seqs:
            row = self._records.at(seq)
            if row is None:  # cannot happen: the positions came from these records
                raise ExportError(f"no record at ledger position {seq}")
            yield row


class _Marks:
    """How many trails still to be written each position of the log is in, four bytes a
    position: which entries the export includes, which are in more than one trail left
    (worth keeping once read), and when one has been used by its last trail."""

    def __init__(self, size: int) -> None:
        self._uses = array("I", bytes(4 * size))
        self.shared = _SharedMarks(self._uses)

    def add(self, seqs: Sequence[int]) -> None:
        """The positions of one record's trail, before any trail is written."""
        uses = self._uses
        for seq in seqs:
            uses[seq] += 1

    def wanted(self) -> Iterator[int]:
        """Every included position, ascending (before any trail is written)."""
        return (seq for seq, uses in enumerate(self._uses) if uses)

    def written(self, seqs: Sequence[int]) -> list[int]:
        """One trail with ``seqs`` is written; the positions no trail left is in."""
        uses = self._uses
        done = []
        for seq in seqs:
            uses[seq] -= 1
            if not uses[seq]:
                done.append(seq)
        return done


class _SharedMarks:
    """``seq in shared``: whether the entry at ``seq`` is in more than one trail left."""

    def __init__(self, uses: array[int]) -> None:
        self._uses = uses

    def __contains__(self, seq: object) -> bool:
        return isinstance(seq, int) and 0 <= seq < len(self._uses) and self._uses[seq] > 1


class _Writer:
    """Writes bundle files and remembers each one's SHA-256 and size."""

    def __init__(self, files: _FileList) -> None:
        self.files = files

    def write(self, path: str, data: bytes, *, listed: bool = True) -> None:
        """Write one file (``listed`` False for manifest.json and verify.py)."""
        self._put(path, data)
        if listed:
            self.files.add(path, hashlib.sha256(data).hexdigest(), len(data))

    def write_copy(self, path: str, source: Path, *, listed: bool = True) -> str:
        """Write one file with the bytes of ``source``, read in chunks; return its SHA-256."""
        size = source.stat().st_size
        digest = hashlib.sha256()
        with source.open("rb") as src, self._open(path, size) as dest:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                dest.write(chunk)
        if listed:
            self.files.add(path, digest.hexdigest(), size)
        return digest.hexdigest()

    def _put(self, path: str, data: bytes) -> None:
        raise NotImplementedError

    def _open(self, path: str, size: int) -> IO[bytes]:
        raise NotImplementedError

    target: Path
    tmp: Path

    def finish(self) -> None:
        """Complete the bundle under its temporary name."""
        raise NotImplementedError

    def publish(self) -> None:
        """Make the finished bundle visible under its final name."""
        if self.target.exists():
            raise ExportError(
                f"{self.target} appeared while the export was written; the export stays at"
                f" {self.tmp}"
            )
        self.tmp.rename(self.target)

    def abort(self) -> None:
        """Remove what was written."""
        raise NotImplementedError

    def add_unlisted(self, files: Mapping[str, bytes]) -> None:
        """Add files to the finished bundle, outside the manifest (the seal)."""
        raise NotImplementedError


class _ByteBudget:
    """Bytes in flight, at most ``limit`` of them, or one item of any size alone."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._used = 0
        self._changed = threading.Condition()

    def take(self, size: int) -> None:
        """Wait until ``size`` more bytes fit (or nothing else is in flight), then hold them."""
        with self._changed:
            self._changed.wait_for(lambda: self._used == 0 or self._used + size <= self._limit)
            self._used += size

    def give(self, size: int) -> None:
        """Return ``size`` bytes taken before."""
        with self._changed:
            self._used -= size
            self._changed.notify_all()


class _DirWriter(_Writer):
    """A folder, written under a temporary name and renamed when complete."""

    def __init__(self, target: Path, files: _FileList) -> None:
        super().__init__(files)
        self.target = target
        self.tmp = target.with_name(target.name + ".partial")
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp.mkdir(parents=True)
        self._dirs: set[str] = set()
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="export")
        self._budget = _ByteBudget(_PENDING_BYTES)
        self._pending: list[Future[None]] = []

    def _folder(self, path: str) -> None:
        folder, _, _ = path.rpartition("/")
        if folder and folder not in self._dirs:
            (self.tmp / folder).mkdir(parents=True, exist_ok=True)
            self._dirs.add(folder)

    def _put(self, path: str, data: bytes) -> None:
        self._folder(path)
        # file creation, not hashing, bounds a folder export; threads overlap it (open and
        # write release the GIL). The budget caps the bytes waiting to be written.
        self._budget.take(len(data))
        self._pending.append(self._pool.submit(self._write_file, path, data))
        if len(self._pending) >= 1024:
            self._drain()

    def _open(self, path: str, size: int) -> IO[bytes]:
        self._folder(path)
        return (self.tmp / path).open("wb")

    def _write_file(self, path: str, data: bytes) -> None:
        try:
            with open(os.path.join(self.tmp, path), "wb") as handle:  # noqa: PTH118 - hot path
                handle.write(data)
        finally:
            self._budget.give(len(data))

    def _drain(self) -> None:
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()  # re-raises a failed write here, in the exporting thread

    def finish(self) -> None:
        self._drain()
        self._pool.shutdown()

    def abort(self) -> None:
        self._pool.shutdown(cancel_futures=True)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def add_unlisted(self, files: Mapping[str, bytes]) -> None:
        for path, data in files.items():
            target = self.tmp / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


class _ZipWriter(_Writer):
    """A zip archive with the tree at its top, fixed timestamps and modes."""

    def __init__(self, target: Path, files: _FileList) -> None:
        super().__init__(files)
        self.target = target
        self.tmp = target.with_name(target.name + ".partial")
        self.zip = zipfile.ZipFile(self.tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)

    def _put(self, path: str, data: bytes) -> None:
        _zip_member(self.zip, path, data)

    def _open(self, path: str, size: int) -> IO[bytes]:
        info = _zip_info(path)
        # the size known in advance, as writestr knows it: the member's header (and
        # whether it needs zip64 fields) is the same as if it had been written whole
        info.file_size = size
        return self.zip.open(info, "w")

    def finish(self) -> None:
        self.zip.close()

    def abort(self) -> None:
        self.zip.close()
        self.tmp.unlink(missing_ok=True)

    def add_unlisted(self, files: Mapping[str, bytes]) -> None:
        with zipfile.ZipFile(self.tmp, "a", compression=zipfile.ZIP_DEFLATED) as archive:
            for path, data in files.items():
                _zip_member(archive, path, data)


def _zip_info(path: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, whatever platform exports, so the bytes do not vary
    info.external_attr = 0o100644 << 16
    return info


def _zip_member(archive: zipfile.ZipFile, path: str, data: bytes) -> None:
    archive.writestr(_zip_info(path), data, compresslevel=6)


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote; the ``export.created`` entry is made from it."""

    path: Path
    manifest_sha256: str
    record_ids: tuple[str, ...]
    checkpoint_size: int
    files: int
    entries: int
    criteria: SearchCriteria
    verifier_sha256: str


def _date_sent(value: str | None) -> str:
    """The Date header as ISO 8601 UTC when it parses, else as written."""
    if not value:
        return ""
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return value
    if moment.tzinfo is None:
        return moment.isoformat()
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _addresses(parties: Sequence[Party]) -> str:
    return "; ".join(p.address for p in parties if p.address)


@dataclass
class StagedExport:
    """A complete export under its temporary name: record it, then publish or discard it.

    The archive service appends the ``export.created`` entry between the two, so no
    export is ever visible at its destination without its ledger entry.
    """

    result: ExportResult
    _writer: _Writer

    @property
    def staging_path(self) -> Path:
        """Where the export is until it is published."""
        return self._writer.tmp

    def publish(self) -> ExportResult:
        """Rename the export to its destination."""
        self._writer.publish()
        return self.result

    def discard(self) -> None:
        """Delete the staged export."""
        self._writer.abort()

    def seal(self, created: LedgerEntry, note: str, proof: Sequence[str], size: int) -> None:
        """Add the seal: the export's ``export.created`` entry, a signed checkpoint of
        ``size`` entries that covers it, and the entry's inclusion proof in that tree.

        Written outside the manifest (the entry records the manifest's hash), so the
        rest of the bundle stays byte-identical to a re-export with ``as_of``.
        """
        proof_doc = {"seq": created.seq, "tree_size": size, "proof": list(proof)}
        self._writer.add_unlisted(
            {
                bundle_verifier.SEAL_ENTRY: created.raw,
                bundle_verifier.SEAL_CHECKPOINT: note.encode(),
                bundle_verifier.SEAL_PROOF: (json.dumps(proof_doc, indent=1) + "\n").encode(),
            }
        )


class _TextSpill:
    """A UTF-8 scratch file written as text, later copied into the bundle."""

    def __init__(self, path: Path, start: str = "") -> None:
        self.path = path
        # newline="": CRLF record ends are written as they are, never translated
        self._handle: IO[str] = path.open("w", encoding="utf-8", newline="")
        self._handle.write(start)

    def write(self, text: str) -> None:
        """Append text."""
        self._handle.write(text)

    def close(self) -> Path:
        """Finish the file and return its path."""
        self._handle.close()
        return self.path


@dataclass
class _Outputs:
    """Where the whole-export documents go while records are written, one row at a time."""

    dat: _TextSpill
    csv: _TextSpill
    listing: _TextSpill
    records: _JsonList
    summary: Summary

    @classmethod
    def open(cls, scratch: Path) -> _Outputs:
        return cls(
            dat=_TextSpill(scratch / "export.dat", dat_header()),
            csv=_TextSpill(scratch / "export.csv", csv_header()),
            listing=_TextSpill(scratch / "listing.html"),
            records=_JsonList(scratch / "records.json"),
            summary=Summary(),
        )

    def load_row(self, row: Mapping[str, str]) -> None:
        """One row of both load files."""
        if not set(FIELDS) >= row.keys():
            raise ExportError(f"a load-file row has fields outside the load file: {sorted(row)}")
        self.dat.write(dat_row(row))
        self.csv.write(csv_row(row))

    def counted(self, control: str, trail: Trail) -> None:
        """Count one record in the summary and list it in ``index.html``."""
        self.listing.write(self.summary.add(control, trail) + "\n")


def remove_scratch(scratch: Path) -> None:
    """Remove an export's scratch directory; what cannot be removed is logged (the path
    only: the files hold borrowers' mail) so an operator can delete it."""
    failed: list[str] = []

    def note(_function: object, path: str, _info: object) -> None:
        failed.append(path)

    shutil.rmtree(scratch, onerror=note)
    if failed and scratch.exists():
        log.error(
            "export.scratch_not_removed",
            scratch=str(scratch),
            paths=len(failed),
            action="delete this directory: it holds copies of exported records",
        )


def scratch_beside(out: Path) -> Path:
    """A new scratch directory next to the export ``out`` (same file system, same
    access as the export itself), for every scratch file an export writes; the caller
    removes it when the export ends, however it ends."""
    if out.exists():
        raise ExportExistsError(f"{out} already exists; choose a new path for the export")
    try:
        return Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".scratch", dir=out.parent))
    except OSError as exc:
        # the folder, not the records, is at fault: the same export succeeds elsewhere
        raise ExportWriteError(
            f"cannot write next to {out} ({exc.strerror}); choose a folder that exists"
            " and is writable for the export"
        ) from exc


def stage_export(
    *,
    out: Path,
    scratch: Path,
    ledger: Ledger,
    store: ObjectStore,
    records: LedgerRecords,
    criteria: SearchCriteria,
    actor: str,
    reason: str,
    text_seqs: set[int] | None = None,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> StagedExport:
    """Write the export of the records matching ``criteria`` for ``out`` (folder or .zip).

    The export is written under a temporary name next to ``out``; it reaches ``out``
    only through :meth:`StagedExport.publish`. ``records`` is the log a signed
    checkpoint covers, read and checked against its root: membership, flags and each
    record's entries come from it, never from the search index. ``text_seqs`` are
    the positions the text and deadline-status filters allow (None without either).
    Scratch files go in the directory ``scratch`` (see :func:`scratch_beside`), which
    the caller removes.
    """
    if out.exists():
        raise ExportExistsError(f"{out} already exists; choose a new path for the export")
    if criteria.text and text_seqs is None:
        raise ExportError("an export by words needs the positions where the words were found")
    proofs = records.proofs
    size = proofs.size
    # created_at and "as of" come from the log, not the clock, so a re-export is identical
    as_of_time = ledger.entry(size - 1).time
    now = parse_time(as_of_time)
    # Every record the filters match, unpaged; sealed messages not yet assembled are
    # exported too, as their original bytes.
    wanted = replace(
        criteria,
        types=(names.MESSAGE_RECEIVED, names.MESSAGE_SEALED),
        limit=None,
        offset=0,
        newest_first=False,
        order="position",
    )
    # positions only: a row is made again from the records when its turn comes, so the
    # export holds 8 bytes per record instead of every row object at once
    rows = _Selection(records, array("q", (r.seq for r in records.select(wanted, text_seqs))))
    if not rows:
        raise ExportError("no records match the export criteria")

    # Status and linked replies come from the one case model, over the log the checkpoint
    # covers, so the pages say what 'cases' and 'trail' say.
    cases = read_record_cases(ledger.entries(0, size), store, now, scratch, policy)
    try:
        return _stage(
            out,
            scratch,
            ledger,
            store,
            records,
            rows,
            wanted,
            cases,
            actor,
            reason,
            policy,
            size,
            now,
        )
    finally:
        cases.close()


def _stage(
    out: Path,
    scratch_root: Path,
    ledger: Ledger,
    store: ObjectStore,
    records: LedgerRecords,
    rows: _Selection,
    wanted: SearchCriteria,
    cases: RecordCases,
    actor: str,
    reason: str,
    policy: ClockPolicy,
    size: int,
    now: datetime,
) -> StagedExport:
    """The export's files, given its records and their case model (see :func:`stage_export`)."""
    proofs = records.proofs
    as_of_time = ledger.entry(size - 1).time

    def trail_seqs(record_id: str) -> list[int]:
        """Every entry of the record's trail that the checkpoint covers."""
        linked = {lk.seq for lk in records.links(record_id)}
        return sorted(linked | set(cases.response_seqs(record_id)))

    # four bytes per position of the log, not a set of ints: which entries the export
    # includes, and how many of the trails still to be written each one is in
    marks = _Marks(size)
    for r in rows:
        marks.add(trail_seqs(r.record_id))
    shared = marks.shared
    # scratch space beside the export (same file system), removed however the export ends
    scratch = Path(tempfile.mkdtemp(prefix="bundle-", dir=scratch_root))
    files = _FileList(scratch)
    entries = _EntrySpill(scratch / "entries", shared)
    writer: _Writer | None = None
    try:
        for entry in read_entries(ledger, marks.wanted()):
            entries.add(entry)
        # the pass over the records reads entries from the scratch file, not the ledger:
        # the last batches the ledger keeps (as lines, some 20 KB per record) would only
        # sit idle
        ledger.release_cache()
        writer = _ZipWriter(out, files) if out.suffix.lower() == ".zip" else _DirWriter(out, files)
        outputs = _Outputs.open(scratch)
        _write_records(
            writer,
            rows,
            trail_seqs,
            entries,
            store,
            proofs,
            policy,
            now,
            cases,
            outputs,
            marks,
            SharedItems(shared),
        )
        writer.write_copy("loadfiles/export.dat", outputs.dat.close())
        writer.write_copy("loadfiles/export.csv", outputs.csv.close())
        manifest_entries = _JsonList(scratch / "entries.json")
        for seq, raw in entries.raw_in_order():
            path = f"ledger/{seq:016d}.json"
            writer.write(path, raw)
            leaf_hex, path_hex = _prove(proofs, seq, raw)
            manifest_entries.add(
                {"seq": seq, "file": path, "leaf_hash": leaf_hex, "proof": path_hex}
            )
        writer.write("checkpoint.txt", proofs.checkpoint.note.encode())
        keys = [k for k in ledger.verifier_keys if k.name == proofs.checkpoint.key_name]
        writer.write("public-key.txt", "".join(k.to_text() + "\n" for k in keys).encode())
        meta = {
            "created_at": as_of_time,
            "actor": actor,
            "reason": reason,
            "log_origin": proofs.checkpoint.checkpoint.origin,
            "checkpoint size": size,
            "checkpoint root": proofs.root.hex(),
            "records": len(rows),
        }
        page = scratch / "index.html"
        with page.open("wb") as handle:
            listing = outputs.listing.close()
            with listing.open(encoding="utf-8", newline="") as lines:
                for chunk in index_page(outputs.summary, meta, (li[:-1] for li in lines)):
                    handle.write(chunk)
        writer.write_copy("index.html", page)
        listed_files = files.count
        manifest = scratch / "manifest.json"
        with manifest.open("w", encoding="utf-8") as text_out:
            text_out.writelines(
                _manifest_chunks(
                    {
                        "format": FORMAT,
                        "created_at": as_of_time,
                        "actor": actor,
                        "reason": reason,
                        "criteria": wanted.to_json(),
                        "log_origin": proofs.checkpoint.checkpoint.origin,
                        "checkpoint": {
                            "size": size,
                            "root": proofs.root.hex(),
                            "file": "checkpoint.txt",
                        },
                    },
                    {
                        "files": _files_list(files, scratch / "files.json").chunks(),
                        "entries": manifest_entries.chunks(),
                        "records": outputs.records.chunks(),
                    },
                )
            )
        manifest_sha256 = writer.write_copy("manifest.json", manifest, listed=False)
        verifier = Path(bundle_verifier.__file__).read_bytes()
        writer.write("verify.py", verifier, listed=False)
        writer.finish()
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        entries.close()
        remove_scratch(scratch)
    log.info("export.written", records=len(rows), entries=len(entries), checkpoint=size)
    result = ExportResult(
        path=out,
        manifest_sha256=manifest_sha256,
        record_ids=tuple(r.record_id for r in rows),
        checkpoint_size=size,
        files=listed_files,
        entries=len(entries),
        criteria=wanted,
        verifier_sha256=hashlib.sha256(verifier).hexdigest(),
    )
    return StagedExport(result, writer)


def _prove(proofs: ProofContext, seq: int, raw: bytes) -> tuple[str, list[str]]:
    """The leaf hash and audit path of the entry at ``seq``, checked against the root."""
    leaf = leaf_hash(raw)
    path = proofs.tree.inclusion_proof(seq) if seq < proofs.size else []
    if not verify_inclusion(leaf, seq, proofs.size, path, proofs.root):
        raise ExportError(f"ledger entry {seq} does not verify against the checkpoint")
    return leaf.hex(), [p.hex() for p in path]


def _files_list(files: _FileList, path: Path) -> _JsonList:
    listed = _JsonList(path)
    for name, sha256, size in files.sorted():
        listed.add({"path": name, "sha256": sha256, "size": size})
    return listed


def _manifest_chunks(small: Mapping[str, Any], lists: Mapping[str, Iterator[str]]) -> Iterator[str]:
    """``json.dumps(small | lists, indent=1, sort_keys=True, ensure_ascii=False) + "\\n"``,
    with each long list streamed from its chunks instead of held in memory."""
    marks = {name: f"@@{secrets.token_hex(16)}@@" for name in lists}
    text = json.dumps({**small, **marks}, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    # a marker appears quoted exactly once, where its list goes (a marker inside another
    # string would have its quotes escaped)
    order = sorted(lists, key=lambda name: text.index(f'"{marks[name]}"'))
    for name in order:
        before, text = text.split(f'"{marks[name]}"', 1)
        yield before
        yield from lists[name]
    yield text


def _write_records(
    writer: _Writer,
    rows: _Selection,
    trail_seqs: Callable[[str], list[int]],
    entries: _EntrySpill,
    store: ObjectStore,
    proofs: ProofContext,
    policy: ClockPolicy,
    now: datetime,
    cases: RecordCases,
    out: _Outputs,
    marks: _Marks,
    shared: SharedItems,
) -> None:
    """Natives, attachments, text and pages of each record, one record at a time."""
    record_proofs = proofs
    for n, row in enumerate(rows, start=1):
        control = control_number(n)
        seqs = trail_seqs(row.record_id)
        own_entry = entries.get(row.seq)
        # a fresh context every _PROOF_RECORDS records: its cache proves an entry shared by
        # many trails once, and would otherwise grow with the export
        if n % _PROOF_RECORDS == 1:
            record_proofs = ProofContext(proofs.checkpoint, proofs.tree)
        trail_entries = [
            own_entry
            if s == row.seq
            else _trail_entry(s, row.record_id, entries, shared, record_proofs)
            for s in seqs
        ]
        own = decode(own_entry).body
        trail = trail_from_entries(
            row,
            trail_entries,
            record_proofs,
            policy,
            now,
            cases.for_record(row.record_id),
            shared,
        )
        # an entry in no trail left is let go: kept items grow with the entries shared by
        # the trails still to come, not with every entry the export has shared so far
        for seq in marks.written(seqs):
            shared.release(seq)
            entries.forget(seq)
        if isinstance(own, MessageSealed):
            record, dat = _write_sealed(writer, control, row, own, store, trail)
            record["trail"] = seqs
            out.counted(control, trail)
            out.records.add(record)
            out.load_row(dat)
            continue
        body = decode_record(own_entry).body
        if body.raw is None:
            raise ExportError(f"record {row.record_id}: its entry names no raw message")
        raw = _fetch(store, body.raw.key, row.record_id)
        if hashlib.sha256(raw).hexdigest() != row.raw_sha256:
            raise ExportError(f"record {row.record_id}: stored raw message does not match its hash")
        native = f"natives/{control}.eml"
        writer.write(native, raw)
        del raw
        headers = body.headers
        common = {
            "BegAttach": control,
            "Custodian": row.mailbox,
            "Escalated": "Y" if row.escalated else "N",
            "Category": body.classification.category or "",
        }
        attachments: list[dict[str, str]] = []
        attachment_rows: list[dict[str, str]] = []
        paths: dict[str, str] = {}
        number = 0
        for a in body.attachments:
            # quarantined (rejected) attachments are withheld: listed with their verdict in
            # the page, never shipped, so a production cannot carry malware to an examiner
            if a.verdict != "accepted":
                continue
            sha = a.sha256
            if sha in paths:
                continue  # the same file attached twice is shipped once
            number += 1
            doc = f"{control}.{number:04d}"
            path = "natives/" + prefixed_component(f"{doc}_", a.safe_filename or "attachment")
            data = _fetch(store, a.key, row.record_id)
            writer.write(path, data)
            paths[sha] = path
            attachments.append({"sha256": sha, "path": path})
            attachment_rows.append(
                common
                | {
                    "DocID": doc,
                    "FileName": a.filename or a.safe_filename or "",
                    "SHA256": sha,
                    "NativePath": path,
                }
            )
        text = _text(body, store, row.record_id)
        text_path = f"text/{control}.txt"
        writer.write(text_path, text.encode("utf-8"))
        if not trail.verified:
            raise ExportError(f"record {row.record_id}: a trail entry does not verify")
        writer.write(f"html/{control}.html", message_page(control, body, text, paths, trail))
        out.counted(control, trail)
        end = attachment_rows[-1]["DocID"] if attachment_rows else control
        out.load_row(
            common
            | {
                "DocID": control,
                "EndAttach": end,
                "From": _addresses(headers.from_),
                "To": _addresses(headers.to),
                "CC": _addresses(headers.cc),
                "Subject": headers.subject,
                "DateSent": _date_sent(headers.date),
                "DateReceived": row.received,
                "FileName": f"{control}.eml",
                "SHA256": row.raw_sha256,
                "NativePath": native,
                "TextPath": text_path,
            }
        )
        for attachment_row in attachment_rows:
            out.load_row(attachment_row | {"EndAttach": end})
        out.records.add(
            {
                "record_id": row.record_id,
                "control_number": control,
                "received_seq": row.seq,
                "raw_sha256": row.raw_sha256,
                "native": native,
                "attachments": attachments,
                "trail": seqs,
            }
        )


def _trail_entry(
    seq: int, record_id: str, entries: _EntrySpill, shared: SharedItems, proofs: ProofContext
) -> LedgerEntry | int:
    """The entry at ``seq`` for a record's trail, or its position once ``shared`` holds its
    item (then it is not read nor decoded again)."""
    if shared.holds(seq):
        return seq
    entry = entries.get(seq)
    if not shared.keeps(entry):
        return entry
    # made into its item at once, and the decoded entry let go: a trail with several
    # entries naming every record (two for each full export, some 6 MB each at 200,000
    # messages) holds one of them at a time
    shared.item(entry, record_id, proofs)
    entries.forget(seq)
    return seq


def _write_sealed(
    writer: _Writer,
    control: str,
    row: RecordRow,
    seal: MessageSealed,
    store: ObjectStore,
    trail: Trail,
) -> tuple[dict[str, Any], dict[str, str]]:
    """A message sealed but not yet assembled: its original bytes, source and trail."""
    if not trail.verified:
        raise ExportError(f"record {row.record_id}: a trail entry does not verify")
    raw = _fetch(store, seal.raw.key, row.record_id)
    if hashlib.sha256(raw).hexdigest() != row.raw_sha256:
        raise ExportError(f"record {row.record_id}: stored raw message does not match its hash")
    native = f"natives/{control}.eml"
    writer.write(native, raw)
    del raw
    writer.write(f"html/{control}.html", sealed_page(control, seal, trail))
    dat = {
        "DocID": control,
        "BegAttach": control,
        "EndAttach": control,
        "Custodian": row.mailbox,
        "DateReceived": row.received,
        "FileName": f"{control}.eml",
        "SHA256": row.raw_sha256,
        "NativePath": native,
    }
    record = {
        "record_id": row.record_id,
        "control_number": control,
        "received_seq": row.seq,
        "raw_sha256": row.raw_sha256,
        "native": native,
        "attachments": [],
        "assembled": False,
    }
    return record, dat


def _fetch(store: ObjectStore, key: str, record_id: str) -> bytes:
    try:
        return store.get(key)
    except IntegrityError as exc:
        raise ExportError(
            f"record {record_id}: stored object {key} changed since it was written ({exc});"
            " run 'mailledger verify'"
        ) from exc


def _text(body: RecordBody, store: ObjectStore, record_id: str) -> str:
    """The plain text body, else the text extracted from HTML, else nothing."""
    for ref in (body.bodies.text, body.bodies.html_text):
        if ref is not None:
            return _fetch(store, ref.key, record_id).decode("utf-8", errors="replace")
    return ""
