"""A worker frees language detection's models before it parses a very large message, and
stores that message's attachments before classification may load the models again; the
record is the one assembly gives without either."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import pipeline.classify.language as language
import pipeline.record.assemble as record_assembly
import pipeline.worker.assembly_pool as assembly_pool
from pipeline.classify.classifier import Classification
from pipeline.classify.language import detect, release_models
from pipeline.parse.message import parse_message
from pipeline.parse.model import ParsedMessage
from pipeline.record.assemble import AssembledRecord, RecordSettings, assemble
from pipeline.record.recorder import Received
from pipeline.record.source import MessageSource
from pipeline.storage.base import PutOutcome
from pipeline.storage.local import LocalStore
from pipeline.worker.assembly_pool import Item, assemble_and_store
from tests.index.factory import make_env, make_raw

RECEIVED = datetime(2026, 11, 2, 14, 5, tzinfo=UTC)
SHORT_SPANISH = "Hola, no me aplicaron el pago de octubre."


def _item(uid: int, text: str) -> Item:
    source = MessageSource(
        kind="imap", mailbox="servicing", folder="INBOX", uidvalidity=7, uid=uid,
        internaldate=RECEIVED,
    )  # fmt: skip
    raw = make_raw(subject="Pago", text=text, attachment=("escaneo.pdf", bytes(range(256)) * 64))
    return Item.held(Received.of(raw, source, RECEIVED), uid)


def _watch(monkeypatch: pytest.MonkeyPatch, threshold: int) -> list[str]:
    """What the worker does, in order: 'release' (the models) and 'parse'."""
    events: list[str] = []
    monkeypatch.setattr(assembly_pool, "RELEASE_MODELS_BYTES", threshold)
    monkeypatch.setattr(assembly_pool, "release_models", lambda: events.append("release"))

    def parse(raw: bytes) -> ParsedMessage:
        events.append("parse")
        return parse_message(raw)

    monkeypatch.setattr(assembly_pool, "parse_message", parse)
    return events


def test_a_message_at_the_size_limit_is_parsed_after_the_models_are_released(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = _item(1, SHORT_SPANISH)
    events = _watch(monkeypatch, threshold=item.raw_size)
    assemble_and_store([item], make_env(tmp_path / "env").settings(), _store(tmp_path))
    assert events == ["release", "parse"]


def test_a_message_under_the_size_limit_is_parsed_with_the_models_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = _item(1, SHORT_SPANISH)
    events = _watch(monkeypatch, threshold=item.raw_size + 1)
    assemble_and_store([item], make_env(tmp_path / "env").settings(), _store(tmp_path))
    assert events == ["parse"]


def _assembled_alone(tmp_path: Path) -> tuple[Item, RecordSettings, AssembledRecord]:
    """A short Spanish message with an attachment, the settings, and the record that
    assembly gives it on its own (no worker, no release)."""
    item = _item(1, SHORT_SPANISH)
    assert item.raw is not None
    settings = make_env(tmp_path / "env").settings()
    expected = assemble(
        item.raw, item.source, settings, item.received_at, item.sealed_seq, item.raw_sha256
    )
    return item, settings, expected


def test_the_record_after_a_release_is_the_one_assembly_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    item, settings, expected = _assembled_alone(tmp_path)
    monkeypatch.setattr(assembly_pool, "RELEASE_MODELS_BYTES", 0)
    [record] = assemble_and_store([item], settings, _store(tmp_path))
    assert record.record.classification.language == "es"
    assert record.body_json == expected.body_json


class _SlowStore(LocalStore):
    """A local store whose writes take a moment, as a remote store's do: a check made
    while a write is still queued sees the object missing."""

    def put(self, key: str, data: bytes) -> PutOutcome:
        time.sleep(0.3)
        return super().put(key, data)


def test_a_large_message_s_attachments_are_stored_before_it_is_classified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    item, settings, expected = _assembled_alone(tmp_path)
    [attachment] = expected.record.attachments
    store = _SlowStore(tmp_path / "store", fsync=False)
    seen: list[bool] = []
    classify = record_assembly.classify

    def watched(*args: Any, **kwargs: Any) -> Classification:
        seen.append(store.exists(attachment.key))
        return classify(*args, **kwargs)

    monkeypatch.setattr(record_assembly, "classify", watched)
    monkeypatch.setattr(assembly_pool, "RELEASE_MODELS_BYTES", item.raw_size)
    assemble_and_store([item], settings, store)
    assert seen == [True]


def _store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "store", fsync=False)


def test_releasing_unloads_every_detector_built(monkeypatch: pytest.MonkeyPatch) -> None:
    unloaded: list[str] = []

    class Detector:
        def __init__(self, name: str) -> None:
            self.name = name

        def unload_language_models(self) -> None:
            unloaded.append(self.name)

    monkeypatch.setattr(
        language, "_DETECTORS", {"full": Detector("full"), "compact": Detector("compact")}
    )
    release_models()
    assert sorted(unloaded) == ["compact", "full"]


def test_detection_gives_the_same_reading_after_its_models_are_released() -> None:
    before = detect(SHORT_SPANISH)
    release_models()
    assert detect(SHORT_SPANISH) == before
    assert before.code == "es"
