"""Builds a real export bundle with the project's own ledger, Merkle tree and signer.

The layout follows the contract in the verifier's module docstring. Between the
exported receipts the log holds other entries (acknowledgments) that are not
exported, and the checkpoint is later than the last exported entry, as in life.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pipeline.export.bundle_verifier as bundle_verifier
from pipeline.ledger.checkpoint import Checkpoint, SigningKey
from pipeline.ledger.entry import GENESIS_PREV, EntryDraft, LedgerEntry
from pipeline.merkle import MerkleTree

ORIGIN = "log.example.com/mailledger"
LOG_KEY = SigningKey.from_seed(ORIGIN, hashlib.sha256(b"log key for tests").digest())
VERIFIER_SOURCE = Path(bundle_verifier.__file__)


@dataclass(frozen=True)
class Built:
    """Where the bundle is and what went into it."""

    root: Path
    key: SigningKey
    record_ids: list[str]
    receipt_seqs: list[int]
    checkpoint_size: int


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_bundle(
    root: Path,
    records: int = 3,
    key: SigningKey = LOG_KEY,
    trailing_entries: int = 4,
    attachment_bytes: int = 200,
) -> Built:
    """Write a complete, valid bundle into ``root`` and return what it holds."""
    root.mkdir(parents=True, exist_ok=True)
    start = datetime(2026, 11, 2, 14, 30, tzinfo=UTC)
    entries: list[LedgerEntry] = []
    natives: dict[str, bytes] = {}
    attachments: dict[str, list[tuple[str, bytes]]] = {}
    receipts: dict[str, int] = {}

    def append(draft: EntryDraft) -> LedgerEntry:
        prev = entries[-1].entry_hash if entries else GENESIS_PREV
        entry = LedgerEntry.build(len(entries), prev, draft)
        entries.append(entry)
        return entry

    for i in range(records):
        rid = f"R-{i:06d}"
        raw = (
            f"From: borrower{i}@example.net\r\nTo: servicing@example.com\r\n"
            f"Subject: Notice of error {i}\r\nMessage-ID: <{i}@example.net>\r\n\r\n"
            f"Please correct my escrow account, letter {i}.\r\n"
        ).encode()
        files = [(f"statement-{i}.pdf", b"%PDF-1.7 " + bytes([i % 256]) * attachment_bytes)]
        natives[rid] = raw
        attachments[rid] = files
        when = start + timedelta(minutes=i)
        entry = append(
            EntryDraft(
                type="message.received",
                actor="worker:ingest-1/100",
                time=when,
                body={
                    "record_id": rid,
                    "mailbox": "servicing",
                    "raw": {"sha256": sha256(raw), "size": len(raw)},
                    "attachments": [
                        {"sha256": sha256(data), "filename": name, "size": len(data)}
                        for name, data in files
                    ],
                },
            )
        )
        receipts[rid] = entry.seq
        append(
            EntryDraft(
                type="acknowledgment.sent",
                actor="handler:ack",
                time=when + timedelta(seconds=5),
                body={"record_id": rid},
            )
        )
    for j in range(trailing_entries):
        append(EntryDraft("access.viewed", {"n": j}, "user:examiner", start + timedelta(days=1)))

    tree = MerkleTree([e.leaf_hash for e in entries])
    size = tree.size
    note = Checkpoint(ORIGIN, size, tree.root()).sign(key)

    def write(rel: str, data: bytes) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    write("checkpoint.txt", note.encode())
    write("public-key.txt", (key.verifier.to_text() + "\n").encode())
    manifest_entries = []
    for seq in sorted(receipts.values()):
        entry = entries[seq]
        name = f"ledger/{seq:016d}.json"
        write(name, entry.raw)
        manifest_entries.append(
            {
                "seq": seq,
                "file": name,
                "leaf_hash": entry.leaf_hash.hex(),
                "proof": [p.hex() for p in tree.inclusion_proof(seq, size)],
            }
        )
    manifest_records = []
    dat_lines = ["BEGBATES\u0014SHA256"]
    for rid, raw in natives.items():
        write(f"natives/{rid}.eml", raw)
        write(f"text/{rid}.txt", raw.split(b"\r\n\r\n", 1)[1])
        atts = []
        for name, data in attachments[rid]:
            rel = f"natives/{rid}/{name}"
            write(rel, data)
            atts.append({"sha256": sha256(data), "path": rel})
        manifest_records.append(
            {
                "record_id": rid,
                "received_seq": receipts[rid],
                "raw_sha256": sha256(raw),
                "native": f"natives/{rid}.eml",
                "attachments": atts,
            }
        )
        dat_lines.append(f"{rid}\u0014{sha256(raw)}")
    write("loadfiles/export.dat", "\r\n".join(dat_lines).encode())
    write("index.html", b"<!doctype html><title>Export</title>")

    files = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel in ("manifest.json", "verify.py"):
            continue
        data = path.read_bytes()
        files.append({"path": rel, "sha256": sha256(data), "size": len(data)})
    manifest = {
        "format": "mailledger-export/1",
        "created_at": "2026-11-03T09:00:00.000000Z",
        "actor": "user:records-officer",
        "reason": "CFPB examination request 2026-17",
        "criteria": {"mailbox": "servicing"},
        "log_origin": ORIGIN,
        "checkpoint": {"size": size, "root": tree.root().hex(), "file": "checkpoint.txt"},
        "files": files,
        "entries": manifest_entries,
        "records": manifest_records,
    }
    write_manifest(root, manifest)
    shutil.copyfile(VERIFIER_SOURCE, root / "verify.py")
    # the seal: the export's own entry records the manifest and verifier hashes, and a
    # checkpoint signed after it covers it
    created = append(
        EntryDraft(
            type="export.created",
            actor="user:records-officer",
            time=start + timedelta(days=2),
            body={
                "record_ids": sorted(natives),
                "manifest_sha256": sha256((root / "manifest.json").read_bytes()),
                "verifier_sha256": sha256(VERIFIER_SOURCE.read_bytes()),
                "checkpoint_size": size,
            },
        )
    )
    sealed = MerkleTree([e.leaf_hash for e in entries])
    write("seal/export-created.json", created.raw)
    write("seal/checkpoint.txt", Checkpoint(ORIGIN, sealed.size, sealed.root()).sign(key).encode())
    proof = [p.hex() for p in sealed.inclusion_proof(created.seq, sealed.size)]
    write("seal/proof.json", json.dumps({"seq": created.seq, "proof": proof}).encode())
    return Built(root, key, list(natives), sorted(receipts.values()), size)


def read_manifest(root: Path) -> dict:
    return json.loads((root / "manifest.json").read_text(encoding="utf-8"))


def write_manifest(root: Path, manifest: dict) -> None:
    (root / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")


def relist(root: Path, rel: str) -> None:
    """Update the manifest's hash and size of one file, as a careful forger would."""
    manifest = read_manifest(root)
    data = (root / rel).read_bytes()
    for item in manifest["files"]:
        if item["path"] == rel:
            item["sha256"], item["size"] = sha256(data), len(data)
    write_manifest(root, manifest)
