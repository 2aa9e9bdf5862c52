"""``mailledger verify``: recompute the ledger from storage and locate the first damage."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import structlog

from pipeline.errors import IntegrityError, LedgerError, ObjectNotFoundError, StorageError
from pipeline.hashing import is_sha256_hex, object_key
from pipeline.ledger import layout
from pipeline.ledger.audit import (
    CheckpointFinding,
    Fault,
    Problem,
    StoredLine,
    chain_links,
    check_chain,
    check_checkpoints,
    check_earlier_checkpoint,
)
from pipeline.ledger.checkpoint import VerifierKey
from pipeline.ledger.entry import LedgerEntry
from pipeline.merkle import MerkleTree, leaf_hash
from pipeline.storage.base import ObjectStore

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class VerifyReport:
    """Outcome of a full verification."""

    size: int
    problems: list[Problem]
    checkpoints: list[CheckpointFinding]
    objects_checked: int
    disposed: int
    unsigned_tail: int
    root_hex: str
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for ``--json``."""
        first = self.problems[0] if self.problems else None
        return {
            "ok": self.ok,
            "size": self.size,
            "root": self.root_hex,
            "checkpoints_checked": len(self.checkpoints),
            "objects_checked": self.objects_checked,
            "disposed_under_policy": self.disposed,
            "unsigned_tail": self.unsigned_tail,
            "first_problem": None
            if first is None
            else {"position": first.position, "fault": first.fault.value, "detail": first.detail},
            "problems": [
                {"position": p.position, "fault": p.fault.value, "detail": p.detail}
                for p in self.problems
            ],
            "notes": self.notes,
        }


# Fields that name a stored, content-addressed object by its hash alone.
_HASH_ONLY_FIELDS = ("ack_sha256",)

# JSON scalars: never a container to look into, so never put on the walk's stack.
_SCALARS = frozenset((str, int, bool, float, type(None)))


def referenced_keys(body: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Every ``(key, sha256)`` of a stored object that an entry body references."""
    for name in _HASH_ONLY_FIELDS:
        digest = body.get(name)
        if isinstance(digest, str) and is_sha256_hex(digest):
            yield object_key(digest), digest
    stack: list[Any] = [body]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend([v for v in item if type(v) not in _SCALARS])
        # dict before the Mapping ABC: decoded JSON is all dicts, and an ABC check is slow
        elif isinstance(item, dict | Mapping):
            key, digest = item.get("key"), item.get("sha256")
            if isinstance(key, str) and isinstance(digest, str):
                yield key, digest
            stack.extend([v for v in item.values() if type(v) not in _SCALARS])


def _read_lines(store: ObjectStore) -> tuple[list[StoredLine], list[Problem]]:
    lines: list[StoredLine] = []
    problems: list[Problem] = []
    for key in store.list(layout.ENTRIES):
        try:
            # Not re-hashed as a whole: every byte of every line is covered by its leaf
            # hash, which the chain and the signed checkpoints check, and which locate a
            # change to the entry rather than just the batch.
            data = store.get(key, verify=False)
        except StorageError as exc:
            problems.append(Problem(len(lines), Fault.MISSING, f"batch {key}: {exc}"))
            continue
        lines.extend(StoredLine(key, raw) for raw in layout.split_batch(data))
    return lines, problems


def _read_note(store: ObjectStore, key: str) -> bytes:
    try:
        return store.get(key)
    except IntegrityError:
        # An altered checkpoint is reported by its signature check, not by a crash here.
        return store.get(key, verify=False)


def verify_ledger(
    store: ObjectStore,
    keys: list[VerifierKey],
    origin: str,
    *,
    earlier_checkpoint: str | None = None,
    check_content: bool = True,
    workers: int = 8,
) -> VerifyReport:
    """Check the chain, every stored checkpoint, an optional saved checkpoint, and content."""
    lines, problems = _read_lines(store)
    links = chain_links(lines)
    chain_problems = check_chain(lines, links)
    problems.extend(chain_problems)
    tree = MerkleTree(
        [
            link.leaf if link else leaf_hash(line.raw)
            for link, line in zip(links, lines, strict=True)
        ]
    )
    notes = [
        (key, _read_note(store, key).decode("utf-8", "replace"))
        for key in store.list(layout.CHECKPOINTS)
    ]
    cp_problems, findings = check_checkpoints(
        tree, notes, keys, origin, chain_ok=not chain_problems
    )
    problems.extend(cp_problems)
    if earlier_checkpoint is not None:
        _, earlier_problems = check_earlier_checkpoint(tree, earlier_checkpoint, keys, origin)
        problems.extend(earlier_problems)
    signed_sizes = [f.size for f in findings if f.ok]
    unsigned_tail = tree.size - (max(signed_sizes) if signed_sizes else 0)
    objects_checked = disposed = 0
    if check_content:
        content_problems, objects_checked, disposed = _check_content(store, lines, workers)
        problems.extend(content_problems)
    report_notes = []
    if unsigned_tail:
        report_notes.append(
            f"{unsigned_tail} entries after the latest checkpoint are not yet signed"
            " (a writer stopped before signing; the next append signs them)"
        )
    return VerifyReport(
        size=tree.size,
        problems=problems,
        checkpoints=findings,
        objects_checked=objects_checked,
        disposed=disposed,
        unsigned_tail=unsigned_tail,
        root_hex=tree.root().hex(),
        notes=report_notes,
    )


# Distinct objects per task handed to the pool: enough to amortise a task's overhead,
# few enough that the pool starts hashing while the entries are still being decoded.
_TASK_OBJECTS = 64

# What the store says of one object: the SHA-256 of its bytes, or why it has none.
_Found = str | ObjectNotFoundError | IntegrityError


def _hash_objects(store: ObjectStore, keys: list[str]) -> list[_Found]:
    found: list[_Found] = []
    for key in keys:
        try:
            found.append(store.sha256(key))
        except (ObjectNotFoundError, IntegrityError) as exc:
            found.append(exc)
    return found


def _check_content(
    store: ObjectStore, lines: list[StoredLine], workers: int
) -> tuple[list[Problem], int, int]:
    # key -> {digest an entry claims for it -> first position claiming it}; every distinct
    # object is read and hashed once, however many entries reference it
    claims: dict[str, dict[str, int]] = {}
    disposed_keys: set[str] = set()
    pending: list[str] = []
    tasks: list[tuple[list[str], Future[list[_Found]]]] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        # Objects are hashed in the pool while later entries are still being decoded here.
        for pos, line in enumerate(lines):
            try:
                entry = LedgerEntry.decode(line.raw)
            except LedgerError:
                continue  # an undecodable entry is reported, located, by the chain check
            if entry.type == "record.disposed":
                disposed_keys.update(k for k in entry.body.get("keys", []) if isinstance(k, str))
                continue
            for key, digest in referenced_keys(entry.body):
                claimed = claims.get(key)
                if claimed is None:
                    claims[key] = {digest: pos}
                    pending.append(key)
                else:
                    claimed.setdefault(digest, pos)
            if len(pending) >= _TASK_OBJECTS:
                tasks.append((pending, pool.submit(_hash_objects, store, pending)))
                pending = []
        if pending:
            tasks.append((pending, pool.submit(_hash_objects, store, pending)))
        found = {
            key: result
            for keys, task in tasks
            for key, result in zip(keys, task.result(), strict=True)
        }
    problems: list[Problem] = []
    for key in sorted(found):
        problems.extend(_object_problems(key, found[key], claims[key], key in disposed_keys))
    problems.sort(key=lambda p: p.position or 0)
    return problems, len(claims), len(disposed_keys & claims.keys())


def _object_problems(
    key: str, found: _Found, claimed: dict[str, int], disposed: bool
) -> list[Problem]:
    """What is wrong with one object, at the first entry each fault concerns."""
    first = min(claimed.values())
    if isinstance(found, ObjectNotFoundError):
        if disposed:
            return []
        return [
            Problem(first, Fault.CONTENT_MISSING, f"object {key} is gone without a disposal entry")
        ]
    if isinstance(found, IntegrityError):
        return [Problem(first, Fault.CONTENT_ALTERED, str(found))]
    return [
        Problem(pos, Fault.CONTENT_ALTERED, f"object {key} does not match its SHA-256")
        for digest, pos in claimed.items()
        if digest != found
    ]
