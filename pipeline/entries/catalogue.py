"""Encode entry bodies from their models, and decode ledger entries into them.

:func:`decode` is the one strict way to read an entry: an unknown type, a body
written by a newer schema than this code knows, or a body that does not fit its
model is a :class:`pipeline.errors.EntryFormatError` naming the ledger position
and the field. :func:`encode` writes the ``schema`` version into every body, so a
later reader knows which upgrade steps (:mod:`pipeline.entries.upgrade`) apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar, overload

from pydantic import ValidationError

from pipeline.entries.models import CATALOGUE, Body, RecordBody
from pipeline.entries.upgrade import upgrade
from pipeline.errors import EntryFormatError
from pipeline.ledger.entry import EntryDraft, LedgerEntry, canonical_json

B = TypeVar("B", bound=Body)
B_co = TypeVar("B_co", bound=Body, covariant=True)

SCHEMA_KEY = "schema"


@dataclass(frozen=True, slots=True)
class TypedEntry(Generic[B_co]):
    """A committed entry with its body decoded into the model of its type."""

    seq: int
    type: str
    time: str
    actor: str
    body: B_co
    entry: LedgerEntry

    @property
    def moment(self) -> datetime:
        """The entry's time as an aware datetime."""
        return self.entry.moment


def encode(body: Body) -> dict[str, Any]:
    """The JSON body of ``body`` as it is written to the ledger, with its schema version."""
    data = body.model_dump(mode="json", by_alias=True)
    data[SCHEMA_KEY] = type(body).VERSION
    return data


def draft(body: Body, actor: str, time: datetime | None = None) -> EntryDraft:
    """An entry draft of ``body``'s type (its canonical JSON already encoded)."""
    data = encode(body)
    return EntryDraft(
        type=type(body).TYPE,
        body=data,
        actor=actor,
        time=time or datetime.now(UTC),
        body_json=canonical_json(data),
    )


def _field(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(body)"


def decode_body(type_: str, body: Mapping[str, Any], seq: int | None = None) -> Body:
    """The model of a body of ``type_``; ``seq`` names the entry in errors."""
    where = f"ledger entry {seq}" if seq is not None else "entry"
    model = CATALOGUE.get(type_)
    if model is None:
        raise EntryFormatError(
            f"{where} has type {type_!r}, which is not in the entry catalogue; this"
            " ledger was written by other software, or by a newer mailledger"
        )
    data = dict(body)
    version = data.pop(SCHEMA_KEY, 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise EntryFormatError(f"{where} ({type_}): field schema is not a version number")
    if version > model.VERSION:
        raise EntryFormatError(
            f"{where} ({type_}) has schema version {version}; this mailledger reads up to"
            f" version {model.VERSION}: upgrade mailledger to read it"
        )
    try:
        return model.model_validate(upgrade(type_, version, model.VERSION, data))
    except ValidationError as exc:
        first = exc.errors()[0]
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise EntryFormatError(
            f"{where} ({type_}): field {_field(tuple(first['loc']))}: {first['msg']}{more}"
        ) from exc


def decode(entry: LedgerEntry) -> TypedEntry[Body]:
    """Decode a committed entry; :class:`EntryFormatError` names its seq and field."""
    body = decode_body(entry.type, entry.body, entry.seq)
    return TypedEntry(entry.seq, entry.type, entry.time, entry.actor, body, entry)


@overload
def decode_as(entry: LedgerEntry, model: type[B]) -> TypedEntry[B]: ...
@overload
def decode_as(entry: LedgerEntry, model: tuple[type[B], ...]) -> TypedEntry[B]: ...
def decode_as(entry: LedgerEntry, model: type[B] | tuple[type[B], ...]) -> TypedEntry[B]:
    """Decode an entry that must be of ``model`` (or one of several); else EntryFormatError."""
    typed = decode(entry)
    if not isinstance(typed.body, model):
        wanted = model if isinstance(model, tuple) else (model,)
        raise EntryFormatError(
            f"ledger entry {entry.seq} is a {entry.type!r} entry, not "
            + " or ".join(repr(m.TYPE) for m in wanted if hasattr(m, "TYPE"))
        )
    return TypedEntry(typed.seq, typed.type, typed.time, typed.actor, typed.body, entry)


def decode_record(entry: LedgerEntry) -> TypedEntry[RecordBody]:
    """Decode a ``message.received`` or ``response.sent`` entry."""
    typed = decode(entry)
    if not isinstance(typed.body, RecordBody):
        raise EntryFormatError(
            f"ledger entry {entry.seq} is a {entry.type!r} entry, not a message record"
        )
    return TypedEntry(typed.seq, typed.type, typed.time, typed.actor, typed.body, entry)


def decode_all(entries: Iterable[LedgerEntry], types: Iterable[str]) -> Iterator[TypedEntry[Body]]:
    """Decode the entries whose type is one of ``types``, skipping the others."""
    wanted = frozenset(types)
    for entry in entries:
        if entry.type in wanted:
            yield decode(entry)
