"""What verify keeps while it reads a log: the chain links of every entry packed, the
lines it has read held only until the leaf thread has hashed them, and the objects of the
content pass by their hashes; what it finds is the same."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.hashing import ZERO_HASH, object_key
from pipeline.ledger import layout, verify
from pipeline.ledger.audit import (
    ChainLink,
    ChainLinks,
    Fault,
    Problem,
    StoredBatch,
    _intruder,
    check_chain,
)
from pipeline.ledger.verify import verify_ledger
from pipeline.merkle import CompactRange, MerkleTree
from pipeline.storage.local import LocalStore
from tests.ledger.ledger_helpers import (
    KEY,
    ORIGIN,
    build,
    draft,
    ledger_on,
    overwrite_object,
    read_lines,
    write_lines,
)
from tests.storage.backends import local_store

_leaf = st.binary(min_size=32, max_size=32)
_link = st.one_of(
    st.none(),
    st.builds(
        ChainLink,
        seq=st.integers(min_value=0, max_value=2**70),
        prev=st.one_of(
            st.text(max_size=70), st.text("0123456789abcdefABCDEF", min_size=64, max_size=64)
        ),
        leaf=_leaf,
    ),
)


def _packed(links: list[ChainLink | None]) -> ChainLinks:
    packed = ChainLinks()
    for n, link in enumerate(links):
        packed.add(link, link.leaf if link is not None else hashlib.sha256(bytes(n)).digest())
    return packed


@given(st.lists(_link, max_size=12))
def test_packed_chain_links_read_back_as_they_were_added(links: list[ChainLink | None]) -> None:
    packed = _packed(links)
    assert list(packed) == links
    assert len(packed) == len(links)


def _damaged_chain(n: int, edits: list[tuple[int, int, int]]) -> list[ChainLink | None]:
    leaves = [hashlib.sha256(bytes([i])).digest() for i in range(n)]
    links: list[ChainLink | None] = []
    prev = ZERO_HASH
    for i, leaf in enumerate(leaves):
        links.append(ChainLink(i, prev, leaf))
        prev = leaf.hex()
    for kind, at, other in edits:
        i, j = at % len(links), other % len(links)
        link = links[i]
        if kind == 0:
            links[i] = None
        elif kind == 1 and link is not None:
            links[i] = ChainLink(other % (n + 2), link.prev, link.leaf)
        elif kind == 2 and link is not None:
            links[i] = ChainLink(link.seq, "ab" * 32, link.leaf)
        elif kind == 3:
            links[i], links[j] = links[j], links[i]
        elif kind == 4 and len(links) > 1:
            del links[i]
        else:
            links.insert(i, links[j])
    return links


def _walk_every_position(links: list[ChainLink | None], where: list[str]) -> list[Problem]:
    """The chain check as first written: a dict of the positions claiming every position
    (what the packed check must find too, without that dict)."""
    positions: dict[int, list[int]] = {}
    for pos, link in enumerate(links):
        if link is not None:
            positions.setdefault(link.seq, []).append(pos)
    prev = ZERO_HASH
    for pos, link in enumerate(links):
        if link is None:
            return [Problem(pos, Fault.MODIFIED, f"entry in {where[pos]} is not a readable entry")]
        claimants = positions.get(link.seq, [])
        if len(claimants) > 1:
            return [_intruder(links, claimants, link.seq, where[pos])]
        if link.seq == pos:
            if link.prev != prev:
                follower = links[pos + 1] if pos + 1 < len(links) else None
                if pos == 0 or (
                    follower is not None
                    and follower.seq == pos + 1
                    and follower.prev != link.entry_hash
                ):
                    detail = f"entry {pos} was edited: its recorded link and its hash changed"
                    return [Problem(pos, Fault.MODIFIED, detail)]
                detail = f"entry {pos - 1} no longer hashes to what entry {pos} recorded"
                return [Problem(pos - 1, Fault.MODIFIED, detail)]
            prev = link.entry_hash
            continue
        if link.seq > pos and pos not in positions:
            return [Problem(pos, Fault.MISSING, f"entries {pos} to {link.seq - 1} are missing")]
        return [Problem(pos, Fault.REORDERED, f"entry {link.seq} is stored at position {pos}")]
    return []


@settings(max_examples=400)
@given(
    st.integers(min_value=1, max_value=7),
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 20), st.integers(0, 20)), max_size=3),
)
def test_the_chain_check_over_packed_links_finds_what_a_walk_of_every_position_finds(
    n: int, edits: list[tuple[int, int, int]]
) -> None:
    links = _damaged_chain(n, edits)
    where = ["ledger/entries/batch"] * len(links)
    expected = _walk_every_position(links, where)
    assert check_chain(_packed(links), where) == expected
    assert check_chain(links, where) == expected


class _WatchedStore(LocalStore):
    """Counts the batches verify has read while the leaf thread has hashed fewer."""

    def __init__(self, root: Path) -> None:
        super().__init__(root, fsync=False)
        self.read = 0
        self.hashed = 0
        self.most_ahead = 0
        self.lock = threading.Lock()

    def get(self, key: str, *, verify: bool = True) -> bytes:
        if key.startswith(layout.ENTRIES):
            with self.lock:
                self.most_ahead = max(self.most_ahead, self.read - self.hashed)
                self.read += 1
        return super().get(key, verify=verify)


def test_verify_reads_no_further_ahead_of_the_leaf_hashing_than_its_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _WatchedStore(tmp_path)
    build(store, [2] * 8)
    slow_add = ChainLinks.add_lines

    def slow_leaves(self: ChainLinks, raws: list[bytes]) -> None:
        time.sleep(0.05)  # a leaf thread the scheduler runs less than the reader
        slow_add(self, raws)
        with store.lock:
            store.hashed += 1

    monkeypatch.setattr(ChainLinks, "add_lines", slow_leaves)
    monkeypatch.setattr(verify, "_LINES_AHEAD", 1)  # any batch is more than that
    report = verify_ledger(store, [KEY.verifier], ORIGIN)
    assert report.ok and report.size == 16
    assert store.most_ahead == 0


def _ref(store: LocalStore, key: str, data: bytes) -> dict[str, object]:
    store.put(key, data)
    return {"key": key, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def test_an_object_under_a_key_that_promises_no_hash_is_checked_against_every_claim(
    tmp_path: Path,
) -> None:
    store = local_store(tmp_path)
    named = _ref(store, "objects/imported/letter.pdf", b"%PDF- a letter")
    wrong = {**named, "sha256": "1" * 64}
    ledger_on(store).append([draft(0, {"raw": named}), draft(1, {"raw": wrong})])
    report = verify_ledger(store, [KEY.verifier], ORIGIN)
    assert [(p.position, p.fault) for p in report.problems] == [(1, Fault.CONTENT_ALTERED)]
    assert report.objects_checked == 1


def test_an_altered_object_under_a_key_that_promises_no_hash_is_found_at_its_first_entry(
    tmp_path: Path,
) -> None:
    store = local_store(tmp_path)
    named = _ref(store, "objects/imported/letter.pdf", b"%PDF- a letter")
    ledger_on(store).append([draft(0, {"n": 0}), draft(1, {"raw": named})])
    overwrite_object(store, "objects/imported/letter.pdf", b"%PDF- a forged letter")
    report = verify_ledger(store, [KEY.verifier], ORIGIN)
    assert [(p.position, p.fault) for p in report.problems] == [(1, Fault.CONTENT_ALTERED)]


def test_the_same_bytes_under_objects_and_quarantine_are_two_objects_each_checked(
    tmp_path: Path,
) -> None:
    store = local_store(tmp_path)
    data = b"an attachment kept and also quarantined"
    digest = hashlib.sha256(data).hexdigest()
    kept = _ref(store, object_key(digest), data)
    held = _ref(store, object_key(digest, "quarantine"), data)
    ledger_on(store).append([draft(0, {"att": kept}), draft(1, {"att": held})])
    assert verify_ledger(store, [KEY.verifier], ORIGIN).objects_checked == 2
    overwrite_object(store, object_key(digest, "quarantine"), b"forged")
    report = verify_ledger(store, [KEY.verifier], ORIGIN)
    assert [(p.position, p.fault) for p in report.problems] == [(1, Fault.CONTENT_ALTERED)]


def test_an_entry_nested_too_deeply_to_read_is_reported_where_it_is(tmp_path: Path) -> None:
    store = local_store(tmp_path)
    build(store, [2, 2])
    lines = read_lines(store)
    key, raw = lines[2]
    lines[2] = (
        key,
        raw.replace(b'"body":{', b'"body":{"x":' + b"[" * 100_000 + b"]" * 100_000 + b",", 1),
    )
    write_lines(store, lines)
    report = verify_ledger(store, [KEY.verifier], ORIGIN)
    assert report.problems[0].position == 2
    assert report.problems[0].fault is Fault.MODIFIED


class _LaxStore(LocalStore):
    """A store that breaks the storage protocol: it checks an object against neither the
    hash recorded when it was written nor the hash its key names."""

    def sha256(self, key: str) -> str:
        return hashlib.sha256((self.root / key).read_bytes()).hexdigest()


def test_an_altered_object_a_lax_store_hashes_is_altered_at_its_first_entry(
    tmp_path: Path,
) -> None:
    store = _LaxStore(tmp_path, fsync=False)
    data = b"a statement"
    ref = _ref(store, object_key(hashlib.sha256(data).hexdigest()), data)
    ledger_on(store).append([draft(0, {"n": 0}), draft(1, {"raw": ref}), draft(2, {"raw": ref})])
    overwrite_object(store, str(ref["key"]), b"a forged statement")
    report = verify_ledger(store, [KEY.verifier], ORIGIN)
    assert [(p.position, p.fault) for p in report.problems] == [(1, Fault.CONTENT_ALTERED)]


def test_the_range_before_a_batch_is_read_from_the_tree_only_where_a_batch_starts() -> None:
    leaves = [hashlib.sha256(bytes([i])).digest() for i in range(10)]
    batches = [StoredBatch("a", 0, 4, None), StoredBatch("b", 4, 6, None)]
    ranges = verify._BatchRanges(MerkleTree(leaves), batches)
    assert ranges.at(4) == CompactRange.from_leaves(leaves[:4])
    assert ranges.at(0) == CompactRange.empty()
    assert ranges.at(5) is None
    assert ranges.at(10) is None
