"""``mailledger verify``: recompute the ledger from storage and locate the first damage.

Besides the chain, the checkpoints and the stored content, it checks that every
batch was written by an authorised writer (see :mod:`pipeline.ledger.writers`)
and, on a versioned bucket, that no key under ``ledger/`` or ``objects/`` was
deleted or written again behind the store's create-only writes. Checks that need
to know what entries mean (such as whether a disposal was lawful) come from the
layers above as :class:`EntryAudit` objects fed every entry in the same pass.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import re
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec
import structlog

from pipeline.errors import (
    CheckpointError,
    IntegrityError,
    LedgerError,
    ObjectNotFoundError,
    StorageError,
)
from pipeline.hashing import is_sha256_hex, object_key
from pipeline.ledger import layout
from pipeline.ledger.audit import (
    ChainLinks,
    CheckpointFinding,
    Fault,
    Problem,
    StoredBatch,
    check_batch_proofs,
    check_chain,
    check_checkpoints,
    check_earlier_checkpoint,
)
from pipeline.ledger.checkpoint import VerifierKey
from pipeline.ledger.entry import LedgerEntry
from pipeline.ledger.packed import PackedIndex
from pipeline.ledger.witness import CheckpointWitness, check_witnessed
from pipeline.ledger.writers import (
    BatchProof,
    Grant,
    check_batch_proof,
    grants_from,
    read_certificate,
    read_revocation,
    writers_at,
)
from pipeline.merkle import CompactRange, Hashes, MerkleTree, leaf_hash
from pipeline.storage.base import ObjectStore, StoredVersion, VersionedStore

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


class EntryAudit(Protocol):
    """A check over the meaning of entries, run by :func:`verify_ledger` in its one pass."""

    types: frozenset[str]  # the entry types it wants to see

    def see(self, position: int, entry: LedgerEntry) -> None:
        """One entry of a wanted type, in log order."""
        ...

    def problems(self) -> list[Problem]:
        """What it found, each at its position."""
        ...


# Every reference is an object with a member named "key", so a line holds the string
# "key" at least as often as its body has references. Counting the string (a member
# name or a value) can only count too many, which sends the line to the full walk.
_KEY = b'"key"'


@dataclass(frozen=True, slots=True)
class _Scanned:
    """What the content check needs of one entry line."""

    type: str
    refs: list[tuple[str, str]]  # (key, sha256) of every stored object the body references
    disposed: list[str]  # for record.disposed: the object keys it names


_FAST_JSON = msgspec.json.Decoder()


class _Ref(msgspec.Struct):
    """An object that may name a stored object (``key`` and ``sha256`` both strings)."""

    key: Any = None
    sha256: Any = None


class _KnownBody(msgspec.Struct):
    """The members of a body where references sit in the bodies mailledger writes; every
    other member (the classification, the headers) is skipped without being built."""

    raw: _Ref | None = None
    bodies: dict[str, _Ref | None] | None = None
    attachments: list[_Ref] | None = None
    ack_sha256: Any = None


class _KnownEntry(msgspec.Struct):
    type: str
    body: _KnownBody


_KNOWN_JSON = msgspec.json.Decoder(_KnownEntry)


def _loads(raw: bytes) -> Any:
    """``json.loads(raw)``, by a faster decoder when it can: where both read a line they
    give the same values, and what the fast one refuses (NaN, lone surrogates, a byte
    order mark, UTF-16, out-of-range exponents) the standard one reads as before."""
    try:
        return _FAST_JSON.decode(raw)
    except msgspec.MsgspecError:
        return json.loads(raw)


def _hash_only(body: Any) -> list[tuple[str, str]]:
    digest = body.get("ack_sha256") if isinstance(body, dict) else body.ack_sha256
    if isinstance(digest, str) and is_sha256_hex(digest):
        return [(object_key(digest), digest)]
    return []


def _scan_known(raw: bytes, named: int | None) -> _Scanned | None:
    """The references of a line whose body keeps them where mailledger's bodies do, read
    without building the rest of the line; None when that does not account for every
    member named ``key`` in the line (the full walk then looks everywhere)."""
    if named is None:
        return None
    try:
        entry = _KNOWN_JSON.decode(raw)
    except (msgspec.MsgspecError, RecursionError):
        return None
    body = entry.body
    if entry.type == "record.disposed":
        return None
    candidates = [body.raw, *(body.bodies or {}).values(), *(body.attachments or ())]
    refs = [
        (ref.key, ref.sha256)
        for ref in candidates
        if ref is not None and type(ref.key) is str and type(ref.sha256) is str
    ]
    if len(refs) != named:
        return None
    return _Scanned(entry.type, _hash_only(body) + refs, [])


def scan_entry(raw: bytes) -> _Scanned | None:
    """Decode one entry line, collecting every ``(key, sha256)`` of a stored object its
    body references; None when the line is not a JSON entry with a body.

    A reference is any object in the body with string ``key`` and ``sha256`` members
    (the ledger does not know what bodies mean), plus the hash-only fields. A line has
    at least as many members named ``key`` as its body has references. Most lines are
    read by a decoder that builds only the members where mailledger's bodies keep their
    references (the raw message, the bodies, the attachments): when those account for
    every ``key`` member of the line, they are all its references. Any other line is
    decoded in full and its body walked level by level, stopping once as many
    references as ``key`` members are found (references sit near the top of a body,
    the classification below them is never visited). A line that spells characters as
    ``\\u`` escapes could spell that name so; it is walked in full.
    """
    named = None if b"\\u" in raw else raw.count(_KEY)
    known = _scan_known(raw, named)
    if known is not None:
        return known
    try:
        document = _loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None  # reported, located, by the chain check
    if not isinstance(document, dict):
        return None
    body, type_ = document.get("body"), document.get("type")
    if not isinstance(body, dict) or not isinstance(type_, str):
        return None
    refs = _hash_only(body)
    hash_only = len(refs)
    level: list[Any] = [body] if named != 0 else []
    while level and (named is None or len(refs) - hash_only < named):
        below: list[Any] = []
        for item in level:
            if type(item) is dict:
                key, digest = item.get("key"), item.get("sha256")
                if type(key) is str and type(digest) is str:
                    refs.append((key, digest))
                below.extend([v for v in item.values() if type(v) is dict or type(v) is list])
            else:
                below.extend([v for v in item if type(v) is dict or type(v) is list])
        level = below
    keys = body.get("keys", []) if type_ == "record.disposed" else []
    disposed = (
        [k for k in keys if isinstance(k, str)] if isinstance(keys, list | dict | str) else []
    )
    return _Scanned(type_, refs, disposed)


def _read_batches(
    store: ObjectStore, on_batch: Callable[[int, list[bytes]], None]
) -> tuple[list[str], list[StoredBatch], list[Problem]]:
    """Every stored batch in order, handed to ``on_batch(first position, lines)`` as soon
    as it is read; returns the batch key of every position (the lines themselves are not
    kept, so memory does not grow with the log's bytes)."""
    where: list[str] = []
    batches: list[StoredBatch] = []
    problems: list[Problem] = []
    for key in store.list(layout.ENTRIES):
        try:
            # Not re-hashed as a whole: every byte of every line is covered by its leaf
            # hash, which the chain and the signed checkpoints check, and which locate a
            # change to the entry rather than just the batch.
            data = store.get(key, verify=False)
        except StorageError as exc:
            problems.append(Problem(len(where), Fault.MISSING, f"batch {key}: {exc}"))
            continue
        entry_lines, proof = layout.batch_parts(data)
        batches.append(StoredBatch(key, len(where), len(entry_lines), proof))
        on_batch(len(where), entry_lines)
        where.extend([key] * len(entry_lines))
    return where, batches, problems


def _read_note(store: ObjectStore, key: str) -> bytes:
    try:
        return store.get(key)
    except IntegrityError:
        # An altered checkpoint is reported by its signature check, not by a crash here.
        return store.get(key, verify=False)


def _read_grants(
    store: ObjectStore, keys: list[VerifierKey], origin: str
) -> tuple[list[Grant], list[Problem]]:
    """Writer keys certified (and maybe revoked) by a trusted log key; a certificate or
    revocation that is not valid is a finding."""
    certified: list[VerifierKey] = []
    revoked: dict[VerifierKey, int] = {}
    problems: list[Problem] = []
    for key in store.list(layout.WRITERS):
        try:
            note = _read_note(store, key).decode()
            if key.endswith(".revoked"):
                writer, position = read_revocation(note, keys, origin)
                revoked[writer] = min(position, revoked.get(writer, position))
            else:
                certified.append(read_certificate(note, keys, origin))
        except (CheckpointError, UnicodeDecodeError) as exc:
            problems.append(Problem(None, Fault.SIGNATURE_INVALID, f"{key}: {exc}"))
    return grants_from(certified, revoked), problems


def verify_ledger(
    store: ObjectStore,
    keys: list[VerifierKey],
    origin: str,
    *,
    earlier_checkpoint: str | None = None,
    witness: CheckpointWitness | None = None,
    check_content: bool = True,
    workers: int = 8,
    allow_empty: bool = False,
    audits: Sequence[EntryAudit] = (),
) -> VerifyReport:
    """Check the chain, every checkpoint and writer proof, an optional saved checkpoint,
    the newest checkpoint ``witness`` holds, content (unless ``check_content`` is False),
    ``audits`` and version history.

    ``keys`` are the trusted log keys. An empty store is a finding unless
    ``allow_empty``: a mistyped path or bucket must not read as an intact log.
    """
    # Work is handed to a thread pool batch by batch as the ledger is read: the leaf hash
    # of every line, and the stored objects the lines name. hashlib lets go of the
    # interpreter lock, so the pool hashes while this thread reads and decodes lines
    # and then checks the chain, the tree and the proofs.
    pool = ThreadPoolExecutor(max_workers=workers)
    # a thread of their own: the chain check needs every leaf, not queued behind objects
    leaf_pool = ThreadPoolExecutor(max_workers=1)
    try:
        content = _ContentPass(store, pool, audits) if check_content else None
        links, where, batches, problems = _read_log(store, leaf_pool, content, audits)
        if content is not None:
            content.flush()
        chain_problems = check_chain(links, where)
        leaves = links.leaves()
        del links  # the leaves are all the checks below need of it
        return _verify_lines(
            store,
            keys,
            origin,
            where,
            leaves,
            chain_problems,
            batches,
            problems,
            content,
            earlier_checkpoint,
            witness,
            allow_empty,
            audits,
        )
    finally:
        leaf_pool.shutdown(wait=True, cancel_futures=True)
        pool.shutdown(wait=True, cancel_futures=True)


def _read_log(
    store: ObjectStore,
    leaf_pool: ThreadPoolExecutor,
    content: _ContentPass | None,
    audits: Sequence[EntryAudit],
) -> tuple[ChainLinks, list[str], list[StoredBatch], list[Problem]]:
    """Read every batch once: its lines to the leaf thread and to the content pass (or
    the audits); returns every line's chain link once the leaf thread is done, the batch
    of every position, the batches and what could not be read."""
    links = ChainLinks()  # written by the leaf thread only, read once it is done
    behind: deque[tuple[Future[None], int]] = deque()
    held = 0

    def on_batch(start: int, raws: list[bytes]) -> None:
        nonlocal held
        size = sum(map(len, raws))
        behind.append((leaf_pool.submit(links.add_lines, raws), size))
        held += size
        # The lines wait for the leaf thread; left unbounded, a reader that runs ahead
        # of it (as a busy machine's scheduler may let it) holds up to the whole log.
        # Finished tasks are let go at once: a future with its lock and condition costs
        # about a kilobyte, so a log of small batches kept tens of megabytes of them.
        while behind and (held > _LINES_AHEAD or behind[0][0].done()):
            task, done = behind.popleft()
            task.result()
            held -= done
        if content is not None:
            content.feed(start, raws)
        elif audits:
            _run_audits(start, raws, audits)

    where, batches, problems = _read_batches(store, on_batch)
    for task, _ in behind:
        task.result()
    return links, where, batches, problems


# Bytes of entry lines the reader may hold ahead of the leaf thread. At 200,000 messages
# 16 MiB peaked 15 MiB lower than 32 did, in the same time.
_LINES_AHEAD = 16 * 1024 * 1024


def _verify_lines(
    store: ObjectStore,
    keys: list[VerifierKey],
    origin: str,
    where: list[str],
    leaves: Hashes,
    chain_problems: list[Problem],
    batches: list[StoredBatch],
    problems: list[Problem],
    content: _ContentPass | None,
    earlier_checkpoint: str | None,
    witness: CheckpointWitness | None,
    allow_empty: bool,
    audits: Sequence[EntryAudit],
) -> VerifyReport:
    problems.extend(chain_problems)
    tree = MerkleTree(leaves)
    # read one by one as they are checked: a log signs a checkpoint per batch
    notes = (
        (key, _read_note(store, key).decode("utf-8", "replace"))
        for key in store.list(layout.CHECKPOINTS)
    )
    cp_problems, findings = check_checkpoints(
        tree, notes, keys, origin, chain_ok=not chain_problems
    )
    if not where and not findings and not problems and not allow_empty:
        problems.append(
            Problem(
                None,
                Fault.EMPTY,
                f"{store.description} holds no ledger entries and no checkpoints: check the"
                " storage settings (a mistyped path, bucket or prefix reads as empty), or pass"
                " --allow-empty for a log that has no entries yet",
            )
        )
    problems.extend(cp_problems)
    if earlier_checkpoint is not None:
        _, earlier_problems = check_earlier_checkpoint(tree, earlier_checkpoint, keys, origin)
        problems.extend(earlier_problems)
    report_notes = []
    if witness is not None:
        witnessed = witness.latest()
        if witnessed is None:
            report_notes.append(f"{witness.description} holds no checkpoint yet")
        else:
            checked = check_witnessed(tree, witnessed, keys, origin)
            problems.extend(checked.problems)
            if not checked.problems:
                report_notes.append(
                    f"the log extends the newest witnessed checkpoint (size"
                    f" {checked.witnessed_size}, {witnessed.where})"
                )
    signed_sizes = [f.size for f in findings if f.ok]
    checkpointed = max(signed_sizes) if signed_sizes else 0
    grants, grant_problems = _read_grants(store, keys, origin)
    problems.extend(grant_problems)
    proofs = check_batch_proofs(leaves, batches, keys, grants, origin, checkpointed)
    problems.extend(proofs.problems)
    unsigned_tail = tree.size - checkpointed
    objects_checked = disposed = 0
    first_claims: Callable[[str], int | None] = _nobody_claims
    if content is not None:
        found = content.finish()
        problems.extend(found.problems)
        objects_checked, disposed, first_claims = found.checked, found.disposed, found.first
    for audit in audits:
        problems.extend(audit.problems())
    if isinstance(store, VersionedStore):
        version_problems, version_notes = _check_versions(
            store, first_claims, _BatchRanges(tree, batches), keys, grants, origin
        )
        problems.extend(version_problems)
        report_notes.extend(version_notes)
    if unsigned_tail and proofs.covered >= tree.size:
        report_notes.append(
            f"{unsigned_tail} entries after the latest checkpoint are signed by their writers"
            " but not yet by the log key (the next append or 'mailledger checkpoint' signs them)"
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

# A content-addressed key as mailledger writes it (``object_key``): its prefix and hash
# say all of it, so the content pass keeps 33 bytes for it instead of the key's text.
_CANONICAL = re.compile(
    r"(objects|quarantine)/sha256/([0-9a-f]{2})/([0-9a-f]{2})/(\2\3[0-9a-f]{60})\Z"
)
_PREFIXES = ("objects", "quarantine")
_DIGEST = 32  # bytes of a SHA-256

# An object as the content pass keeps it: a canonical key's prefix number and hash, or
# the text of any other key.
_Token = bytes | str


class _FirstPositions:
    """The first position referencing each object: canonical keys packed, others (which
    mailledger does not write) by their text."""

    def __init__(self) -> None:
        self._canonical = PackedIndex(1 + _DIGEST)
        self._other: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._canonical) + len(self._other)

    def add(self, token: _Token, position: int) -> bool:
        """Keep ``position`` unless the object has one already; True if it was kept."""
        if isinstance(token, str):
            if token in self._other:
                return False
            self._other[token] = position
            return True
        return self._canonical.add(token, position)

    def get(self, token: _Token) -> int | None:
        """The first position referencing the object; None if none does."""
        if isinstance(token, str):
            return self._other.get(token)
        return self._canonical.get(token)

    def of(self, token: _Token) -> int:
        """The first position referencing an object the pass has seen."""
        position = self.get(token)
        if position is None:
            raise KeyError(_key(token))
        return position


def _nobody_claims(key: str) -> None:
    """No content pass ran: no object is known to be referenced."""
    return


def _token(key: str) -> _Token:
    match = _CANONICAL.match(key)
    if match is None:
        return key
    return bytes([_PREFIXES.index(match.group(1))]) + bytes.fromhex(match.group(4))


def _key(token: _Token) -> str:
    if isinstance(token, str):
        return token
    return object_key(token[1:].hex(), _PREFIXES[token[0]])


def _promised(token: _Token) -> str | None:
    """The SHA-256 a canonical key promises (None for other keys)."""
    return None if isinstance(token, str) else token[1:].hex()


def _hash_objects(store: ObjectStore, tokens: list[_Token]) -> list[tuple[_Token, _Found]]:
    """Hash each object; only what is not simply the hash its key promises is returned
    (so a finished task holds nothing for the objects that are intact)."""
    found: list[tuple[_Token, _Found]] = []
    for token in tokens:
        key = _key(token)
        try:
            digest = store.sha256(key)
        except (ObjectNotFoundError, IntegrityError) as exc:
            found.append((token, exc))
            continue
        promised = _promised(token)
        if promised is None:
            found.append((token, digest))
        elif digest != promised:
            # What the storage protocol has the store raise itself; a store that breaks
            # it still cannot pass an altered object off as intact.
            altered = IntegrityError(
                f"{key} in {store.description} does not match the SHA-256 its key names:"
                " it was altered"
            )
            found.append((token, altered))
    return found


@dataclass(frozen=True)
class _ContentFindings:
    problems: list[Problem]
    checked: int  # distinct objects hashed
    disposed: int  # of those, objects disposed of under a record.disposed entry
    first: Callable[[str], int | None]  # object key -> first position referencing it


def _run_audits(start: int, raws: list[bytes], audits: Sequence[EntryAudit]) -> None:
    """Feed one batch to the audits when there is no content pass to do it."""
    for pos, raw in enumerate(raws, start):
        try:
            entry = LedgerEntry.decode(raw)
        except LedgerError:
            continue  # reported, located, by the chain check
        for audit in audits:
            if entry.type in audit.types:
                audit.see(pos, entry)


class _ContentPass:
    """The content check, fed batch by batch as the ledger is read, finished after the
    chain checks.

    Every entry line is scanned for the objects it references (and fed to the audits);
    each distinct object is read and hashed once, however many entries reference it, in
    tasks on the pool that run while later work goes on.

    What is kept grows with the number of objects, so it is kept small: for each object
    the first position referencing it, packed (about 70 bytes with its key's hash); the
    hash an entry claims only when it is not the one the object's key promises; what
    hashing found only when it is not that promised hash.
    """

    def __init__(
        self, store: ObjectStore, pool: ThreadPoolExecutor, audits: Sequence[EntryAudit]
    ) -> None:
        self.store = store
        self.pool = pool
        self.audits = audits
        self.first = _FirstPositions()
        # object -> {another hash an entry claims for it -> first position claiming it}
        self.odd_claims: dict[_Token, dict[str, int]] = {}
        self.disposed_keys: set[str] = set()
        self.tasks: list[Future[list[tuple[_Token, _Found]]]] = []
        self.pending: list[_Token] = []

    def feed(self, start: int, raws: list[bytes]) -> None:
        """The lines of one batch, the first at position ``start``."""
        first = self.first
        for pos, raw in enumerate(raws, start):
            scanned = scan_entry(raw)
            if scanned is None:
                continue  # an undecodable entry is reported, located, by the chain check
            for audit in self.audits:
                if scanned.type in audit.types:
                    # not an entry: reported, located, by the chain check
                    with contextlib.suppress(LedgerError):
                        audit.see(pos, LedgerEntry.decode(raw))
            if scanned.type == "record.disposed":
                self.disposed_keys.update(scanned.disposed)
                continue
            for key, digest in scanned.refs:
                token = _token(key)
                if first.add(token, pos):
                    self.pending.append(token)
                if digest != _promised(token):
                    self.odd_claims.setdefault(token, {}).setdefault(digest, pos)
            if len(self.pending) >= _TASK_OBJECTS:
                self.flush()

    def flush(self) -> None:
        """Hand the objects not yet handed to the pool."""
        if self.pending:
            tokens, self.pending = self.pending, []
            self.tasks.append(self.pool.submit(_hash_objects, self.store, tokens))

    def finish(self) -> _ContentFindings:
        """Wait for the hashing; what is wrong with each object, in position order."""
        found = {token: result for task in self.tasks for token, result in task.result()}
        problems: list[Problem] = []
        disposed = {_token(key) for key in self.disposed_keys}
        for token in sorted(found.keys() | self.odd_claims.keys(), key=_key):
            # Hashing returned nothing for an object that is its promised hash.
            result = found[token] if token in found else _promised(token)
            assert result is not None  # a key that promises none always has a finding
            problems.extend(
                _object_problems(
                    _key(token),
                    result,
                    self.first.of(token),
                    self.odd_claims.get(token, {}),
                    token in disposed,
                )
            )
        problems.sort(key=lambda p: p.position or 0)
        return _ContentFindings(
            problems,
            len(self.first),
            sum(1 for token in disposed if self.first.get(token) is not None),
            lambda key: self.first.get(_token(key)),
        )


def _object_problems(
    key: str, found: _Found, first: int, odd_claims: dict[str, int], disposed: bool
) -> list[Problem]:
    """What is wrong with one object, at the first entry each fault concerns.

    ``odd_claims`` are the hashes entries claim for it other than the one its key
    promises (every hash claimed, for a key that promises none); ``found`` is the
    object's hash only where its key promises none or it is that promised hash (any
    other hash comes as an :class:`IntegrityError`).
    """
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
        for digest, pos in odd_claims.items()
        if digest != found
    ]


# -- version history (S3 versioning) ---------------------------------------------------------


class _BatchRanges:
    """The compact range at the start of each stored batch, read from the tree when asked
    (kept for every batch, they cost more than the rest of a log of small batches)."""

    def __init__(self, tree: MerkleTree, batches: Sequence[StoredBatch]) -> None:
        self.tree = tree
        self.starts = [batch.start for batch in batches]  # in log order, so sorted

    def at(self, start: int) -> CompactRange | None:
        """The range of the leaves before the batch starting at ``start``; None when no
        stored batch starts there."""
        i = bisect.bisect_left(self.starts, start)
        if i == len(self.starts) or self.starts[i] != start:
            return None
        return self.tree.compact_range(start)


_VERSIONED_PREFIXES = ("ledger/", "objects/")


def _check_versions(
    store: VersionedStore,
    first_claims: Callable[[str], int | None],
    ranges: _BatchRanges,
    keys: list[VerifierKey],
    grants: list[Grant],
    origin: str,
) -> tuple[list[Problem], list[str]]:
    """Delete markers and extra versions under ``ledger/`` and ``objects/``.

    mailledger never deletes without a version id (that only hides the object behind
    a delete marker) and never writes a key twice, so each is a finding. The one
    exception is a store where the oldest version wins: a writer that lost a race
    leaves its version behind, and that version is harmless when it holds the same
    bytes or is a batch its authorised writer signed (and then retried elsewhere).
    """
    by_key: dict[str, list[StoredVersion]] = {}
    for prefix in _VERSIONED_PREFIXES:
        listed = store.list_versions(prefix)
        if listed is None:
            return [], []
        for version in listed:
            by_key.setdefault(version.key, []).append(version)
    problems: list[Problem] = []
    raced = 0
    for key, versions in by_key.items():
        position = layout.seq_of(key) if key.startswith(layout.ENTRIES) else first_claims(key)
        for marker in (v for v in versions if v.delete_marker):
            problems.append(
                Problem(
                    position,
                    Fault.DELETE_MARKER,
                    f"{key} was deleted without its version id"
                    f"{_when(marker)}: a delete marker hides it",
                )
            )
        stored = [v for v in versions if not v.delete_marker]
        if len(stored) < 2:
            continue
        oldest = stored[-1]
        for extra in stored[:-1]:
            if store.oldest_version_wins and _lost_race(
                store, key, oldest, extra, ranges, keys, grants, origin
            ):
                raced += 1
                continue
            reads = "the first" if store.oldest_version_wins else "this one"
            problems.append(
                Problem(
                    position,
                    Fault.EXTRA_VERSION,
                    f"{key} was written again{_when(extra)} (version {extra.version_id}) although"
                    f" every write is create-only; reads return {reads}",
                )
            )
    problems.sort(key=lambda p: p.position if p.position is not None else -1)
    notes = (
        [
            f"{raced} later versions under ledger/ and objects/ were left by writers that lost"
            " a race (the same bytes, or a batch its writer signed and retried); reads use the"
            " first version"
        ]
        if raced
        else []
    )
    return problems, notes


def _when(version: StoredVersion) -> str:
    return f" at {version.modified.isoformat()}" if version.modified is not None else ""


def _lost_race(
    store: VersionedStore,
    key: str,
    oldest: StoredVersion,
    extra: StoredVersion,
    ranges: _BatchRanges,
    keys: list[VerifierKey],
    grants: list[Grant],
    origin: str,
) -> bool:
    """True when ``extra`` is what an honest writer that lost the race for ``key`` left."""
    data = store.read_version(key, extra.version_id)
    if data == store.read_version(key, oldest.version_id):
        return True
    first = layout.seq_of(key)
    start = ranges.at(first) if key.startswith(layout.ENTRIES) and first is not None else None
    if first is None or start is None:
        return False
    lines, proof_line = layout.batch_parts(data)
    if proof_line is None or not lines:
        return False
    try:
        proof = BatchProof.parse(proof_line)
        if proof.size != first + len(lines):
            return False
        root = start.extend([leaf_hash(line) for line in lines]).root()
        check_batch_proof(proof, writers_at(keys, grants, first), origin, first, root)
    except (LedgerError, CheckpointError):
        return False
    return True
