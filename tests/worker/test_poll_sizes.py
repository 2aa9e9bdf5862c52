"""A poll asks the server for message sizes a chunk of UIDs at a time, as it plans the
batches, so a backfill of a large folder never holds every message's size at once.

Real Dovecot; the session is the real one, observed (its ``sizes`` calls counted).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from pipeline.config import MailboxConfig
from pipeline.fetch.imap import FetchedMessage, ImapClientSession
from pipeline.runtime import open_runtime
from pipeline.worker import poll
from pipeline.worker.build import open_poller
from tests.conftest import ImapAccount
from tests.ingest._mail import filler_message
from tests.ingest.conftest import mailbox_entry, make_deployment


class Observed:
    """The real IMAP session, with every sizes request and fetch written to ``calls``."""

    calls: ClassVar[list[tuple[str, list[int]]]] = []

    def __init__(self, config: MailboxConfig) -> None:
        self.inner = ImapClientSession(config)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def sizes(self, uids: Sequence[int]) -> dict[int, int]:
        Observed.calls.append(("sizes", list(uids)))
        result: dict[int, int] = self.inner.sizes(uids)
        return result

    def fetch(self, uids: Sequence[int]) -> Iterator[FetchedMessage]:
        Observed.calls.append(("fetch", list(uids)))
        return self.inner.fetch(uids)


def test_sizes_are_read_a_chunk_at_a_time_as_batches_are_fetched(
    imap_user: ImapAccount, tmp_path: Path
) -> None:
    imap_user.server.append_many(imap_user.user, "INBOX", [filler_message(i) for i in range(10)])
    app = make_deployment(tmp_path / "app", [mailbox_entry(imap_user, batch_messages=2)])
    Observed.calls = []

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(poll, "SIZES_PER_REQUEST", 4)
        for name, value in app.env.items():
            patch.setenv(name, value)
        runtime = open_runtime(app.config, writable=True)
        with open_poller(app.config, runtime, session_factory=Observed, seal_only=True) as poller:
            (report,) = poller.poll()

    assert report.ok, report.to_json()
    assert report.total("sealed") == 10
    assert Observed.calls == [
        ("sizes", [1, 2, 3, 4]),
        ("fetch", [1, 2]),
        ("fetch", [3, 4]),
        ("sizes", [5, 6, 7, 8]),
        ("fetch", [5, 6]),
        ("fetch", [7, 8]),
        ("sizes", [9, 10]),
        ("fetch", [9, 10]),
    ]
