#!/usr/bin/env python3
"""Verify a mailledger examination export, using nothing but the Python standard library.

This file is shipped inside every export as ``verify.py``. Run it with any
Python 3.9 or newer; it installs nothing, imports nothing outside the standard
library and never contacts the network::

    python verify.py                        # the bundle this file sits in
    python verify.py EXPORT_DIR_OR_ZIP      # a folder or a .zip
    python verify.py EXPORT --public-key KEY_FILE_OR_TEXT
    python verify.py EXPORT --json          # machine-readable report

Exit status: 0 verified, 1 not verified (the problems are listed, up to 10,000 of them,
and the rest counted), 2 usage error.

What a VERIFIED result means
----------------------------
1. ``checkpoint.txt`` is a signed note (C2SP signed-note / tlog-checkpoint)
   signed by the log's Ed25519 key. The key comes from ``--public-key`` when
   given, otherwise from the ``public-key.txt`` shipped in the bundle. A
   shipped key only proves the bundle is consistent with itself: obtain the
   servicer's log key through a separate channel and pass it with
   ``--public-key``.
2. Every ledger entry in ``ledger/`` is in the log that checkpoint commits to
   (RFC 6962 leaf hash and RFC 9162 inclusion proof against the signed root).
3. Every exported message (native ``.eml``) and attachment has the SHA-256
   recorded in its ``message.received`` ledger entry, so the content is tied
   to the signed log.
4. Every file is listed in ``manifest.json`` with its size and SHA-256, and
   nothing else is in the bundle.
5. ``manifest.json`` is bound to the signed log: ``seal/export-created.json``
   is the export's own ``export.created`` entry, proven by ``seal/proof.json``
   to be in the log ``seal/checkpoint.txt`` signs, and it records the
   manifest's SHA-256 (so every file, the criteria, the record list and each
   record's attachments and trail entries), the records exported, and the
   SHA-256 of this ``verify.py``. Obtain ``verify.py`` from the project's
   release and compare its SHA-256 with the one printed as recorded.

Bundle contract (``mailledger-export/1``)
-----------------------------------------
::

    manifest.json                  the manifest below (UTF-8 JSON)
    verify.py                      this file
    seal/export-created.json       the export.created entry recording the manifest's SHA-256
    seal/checkpoint.txt            a checkpoint signed after that entry
    seal/proof.json                {"seq": <int>, "proof": ["<64 hex>", ...]}: its inclusion proof
    checkpoint.txt                 the signed checkpoint note the export was made against
    public-key.txt                 the log's verifier key text, shipped for convenience
    ledger/<seq, 16 digits>.json   the raw canonical bytes of each included ledger entry
    natives/...  text/...  html/...  loadfiles/export.dat  loadfiles/export.csv
    index.html   report/...

A ``.zip`` bundle holds the same tree, either at the top of the archive or
inside one top-level folder. Member names that are absolute, contain ``..``
or backslashes, or appear twice are failures in themselves.

``manifest.json``::

    {
      "format": "mailledger-export/1",
      "created_at": "<str>", "actor": "<str>", "reason": "<str>", "criteria": {...},
      "log_origin": "<str: the checkpoint origin line>",
      "checkpoint": {"size": <int>, "root": "<64 hex>", "file": "checkpoint.txt"},
      "files": [{"path": "natives/...", "sha256": "<64 hex>", "size": <int>}, ...],
      "entries": [{"seq": <int>, "file": "ledger/0000000000000042.json",
                   "leaf_hash": "<64 hex>", "proof": ["<64 hex>", ...]}, ...],
      "records": [{"record_id": "<str>", "received_seq": <int>, "raw_sha256": "<64 hex>",
                   "native": "natives/....eml",
                   "attachments": [{"sha256": "<64 hex>", "path": "natives/..."}, ...],
                   "trail": [<int>, ...]}, ...]
    }

- ``files`` lists every file in the bundle except ``manifest.json``,
  ``verify.py`` and the three ``seal/`` files at its top (so it includes ``checkpoint.txt``,
  ``public-key.txt`` and the ledger files). Paths are relative, ``/``-separated,
  without ``.`` or ``..`` components.
- ``entries[].proof`` is the RFC 6962 audit path for leaf ``seq`` in the tree
  of ``checkpoint.size`` leaves; ``leaf_hash`` is SHA-256(0x00 || file bytes);
  the file's JSON ``seq`` field equals ``seq``; every file under ``ledger/``
  is listed here, once.
- ``records[].received_seq`` names an included entry of type
  ``message.received`` (or ``message.imported``) whose ``body.raw.sha256``
  equals ``raw_sha256`` and the native's SHA-256; each attachment's
  ``sha256`` is the SHA-256 of its file and appears in that entry's
  ``body.attachments[].sha256``; every attachment that entry records as
  ``accepted`` is among them; each position in ``trail`` is an included entry.
- ``checkpoint.txt`` is ``<origin>\\n<size>\\n<base64 root>\\n\\n`` followed by
  lines ``— <key name> <base64(4-byte key id || 64-byte Ed25519 signature)>``;
  its origin equals ``log_origin`` and its size and root equal ``checkpoint``.
- ``public-key.txt`` (and ``--public-key``) hold signed-note verifier keys,
  one per line: ``<name>+<8 hex key id>+<base64(0x01 || 32-byte key)>``,
  the key id being SHA-256(name || 0x0A || 0x01 || key)[:4].

Operating-system litter (``.DS_Store``, ``Thumbs.db``, ``desktop.ini``,
``._*`` AppleDouble files, ``__MACOSX/``) that is not in the manifest is
reported as a warning, not a failure: browsing a folder creates it.

Limits
------
A small zip can inflate to gigabytes, so the verifier never reads a file into
memory on the strength of its size. Content files are hashed 1 MiB at a time;
``manifest.json`` and large ledger entries are parsed as they stream past. A
file over its bound (``public-key.txt``, either ``checkpoint.txt`` and
``seal/proof.json``: 64 KiB; a ledger entry: 256 MiB), a single JSON value
over 4 Mi characters or nested over 256 levels, or a manifest list longer
than the bundle could satisfy, is a failure naming the file and the bound.
With ``--public-key``, ``public-key.txt`` is read only to explain a failed
signature.
"""

from __future__ import annotations

# The version check comes first and in syntax every Python 3 can parse: on an older
# interpreter the rest of this file would fail with a traceback and exit status 1,
# which reads as "not verified" rather than "wrong Python". The whole file is kept
# parseable by 3.8 so that this check runs there (a test runs it under 3.8).
import sys

if sys.version_info < (3, 9):  # noqa: UP036 - this file runs outside the project
    sys.stderr.write(
        "verify.py needs Python 3.9 or newer; this is Python {}.{}. "
        "Run it with python3.9 or later (exit status 2: usage error).\n".format(
            *sys.version_info[:2]
        )
    )
    sys.exit(2)

import argparse
import base64
import codecs
import hashlib
import json
import os
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

FORMAT = "mailledger-export/1"
MANIFEST = "manifest.json"
VERIFIER = "verify.py"
SHIPPED_KEY = "public-key.txt"
# The seal: written after the export's own export.created entry was appended and a
# checkpoint covering it was signed, so it binds manifest.json (and through it every
# file, record, attachment and trail entry) and verify.py to the signed log.
SEAL_ENTRY = "seal/export-created.json"
SEAL_CHECKPOINT = "seal/checkpoint.txt"
SEAL_PROOF = "seal/proof.json"
SEAL_FILES = (SEAL_ENTRY, SEAL_CHECKPOINT, SEAL_PROOF)
UNLISTED = (MANIFEST, VERIFIER, *SEAL_FILES)
EXPORT_CREATED = "export.created"
CHUNK = 1 << 20  # files are hashed streaming, 1 MiB at a time, whatever their size
# message.sealed: a message exported before it was assembled (raw bytes and identity only)
RECEIPT_TYPES = ("message.received", "message.imported", "message.sealed")
_OS_LITTER = (".DS_Store", "Thumbs.db", "desktop.ini")

# Bounds on what is read. A zip member of a few hundred kilobytes can inflate to gigabytes,
# so nothing is read into memory on the strength of its size alone: each file read whole
# has a bound, checked against the size the archive declares before reading and again
# while reading (a declaration can lie), and going over it is a failure of the bundle.
#
# public-key.txt: one line of about 100 bytes per log key (the exporter writes the one
# key that signed the checkpoint); 64 KiB is room for some 600 keys.
MAX_KEY_FILE_BYTES = 64 << 10
# checkpoint.txt, seal/checkpoint.txt: origin, size and root, then a line of about 110
# bytes per signature (the log's, and any witnesses'): under 1 KB in practice.
MAX_NOTE_BYTES = 64 << 10
# seal/proof.json: a seq, a tree size and at most 64 hashes of 64 hex digits (a tree has
# fewer than 2**64 leaves), about 5 KB.
MAX_SEAL_PROOF_BYTES = 64 << 10
# ledger/*.json and seal/export-created.json. An entry that names records grows with them:
# an export.created names each exported record id (about 30 bytes), a hold.added each held
# record and the key of each of its stored objects (about 82 bytes a key, a few a record).
# 200,000 ids make some 6 MB, a hold on 200,000 records some 60 MB; 256 MiB leaves four
# times that. Entries are parsed as a stream (below), so this bound limits time, not memory.
MAX_LEDGER_ENTRY_BYTES = 256 << 20
# The largest single JSON value built in memory, in characters: one item of a manifest
# list, one top-level member of it, or one field of a ledger entry that a check needs (its
# other fields are passed over without being built). A record item is about 300 characters
# plus some 180 per attachment and 10 per trail entry: 4 Mi characters is a message with
# over 20,000 attachments. Built, a value can take many times its text (tens of bytes per
# empty object), so this bound, not the file's size, is what limits memory.
MAX_JSON_VALUE_CHARS = 4 << 20
# Ledger entries up to this size (nearly all: a message's entry is a few KB) are read once,
# hashed and decoded whole, which builds at most some 25 MiB; larger ones are hashed, then
# parsed as they stream past.
WHOLE_ENTRY_BYTES = 1 << 20
# Containers nested deeper than this are refused: real entries nest a few levels.
MAX_JSON_DEPTH = 256
# manifest.json has ten top-level members; their names are remembered to refuse duplicates.
MAX_MANIFEST_MEMBERS = 1000
# A crafted manifest can fail a check in millions of places, each a line of the report. The
# first 10,000 problems are listed and the rest counted; each line is cut at 1,000
# characters, since it may quote a value megabytes long.
MAX_LISTED_PROBLEMS = 10_000
MAX_PROBLEM_CHARS = 1000
_SHOWN_CHARS = 200  # a value quoted in a problem, or kept for one, is cut to this length

try:  # zipfile raises zlib.error for a corrupt deflate stream; zlib may be absent
    import zlib

    _ZLIB_ERRORS: tuple[type[Exception], ...] = (zlib.error,)
except ImportError:  # pragma: no cover - every CPython release builds zlib
    _ZLIB_ERRORS = ()
# what reading a damaged file or zip member raises: the file cannot be read, nothing worse
_READ_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    zipfile.BadZipFile,
    EOFError,
    NotImplementedError,
    *_ZLIB_ERRORS,
)

# what reading manifest.json again can raise, besides a bound: it changed, or is damaged
_MANIFEST_ERRORS: tuple[type[Exception], ...] = (UnicodeDecodeError, ValueError, *_READ_ERRORS)


class UsageError(Exception):
    """The verifier was called wrongly (no such bundle, unreadable key argument): exit 2."""


class _TooLarge(Exception):
    """A file or value is larger than its bound: a failure of the bundle, reported as one."""

    def __init__(self, limit: int, what: str, unit: str = "bytes") -> None:
        amount = f"{limit:,} {unit}"
        if unit == "bytes":
            scale, name = (20, "MiB") if limit >= 1 << 20 else (10, "KiB")
            amount = f"{limit >> scale} {name} ({amount})"
        super().__init__(f"TOO LARGE: over {amount}, the bound for {what}")


def _cut(text: str) -> str:
    """``text``, cut short when it is longer than a report should quote."""
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "..."


def _shown(value: object) -> str:
    """``repr(value)``, cut short: a crafted value may be megabytes long."""
    return _cut(repr(value))


def _kept(value: object) -> object:
    """A value kept for a later comparison or message: short strings and numbers as they
    are, anything else as its shortened repr (which compares unequal to any real value)."""
    if isinstance(value, str):
        return _cut(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value if not isinstance(value, int) or abs(value) < 1 << 64 else _shown(value)
    return _shown(value)


def _id_key(text: str) -> bytes:
    """A fixed-size stand-in for a name or record id of any length, for sets and lookups."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


# ---------------------------------------------------------------------------
# Ed25519 signature verification, RFC 8032 section 5.1.7.
#
# Adapted from the reference Python code in RFC 8032 section 6, verification
# only. Points are in extended homogeneous coordinates (X, Y, Z, T), x = X/Z,
# y = Y/Z, x*y = T/Z. The check is the cofactorless equation [S]B = R + [k]A,
# as in RFC 8032 and OpenSSL. Nothing here is secret, so constant time does not
# matter; speed does not either (one signature per bundle, a few milliseconds).
# ---------------------------------------------------------------------------

_P = 2**255 - 19
_L = 2**252 + 27742317777372353535851937790883648493  # the group order, RFC 8032 "L"
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)

_Point = tuple[int, int, int, int]
_IDENTITY: _Point = (0, 1, 1, 0)


def _point_add(a: _Point, b: _Point) -> _Point:
    """Complete twisted-Edwards addition (RFC 8032 5.1.4); also correct for doubling."""
    pa = (a[1] - a[0]) * (b[1] - b[0]) % _P
    pb = (a[1] + a[0]) * (b[1] + b[0]) % _P
    pc = 2 * a[3] * b[3] * _D % _P
    pd = 2 * a[2] * b[2] % _P
    e, f, g, h = pb - pa, pd - pc, pd + pc, pb + pa
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _point_mul(scalar: int, point: _Point) -> _Point:
    """[scalar]point by double-and-add."""
    result = _IDENTITY
    while scalar > 0:
        if scalar & 1:
            result = _point_add(result, point)
        point = _point_add(point, point)
        scalar >>= 1
    return result


def _point_equal(a: _Point, b: _Point) -> bool:
    """Projective equality: x1/z1 == x2/z2 and y1/z1 == y2/z2."""
    if (a[0] * b[2] - b[0] * a[2]) % _P:
        return False
    return (a[1] * b[2] - b[1] * a[2]) % _P == 0


def _recover_x(y: int, sign: int) -> int | None:
    """RFC 8032 5.1.3 steps 2-4: the x with the given low bit, or None when there is none."""
    if y >= _P:  # a non-canonical y encoding is a decoding failure
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if x2 == 0:
        return None if sign else 0  # x = 0 has no "negative" encoding
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P:
        return None  # not a square: no point with this y
    if x & 1 != sign:
        x = _P - x
    return x


def _point_decode(encoded: bytes) -> _Point | None:
    """RFC 8032 5.1.3 point decoding; None when the 32 bytes are not a curve point."""
    if len(encoded) != 32:
        return None
    y = int.from_bytes(encoded, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % _P)


_GY = 4 * pow(5, _P - 2, _P) % _P
_GX = _recover_x(_GY, 0)
assert _GX is not None  # the base point always decodes; this only narrows the type
_BASE: _Point = (_GX, _GY, 1, _GX * _GY % _P)


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True only when ``signature`` is a valid RFC 8032 Ed25519 signature of ``message``."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    a = _point_decode(public_key)
    if a is None:
        return False
    r_bytes = signature[:32]
    r = _point_decode(r_bytes)
    if r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= _L:  # RFC 8032 5.1.7 step 1: a non-canonical S is rejected (no malleability)
        return False
    k = int.from_bytes(hashlib.sha512(r_bytes + public_key + message).digest(), "little") % _L
    return _point_equal(_point_mul(s, _BASE), _point_add(r, _point_mul(k, a)))


# ---------------------------------------------------------------------------
# RFC 6962 hashing and proof verification.
#
# Deliberately an independent implementation, sharing no code with the
# prover in the mailledger package: the examiner's verifier must not inherit a
# bug from the code whose output it checks. Written from RFC 9162 sections
# 2.1.3.2 (inclusion) and 2.1.4.2 (consistency), which fix the proof length,
# so padded or truncated proofs fail.
# ---------------------------------------------------------------------------


def rfc6962_leaf_hash(data: bytes) -> bytes:
    """MTH of one entry: SHA-256(0x00 || data) (RFC 6962 section 2.1)."""
    return hashlib.sha256(b"\x00" + data).digest()


def _interior(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right) (RFC 6962 section 2.1)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def inclusion_proof_valid(
    leaf: bytes, index: int, tree_size: int, path: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 2.1.3.2: does ``path`` prove leaf hash ``leaf`` at ``index`` under ``root``?"""
    if index < 0 or index >= tree_size or len(root) != 32:
        return False
    fn, sn, r = index, tree_size - 1, leaf
    for p in path:
        if len(p) != 32 or sn == 0:
            return False  # a wrong-sized hash, or more elements than the tree has levels
        if fn % 2 == 1 or fn == sn:
            r = _interior(p, r)
            if fn % 2 == 0:  # right edge of a smaller subtree: skip the levels it lacks
                while fn != 0 and fn % 2 == 0:
                    fn //= 2
                    sn //= 2
        else:
            r = _interior(r, p)
        fn //= 2
        sn //= 2
    return sn == 0 and r == root


def consistency_proof_valid(
    size1: int, size2: int, root1: bytes, root2: bytes, path: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: does ``path`` prove the tree ``root1`` of ``size1`` is a prefix?"""
    if size1 < 0 or size2 < size1:
        return False
    if size1 == size2:
        return len(path) == 0 and root1 == root2
    if size1 == 0:
        return len(path) == 0  # the empty tree is a prefix of every tree
    if len(path) == 0 or any(len(p) != 32 for p in path):
        return False
    nodes = list(path)
    if size1 & (size1 - 1) == 0:  # size1 a power of two: its root is a node of the new tree
        nodes.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn % 2 == 1:
        fn //= 2
        sn //= 2
    fr = sr = nodes[0]
    for c in nodes[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr = _interior(c, fr)
            sr = _interior(c, sr)
            if fn % 2 == 0:
                while fn != 0 and fn % 2 == 0:
                    fn //= 2
                    sn //= 2
        else:
            sr = _interior(sr, c)
        fn //= 2
        sn //= 2
    return sn == 0 and fr == root1 and sr == root2


# ---------------------------------------------------------------------------
# C2SP signed-note checkpoints, byte-compatible with the log writer.
# ---------------------------------------------------------------------------

_ED25519_TYPE = b"\x01"  # signed-note signature type byte for Ed25519
_SIG_PREFIX = "\u2014 "  # em dash and space start every signature line


class NoteError(Exception):
    """A verifier key or checkpoint note is malformed or not validly signed."""


@dataclass(frozen=True)
class NoteKey:
    """A signed-note Ed25519 verifier key."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        """SHA-256(name || 0x0A || 0x01 || key)[:4], as C2SP signed-note defines it."""
        blob = self.name.encode("utf-8") + b"\n" + _ED25519_TYPE + self.public_key
        return hashlib.sha256(blob).digest()[:4]

    def text(self) -> str:
        """``<name>+<hex key id>+<base64(0x01 || key)>``."""
        encoded = base64.b64encode(_ED25519_TYPE + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{encoded}"


def parse_verifier_key(text: str) -> NoteKey:
    """Parse one vkey line; raises :class:`NoteError` when it is not an Ed25519 note key."""
    parts = text.strip().split("+", 2)  # names contain no "+", base64 may: split from the left
    if len(parts) != 3 or not parts[0]:
        raise NoteError("a verifier key must look like '<name>+<key id>+<base64 key>'")
    name, hex_id, blob = parts
    try:
        raw = base64.b64decode(blob, validate=True)
    except ValueError as exc:
        raise NoteError(f"verifier key {name!r}: key is not base64") from exc
    if len(raw) != 33 or raw[:1] != _ED25519_TYPE:
        raise NoteError(f"verifier key {name!r} is not an Ed25519 signed-note key")
    key = NoteKey(name, raw[1:])
    if key.key_id.hex() != hex_id.lower():
        raise NoteError(f"verifier key {name!r}: key id {hex_id} does not match name and key")
    return key


def parse_verifier_keys(text: str) -> list[NoteKey]:
    """One key per non-blank line; lines starting with ``#`` are comments."""
    keys = [
        parse_verifier_key(line)
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not keys:
        raise NoteError("no verifier key found")
    return keys


@dataclass(frozen=True)
class VerifiedCheckpoint:
    """The checkpoint a known key signed."""

    origin: str
    size: int
    root: bytes
    key: NoteKey


def verify_checkpoint_note(note: str, keys: Sequence[NoteKey]) -> VerifiedCheckpoint:
    """Parse a checkpoint note and check it against ``keys``.

    Signatures by unknown keys are ignored, as signed-note requires; the note is
    rejected when a known key's signature fails or no known key signed it.
    """
    body, sep, signatures = note.partition("\n\n")
    if not sep:
        raise NoteError("checkpoint note has no blank line before its signatures")
    body += "\n"
    lines = body.split("\n")
    if len(lines) < 4:
        raise NoteError("checkpoint text must be origin, size and root hash, each on a line")
    origin, size_text, root_text = lines[0], lines[1], lines[2]
    if not origin:
        raise NoteError("checkpoint origin line is empty")
    if (
        not size_text.isdigit()
        or not size_text.isascii()
        or (size_text != "0" and size_text.startswith("0"))
    ):
        raise NoteError(f"checkpoint tree size {size_text!r} is not a decimal number")
    try:
        root = base64.b64decode(root_text, validate=True)
    except ValueError as exc:
        raise NoteError("checkpoint root hash is not base64") from exc
    if len(root) != 32:
        raise NoteError("checkpoint root hash is not 32 bytes")
    by_id = {(k.name, k.key_id): k for k in keys}
    seen: list[str] = []
    for line in signatures.splitlines():
        if not line.startswith(_SIG_PREFIX):
            raise NoteError(f"malformed signature line in checkpoint note: {line[:40]!r}")
        name, _, blob = line[len(_SIG_PREFIX) :].rpartition(" ")
        try:
            raw = base64.b64decode(blob, validate=True)
        except ValueError as exc:
            raise NoteError(f"signature by {name!r} is not base64") from exc
        seen.append(name)
        key = by_id.get((name, raw[:4]))
        if key is None:
            continue  # a key we were not given (a witness, another log key): not ours to judge
        if not ed25519_verify(key.public_key, body.encode("utf-8"), raw[4:]):
            raise NoteError(
                f"signature by key {name!r} is INVALID: the checkpoint text was altered"
                " after signing, or the signature is corrupt"
            )
        return VerifiedCheckpoint(origin, int(size_text), root, key)
    wanted = ", ".join(k.text() for k in keys)
    found = ", ".join(repr(n) for n in seen) or "none"
    raise NoteError(f"not signed by the expected key ({wanted}); signatures found: {found}")


# ---------------------------------------------------------------------------
# Reading a bundle: a folder or a .zip, behind one small interface.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One failed check: WHERE (file, seq, record) and WHAT is wrong."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def _unsafe_path(name: str) -> str | None:
    """Why ``name`` is not a safe bundle-relative path, or None when it is."""
    if not name:
        return "empty path"
    if "\\" in name or "\x00" in name:
        return "path contains a backslash or NUL"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "absolute path"
    parts = name.split("/")
    if any(p in ("", ".", "..") for p in parts):
        return "path has an empty, '.' or '..' component"
    return None


def _is_os_litter(path: str) -> bool:
    base = path.rsplit("/", 1)[-1]
    return path.startswith("__MACOSX/") or base in _OS_LITTER or base.startswith("._")


class _Reader(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _Bounded:
    """A file of the bundle read through a bound: yielding more than ``limit`` bytes raises
    :class:`_TooLarge`, whatever size was declared, and no read asks for more than
    ``limit + 1`` bytes at once."""

    def __init__(self, stream: IO[bytes], limit: int, what: str) -> None:
        self._stream = stream
        self._left = limit
        self._limit = limit
        self._what = what

    def read(self, size: int = -1, /) -> bytes:
        want = self._left + 1 if size < 0 else min(size, self._left + 1)
        data = self._stream.read(want)
        self._left -= len(data)
        if self._left < 0:
            raise _TooLarge(self._limit, self._what)
        return data

    def __enter__(self) -> _Bounded:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stream.close()


class _Bundle:
    """Regular files of a bundle by relative POSIX path, and problems found listing them."""

    label: str
    files: list[str]  # sorted, for a stable report
    present: set[str]  # the same names, for O(1) membership tests
    problems: list[Problem]

    def open(self, path: str) -> IO[bytes]:
        raise NotImplementedError

    def size(self, path: str) -> int:
        """The size the bundle declares for a file, before it is read."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the archive, if any."""

    def open_bounded(self, path: str, limit: int, what: str) -> _Bounded:
        """Open a file that must not be larger than ``limit`` bytes (``what`` it holds)."""
        if self.size(path) > limit:
            raise _TooLarge(limit, what)
        return _Bounded(self.open(path), limit, what)

    def read(self, path: str, limit: int, what: str) -> bytes:
        """A whole file, which must not be larger than ``limit`` bytes."""
        with self.open_bounded(path, limit, what) as stream:
            return stream.read()

    def leaf_hash(self, path: str, limit: int, what: str) -> bytes:
        """RFC 6962 leaf hash of a file of at most ``limit`` bytes, read in chunks."""
        h = hashlib.sha256(b"\x00")
        with self.open_bounded(path, limit, what) as stream:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    return h.digest()
                h.update(chunk)

    def digest(self, path: str) -> tuple[str, int]:
        """Hex SHA-256 and length of a file, read in 1 MiB chunks."""
        h = hashlib.sha256()
        size = 0
        with self.open(path) as stream:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                h.update(chunk)
                size += len(chunk)
        return h.hexdigest(), size


class _DirBundle(_Bundle):
    def __init__(self, root: Path) -> None:
        self.label = str(root)
        self.files = []
        self.problems = []
        # plain strings and os.scandir, not pathlib: listing and opening tens of
        # thousands of files must cost milliseconds, not seconds
        self._base = str(root) + os.sep
        pending = [""]
        while pending:
            rel_dir = pending.pop()
            with os.scandir(self._base + rel_dir.replace("/", os.sep)) as listing:
                for item in sorted(listing, key=lambda e: e.name):
                    rel = rel_dir + item.name
                    # a symbolic link could point a listed path outside the bundle: never follow
                    if item.is_symlink():
                        self.problems.append(
                            Problem(rel, "symbolic link in the bundle (not followed)")
                        )
                    elif item.is_dir(follow_symlinks=False):
                        pending.append(rel + "/")
                    elif item.is_file(follow_symlinks=False):
                        self.files.append(rel)
                    else:
                        self.problems.append(Problem(rel, "not a regular file"))
        self.files.sort()
        self.present = set(self.files)

    def open(self, path: str) -> IO[bytes]:
        if path not in self.present:
            raise FileNotFoundError(path)
        return open(self._base + path.replace("/", os.sep), "rb")

    def size(self, path: str) -> int:
        if path not in self.present:
            raise FileNotFoundError(path)
        return os.stat(self._base + path.replace("/", os.sep)).st_size  # noqa: PTH116 - as open()


class _ZipBundle(_Bundle):
    def __init__(self, archive: Path) -> None:
        self.label = str(archive)
        self.problems = []
        self.zf = zipfile.ZipFile(archive)
        members: dict[str, zipfile.ZipInfo] = {}
        names = [i.filename for i in self.zf.infolist() if not i.is_dir()]
        # the tree may sit at the top of the archive or in one top-level folder
        prefix = ""
        if MANIFEST not in names:
            tops = {n.split("/", 1)[0] for n in names if "/" in n and not n.startswith("/")}
            candidates = [t for t in tops if f"{t}/{MANIFEST}" in names]
            if len(candidates) == 1:
                prefix = candidates[0] + "/"
        for info in self.zf.infolist():
            why = _unsafe_path(info.filename.rstrip("/") if info.is_dir() else info.filename)
            if why is not None:
                where = f"zip member {info.filename!r}"
                self.problems.append(Problem(where, f"unsafe name: {why}"))
                continue
            if info.is_dir():
                continue
            if not info.filename.startswith(prefix):
                self.problems.append(
                    Problem(info.filename, f"outside the bundle folder {prefix!r} of the archive")
                )
                continue
            rel = info.filename[len(prefix) :]
            if rel in members:
                self.problems.append(Problem(rel, "appears more than once in the zip archive"))
                continue
            if info.flag_bits & 0x1:
                self.problems.append(Problem(rel, "zip member is encrypted"))
                continue
            members[rel] = info
        self.members = members
        self.files = sorted(members)
        self.present = set(members)

    def open(self, path: str) -> IO[bytes]:
        if path not in self.members:
            raise FileNotFoundError(path)
        return self.zf.open(self.members[path])

    def size(self, path: str) -> int:
        if path not in self.members:
            raise FileNotFoundError(path)
        # the central directory's figure; zipfile stops reading a member there (and then
        # fails its CRC check), and _Bounded holds to the bound whatever is declared
        return self.members[path].file_size

    def close(self) -> None:
        self.zf.close()


def _open_bundle(path: Path) -> _Bundle:
    if path.is_dir():
        return _DirBundle(path)
    if path.is_file():
        if not zipfile.is_zipfile(path):
            raise UsageError(f"{path} is neither a folder nor a .zip archive")
        return _ZipBundle(path)
    raise UsageError(f"{path} does not exist")


# ---------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------


@dataclass
class Report:
    """Everything the verifier found; ``verified`` is True only with no problems at all."""

    bundle: str
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    records: int = 0
    files: int = 0
    entries: int = 0
    attachments: int = 0
    log_origin: str | None = None
    checkpoint_size: int | None = None
    checkpoint_root: str | None = None
    key_text: str | None = None
    key_source: str | None = None  # "command line" or "bundle"
    signed_by: str | None = None
    verifier_sha256: str | None = None
    export_seq: int | None = None  # position of the export.created entry that seals it
    seal_size: int | None = None  # size of the checkpoint that covers that entry
    logged_verifier_sha256: str | None = None  # verify.py's SHA-256 as the log records it
    problems_not_listed: int = 0  # problems past the first MAX_LISTED_PROBLEMS, counted only

    @property
    def verified(self) -> bool:
        """True when every check passed (a signature was checked and nothing failed)."""
        return not self.problems and self.signed_by is not None

    def fail(self, where: str, what: str) -> None:
        """Record one failed check (listed while there are fewer than MAX_LISTED_PROBLEMS)."""
        if len(self.problems) >= MAX_LISTED_PROBLEMS:
            self.problems_not_listed += 1
            return
        cut = MAX_PROBLEM_CHARS
        where = where if len(where) <= cut else where[:cut] + "..."
        what = what if len(what) <= cut else what[:cut] + "..."
        self.problems.append(Problem(where, what))

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (what ``--json`` prints)."""
        return {
            "verified": self.verified,
            "bundle": self.bundle,
            "problems": [{"where": p.where, "what": p.what} for p in self.problems],
            "problems_not_listed": self.problems_not_listed,
            "warnings": list(self.warnings),
            "counts": {
                "records": self.records,
                "files": self.files,
                "ledger_entries": self.entries,
                "attachments": self.attachments,
            },
            "checkpoint": {
                "origin": self.log_origin,
                "size": self.checkpoint_size,
                "root": self.checkpoint_root,
                "signed_by": self.signed_by,
            },
            "public_key": {"text": self.key_text, "source": self.key_source},
            "verifier_sha256": self.verifier_sha256,
            "seal": {
                "export_seq": self.export_seq,
                "checkpoint_size": self.seal_size,
                "verifier_sha256": self.logged_verifier_sha256,
            },
        }

    def render(self) -> str:
        """Human-readable report, verdict included."""
        out = [f"Bundle:     {self.bundle}"]
        if self.verifier_sha256:
            out.append(f"Verifier:   SHA-256 {self.verifier_sha256}")
        if self.export_seq is not None:
            out.append(
                f"Recorded:   export.created at ledger position {self.export_seq}, in the"
                f" checkpoint of size {self.seal_size}; verify.py SHA-256 recorded there:"
                f" {self.logged_verifier_sha256}"
            )
        if self.key_text:
            source = (
                "given on the command line"
                if self.key_source == "command line"
                else f"shipped in the bundle as {SHIPPED_KEY}"
            )
            out.append(f"Public key: {self.key_text} ({source})")
        if self.checkpoint_size is not None:
            out.append(
                f"Checkpoint: {self.log_origin} size {self.checkpoint_size} root"
                f" {self.checkpoint_root}"
            )
        out.extend(f"WARNING: {w}" for w in self.warnings)
        if self.verified:
            out.append(
                f"VERIFIED: {self.records} records, {self.files} files, {self.entries} ledger"
                f" entries against checkpoint size {self.checkpoint_size} signed by"
                f" {self.signed_by}"
            )
        else:
            n = len(self.problems) + self.problems_not_listed or 1
            out.append(f"FAILED: {n} problem{'s' if n != 1 else ''}")
            out.extend(f"  - {p}" for p in self.problems)
            if self.problems_not_listed:
                out.append(
                    f"  - and {self.problems_not_listed} more problems, not listed: only the"
                    f" first {MAX_LISTED_PROBLEMS} are"
                )
            if not self.problems:
                out.append("  - no checkpoint signature was checked")
        return "\n".join(out)


# ---------------------------------------------------------------------------
# Manifest field access: malformed fields become problems, not exceptions.
# ---------------------------------------------------------------------------


_HEX64 = re.compile(r"[0-9a-f]{64}")


def _is_hex64(value: object) -> bool:
    """64 lowercase hex digits, the one spelling of a SHA-256 the manifest may use."""
    return isinstance(value, str) and _HEX64.fullmatch(value) is not None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _as_index(value: object) -> int | None:
    """``value`` when it is a non-negative integer (not a bool), else None."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _items(
    manifest: _Manifest, key: str, report: Report, most: int, why: str
) -> Iterator[dict[str, Any]]:
    """The objects of the manifest's list ``key``, read one at a time.

    A valid manifest has at most ``most`` of them (``why`` says why); past that the list
    cannot pass, and the rest is not read, so a crafted list of millions of items does
    not cost the memory the checks keep for each.
    """
    if key not in manifest.arrays:
        report.fail(MANIFEST, f"'{key}' is missing or not a list")
        return
    try:
        for i, item in enumerate(manifest.items(key)):
            if i >= most:
                report.fail(
                    f"{MANIFEST} {key}",
                    f"lists more than {most} items, {why}; the rest were not read",
                )
                return
            if isinstance(item, dict):
                yield item
            else:
                report.fail(f"{MANIFEST} {key}[{i}]", "not an object")
    except _TooLarge as exc:
        report.fail(MANIFEST, f"{exc}; its '{key}' were read no further")
    except _MANIFEST_ERRORS as exc:
        report.fail(MANIFEST, f"changed or unreadable while its '{key}' were read: {exc}")


# ---------------------------------------------------------------------------
# Reading JSON a value at a time. An export of many records has a manifest of
# hundreds of megabytes, and a ledger entry naming many records can take tens
# of megabytes; decoded whole either would take several times that in memory.
# Objects are read member by member and lists item by item; only the values a
# check needs are built, each at most MAX_JSON_VALUE_CHARS long, and the rest
# are passed over without being built.
# ---------------------------------------------------------------------------

_WHITESPACE = " \t\n\r"


class _JsonStream:
    """A JSON document read in chunks, from the start: see :meth:`members`,
    :meth:`items`, :meth:`value` and :meth:`skip`."""

    def __init__(self, stream: _Reader, what: str) -> None:
        self._stream = stream
        self._what = what  # what one value is, for the bound's message
        self._utf8 = codecs.getincrementaldecoder("utf-8")()  # strict: bad bytes raise
        self._decoder = json.JSONDecoder()
        self._buf = ""
        self._pos = 0
        self._dropped = 0  # characters read and dropped from the front of the buffer
        self._eof = False

    def _more(self) -> bool:
        """Read the next chunk into the buffer; False at the end of the file."""
        if self._eof:
            return False
        if self._pos > CHUNK:  # drop what was consumed, so the buffer stays small
            self._dropped += self._pos
            self._buf, self._pos = self._buf[self._pos :], 0
        chunk = self._stream.read(CHUNK)
        if not chunk:
            self._eof = True
            self._buf += self._utf8.decode(b"", True)
            return False
        self._buf += self._utf8.decode(chunk)
        return True

    def _grow(self) -> bool:
        """More of a value being built; :class:`_TooLarge` once it passes the bound."""
        if len(self._buf) - self._pos > MAX_JSON_VALUE_CHARS:
            raise _TooLarge(MAX_JSON_VALUE_CHARS, self._what, "characters")
        return self._more()

    def _offset(self) -> int:
        """How many characters have been consumed."""
        return self._dropped + self._pos

    def peek(self) -> str:
        """The next character that is not whitespace ("" at the end)."""
        while True:
            while self._pos < len(self._buf) and self._buf[self._pos] in _WHITESPACE:
                self._pos += 1
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._more():
                return ""

    def _expect(self, allowed: str) -> str:
        found = self.peek()
        if not found or found not in allowed:
            wanted = " or ".join(repr(c) for c in allowed)
            raise ValueError(f"expected {wanted}, found {found or 'the end'!r}")
        self._pos += 1
        return found

    def value(self) -> Any:
        """The next value, built whole (at most MAX_JSON_VALUE_CHARS long)."""
        self.peek()
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buf, self._pos)
            except ValueError:
                if self._grow():
                    continue  # the value goes on in the next chunk
                raise
            except RecursionError as exc:
                raise ValueError("values nested too deeply") from exc
            if end == len(self._buf) and self._grow():
                continue  # a number at the end of the buffer may go on too
            self._pos = end
            return value

    def _name(self) -> str:
        """A member name and the colon after it."""
        if self.peek() != '"':
            raise ValueError(f"expected a member name, found {self.peek() or 'the end'!r}")
        name = self.value()
        self._expect(":")
        return str(name)

    def skip(self) -> None:
        """Pass over the next value, building nothing larger than one string or number."""
        closers: list[str] = []  # of the containers we are in, innermost last
        while True:
            first = self.peek()
            if first in ("{", "["):
                self._pos += 1
                closer = "}" if first == "{" else "]"
                if self.peek() == closer:
                    self._pos += 1
                else:
                    if len(closers) >= MAX_JSON_DEPTH:
                        raise ValueError(
                            f"values nested too deeply (more than {MAX_JSON_DEPTH} levels)"
                        )
                    closers.append(closer)
                    if closer == "}":
                        self._name()
                    continue
            else:
                self.value()
            while closers:  # after a value: the next one, or the end of its container
                if self._expect("," + closers[-1]) == ",":
                    if closers[-1] == "}":
                        self._name()
                    break
                closers.pop()
            if not closers:
                return

    def items(self) -> Iterator[Any]:
        """The items of the list that comes next, each built whole; read it to the end."""
        self._expect("[")
        if self.peek() == "]":
            self._pos += 1
            return
        while True:
            yield self.value()
            if self._expect(",]") == "]":
                return

    def members(self) -> Iterator[tuple[str, str]]:
        """The members of the object that comes next: each name with the first character
        of its value. The caller reads that value (with :meth:`value`, or :meth:`items`
        or :meth:`members` to the end) or leaves it, and then it is skipped."""
        self._expect("{")
        if self.peek() == "}":
            self._pos += 1
            return
        while True:
            name = self._name()
            first = self.peek()
            start = self._offset()
            yield name, first
            if self._offset() == start:
                self.skip()
            if self._expect(",}") == "}":
                return

    def end(self) -> None:
        """Check that nothing but whitespace follows the top-level value."""
        if self.peek():
            raise ValueError("extra data after the top-level value")


_MANIFEST_VALUES = ("format", "checkpoint", "log_origin")  # what the checks read of it
_MANIFEST_LISTS = ("files", "entries", "records")


class _Manifest:
    """``manifest.json``: the members the checks use in memory, its lists read when checked."""

    def __init__(self, bundle: _Bundle) -> None:
        self._bundle = bundle
        self.scalars: dict[str, Any] = {}
        self.arrays: set[str] = set()
        names: set[bytes] = set()
        with bundle.open(MANIFEST) as stream:
            reader = _JsonStream(stream, "one manifest value")
            for name, first in reader.members():
                key = _id_key(name)
                if key in names:
                    raise ValueError(f"member {_shown(name)} appears twice")
                names.add(key)
                if len(names) > MAX_MANIFEST_MEMBERS:
                    raise ValueError(f"more than {MAX_MANIFEST_MEMBERS} top-level members")
                if first == "[":
                    if name in _MANIFEST_LISTS:
                        self.arrays.add(name)  # its items are read again when it is checked
                    for _ in reader.items():  # one at a time, as the checks build them
                        pass
                elif name in _MANIFEST_VALUES:
                    self.scalars[name] = reader.value()
                # any other member is passed over, not built
            reader.end()

    def get(self, name: str) -> Any:
        """A member that is not a list (None when absent)."""
        return self.scalars.get(name)

    def items(self, name: str) -> Iterator[Any]:
        """The items of the list ``name``, read from the file again."""
        with self._bundle.open(MANIFEST) as stream:
            reader = _JsonStream(stream, "one manifest value")
            for member, first in reader.members():
                if first == "[":
                    if member == name:
                        yield from reader.items()
                        return
                    for _ in reader.items():  # item by item is faster than skip()
                        pass


# ---------------------------------------------------------------------------
# Reading ledger entries as they stream past, building only what is checked.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Logged:
    """What the record checks need of a proven ledger entry, instead of the whole entry."""

    type: Any
    body_is_object: bool
    raw_sha256: Any  # body.raw.sha256, None when absent
    attachments: tuple[tuple[str, bool], ...]  # (sha256, accepted?) of each recorded attachment


_NOT_AN_OBJECT = _Logged(None, False, None, ())


def _read_entry(reader: _JsonStream, attachments: bool) -> tuple[bool, Any, _Logged]:
    """Whether a ledger entry is a JSON object, its ``seq`` field, and what the record
    checks need of it (its attachments only when ``attachments``). Where a field appears
    twice the last one counts, as with ``json.loads``."""
    if reader.peek() != "{":
        reader.skip()
        reader.end()
        return False, None, _NOT_AN_OBJECT
    seq: Any = None
    kind: Any = None
    body = False
    raw_sha256: Any = None
    logged: list[tuple[str, bool]] = []
    for name, first in reader.members():
        if name == "seq":
            seq = _kept(reader.value())
        elif name == "type":
            kind = _kept(reader.value())
        elif name == "body":
            body, raw_sha256, logged = first == "{", None, []
            if not body:
                continue
            for field_name, field_first in reader.members():
                if field_name == "raw":
                    raw_info = reader.value()
                    raw_sha256 = (
                        _kept(raw_info.get("sha256")) if isinstance(raw_info, dict) else None
                    )
                elif field_name == "attachments":
                    logged = []
                    if attachments and field_first == "[":
                        logged = [
                            (_cut(a["sha256"]), a.get("verdict") == "accepted")
                            for a in reader.items()
                            if isinstance(a, dict) and isinstance(a.get("sha256"), str)
                        ]
    reader.end()
    return True, seq, _Logged(kind, body, raw_sha256, tuple(logged))


def _entry_from_bytes(raw: bytes, attachments: bool) -> tuple[bool, Any, _Logged]:
    """:func:`_read_entry` of an entry small enough to decode whole (the same result)."""
    try:
        document = json.loads(raw.decode("utf-8"))
    except RecursionError as exc:
        raise ValueError("values nested too deeply") from exc
    if not isinstance(document, dict):
        return False, None, _NOT_AN_OBJECT
    seq, kind, body = _kept(document.get("seq")), _kept(document.get("type")), document.get("body")
    if not isinstance(body, dict):
        return True, seq, _Logged(kind, False, None, ())
    raw_info = body.get("raw")
    raw_sha256 = _kept(raw_info.get("sha256")) if isinstance(raw_info, dict) else None
    recorded = body.get("attachments")
    logged: tuple[tuple[str, bool], ...] = ()
    if attachments and isinstance(recorded, list):
        logged = tuple(
            (_cut(a["sha256"]), a.get("verdict") == "accepted")
            for a in recorded
            if isinstance(a, dict) and isinstance(a.get("sha256"), str)
        )
    return True, seq, _Logged(kind, True, raw_sha256, logged)


def _entry_leaf(bundle: _Bundle, path: str) -> tuple[bytes, bytes | None]:
    """A ledger entry's leaf hash, read in chunks, and its bytes when it is no larger than
    WHOLE_ENTRY_BYTES (None when larger: it is then parsed from a second read)."""
    h = hashlib.sha256(b"\x00")
    with bundle.open_bounded(path, MAX_LEDGER_ENTRY_BYTES, "a ledger entry") as stream:
        head = stream.read(WHOLE_ENTRY_BYTES + 1)  # fewer bytes only at the end of the file
        h.update(head)
        if len(head) <= WHOLE_ENTRY_BYTES:
            return h.digest(), head
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                return h.digest(), None
            h.update(chunk)


_SEAL_FIELDS = ("manifest_sha256", "verifier_sha256", "checkpoint_size")


@dataclass
class _Seal:
    """What the seal check needs of the export's own ledger entry."""

    is_object: bool = False
    seq: Any = None
    type: Any = None
    body_is_object: bool = False
    fields: dict[str, Any] = field(default_factory=dict)  # those of _SEAL_FIELDS present
    ids_listed: bool = False  # whether body.record_ids is a list
    found: set[bytes] = field(default_factory=set)  # keys of the listed records it names
    missing: list[str] = field(default_factory=list)  # ids it names the manifest does not
    missing_not_listed: int = 0  # more such ids, past MAX_LISTED_PROBLEMS


def _read_seal(reader: _JsonStream, listed: dict[bytes, str]) -> _Seal:
    """The seal entry, its record ids compared with the manifest's ``listed`` as they
    stream past (so none of them is kept that the manifest does not also list)."""
    seal = _Seal()
    if reader.peek() != "{":
        reader.skip()
        reader.end()
        return seal
    seal.is_object = True
    for name, first in reader.members():
        if name == "seq":
            seal.seq = _kept(reader.value())
        elif name == "type":
            seal.type = _kept(reader.value())
        elif name == "body":
            seal.body_is_object, seal.fields, seal.ids_listed = first == "{", {}, False
            seal.found, seal.missing, seal.missing_not_listed = set(), [], 0
            if not seal.body_is_object:
                continue
            for field_name, field_first in reader.members():
                if field_name in _SEAL_FIELDS:
                    seal.fields[field_name] = _kept(reader.value())
                elif field_name == "record_ids":
                    seal.ids_listed = field_first == "["
                    seal.found, seal.missing, seal.missing_not_listed = set(), [], 0
                    if not seal.ids_listed:
                        continue
                    for rid in reader.items():
                        key = _id_key(rid) if isinstance(rid, str) else None
                        if key is not None and key in listed:
                            seal.found.add(key)
                        elif len(seal.missing) < MAX_LISTED_PROBLEMS:
                            seal.missing.append(_cut(rid) if isinstance(rid, str) else _shown(rid))
                        else:
                            seal.missing_not_listed += 1
    reader.end()
    return seal


# ---------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------


def verify_bundle(
    path: str | os.PathLike[str],
    public_key_text: str | None = None,
) -> Report:
    """Run every check on the bundle at ``path`` (a folder or a .zip).

    ``public_key_text`` holds one or more verifier key lines; without it the key
    shipped in the bundle is used, and the report warns that such a key only
    shows internal consistency. Raises :class:`UsageError` when ``path`` is not
    a bundle or ``public_key_text`` is not key text.
    """
    given_keys: list[NoteKey] | None = None
    if public_key_text is not None:
        try:
            given_keys = parse_verifier_keys(public_key_text)
        except NoteError as exc:
            raise UsageError(f"--public-key: {exc}") from exc
    root = Path(path)
    report = Report(bundle=str(root))
    try:
        bundle = _open_bundle(root)
    except zipfile.BadZipFile as exc:
        report.fail(str(root), f"not a readable zip archive: {exc}")
        return report
    try:
        _check(bundle, report, given_keys)
    finally:
        bundle.close()
    return report


def _check(bundle: _Bundle, report: Report, given_keys: list[NoteKey] | None) -> None:
    for problem in bundle.problems:
        report.fail(problem.where, problem.what)
    if MANIFEST not in bundle.present:
        report.fail(MANIFEST, "missing: this is not a mailledger export, or it is incomplete")
        return
    try:
        manifest = _Manifest(bundle)
    except _TooLarge as exc:
        report.fail(MANIFEST, f"{exc}; not read further")
        return
    except (UnicodeDecodeError, ValueError) as exc:
        report.fail(MANIFEST, f"not valid UTF-8 JSON: {exc}")
        return
    except _READ_ERRORS as exc:
        report.fail(MANIFEST, f"cannot be read: {exc}")
        return
    if manifest.get("format") != FORMAT:
        report.fail(
            MANIFEST, f"format is {manifest.get('format')!r}, this verifier reads {FORMAT!r}"
        )
        return
    actual = _check_files(bundle, manifest, report)
    keys = _select_keys(bundle, report, given_keys)
    checkpoint = _check_checkpoint(bundle, manifest, report, keys)
    entries = _check_entries(bundle, manifest, report, checkpoint)
    # without a verified checkpoint nothing is tied to the log; that one failure is
    # already reported, so do not repeat it for every record
    listed = _check_records(
        manifest, report, actual, entries, len(bundle.files), tie_to_log=checkpoint is not None
    )
    if keys is not None and checkpoint is not None:  # else the one key failure says it all
        _check_seal(bundle, manifest, report, keys, listed)


def _check_files(bundle: _Bundle, manifest: _Manifest, report: Report) -> dict[str, str]:
    """Hash every listed file once; returns path -> actual SHA-256 for files that exist."""
    actual: dict[str, str] = {}
    listed: set[str] = set()  # only paths in the bundle: their number and length are bounded
    counted = 0  # files listed (a missing one listed twice counts twice: it is not kept)
    present = bundle.present
    most = len(bundle.files)
    for i, item in enumerate(_items(manifest, "files", report, most, "one per file of the bundle")):
        path, sha, size = item.get("path"), item.get("sha256"), item.get("size")
        if not isinstance(path, str) or not _is_hex64(sha) or not _is_int(size):
            report.fail(f"{MANIFEST} files[{i}]", "needs 'path', 64-hex 'sha256' and 'size'")
            continue
        why = _unsafe_path(path)
        if why is not None:
            report.fail(f"{MANIFEST} files[{i}] {path!r}", f"unsafe path: {why}")
            continue
        if path in listed:
            report.fail(path, "listed twice in the manifest")
            continue
        counted += 1
        if path in UNLISTED:
            listed.add(path)
            report.fail(path, "must not be listed in the manifest's files")
            continue
        if path not in present:
            report.fail(path, "MISSING: listed in the manifest but not in the bundle")
            continue
        listed.add(path)
        try:
            digest, length = bundle.digest(path)  # streamed in chunks, whatever its size
        except _READ_ERRORS as exc:
            report.fail(path, f"cannot be read: {exc}")
            continue
        actual[path] = digest
        if length != size or digest != sha:
            report.fail(
                path,
                f"CHANGED: {length} bytes, SHA-256 {digest}; the manifest lists {size} bytes,"
                f" SHA-256 {sha}",
            )
    report.files = counted
    for path in bundle.files:
        if path in listed or path in UNLISTED:
            continue
        if _is_os_litter(path):
            report.warnings.append(f"{path}: operating-system metadata file, not in the manifest")
        else:
            report.fail(path, "EXTRA file: in the bundle but not listed in the manifest")
    return actual


def _select_keys(
    bundle: _Bundle, report: Report, given_keys: list[NoteKey] | None
) -> list[NoteKey] | None:
    """The keys checkpoints are checked with: the examiner's own, else the shipped one."""
    if given_keys is not None:
        # the shipped key plays no part: it is read only to explain a failed signature
        report.key_source = "command line"
        report.key_text = ", ".join(k.text() for k in given_keys)
        return given_keys
    if SHIPPED_KEY not in bundle.present:
        report.fail(SHIPPED_KEY, "missing, and no --public-key was given")
        return None
    shipped = _shipped_keys(bundle, report)
    if shipped is None:
        return None
    report.key_source = "bundle"
    report.warnings.append(
        f"the public key was taken from {SHIPPED_KEY} inside the bundle, so this only"
        " proves the bundle is internally consistent. Obtain the log's public key from"
        " the servicer independently and re-run with --public-key KEY_FILE_OR_TEXT."
    )
    report.key_text = ", ".join(k.text() for k in shipped)
    return shipped


def _shipped_keys(bundle: _Bundle, report: Report | None) -> list[NoteKey] | None:
    """The keys in the bundle's public-key.txt; None, with a problem when ``report`` is
    given, when it cannot be read or holds no key."""
    try:
        text = bundle.read(SHIPPED_KEY, MAX_KEY_FILE_BYTES, "a verifier key file")
        return parse_verifier_keys(text.decode("utf-8"))
    except _TooLarge as exc:
        if report is not None:
            report.fail(SHIPPED_KEY, f"{exc}; not read")
    except (NoteError, UnicodeDecodeError) as exc:
        if report is not None:
            report.fail(SHIPPED_KEY, f"not a verifier key: {exc}")
    except _READ_ERRORS as exc:
        if report is not None:
            report.fail(SHIPPED_KEY, f"cannot be read: {exc}")
    return None


def _compare_shipped_keys(bundle: _Bundle, report: Report, keys: list[NoteKey]) -> None:
    """After the examiner's keys failed a signature: warn when the bundle ships others."""
    if SHIPPED_KEY not in bundle.present:
        return
    shipped = _shipped_keys(bundle, None)
    if shipped is not None and {k.text() for k in shipped} != {k.text() for k in keys}:
        report.warnings.append(
            f"the {SHIPPED_KEY} shipped in the bundle differs from the key given on the"
            " command line; the command-line key was used"
        )


def _check_checkpoint(
    bundle: _Bundle,
    manifest: _Manifest,
    report: Report,
    keys: list[NoteKey] | None,
) -> VerifiedCheckpoint | None:
    """Verify the checkpoint note's signature and compare it with the manifest."""
    if keys is None:
        return None
    spec = manifest.get("checkpoint")
    if not isinstance(spec, dict):
        report.fail(f"{MANIFEST} checkpoint", "missing or not an object")
        return None
    note_path = spec.get("file")
    if not isinstance(note_path, str) or _unsafe_path(note_path) is not None:
        report.fail(f"{MANIFEST} checkpoint.file", f"not a safe bundle path: {note_path!r}")
        return None
    if note_path not in bundle.present:
        report.fail(note_path, "MISSING: the signed checkpoint is not in the bundle")
        return None
    try:
        note = bundle.read(note_path, MAX_NOTE_BYTES, "a checkpoint note")
        checkpoint = verify_checkpoint_note(note.decode("utf-8"), keys)
    except _TooLarge as exc:
        report.fail(note_path, f"{exc}; not read")
        return None
    except _READ_ERRORS as exc:
        report.fail(note_path, f"cannot be read: {exc}")
        return None
    except (NoteError, UnicodeDecodeError) as exc:
        report.fail(note_path, f"checkpoint signature check FAILED: {exc}")
        if report.key_source == "command line":
            _compare_shipped_keys(bundle, report, keys)
        return None
    report.signed_by = checkpoint.key.name
    report.log_origin = checkpoint.origin
    report.checkpoint_size = checkpoint.size
    report.checkpoint_root = checkpoint.root.hex()
    if spec.get("size") != checkpoint.size:
        report.fail(
            f"{MANIFEST} checkpoint.size",
            f"is {spec.get('size')!r} but {note_path} says {checkpoint.size}",
        )
    if spec.get("root") != checkpoint.root.hex():
        report.fail(
            f"{MANIFEST} checkpoint.root",
            f"is {spec.get('root')!r} but {note_path} says {checkpoint.root.hex()}",
        )
    if manifest.get("log_origin") != checkpoint.origin:
        report.fail(
            f"{MANIFEST} log_origin",
            f"is {manifest.get('log_origin')!r} but {note_path} is for {checkpoint.origin!r}",
        )
    return checkpoint


def _check_entries(
    bundle: _Bundle,
    manifest: _Manifest,
    report: Report,
    checkpoint: VerifiedCheckpoint | None,
) -> dict[int, _Logged]:
    """Check each ledger entry's leaf hash, proof and seq; returns what the records
    need of the entries that passed."""
    proven: dict[int, _Logged] = {}
    listed_files: set[str] = set()  # only files in the bundle: their number is bounded
    seen_seqs: set[int] = set()
    most = sum(1 for path in bundle.files if path.startswith("ledger/"))
    items = _items(manifest, "entries", report, most, "one per file under ledger/")
    for i, item in enumerate(items):
        seq, path, leaf_hex, proof = (
            _as_index(item.get("seq")),
            item.get("file"),
            item.get("leaf_hash"),
            item.get("proof"),
        )
        if (
            seq is None
            or not isinstance(path, str)
            or not _is_hex64(leaf_hex)
            or not isinstance(proof, list)
        ):
            report.fail(
                f"{MANIFEST} entries[{i}]", "needs int 'seq', 'file', 'leaf_hash' and 'proof'"
            )
            continue
        where = f"ledger seq {seq} ({_cut(path)})"
        if seq in seen_seqs:
            report.fail(where, "seq listed twice in the manifest")
            continue
        seen_seqs.add(seq)
        if path in bundle.present:
            listed_files.add(path)
        if path != f"ledger/{seq:016d}.json":
            report.fail(where, f"file should be named ledger/{seq:016d}.json")
        if _unsafe_path(path) is not None or path not in bundle.present:
            report.fail(where, "MISSING: ledger entry file not in the bundle")
            continue
        # a large entry is read twice, in chunks: for its leaf hash, then to parse it as it
        # streams past, so an entry naming a million records is never held whole
        try:
            leaf, raw = _entry_leaf(bundle, path)
        except _TooLarge as exc:
            report.fail(where, f"{exc}; not read")
            continue
        except _READ_ERRORS as exc:
            report.fail(where, f"cannot be read: {exc}")
            continue
        ok = True
        if leaf.hex() != leaf_hex:
            ok = False
            report.fail(
                where,
                f"entry bytes CHANGED: leaf hash is {leaf.hex()}, the manifest lists {leaf_hex}",
            )
        if not all(_is_hex64(p) for p in proof):
            ok = False
            report.fail(where, "proof elements must be 64-hex strings")
        elif checkpoint is not None and not inclusion_proof_valid(
            leaf, seq, checkpoint.size, [bytes.fromhex(p) for p in proof], checkpoint.root
        ):
            ok = False
            report.fail(
                where,
                "inclusion proof does NOT verify against the signed checkpoint"
                f" (size {checkpoint.size}): the entry is not in the signed log as listed",
            )
        keep = ok and checkpoint is not None
        try:
            if raw is not None:
                is_object, found, logged = _entry_from_bytes(raw, attachments=keep)
            else:
                with bundle.open_bounded(path, MAX_LEDGER_ENTRY_BYTES, "a ledger entry") as stream:
                    is_object, found, logged = _read_entry(
                        _JsonStream(stream, "one field of a ledger entry"), attachments=keep
                    )
        except _TooLarge as exc:
            report.fail(where, f"{exc}; not read")
            continue
        except (UnicodeDecodeError, ValueError) as exc:
            report.fail(where, f"entry is not UTF-8 JSON: {exc}")
            continue
        except _READ_ERRORS as exc:
            report.fail(where, f"cannot be read: {exc}")
            continue
        if not is_object or found != seq:
            report.fail(where, f"the entry's own 'seq' field is {found!r}, not {seq}")
            continue
        if keep:
            proven[seq] = logged
    report.entries = len(seen_seqs)
    for path in bundle.files:
        if path.startswith("ledger/") and path not in listed_files:
            report.fail(path, "ledger file not listed in the manifest's entries")
    return proven


def _check_records(
    manifest: _Manifest,
    report: Report,
    actual: dict[str, str],
    proven: dict[int, _Logged],
    most: int,
    tie_to_log: bool,
) -> dict[bytes, str]:
    """Tie each record's native and attachments to its proven ledger entry; returns the
    string ``record_id`` of every record object, in manifest order, by :func:`_id_key`
    (for the seal check: a key of fixed size, whatever the id's length)."""
    seen_ids: set[bytes] = set()
    listed: dict[bytes, str] = {}
    why = "one per file of the bundle (each record has its own native file)"
    for i, item in enumerate(_items(manifest, "records", report, most, why)):
        listed_id = item.get("record_id")
        if isinstance(listed_id, str):  # any other value is no id, and fails below
            listed.setdefault(_id_key(listed_id), _cut(listed_id))
        rid, seq, raw_sha, native = (
            item.get("record_id"),
            _as_index(item.get("received_seq")),
            item.get("raw_sha256"),
            item.get("native"),
        )
        attachments = item.get("attachments", [])
        if (
            not isinstance(rid, str)
            or seq is None
            or not _is_hex64(raw_sha)
            or not isinstance(native, str)
            or not isinstance(attachments, list)
        ):
            report.fail(
                f"{MANIFEST} records[{i}]",
                "needs 'record_id', int 'received_seq', 64-hex 'raw_sha256', 'native',"
                " 'attachments' list",
            )
            continue
        where = f"record {_cut(rid)}"
        key = _id_key(rid)
        if key in seen_ids:
            report.fail(where, "record_id listed twice in the manifest")
        seen_ids.add(key)
        report.records += 1
        entry = proven.get(seq)
        if tie_to_log and (entry is None or not entry.body_is_object):
            report.fail(
                where,
                f"ledger entry seq {seq} is not in the bundle or did not verify, so the record"
                " is not tied to the signed log",
            )
        elif tie_to_log and entry is not None and entry.type not in RECEIPT_TYPES:
            report.fail(
                where,
                f"ledger entry seq {seq} is a {entry.type!r} entry, not a message receipt",
            )
        # whether the record's entry is a proven receipt whose body is checked
        tied = tie_to_log and entry is not None and entry.body_is_object
        tied = tied and entry is not None and entry.type in RECEIPT_TYPES
        logged_raw: object = None
        logged_attachments: set[str] = set()
        if entry is not None and tied:
            logged_raw = entry.raw_sha256
            accepted: dict[str, None] = {}  # in order, once each
            for logged_sha, is_accepted in entry.attachments:
                logged_attachments.add(logged_sha)
                if is_accepted:
                    accepted.setdefault(logged_sha)
            shipped = {
                att["sha256"]
                for att in attachments
                if isinstance(att, dict) and isinstance(att.get("sha256"), str)
            }
            for sha in accepted:
                if sha not in shipped:
                    report.fail(
                        where,
                        f"accepted attachment SHA-256 {sha} recorded in ledger entry seq {seq}"
                        " is MISSING from the export",
                    )
            if logged_raw != raw_sha:
                report.fail(
                    where,
                    f"raw_sha256 {raw_sha} in the manifest differs from body.raw.sha256"
                    f" {logged_raw!r} of ledger entry seq {seq}",
                )
        trail = item.get("trail", [])
        if not isinstance(trail, list) or not all(_as_index(t) is not None for t in trail):
            report.fail(where, "'trail' must be a list of ledger positions")
        elif tie_to_log:
            for t in trail:
                if t not in proven:
                    report.fail(
                        where,
                        f"trail entry seq {t} is MISSING: not in the bundle or it did not verify",
                    )
        native_sha = actual.get(native)
        if native_sha is None:
            report.fail(where, f"native {native} is missing, unreadable or not in the manifest")
        elif native_sha != raw_sha:
            report.fail(where, f"native {native} has SHA-256 {native_sha}, not {raw_sha}")
        for j, att in enumerate(attachments):
            a_sha = att.get("sha256") if isinstance(att, dict) else None
            a_path = att.get("path") if isinstance(att, dict) else None
            if not _is_hex64(a_sha) or not isinstance(a_path, str):
                report.fail(where, f"attachments[{j}] needs 64-hex 'sha256' and 'path'")
                continue
            report.attachments += 1
            got = actual.get(a_path)
            if got is None:
                report.fail(where, f"attachment {a_path} is missing, unreadable or not listed")
            elif got != a_sha:
                report.fail(where, f"attachment {a_path} has SHA-256 {got}, not {a_sha}")
            if tied and a_sha not in logged_attachments:
                report.fail(
                    where,
                    f"attachment {a_path} (SHA-256 {a_sha}) is not among the attachments"
                    f" recorded in ledger entry seq {seq}",
                )
    return listed


def _check_seal(
    bundle: _Bundle,
    manifest: _Manifest,
    report: Report,
    keys: list[NoteKey],
    listed: dict[bytes, str],
) -> None:
    """Check that the log recorded this manifest and this verifier (the seal files)."""
    missing = [p for p in SEAL_FILES if p not in bundle.present]
    for path in missing:
        report.fail(path, "MISSING: without it nothing binds manifest.json to the signed log")
    if missing:
        return
    try:
        note = bundle.read(SEAL_CHECKPOINT, MAX_NOTE_BYTES, "a checkpoint note")
        sealed = verify_checkpoint_note(note.decode("utf-8"), keys)
    except _TooLarge as exc:
        report.fail(SEAL_CHECKPOINT, f"{exc}; not read")
        return
    except _READ_ERRORS as exc:
        report.fail(SEAL_CHECKPOINT, f"cannot be read: {exc}")
        return
    except (NoteError, UnicodeDecodeError) as exc:
        report.fail(SEAL_CHECKPOINT, f"checkpoint signature check FAILED: {exc}")
        return
    if report.log_origin is not None and sealed.origin != report.log_origin:
        report.fail(
            SEAL_CHECKPOINT, f"is for log {sealed.origin!r}, the export for {report.log_origin!r}"
        )
        return
    try:
        text = bundle.read(SEAL_PROOF, MAX_SEAL_PROOF_BYTES, "an inclusion proof")
        proof = json.loads(text.decode("utf-8"))
    except _TooLarge as exc:
        report.fail(SEAL_PROOF, f"{exc}; not read")
        return
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        report.fail(SEAL_PROOF, f"not valid UTF-8 JSON: {exc}")
        return
    except _READ_ERRORS as exc:
        report.fail(SEAL_PROOF, f"cannot be read: {exc}")
        return
    seq = _as_index(proof.get("seq")) if isinstance(proof, dict) else None
    audit = proof.get("proof") if isinstance(proof, dict) else None
    if seq is None or not isinstance(audit, list) or not all(_is_hex64(p) for p in audit):
        report.fail(SEAL_PROOF, "needs int 'seq' and a 'proof' list of 64-hex strings")
        return
    # like the ledger entries, read twice in chunks: hashed, then parsed as it streams past
    try:
        leaf = bundle.leaf_hash(SEAL_ENTRY, MAX_LEDGER_ENTRY_BYTES, "a ledger entry")
    except _TooLarge as exc:
        report.fail(SEAL_ENTRY, f"{exc}; not read")
        return
    except _READ_ERRORS as exc:
        report.fail(SEAL_ENTRY, f"cannot be read: {exc}")
        return
    if not inclusion_proof_valid(
        leaf, seq, sealed.size, [bytes.fromhex(p) for p in audit], sealed.root
    ):
        report.fail(
            SEAL_ENTRY,
            f"NOT in the signed log: its inclusion proof at position {seq} does not verify"
            f" against {SEAL_CHECKPOINT} (size {sealed.size})",
        )
        return
    try:
        with bundle.open_bounded(SEAL_ENTRY, MAX_LEDGER_ENTRY_BYTES, "a ledger entry") as stream:
            seal = _read_seal(_JsonStream(stream, "one field of a ledger entry"), listed)
    except _TooLarge as exc:
        report.fail(SEAL_ENTRY, f"{exc}; not read")
        return
    except (UnicodeDecodeError, ValueError) as exc:
        report.fail(SEAL_ENTRY, f"entry is not UTF-8 JSON: {exc}")
        return
    except _READ_ERRORS as exc:
        report.fail(SEAL_ENTRY, f"cannot be read: {exc}")
        return
    if seal.seq != seq or seal.type != EXPORT_CREATED or not seal.body_is_object:
        report.fail(SEAL_ENTRY, f"ledger position {seq} is not an {EXPORT_CREATED} entry")
        return
    report.export_seq, report.seal_size = seq, sealed.size
    where = f"{EXPORT_CREATED} at ledger position {seq}"
    body = seal.fields
    try:
        manifest_sha, _ = bundle.digest(MANIFEST)
    except _READ_ERRORS as exc:
        report.fail(MANIFEST, f"cannot be read: {exc}")
        return
    if body.get("manifest_sha256") != manifest_sha:
        report.fail(
            MANIFEST,
            f"CHANGED since the export was recorded: SHA-256 {manifest_sha}; {where} records"
            f" {body.get('manifest_sha256')}",
        )
    logged_verifier = body.get("verifier_sha256")
    report.logged_verifier_sha256 = logged_verifier if isinstance(logged_verifier, str) else None
    if VERIFIER not in bundle.present:
        report.fail(VERIFIER, f"MISSING: {where} records SHA-256 {logged_verifier}")
    else:
        try:
            got, _ = bundle.digest(VERIFIER)
        except _READ_ERRORS as exc:
            report.fail(VERIFIER, f"cannot be read: {exc}")
        else:
            if got != logged_verifier:
                report.fail(VERIFIER, f"CHANGED: SHA-256 {got}; {where} records {logged_verifier}")
    spec = manifest.get("checkpoint")
    size = spec.get("size") if isinstance(spec, dict) else None
    if body.get("checkpoint_size") != size:
        report.fail(
            f"{MANIFEST} checkpoint.size",
            f"is {_shown(size)}; {where} records {_shown(body.get('checkpoint_size'))}",
        )
    if not seal.ids_listed:
        report.fail(SEAL_ENTRY, "its body has no 'record_ids' list")
        return
    # the ids were compared by key as they streamed past (see _read_seal)
    for rid in seal.missing:
        report.fail(f"record {rid}", f"MISSING: {where} records it, the manifest does not")
    report.problems_not_listed += seal.missing_not_listed
    for key, rid in listed.items():
        if key not in seal.found:
            report.fail(f"record {rid}", f"EXTRA: not among the records {where} lists")


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def _key_argument(value: str) -> str:
    """``--public-key`` takes a file holding key text, or the key text itself."""
    candidate = Path(value)
    if candidate.is_file():
        try:
            return candidate.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"--public-key: cannot read {value}: {exc}") from exc
    if "+" in value:
        return value
    raise UsageError(f"--public-key: {value!r} is neither a file nor '<name>+<id>+<key>' text")


def _own_sha256() -> str | None:
    try:
        return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    except OSError:
        return None


def main(argv: Iterable[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="verify.py",
        description="Verify a mailledger examination export (folder or .zip) offline.",
    )
    parser.add_argument(
        "bundle",
        nargs="?",
        help="export folder or .zip (default: the folder containing this verify.py)",
    )
    parser.add_argument(
        "--public-key",
        metavar="FILE_OR_TEXT",
        help="the log's verifier key, obtained independently (file or '<name>+<id>+<key>')",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(None if argv is None else list(argv))
    if hasattr(sys.stdout, "reconfigure"):
        # a Windows console may not encode every file name: never crash on printing one
        sys.stdout.reconfigure(errors="backslashreplace")
    bundle = args.bundle if args.bundle else str(Path(__file__).resolve().parent)
    try:
        key_text = None if args.public_key is None else _key_argument(args.public_key)
        report = verify_bundle(bundle, key_text)
    except UsageError as exc:
        print(f"verify.py: error: {exc}", file=sys.stderr)
        return 2
    report.verifier_sha256 = _own_sha256()
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(report.render())
    return 0 if report.verified else 1


if __name__ == "__main__":
    sys.exit(main())
