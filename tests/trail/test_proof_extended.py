"""An export proves its own entry against the checkpoint after it from the tree it was
proven with and the entries appended since, without the index."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.errors import LedgerError
from pipeline.trail.proofs import ProofContext
from tests.index.factory import build_scenario

T = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_an_extended_context_proves_entries_appended_after_its_checkpoint(tmp_path):
    scenario = build_scenario(tmp_path / "ledger")
    ledger = scenario.env.runtime.ledger
    first = ProofContext.for_note(
        ledger, scenario.env.index(), ledger.checkpoint_note(ledger.size())
    )
    later = scenario.env.append(
        "access.viewed",
        {"actor": "person:a", "record_ids": ["r-x"], "what": "record", "reason": "x"},
        time=T,
    )
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
    context = ProofContext.for_note(ledger, scenario.env.index(), ledger.checkpoint_note(size))
    with pytest.raises(LedgerError, match="older"):
        context.extended(ledger, ledger.checkpoint_note(size - 1))
