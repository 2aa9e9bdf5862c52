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

Memory: natives and attachments are read, written and hashed one at a time;
only ledger entries (small) and per-record summaries are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import zipfile
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import structlog

import pipeline.export.bundle_verifier as bundle_verifier
from pipeline.cases.read import CaseView, read_cases
from pipeline.classify.clocks import DEFAULT_POLICY, ClockPolicy
from pipeline.entries import decode, decode_record, names
from pipeline.entries.models import MessageSealed, Party, RecordBody
from pipeline.errors import ExportError, IntegrityError
from pipeline.export.loadfile import FIELDS, write_csv, write_dat
from pipeline.export.pages import Summary, index_page, message_page, sealed_page
from pipeline.index.db import RecordRow, SearchCriteria
from pipeline.ledger.entry import LedgerEntry, parse_time
from pipeline.ledger.log import Ledger
from pipeline.storage.base import ObjectStore
from pipeline.trail.build import Trail, trail_from_entries
from pipeline.trail.evidence import LedgerRecords
from pipeline.trail.proofs import ProofContext, read_entries

log = structlog.get_logger(__name__)

FORMAT = bundle_verifier.FORMAT
CONTROL_PREFIX = "ML"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time zip can store: no wall clock in the archive


def control_number(n: int) -> str:
    """The n-th document's control number (1-based), e.g. ``ML00000001``."""
    return f"{CONTROL_PREFIX}{n:08d}"


class _Writer:
    """Writes bundle files and remembers each one's SHA-256 and size."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, int]] = {}

    def write(self, path: str, data: bytes, *, listed: bool = True) -> None:
        """Write one file (``listed`` False for manifest.json and verify.py)."""
        if path in self.files:
            raise ExportError(f"two files in the export would be named {path}")
        self._put(path, data)
        if listed:
            self.files[path] = (hashlib.sha256(data).hexdigest(), len(data))

    def _put(self, path: str, data: bytes) -> None:
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


class _DirWriter(_Writer):
    """A folder, written under a temporary name and renamed when complete."""

    def __init__(self, target: Path) -> None:
        super().__init__()
        self.target = target
        self.tmp = target.with_name(target.name + ".partial")
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp.mkdir(parents=True)
        self._dirs: set[str] = set()
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="export")
        self._slots = threading.BoundedSemaphore(256)
        self._pending: list[Future[None]] = []

    def _put(self, path: str, data: bytes) -> None:
        folder, _, _ = path.rpartition("/")
        if folder and folder not in self._dirs:
            (self.tmp / folder).mkdir(parents=True, exist_ok=True)
            self._dirs.add(folder)
        # file creation, not hashing, bounds a folder export; threads overlap it (open and
        # write release the GIL). The semaphore caps the bytes waiting to be written.
        self._slots.acquire()
        self._pending.append(self._pool.submit(self._write_file, path, data))
        if len(self._pending) >= 1024:
            self._drain()

    def _write_file(self, path: str, data: bytes) -> None:
        try:
            with open(os.path.join(self.tmp, path), "wb") as handle:  # noqa: PTH118 - hot path
                handle.write(data)
        finally:
            self._slots.release()

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

    def __init__(self, target: Path) -> None:
        super().__init__()
        self.target = target
        self.tmp = target.with_name(target.name + ".partial")
        self.zip = zipfile.ZipFile(self.tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6)

    def _put(self, path: str, data: bytes) -> None:
        _zip_member(self.zip, path, data)

    def finish(self) -> None:
        self.zip.close()

    def abort(self) -> None:
        self.zip.close()
        self.tmp.unlink(missing_ok=True)

    def add_unlisted(self, files: Mapping[str, bytes]) -> None:
        with zipfile.ZipFile(self.tmp, "a", compression=zipfile.ZIP_DEFLATED) as archive:
            for path, data in files.items():
                _zip_member(archive, path, data)


def _zip_member(archive: zipfile.ZipFile, path: str, data: bytes) -> None:
    info = zipfile.ZipInfo(path, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, whatever platform exports, so the bytes do not vary
    info.external_attr = 0o100644 << 16
    archive.writestr(info, data, compresslevel=6)


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


def stage_export(
    *,
    out: Path,
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
    """
    if out.exists():
        raise ExportError(f"{out} already exists; choose a new path for the export")
    if criteria.text and text_seqs is None:
        raise ExportError("an export by words needs the positions where the words were found")
    proofs = records.proofs
    size = proofs.size
    # created_at and "as of" come from the log, not the clock, so a re-export is identical
    as_of_time = ledger.entry(size - 1).time
    now = parse_time(as_of_time)
    wanted = SearchCriteria(
        received_from=criteria.received_from,
        received_to=criteria.received_to,
        mailbox=criteria.mailbox,
        sender=criteria.sender,
        account=criteria.account,
        category=criteria.category,
        escalated=criteria.escalated,
        text=criteria.text,
        request_kind=criteria.request_kind,
        escalation_family=criteria.escalation_family,
        rule=criteria.rule,
        language=criteria.language,
        attachment_verdict=criteria.attachment_verdict,
        deadline_status=criteria.deadline_status,
        # sealed messages not yet assembled are exported too, as their original bytes
        types=(names.MESSAGE_RECEIVED, names.MESSAGE_SEALED),
    )
    rows = list(records.select(wanted, text_seqs))
    if not rows:
        raise ExportError("no records match the export criteria")

    # every entry of every record's trail that the checkpoint covers
    # Status and linked replies come from the one case model, over the log the checkpoint
    # covers, so the pages say what 'cases' and 'trail' say.
    cases = read_cases(ledger.entries(0, size), store, now, policy)
    links = {
        r.record_id: sorted(
            {lk.seq for lk in records.links(r.record_id)} | set(cases.response_seqs(r.record_id))
        )
        for r in rows
    }
    entries: dict[int, LedgerEntry] = {
        e.seq: e for e in read_entries(ledger, {s for seqs in links.values() for s in seqs})
    }

    writer: _Writer = _ZipWriter(out) if out.suffix.lower() == ".zip" else _DirWriter(out)
    try:
        manifest_records, dat_rows, summary = _write_records(
            writer, rows, links, entries, store, proofs, policy, now, cases
        )
        writer.write("loadfiles/export.dat", write_dat(dat_rows))
        writer.write("loadfiles/export.csv", write_csv(dat_rows))
        manifest_entries = []
        for seq in sorted(entries):
            entry = entries[seq]
            path = f"ledger/{seq:016d}.json"
            writer.write(path, entry.raw)
            proof = proofs.prove(entry)
            if not proof.verified:
                raise ExportError(f"ledger entry {seq} does not verify against the checkpoint")
            manifest_entries.append(
                {"seq": seq, "file": path, "leaf_hash": proof.leaf_hash, "proof": list(proof.path)}
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
        writer.write("index.html", index_page(summary, meta))
        manifest = {
            "format": FORMAT,
            "created_at": as_of_time,
            "actor": actor,
            "reason": reason,
            "criteria": wanted.to_json(),
            "log_origin": proofs.checkpoint.checkpoint.origin,
            "checkpoint": {"size": size, "root": proofs.root.hex(), "file": "checkpoint.txt"},
            "files": [
                {"path": p, "sha256": sha, "size": n}
                for p, (sha, n) in sorted(writer.files.items())
            ],
            "entries": manifest_entries,
            "records": manifest_records,
        }
        manifest_bytes = (
            json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        ).encode()
        writer.write("manifest.json", manifest_bytes, listed=False)
        verifier = Path(bundle_verifier.__file__).read_bytes()
        writer.write("verify.py", verifier, listed=False)
        writer.finish()
    except BaseException:
        writer.abort()
        raise
    log.info("export.written", records=len(rows), entries=len(entries), checkpoint=size)
    result = ExportResult(
        path=out,
        manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
        record_ids=tuple(r.record_id for r in rows),
        checkpoint_size=size,
        files=len(writer.files),
        entries=len(entries),
        criteria=wanted,
        verifier_sha256=hashlib.sha256(verifier).hexdigest(),
    )
    return StagedExport(result, writer)


def _write_records(
    writer: _Writer,
    rows: list[RecordRow],
    links: Mapping[str, list[int]],
    entries: Mapping[int, LedgerEntry],
    store: ObjectStore,
    proofs: ProofContext,
    policy: ClockPolicy,
    now: datetime,
    cases: CaseView,
) -> tuple[list[dict[str, Any]], list[dict[str, str]], Summary]:
    """Natives, attachments, text and pages of each record, one record at a time."""
    manifest_records: list[dict[str, Any]] = []
    dat_rows: list[dict[str, str]] = []
    summary = Summary()
    for n, row in enumerate(rows, start=1):
        control = control_number(n)
        own = decode(entries[row.seq]).body
        if isinstance(own, MessageSealed):
            trail = trail_from_entries(
                row,
                [entries[s] for s in links[row.record_id]],
                proofs,
                policy,
                now,
                cases.for_record(row.record_id),
            )
            record, dat = _write_sealed(writer, control, row, own, store, trail)
            record["trail"] = list(links[row.record_id])
            summary.add(control, trail)
            manifest_records.append(record)
            dat_rows.append(dat)
            continue
        body = decode_record(entries[row.seq]).body
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
            path = f"natives/{doc}_{a.safe_filename or 'attachment'}"
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
        trail = trail_from_entries(
            row,
            [entries[s] for s in links[row.record_id]],
            proofs,
            policy,
            now,
            cases.for_record(row.record_id),
        )
        if not trail.verified:
            raise ExportError(f"record {row.record_id}: a trail entry does not verify")
        writer.write(f"html/{control}.html", message_page(control, body, text, paths, trail))
        summary.add(control, trail)
        end = attachment_rows[-1]["DocID"] if attachment_rows else control
        dat_rows.append(
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
        dat_rows.extend(r | {"EndAttach": end} for r in attachment_rows)
        manifest_records.append(
            {
                "record_id": row.record_id,
                "control_number": control,
                "received_seq": row.seq,
                "raw_sha256": row.raw_sha256,
                "native": native,
                "attachments": attachments,
                "trail": list(links[row.record_id]),
            }
        )
    assert set(FIELDS) >= set(dat_rows[0])  # every row uses the load-file fields only
    return manifest_records, dat_rows, summary


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
