"""verify_ledger finds every single mutation of a stored ledger and says where and what.

Ledgers of random batch layouts are built on a local store; one mutation is applied behind
the store's back; the first problem reported must name the damaged position and its kind.
"""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pipeline.hashing import object_key
from pipeline.ledger import layout
from pipeline.ledger.audit import Fault
from pipeline.ledger.entry import LedgerEntry
from pipeline.ledger.verify import verify_ledger
from tests.ledger.ledger_helpers import (
    KEY,
    ORIGIN,
    batch_starts,
    build,
    edited,
    overwrite_object,
    read_lines,
    remove,
    write_lines,
)
from tests.storage.backends import local_store

layouts = st.lists(st.integers(min_value=1, max_value=4), min_size=2, max_size=6)
PROPERTY = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _first(store, **kwargs):
    report = verify_ledger(store, [KEY.verifier], ORIGIN, **kwargs)
    assert not report.ok, "the damage went unnoticed"
    first = report.problems[0]
    return first.position, first.fault


def _with_ledger(sizes, test, *, with_objects=False):
    with tempfile.TemporaryDirectory() as root:
        store = local_store(Path(root))
        build(store, sizes, with_objects=with_objects)
        assert verify_ledger(store, [KEY.verifier], ORIGIN).ok
        test(store)


@PROPERTY
@given(layouts)
def test_an_untouched_ledger_verifies(sizes) -> None:
    with tempfile.TemporaryDirectory() as root:
        store = local_store(Path(root))
        build(store, sizes, with_objects=True)
        report = verify_ledger(store, [KEY.verifier], ORIGIN)
        assert report.ok, report.problems
        assert report.size == sum(sizes)
        assert len(report.checkpoints) == len(sizes)
        assert report.objects_checked == sum(sizes)
        assert report.unsigned_tail == 0


@PROPERTY
@given(layouts, st.data())
def test_a_modified_entry_is_located(sizes, data) -> None:
    k = data.draw(st.integers(0, sum(sizes) - 2), label="position")

    def run(store):
        lines = read_lines(store)
        key, raw = lines[k]
        lines[k] = (key, edited(raw, body={"n": k, "tampered": True}))
        write_lines(store, lines)
        assert _first(store) == (k, Fault.MODIFIED)

    _with_ledger(sizes, run)


@PROPERTY
@given(layouts, st.data())
def test_an_entry_with_an_edited_chain_link_is_located(sizes, data) -> None:
    assume(sum(sizes) >= 3)
    k = data.draw(st.integers(1, sum(sizes) - 2), label="position")

    def run(store):
        lines = read_lines(store)
        key, raw = lines[k]
        lines[k] = (key, edited(raw, prev="ab" * 32))
        write_lines(store, lines)
        assert _first(store) == (k, Fault.MODIFIED)

    _with_ledger(sizes, run)


@PROPERTY
@given(layouts, st.data())
def test_a_deleted_entry_is_located(sizes, data) -> None:
    k = data.draw(st.integers(0, sum(sizes) - 1), label="position")

    def run(store):
        lines = read_lines(store)
        del lines[k]
        write_lines(store, lines)
        assert _first(store) == (k, Fault.MISSING)

    _with_ledger(sizes, run)


@PROPERTY
@given(layouts, st.data())
def test_a_duplicated_entry_is_located(sizes, data) -> None:
    k = data.draw(st.integers(0, sum(sizes) - 1), label="position")

    def run(store):
        lines = read_lines(store)
        lines.insert(k + 1, lines[k])
        write_lines(store, lines)
        assert _first(store) == (k + 1, Fault.INSERTED)

    _with_ledger(sizes, run)


@PROPERTY
@given(layouts, st.data())
def test_a_forged_entry_inserted_before_the_real_one_is_located(sizes, data) -> None:
    k = data.draw(st.integers(0, sum(sizes) - 1), label="position")

    def run(store):
        lines = read_lines(store)
        key, raw = lines[k]
        lines.insert(k, (key, edited(raw, body={"n": k, "forged": True})))
        write_lines(store, lines)
        assert _first(store) == (k, Fault.INSERTED)

    _with_ledger(sizes, run)


@PROPERTY
@given(layouts, st.data())
def test_two_swapped_neighbours_are_located(sizes, data) -> None:
    k = data.draw(st.integers(0, sum(sizes) - 2), label="position")

    def run(store):
        lines = read_lines(store)
        (ka, a), (kb, b) = lines[k], lines[k + 1]
        lines[k], lines[k + 1] = (ka, b), (kb, a)
        write_lines(store, lines)
        assert _first(store) == (k, Fault.REORDERED)

    _with_ledger(sizes, run)


@PROPERTY
@given(layouts, st.data())
def test_a_truncated_tail_is_caught_by_an_earlier_checkpoint(sizes, data) -> None:
    starts = batch_starts(sizes)
    cut = data.draw(st.integers(1, len(sizes) - 1), label="first removed batch")

    def run(store):
        total = sum(sizes)
        saved = store.get(layout.checkpoint_key(total)).decode()
        # the intruder removes whole batches and every checkpoint above the cut
        for first in starts[cut:]:
            remove(store, layout.batch_key(first))
        for prefix in (layout.CHECKPOINTS,):
            for key in list(store.list(prefix)):
                if (layout.seq_of(key) or 0) > starts[cut]:
                    remove(store, key)
        assert verify_ledger(store, [KEY.verifier], ORIGIN).ok  # it looks intact on its own
        assert _first(store, earlier_checkpoint=saved) == (starts[cut], Fault.MISSING)

    _with_ledger(sizes, run)


@PROPERTY
@given(layouts, st.data())
def test_an_altered_stored_object_is_located_at_the_entry_that_references_it(sizes, data) -> None:
    k = data.draw(st.integers(0, sum(sizes) - 1), label="position")

    def run(store):
        entry = LedgerEntry.decode(read_lines(store)[k][1])
        key = entry.body["raw"]["key"]
        assert key == object_key(entry.body["raw"]["sha256"])
        overwrite_object(store, key, b"forged message")
        assert _first(store) == (k, Fault.CONTENT_ALTERED)

    _with_ledger(sizes, run, with_objects=True)


@PROPERTY
@given(layouts, st.data())
def test_a_checkpoint_with_a_bad_signature_is_reported(sizes, data) -> None:
    starts = batch_starts(sizes)
    which = data.draw(st.integers(0, len(sizes) - 1), label="checkpoint")

    def run(store):
        size = [*starts, sum(sizes)][which + 1]
        key = layout.checkpoint_key(size)
        note = store.get(key).decode()
        body, sig = note.split("\n\n")
        prefix, blob = sig.rstrip("\n").rsplit(" ", 1)
        raw = bytearray(base64.b64decode(blob))
        raw[20] ^= 0x40
        forged = f"{body}\n\n{prefix} {base64.b64encode(bytes(raw)).decode()}\n"
        overwrite_object(store, key, forged.encode())
        report = verify_ledger(store, [KEY.verifier], ORIGIN)
        assert [(p.position, p.fault) for p in report.problems] == [(None, Fault.SIGNATURE_INVALID)]
        assert key in report.problems[0].detail

    _with_ledger(sizes, run)


@PROPERTY
@given(layouts, st.data())
def test_a_rewritten_suffix_with_a_consistent_chain_is_a_fork_from_the_last_signed_size(
    sizes, data
) -> None:
    starts = batch_starts(sizes)
    k = data.draw(st.integers(0, sum(sizes) - 1), label="first rewritten position")

    def run(store):
        lines = read_lines(store)
        prev = LedgerEntry.decode(lines[k][1]).prev
        for pos in range(k, len(lines)):
            key, raw = lines[pos]
            new = edited(raw, prev=prev, body={"n": pos, "rewritten": True})
            lines[pos] = (key, new)
            prev = LedgerEntry.decode(new).entry_hash
        write_lines(store, lines)
        signed_before = max(s for s in starts if s <= k)
        assert _first(store) == (signed_before, Fault.FORKED)

    _with_ledger(sizes, run)


def test_modifying_the_last_entry_is_located_to_the_last_signed_range(tmp_path) -> None:
    # No later entry vouches for the last one, so only the signed checkpoint notices: the
    # damage is somewhere after the newest checkpoint that still matches.
    store = local_store(tmp_path)
    build(store, [2, 3])
    lines = read_lines(store)
    key, raw = lines[-1]
    lines[-1] = (key, edited(raw, body={"n": 4, "tampered": True}))
    write_lines(store, lines)
    assert _first(store) == (2, Fault.FORKED)


def test_a_whole_missing_batch_in_the_middle_is_located(tmp_path) -> None:
    store = local_store(tmp_path)
    build(store, [2, 3, 2])
    remove(store, layout.batch_key(2))
    assert _first(store) == (2, Fault.MISSING)


def test_an_unreadable_line_is_located(tmp_path) -> None:
    store = local_store(tmp_path)
    build(store, [2, 2])
    lines = read_lines(store)
    lines[1] = (lines[1][0], b"{not json")
    write_lines(store, lines)
    assert _first(store) == (1, Fault.MODIFIED)


def test_a_missing_referenced_object_is_located(tmp_path) -> None:
    store = local_store(tmp_path)
    build(store, [1, 2], with_objects=True)
    entry = LedgerEntry.decode(read_lines(store)[2][1])
    remove(store, entry.body["raw"]["key"])
    assert _first(store) == (2, Fault.CONTENT_MISSING)
