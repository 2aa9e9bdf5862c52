"""An export proves its own entry against the checkpoint after it from the tree it was
proven with and the entries appended since, without the index."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from pipeline.errors import LedgerError
from pipeline.ledger.checkpoint import SignedCheckpoint
from pipeline.ledger.entry import LedgerEntry
from pipeline.ledger.log import Ledger
from pipeline.merkle import Hashes, MerkleTree
from tests.index.factory import build_scenario
from tests.ledger.ledger_helpers import edited

T = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


class _AlteredAt:
    """The ledger as a reader sees it when one entry was changed in storage after the
    writer signed it (what the extended tree's root check must catch on its own)."""

    def __init__(self, ledger: Ledger, seq: int) -> None:
        self._ledger = ledger
        self._seq = seq

    def size(self) -> int:
        return self._ledger.size()

    def entry(self, seq: int) -> LedgerEntry:
        return next(self.entries(seq, seq + 1))

    def entries(self, start: int = 0, stop: int | None = None) -> Iterator[LedgerEntry]:
        for entry in self._ledger.entries(start, stop):
            if entry.seq == self._seq:
                body = {**entry.body, "reason": "altered after signing"}
                entry = LedgerEntry.decode(edited(entry.raw, body=body))
            yield entry

    def read_checkpoint_text(self, note: str) -> SignedCheckpoint:
        return self._ledger.read_checkpoint_text(note)


def _view() -> dict[str, object]:
    return {"actor": "person:a", "record_ids": ["r-x"], "what": "record", "reason": "x"}


def test_an_extended_context_proves_entries_appended_after_its_checkpoint(tmp_path):
    scenario = build_scenario(tmp_path / "ledger")
    ledger = scenario.env.runtime.ledger
    first = scenario.env.proofs()
    later = scenario.env.append("access.viewed", _view(), time=T)
    extended = first.extended(ledger, ledger.checkpoint_note(ledger.size()))
    assert extended.size == later.seq + 1 > first.size
    assert extended.prove(later).verified
    assert (
        extended.root
        == ledger.read_checkpoint_text(ledger.checkpoint_note(ledger.size())).checkpoint.root
    )


def test_an_extended_context_refuses_a_checkpoint_older_than_its_own(tmp_path):
    scenario = build_scenario(tmp_path / "ledger")
    ledger = scenario.env.runtime.ledger
    size = ledger.size()
    context = scenario.env.proofs(size)
    with pytest.raises(LedgerError, match="older"):
        context.extended(ledger, ledger.checkpoint_note(size - 1))


def test_an_entry_altered_after_the_first_checkpoint_fails_the_extension_naming_it(tmp_path):
    scenario = build_scenario(tmp_path / "ledger")
    ledger = scenario.env.runtime.ledger
    first = scenario.env.proofs()
    later = scenario.env.append("access.viewed", _view(), time=T)
    note = ledger.checkpoint_note(ledger.size())
    with pytest.raises(LedgerError, match=rf"ledger entry {later.seq}, appended after"):
        first.extended(_AlteredAt(ledger, later.seq), note)


def test_an_extended_tree_has_every_level_of_the_tree_built_over_all_its_leaves():
    leaves = [bytes([n]) * 32 for n in range(1, 24)]
    for old in (0, 1, 2, 5, 8, 13, 16, 22, 23):
        grown = MerkleTree(leaves[:old]).extended(Hashes.of(leaves[old:]))
        whole = MerkleTree(leaves)
        assert [level.packed() for level in grown.levels] == [
            level.packed() for level in whole.levels
        ]
