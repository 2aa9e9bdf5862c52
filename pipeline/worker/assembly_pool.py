"""Runs record assembly (parse, attachment checks, classification) on every core.

Assembly is CPU-bound; worker processes keep both cores busy while the main process
does I/O. Results come back in submission order, so ledger order stays deterministic
(the order of UIDs), whatever finishes first.

No large byte string crosses a process boundary. A worker is handed a sealed
message's key and digest, reads the raw bytes from the store itself (checked against
the sealed SHA-256 before use), stores the bodies and attachments it derives itself
(content-addressed, create-only: two workers storing the same object is harmless),
and hands back only the record: keys, digests, sizes, classification. The process
that appends then never holds a large message or attachment, only entry bodies. A
sealer that holds the raw bytes already hands small messages over with their bytes
(cheaper than a read), and large ones by key, so it can drop them once sealed.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import datetime

import structlog

from pipeline.classify.language import release_models
from pipeline.errors import IntegrityError, ObjectNotFoundError
from pipeline.hashing import sha256_hex
from pipeline.logs import LogSettings, configure_logging, current_settings
from pipeline.memory import return_large_buffers
from pipeline.parse.message import parse_message
from pipeline.record.assemble import (
    AssembledRecord,
    Blob,
    RecordSettings,
    assemble_prepared,
    prepare,
    raw_key,
    warm_up,
)
from pipeline.record.recorder import Received
from pipeline.record.source import MessageSource
from pipeline.storage.base import ObjectStore, PutOutcome
from pipeline.storage.settings import StoreSettings, open_store

log = structlog.get_logger(__name__)

HAND_OVER_BYTES = 1 << 20
"""Largest raw message a sealer hands to a worker process with its bytes. Larger ones go
by key: their pickled copy would sit in the sealer's memory next to the original, and
the worker reads them from the store (one read) instead."""

RELEASE_MODELS_BYTES = 8 << 20
"""Raw size from which a message is assembled without language detection's models
loaded beforehand. Parsing holds about 2.6 times a message's size for a moment (the
stdlib's list of its lines, then their join); the full short-text models are about
100 MiB more. Freed, they load again only if this or a later message has a short text."""


@dataclass(frozen=True)
class Item:
    """One sealed message to assemble, named by the raw object its seal records.

    ``raw`` is the message's bytes when the caller holds them already (the sealer in the
    same process); otherwise whoever assembles it reads them from the store by
    ``raw_key`` and checks them against ``raw_sha256``, the digest the seal recorded.
    """

    source: MessageSource
    received_at: datetime | None  # receipt: starts the record's clocks
    sealed_seq: int | None  # position of its ``message.sealed`` entry
    raw_sha256: str
    raw_size: int
    raw_key: str
    raw: bytes | None = field(default=None, repr=False)

    @classmethod
    def held(cls, message: Received, sealed_seq: int | None) -> Item:
        """A message the caller has just sealed, with its bytes (hashed at receipt)."""
        return cls(
            message.source,
            message.received_at,
            sealed_seq,
            message.raw_sha256,
            len(message.raw),
            raw_key(message.raw_sha256),
            message.raw,
        )

    @property
    def held_bytes(self) -> int:
        """Bytes of the raw message this item keeps in memory."""
        return 0 if self.raw is None else len(self.raw)

    def by_key(self) -> Item:
        """The same message without its bytes: the assembler reads them from the store."""
        return self if self.raw is None else replace(self, raw=None)

    def _describe(self) -> str:
        source = self.source
        where = (
            f"{source.mailbox} {source.folder} UID {source.uid}"
            if source.kind == "imap"
            else f"{source.mailbox} {source.path}"
        )
        seal = "" if self.sealed_seq is None else f", sealed at ledger position {self.sealed_seq}"
        return f"message {source.record_id(self.raw_sha256)} ({where}{seal})"

    def read_raw(self, store: ObjectStore) -> bytes:
        """The raw bytes, from memory or from ``store``; refused unless they are the bytes
        the seal recorded.

        The seal's digest is checked, not the store's own record of the object: the seal
        is what the signed log vouches for, and a record must never be built from bytes
        other than the sealed ones.
        """
        if self.raw is not None:
            return self.raw
        try:
            raw = store.get(self.raw_key, verify=False)
        except ObjectNotFoundError as exc:
            raise ObjectNotFoundError(
                f"the raw bytes of {self._describe()} are missing from {store.description}"
                f" (key {self.raw_key}): it was not assembled; restore the object from a"
                " copy and run 'mailledger assemble' again"
            ) from exc
        actual = sha256_hex(raw)
        if actual != self.raw_sha256:
            raise IntegrityError(
                f"the raw bytes of {self._describe()} in {store.description} have SHA-256"
                f" {actual}, not the sealed {self.raw_sha256}: it was not assembled; run"
                " 'mailledger verify', and restore the object from a copy"
            )
        return raw


def assemble_and_store(
    items: Sequence[Item],
    settings: RecordSettings,
    store: ObjectStore,
    *,
    after_crash: bool = False,
) -> list[AssembledRecord]:
    """Assemble ``items``, store their bodies and attachments durably in ``store``, and
    return the records without those bytes, in the order of ``items``.

    Puts overlap with the next message's parsing (up to the store's write concurrency),
    except that a message of ``RELEASE_MODELS_BYTES`` or more waits for its attachments'
    writes before it is classified, so their bytes are gone by then; every part is
    durable when this returns, before any entry can refer to it.
    ``after_crash``: a process that died was assembling ``items``; parts it created are
    made durable and given their retention here too (``durable_batch(settle_existing)``).
    """
    records: list[AssembledRecord] = []
    puts: list[Future[PutOutcome]] = []
    stored: set[str] = set()
    with (
        ThreadPoolExecutor(max_workers=store.write_concurrency) as writers,
        store.durable_batch(settle_existing=after_crash),
    ):
        for item in items:
            large = item.raw_size >= RELEASE_MODELS_BYTES
            if large:
                release_models()
            raw = item.read_raw(store)  # checked: its digest is item.raw_sha256
            parsed = parse_message(raw)
            # Classification may load language detection's models: a large message's raw
            # bytes and attachments are not needed by then, and need not sit beside them.
            del raw
            prepared = prepare(parsed, settings.attachment_policy)
            del parsed  # nor need the next message be parsed beside this one
            attachment_puts = _put_new(prepared.blobs, writers, store, stored)
            if large:
                wait(attachment_puts)  # written: their bytes go before classification
            prepared = prepared.without_blobs()
            record = assemble_prepared(
                prepared,
                item.raw_sha256,
                item.raw_size,
                item.source,
                settings,
                item.received_at,
                item.sealed_seq,
            )
            del prepared
            puts += attachment_puts + _put_new(record.blobs, writers, store, stored)
            records.append(record.without_blobs())
            del record  # its bodies wait only for their writes, not beside the next message
        wait(puts)
        for put in puts:
            put.result()  # the first failure, after every write was attempted
    return records


def _put_new(
    blobs: Sequence[Blob], writers: Executor, store: ObjectStore, stored: set[str]
) -> list[Future[PutOutcome]]:
    """Start storing each of ``blobs`` this batch has not stored yet (a key names its
    bytes, so one put per key is enough); ``stored`` gains their keys."""
    futures = []
    for blob in blobs:
        if blob.key not in stored:
            stored.add(blob.key)
            futures.append(writers.submit(store.put, blob.key, blob.data))
    return futures


_settings: RecordSettings | None = None
_store: ObjectStore | None = None


def init_worker_process(settings: RecordSettings, stores: StoreSettings, logs: LogSettings) -> None:
    """Set up an assembly worker process: memory, logging, its own store.

    The process pool runs this in each worker it starts.
    """
    global _settings, _store
    # Ctrl-C at a terminal reaches the whole process group: a worker it interrupted would
    # fail the batch in hand and leave its messages sealed but not assembled. The main
    # process alone decides, through its stop flag, to finish the batch and stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker parses 30 MB messages and frees them again; like the main process, it
    # must give freed large buffers back, or one large message keeps it ~50 MB larger.
    return_large_buffers()
    _settings = settings
    # A forkserver child starts with unconfigured logging: without this, library
    # messages (with the message text they quote) would go to stderr unredacted.
    configure_logging(logs.level, logs.fmt)
    # The worker's own store (an S3 client is not shared across processes).
    _store = open_store(stores)
    # Rules compile and language models load now, not while the first message waits
    # (unpickled rules are compiled afresh in each process).
    warm_up(settings)


def _ready() -> bool:
    return _settings is not None


def _assemble_chunk(items: Sequence[Item]) -> list[AssembledRecord]:
    assert _settings is not None and _store is not None
    return assemble_and_store(items, _settings, _store)


@dataclass(frozen=True)
class PendingAssembly:
    """A batch handed to the pool; :meth:`AssemblyPool.results` waits for it."""

    items: Sequence[Item]
    # One future per chunk of ``items`` (in order); None when assembled inline, or when
    # the pool was broken at submission
    chunks: Sequence[tuple[Sequence[Item], Future[list[AssembledRecord]]]] | None
    executor: Executor | None


class AssemblyPool:
    """Assembles records inline (``workers=1``) or in worker processes.

    :meth:`submit` returns at once, so the caller can fetch and store the next batch
    while this one is assembled; :meth:`results` then returns it in submission order.
    Worker processes open their own store from ``store_settings``; inline assembly uses
    the store :meth:`results` is given.
    """

    def __init__(
        self,
        settings: RecordSettings | Callable[[], RecordSettings],
        workers: int = 0,
        store_settings: StoreSettings | None = None,
    ) -> None:
        # A factory is called on first use: a poll that only seals never loads the rules.
        self._settings = settings
        self._store_settings = store_settings
        count = workers or os.cpu_count() or 1
        if count > 1 and store_settings is None:
            # A programming error, not an operator's: the builder always passes them.
            raise ValueError("assembly worker processes need the store settings")
        self._count = count
        self._executor: Executor | None = self._start(count) if count > 1 else None

    @property
    def settings(self) -> RecordSettings:
        """What assembly needs (made on first use when given as a factory)."""
        if not isinstance(self._settings, RecordSettings):
            self._settings = self._settings()
        return self._settings

    @property
    def in_processes(self) -> bool:
        """True when items are assembled in worker processes."""
        return self._executor is not None

    def _start(self, count: int) -> Executor:
        stores = self._store_settings
        assert stores is not None  # checked in __init__
        # forkserver: forking a process that already runs I/O threads is unsafe
        context = multiprocessing.get_context("forkserver")
        return ProcessPoolExecutor(
            max_workers=count,
            mp_context=context,
            initializer=init_worker_process,
            initargs=(self.settings, stores, current_settings()),
        )

    def warm(self) -> None:
        """Start the worker processes now (imports, rules), not at the first message.

        A long-running worker calls this at start, so the first mail it receives does
        not wait for the processes to start and load the classification rules.
        """
        executor = self._executor
        if executor is None:
            warm_up(self.settings)
            return
        try:
            for future in [executor.submit(_ready) for _ in range(self._count)]:
                future.result()
        except BrokenProcessPool:
            self._restart(executor, 0)

    def hand_over(self, items: Sequence[Item]) -> list[Item]:
        """``items`` as they should wait for this pool: large messages without their bytes
        when worker processes will read them from the store anyway."""
        if self._executor is None:
            return list(items)  # inline assembly uses the bytes in hand: no read, no copy
        return [item.by_key() if item.held_bytes > HAND_OVER_BYTES else item for item in items]

    def submit(self, items: Sequence[Item]) -> PendingAssembly:
        """Start assembling ``items``."""
        executor = self._executor
        if executor is None or not items:
            return PendingAssembly(items, None, None)
        items = self.hand_over(items)
        size = max(1, len(items) // 16)
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        try:
            futures = [(chunk, executor.submit(_assemble_chunk, chunk)) for chunk in chunks]
        except BrokenProcessPool:
            self._restart(executor, len(items))
            return PendingAssembly(items, None, None)
        return PendingAssembly(items, futures, executor)

    def results(self, pending: PendingAssembly, store: ObjectStore) -> list[AssembledRecord]:
        """The records of ``pending``, in the order its items were submitted, each with
        its parts stored durably (by the worker, or here in ``store``)."""
        if pending.chunks is None:
            return assemble_and_store(pending.items, self.settings, store)
        records: list[AssembledRecord] = []
        for chunk, future in pending.chunks:
            try:
                records.extend(future.result())
            except BrokenProcessPool:
                # A worker died (a parser crash in C code, or the OOM killer): the raw
                # bytes are stored, so assemble this chunk here. Chunks finished before
                # the death are kept (their parts are stored); a rerun stores again.
                assert pending.executor is not None
                self._restart(pending.executor, len(pending.items))
                # Parts the dead worker created may be unsynced and lack retention.
                records.extend(assemble_and_store(chunk, self.settings, store, after_crash=True))
        return records

    def _restart(self, broken: Executor, batch: int) -> None:
        # Two batches in flight both see the same broken pool; only the first restarts it.
        if broken is not self._executor:
            return
        log.error("assembly.worker_died", batch=batch)
        broken.shutdown(wait=False, cancel_futures=True)
        self._executor = self._start(self._count)

    def close(self) -> None:
        """Stop the worker processes."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
