"""C2SP ``tlog-cosignature`` (Ed25519, v1) and the ``tlog-witness`` request body. Pure.

A witness cosignature is a signed-note line ``— <witness name> base64(key id ||
timestamp || signature)``, where the key id is SHA-256(name || LF || 0x04 || public
key)[:4], the timestamp a big-endian u64 of POSIX seconds, and the signature an
Ed25519 signature over ``cosignature/v1\\ntime <timestamp>\\n`` followed by the
checkpoint body. It states that, at that time, this was the largest consistent tree
the witness had seen for the log (c2sp.org/tlog-cosignature).

The ``add-checkpoint`` request body is ``old <size>\\n``, up to 63 lines of base64
consistency-proof hashes, an empty line, then the checkpoint note
(c2sp.org/tlog-witness).
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from pipeline.errors import CheckpointError
from pipeline.ledger.checkpoint import SIG_PREFIX, SigningKey, key_id, parse_vkey, vkey_text

COSIGNATURE_TYPE = b"\x04"  # signed-note type byte of Ed25519 cosignature/v1
MAX_PROOF_LINES = 63  # tlog-witness: a client MUST NOT send more


@dataclass(frozen=True)
class CosignerKey:
    """A witness's public key, as vkey text ``<name>+<hex id>+<base64(0x04 || key)>``."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        """The 4-byte id carried in cosignature lines."""
        return key_id(self.name, self.public_key, COSIGNATURE_TYPE)

    def to_text(self) -> str:
        """The vkey text."""
        return vkey_text(self.name, self.public_key, COSIGNATURE_TYPE)

    @classmethod
    def from_text(cls, text: str) -> CosignerKey:
        """Parse vkey text; raises :class:`CheckpointError` when malformed."""
        return cls(*parse_vkey(text, COSIGNATURE_TYPE, "witness key"))

    @classmethod
    def of(cls, key: SigningKey) -> CosignerKey:
        """The cosigner public key of a witness's signing key."""
        public = key.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return cls(key.name, public)


def _signed_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def cosign(body: str, key: SigningKey, timestamp: int) -> str:
    """The cosignature line (with its newline) of ``key`` over checkpoint ``body``."""
    if not 0 <= timestamp < 2**63:
        raise CheckpointError(f"cosignature timestamp {timestamp} is out of range")
    signature = key.private_key.sign(_signed_message(body, timestamp))
    blob = CosignerKey.of(key).key_id + struct.pack(">Q", timestamp) + signature
    return f"{SIG_PREFIX}{key.name} {base64.b64encode(blob).decode()}\n"


@dataclass(frozen=True)
class Cosignature:
    """A verified cosignature: who, when, and its note line."""

    witness: str
    timestamp: int
    line: str


def verify_cosignature(body: str, lines: str, key: CosignerKey) -> Cosignature:
    """The cosignature by ``key`` among signature ``lines`` over checkpoint ``body``.

    Lines by other keys are ignored, as tlog-witness requires; raises
    :class:`CheckpointError` when ``key`` signed none of them validly.
    """
    for line in lines.splitlines():
        if not line.startswith(SIG_PREFIX):
            raise CheckpointError(f"malformed signature line from witness {key.name!r}")
        name, _, blob = line[len(SIG_PREFIX) :].rpartition(" ")
        try:
            raw = base64.b64decode(blob, validate=True)
        except ValueError as exc:
            raise CheckpointError(f"cosignature from witness {key.name!r} is not base64") from exc
        if name != key.name or raw[:4] != key.key_id or len(raw) != 4 + 8 + 64:
            continue
        (timestamp,) = struct.unpack(">Q", raw[4:12])
        try:
            Ed25519PublicKey.from_public_bytes(key.public_key).verify(
                raw[12:], _signed_message(body, timestamp)
            )
        except InvalidSignature as exc:
            raise CheckpointError(
                f"the cosignature by witness {key.name!r} does not verify over this checkpoint"
            ) from exc
        return Cosignature(key.name, timestamp, line + "\n")
    raise CheckpointError(f"no cosignature by witness {key.name!r} (key id {key.key_id.hex()})")


def add_checkpoint_body(old_size: int, proof: list[bytes], note: str) -> bytes:
    """The ``add-checkpoint`` request body."""
    if len(proof) > MAX_PROOF_LINES:
        raise CheckpointError(f"a consistency proof of {len(proof)} hashes is too long to send")
    lines = [f"old {old_size}\n", *(base64.b64encode(h).decode() + "\n" for h in proof), "\n"]
    return ("".join(lines) + note).encode()


@dataclass(frozen=True)
class AddCheckpoint:
    """A parsed ``add-checkpoint`` request."""

    old_size: int
    proof: list[bytes]
    note: str


def parse_add_checkpoint(data: bytes) -> AddCheckpoint:
    """Parse an ``add-checkpoint`` body; raises :class:`CheckpointError` when malformed."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CheckpointError("request body is not UTF-8") from exc
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise CheckpointError("request body has no empty line before the checkpoint")
    lines = head.split("\n")
    size_text = lines[0].removeprefix("old ")
    if (
        lines[0] == size_text
        or not size_text.isdigit()
        or (size_text != "0" and size_text[0] == "0")
    ):
        raise CheckpointError("request body must start with 'old <size>'")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise CheckpointError(f"more than {MAX_PROOF_LINES} consistency proof lines")
    try:
        proof = [base64.b64decode(line, validate=True) for line in lines[1:]]
    except ValueError as exc:
        raise CheckpointError("a consistency proof line is not base64") from exc
    if any(len(h) != 32 for h in proof):
        raise CheckpointError("a consistency proof line is not a SHA-256 hash")
    return AddCheckpoint(int(size_text), proof, note)
