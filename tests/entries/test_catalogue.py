"""The entry catalogue: every type round-trips, decoding is strict, old bodies upgrade."""

from __future__ import annotations

import types
import typing
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from pipeline.entries import CATALOGUE, Body, decode, decode_body, draft, encode, names
from pipeline.entries.models import DeadlineBody, MessageReceived, Source
from pipeline.errors import EntryFormatError
from pipeline.ledger.entry import EntryDraft
from pipeline.ledger.memory import MemoryLedger

WHEN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
TEXT = st.text(max_size=12)
INT = st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)


def strategy(annotation: Any) -> st.SearchStrategy[Any]:
    """Values of a model field's annotation, built from the annotation itself."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return strategy(args[0])
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(strategy(a) for a in args))
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin is tuple:
        return st.lists(strategy(args[0]), max_size=3).map(tuple)
    if annotation is type(None):
        return st.none()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return model_strategy(annotation)
    if annotation is date:
        return st.dates()
    for base, values in ((bool, st.booleans()), (int, INT), (str, TEXT)):
        if isinstance(annotation, type) and issubclass(annotation, base):
            return values
    metadata = getattr(annotation, "__metadata__", None)
    if metadata is not None:  # StrictStr and friends are Annotated[base, Strict()]
        return strategy(annotation.__origin__)
    raise AssertionError(f"no strategy for {annotation!r}")


def model_strategy(model: type[BaseModel]) -> st.SearchStrategy[Any]:
    """Instances of ``model`` with every field drawn from its annotation."""
    fields = {name: strategy(info.annotation) for name, info in model.model_fields.items()}
    return st.fixed_dictionaries(fields).map(lambda values: model(**values))


@pytest.mark.parametrize("type_", sorted(CATALOGUE))
@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_entry_type_decodes_to_the_model_it_was_encoded_from(
    type_: str, data: st.DataObject
) -> None:
    model = data.draw(model_strategy(CATALOGUE[type_]))
    ledger = MemoryLedger()
    (entry,) = ledger.append([draft(model, "worker:test", WHEN)])
    typed = decode(entry)
    assert typed.type == type_
    assert typed.body == model


@pytest.mark.parametrize("type_", sorted(CATALOGUE))
@settings(max_examples=3)
@given(data=st.data())
def test_every_encoded_body_carries_its_schema_version(type_: str, data: st.DataObject) -> None:
    model = CATALOGUE[type_]
    body = encode(data.draw(model_strategy(model)))
    assert body["schema"] == model.VERSION


def test_an_unknown_entry_type_is_refused_naming_its_position() -> None:
    ledger = MemoryLedger()
    ledger.append([EntryDraft("message.recieved", {"record_id": "r-1"}, "a", WHEN)])
    with pytest.raises(EntryFormatError, match=r"ledger entry 0 has type 'message.recieved'"):
        decode(ledger.entry(0))


def test_a_malformed_body_is_refused_naming_position_and_field() -> None:
    ledger = MemoryLedger()
    body = {"record_id": "r-1", "source": {"kind": "imap", "mailbox": "m", "folder": 7}}
    ledger.append([EntryDraft(names.MESSAGE_RECEIVED, body, "a", WHEN)])
    with pytest.raises(
        EntryFormatError,
        match=r"ledger entry 0 \(message.received\): field"
        r" source.folder: Input should be a valid string",
    ):
        decode(ledger.entry(0))


def test_a_field_no_writer_writes_is_refused() -> None:
    body = {"what": "trail", "actor": "p", "record_ids": [], "list_headers": []}
    with pytest.raises(
        EntryFormatError, match="field list_headers: Extra inputs are not permitted"
    ):
        decode_body(names.ACCESS_VIEWED, body, 4)


def test_a_body_from_a_newer_schema_is_refused_with_what_to_do() -> None:
    body = {"record_ids": ["r-1"], "what": "trail", "actor": "p", "schema": 99}
    with pytest.raises(EntryFormatError, match=r"schema version 99.*upgrade mailledger"):
        decode_body(names.ACCESS_VIEWED, body, 4)


def test_a_version_1_record_deadline_without_extension_facts_is_not_extendable() -> None:
    deadline = {"name": "respond", "due": "2027-01-12", "business_days": 30, "rule": "r"}
    body = {
        "record_id": "r-1",
        "source": {"kind": "imap", "mailbox": "m", "folder": "INBOX"},
        "deadlines": [deadline],
    }
    record = decode_body(names.MESSAGE_RECEIVED, body, 0)
    assert isinstance(record, MessageReceived)
    assert record.deadlines == (
        DeadlineBody(
            name="respond",
            due=date(2027, 1, 12),
            business_days=30,
            rule="r",
            start=None,
            extendable=False,
        ),
    )


def test_a_version_2_record_deadline_must_say_whether_it_is_extendable() -> None:
    deadline = {"name": "respond", "due": "2027-01-12", "business_days": 30, "rule": "r"}
    body = {
        "schema": 2,
        "record_id": "r-1",
        "source": {"kind": "imap", "mailbox": "m", "folder": "INBOX"},
        "deadlines": [deadline],
    }
    with pytest.raises(EntryFormatError, match=r"field deadlines\.0\.start: Field required"):
        decode_body(names.MESSAGE_RECEIVED, body, 0)


def test_first_handler_format_match_spans_become_start_and_end() -> None:
    body = {
        "record_id": "r-1",
        "source": {"kind": "imap", "mailbox": "m", "folder": "INBOX"},
        "classification": {"matches": [{"rule": "cfpb", "span": [3, 9]}]},
    }
    record = decode_body(names.MESSAGE_RECEIVED, body, 0)
    assert isinstance(record, MessageReceived)
    (match,) = record.classification.matches
    assert (match.start, match.end) == (3, 9)


def test_strict_types_refuse_a_number_written_as_text() -> None:
    body = {"sink": "s", "from_seq": "3", "through_seq": 4, "checked_at": "x"}
    with pytest.raises(EntryFormatError, match="field from_seq: Input should be a valid integer"):
        decode_body(names.EVENT_DELIVERED, body, 1)


def test_every_model_in_the_catalogue_is_registered_under_its_own_type() -> None:
    assert all(type_ == model.TYPE for type_, model in CATALOGUE.items())
    assert all(issubclass(model, Body) for model in CATALOGUE.values())


def test_source_field_names_are_the_ones_record_assembly_writes() -> None:
    from pipeline.record.source import MessageSource

    source = MessageSource(kind="imap", mailbox="m", folder="INBOX", uidvalidity=1, uid=2)
    assert Source.model_validate(source.to_json()).uid == 2


def test_a_due_date_written_as_a_number_is_refused() -> None:
    deadline = {"name": "respond", "due": 1_767_225_600, "business_days": 30, "rule": "r"}
    body = {
        "record_id": "r-1",
        "source": {"kind": "imap", "mailbox": "m", "folder": "INBOX"},
        "deadlines": [deadline],
    }
    with pytest.raises(EntryFormatError, match=r"field deadlines\.0\.due: .*YYYY-MM-DD"):
        decode_body(names.MESSAGE_RECEIVED, body, 0)
