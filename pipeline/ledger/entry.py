"""Ledger entries and their canonical encoding.

Entries are serialised with the JSON Canonicalization Scheme (RFC 8785): sorted
keys, no insignificant whitespace, UTF-8, ECMAScript number formatting. The same
logical entry therefore always has the same bytes and the same hash, whoever
writes it. Floats are refused: every number in an entry is an integer, so no
two implementations can disagree on its text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import msgspec
import rfc8785

from pipeline.errors import LedgerError
from pipeline.hashing import ZERO_HASH, is_sha256_hex
from pipeline.merkle import leaf_hash

JSONValue = Any
"""A JSON value made of dict, list, str, int, bool and None (no floats)."""

_REQUIRED = ("seq", "prev", "type", "time", "actor", "body")


def format_time(moment: datetime) -> str:
    """UTC timestamp with microseconds and a ``Z`` suffix, the ledger's one time format."""
    if moment.tzinfo is None:
        raise ValueError("ledger times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    """Inverse of :func:`format_time`."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def canonical_json(value: JSONValue) -> bytes:
    """RFC 8785 canonical bytes of a JSON value."""
    fast = _simple_canonical(value)
    if fast is not None:
        return fast
    _reject_floats(value)
    return bytes(rfc8785.dumps(value))


_MAX_SAFE_INT = 2**53 - 1


def _simple(value: object) -> bool:
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -_MAX_SAFE_INT <= value <= _MAX_SAFE_INT
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and k.isascii() and _simple(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_simple(v) for v in value)
    return False


def _simple_canonical(value: JSONValue) -> bytes | None:
    """The stdlib encoder's bytes when they are the RFC 8785 form, else None.

    For values made only of strings, safe-range integers, booleans, null, arrays and
    objects with ASCII keys, sorted keys with no whitespace and unescaped non-ASCII
    are exactly RFC 8785 section 3.2: ASCII keys sort the same by code point as by
    UTF-16 unit, and both escape only '"', '\\' and control characters, the same way
    (short forms for b, f, n, r, t; lowercase \\u00xx otherwise). Floats, large
    integers and other keys take the general path.
    """
    if not _simple(value):
        return None
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    except UnicodeEncodeError:  # a lone surrogate: let the general path decide
        return None


def _splice(seq: int, prev: str, type_: str, time_text: str, actor: str, body: bytes) -> bytes:
    """The canonical bytes of an entry whose body is already canonical.

    RFC 8785 serialises an object as its members in sorted key order, each value in
    its own canonical form, so the entry is its six members written in the order
    actor, body, prev, seq, time, type around the body's bytes.
    """
    if not is_sha256_hex(prev):
        raise LedgerError(f"entry field 'prev' is not a SHA-256 hex digest: {prev!r}")
    return b"".join(
        (
            b'{"actor":',
            canonical_json(actor),
            b',"body":',
            body,
            b',"prev":"',
            prev.encode("ascii"),
            b'","seq":',
            str(seq).encode("ascii"),
            b',"time":',
            canonical_json(time_text),
            b',"type":',
            canonical_json(type_),
            b"}",
        )
    )


def _reject_floats(value: JSONValue) -> None:
    if isinstance(value, float):
        raise LedgerError("ledger entries may not contain floating-point numbers")
    if isinstance(value, Mapping):
        for item in value.values():
            _reject_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _reject_floats(item)


@dataclass(frozen=True)
class EntryDraft:
    """An entry before it has a position: what a writer wants to append.

    ``body_json`` is ``canonical_json(body)`` when the writer already has it: ingestion
    encodes record bodies in its worker processes, so the process that appends only
    splices bytes instead of encoding (and checking) every body again.
    """

    type: str
    body: Mapping[str, JSONValue]
    actor: str
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    body_json: bytes | None = field(default=None, repr=False, compare=False)


class _Head(msgspec.Struct):
    """An entry's members other than the body, which is kept as unparsed JSON."""

    seq: int
    prev: str
    type: str
    time: str
    actor: str
    body: msgspec.Raw


_HEAD_JSON = msgspec.json.Decoder(_Head)


@dataclass(frozen=True)
class LedgerEntry:
    """One committed ledger entry with its canonical bytes."""

    seq: int
    prev: str
    type: str
    time: str
    actor: str
    body: Mapping[str, JSONValue]
    raw: bytes

    @property
    def leaf_hash(self) -> bytes:
        """RFC 6962 leaf hash of the entry's canonical bytes."""
        return leaf_hash(self.raw)

    @property
    def entry_hash(self) -> str:
        """Hex leaf hash; the next entry's ``prev``."""
        return self.leaf_hash.hex()

    @property
    def moment(self) -> datetime:
        """The entry's time as an aware datetime."""
        return parse_time(self.time)

    @classmethod
    def build(cls, seq: int, prev: str, draft: EntryDraft) -> LedgerEntry:
        """Give a draft its position and chain link, and encode it."""
        time_text = format_time(draft.time)
        body: Mapping[str, JSONValue]
        if draft.body_json is not None:
            raw = _splice(seq, prev, draft.type, time_text, draft.actor, draft.body_json)
            body = json.loads(draft.body_json)
        else:
            document = {
                "seq": seq,
                "prev": prev,
                "type": draft.type,
                "time": time_text,
                "actor": draft.actor,
                "body": dict(draft.body),
            }
            raw = canonical_json(document)
            body = json.loads(raw)["body"]
        return cls(
            seq=seq,
            prev=prev,
            type=draft.type,
            time=time_text,
            actor=draft.actor,
            body=body,
            raw=raw,
        )

    @classmethod
    def decode(cls, raw: bytes) -> LedgerEntry:
        """Parse stored bytes; raises :class:`LedgerError` when they are not an entry.

        The bytes are kept as stored (not re-encoded) so that hashing detects any change.
        """
        try:
            document = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise LedgerError(f"not valid JSON: {exc}") from exc
        except RecursionError as exc:
            raise LedgerError("not an entry: its JSON is nested too deeply to read") from exc
        if not isinstance(document, dict) or any(k not in document for k in _REQUIRED):
            raise LedgerError(f"entry lacks one of the fields {', '.join(_REQUIRED)}")
        seq, prev = document["seq"], document["prev"]
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            raise LedgerError("entry field 'seq' is not a non-negative integer")
        if not isinstance(prev, str) or not is_sha256_hex(prev):
            raise LedgerError("entry field 'prev' is not a SHA-256 hex digest")
        if not isinstance(document["body"], dict):
            raise LedgerError("entry field 'body' is not an object")
        for name in ("type", "time", "actor"):
            if not isinstance(document[name], str):
                raise LedgerError(f"entry field {name!r} is not a string")
        return cls(
            seq=seq,
            prev=prev,
            type=document["type"],
            time=document["time"],
            actor=document["actor"],
            body=document["body"],
            raw=raw,
        )

    @classmethod
    def link_of(cls, raw: bytes) -> tuple[int, str]:
        """The position and chain link of stored entry bytes, checked as :meth:`decode`
        checks them, without building the body.

        Reading a log's head needs only these (and the bytes' hash); the body's syntax
        is checked but it is not built into objects until the entry is read. Lines the
        fast decoder refuses (a byte order mark, NaN, lone surrogates), and lines that
        are not UTF-8 (which it does not check inside a body it skips), are read by
        :meth:`decode`, so both accept the same lines.
        """
        try:
            raw.decode("utf-8")
            head = _HEAD_JSON.decode(raw)
        except (UnicodeDecodeError, msgspec.MsgspecError):
            entry = cls.decode(raw)
            return entry.seq, entry.prev
        if head.seq < 0:
            raise LedgerError("entry field 'seq' is not a non-negative integer")
        if not is_sha256_hex(head.prev):
            raise LedgerError("entry field 'prev' is not a SHA-256 hex digest")
        if bytes(memoryview(head.body)[:1]) != b"{":
            raise LedgerError("entry field 'body' is not an object")
        return head.seq, head.prev

    def is_canonical(self) -> bool:
        """True when the stored bytes are exactly the canonical encoding."""
        return canonical_json(json.loads(self.raw)) == self.raw


GENESIS_PREV = ZERO_HASH
