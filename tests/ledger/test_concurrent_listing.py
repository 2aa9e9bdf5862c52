"""A listing taken while other writers create batches is not a snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.errors import LedgerError
from pipeline.ledger import layout
from pipeline.storage.local import LocalStore
from tests.ledger.ledger_helpers import draft, ledger_on


class MissesOnce(LocalStore):
    """Lists the ledger's batches leaving out ``hidden`` the first ``times`` times, as a
    directory read concurrently with the batch's creation can."""

    def __init__(self, root: Path, hidden: str, times: int) -> None:
        super().__init__(root, fsync=False)
        self.hidden, self.times = hidden, times

    def list(self, prefix: str, start_after: str | None = None) -> Iterator[str]:
        keys = list(super().list(prefix, start_after))
        if prefix == layout.ENTRIES and self.hidden in keys and self.times > 0:
            self.times -= 1
            keys.remove(self.hidden)
        yield from keys


def _log_of_three_batches(root: Path) -> None:
    writer = ledger_on(LocalStore(root, fsync=False))
    for n in range(3):
        writer.append([draft(n)])


def test_a_batch_missing_from_one_listing_is_read_on_the_next_look(tmp_path: Path) -> None:
    _log_of_three_batches(tmp_path)
    reader = ledger_on(MissesOnce(tmp_path, layout.batch_key(1), times=1), signing=False)
    assert reader.refresh() == 3
    assert [e.body["n"] for e in reader.entries()] == [0, 1, 2]


def test_a_batch_missing_from_every_listing_is_reported_as_a_gap(tmp_path: Path) -> None:
    _log_of_three_batches(tmp_path)
    reader = ledger_on(MissesOnce(tmp_path, layout.batch_key(1), times=99), signing=False)
    with pytest.raises(LedgerError, match="starts at position 2 but the log has 1 entries"):
        reader.refresh()
