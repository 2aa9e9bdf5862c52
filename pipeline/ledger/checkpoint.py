"""Signed checkpoints in the C2SP tlog-checkpoint and signed-note formats.

A checkpoint commits to the whole log: origin, tree size and RFC 6962 root hash.
Its text is ``<origin>\\n<size>\\n<base64 root>\\n``; the note appends a blank line
and one signature line per key: ``— <name> <base64(key id || signature)>``.
The key id is the first four bytes of SHA-256(name || 0x0A || 0x01 || public key),
0x01 being the signed-note type byte for Ed25519.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from pipeline.errors import CheckpointError

ED25519_TYPE = b"\x01"

SIG_PREFIX = "\u2014 "  # em dash and space, as signed-note requires


def key_id(name: str, public_key: bytes, key_type: bytes = ED25519_TYPE) -> bytes:
    """Signed-note key id: SHA-256(name || LF || type byte || key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + key_type + public_key).digest()[:4]


def vkey_text(name: str, public_key: bytes, key_type: bytes) -> str:
    """Signed-note vkey text: ``<name>+<hex key id>+<base64(type byte || key)>``."""
    blob = base64.b64encode(key_type + public_key).decode()
    return f"{name}+{key_id(name, public_key, key_type).hex()}+{blob}"


def parse_vkey(text: str, key_type: bytes, what: str) -> tuple[str, bytes]:
    """The name and raw Ed25519 key of vkey ``text`` of ``key_type``; raises
    :class:`CheckpointError` naming ``what`` when it is malformed."""
    try:
        # names may not contain "+", but base64 may: split from the left
        name, hex_id, blob = text.strip().split("+", 2)
        raw = base64.b64decode(blob, validate=True)
    except ValueError as exc:
        raise CheckpointError(f"{what} is not in '<name>+<id>+<key>' form") from exc
    if raw[:1] != key_type or len(raw) != 33:
        raise CheckpointError(
            f"{what} is not an Ed25519 key of signed-note type 0x{key_type.hex()}"
        )
    if key_id(name, raw[1:], key_type).hex() != hex_id:
        raise CheckpointError(f"{what} id does not match its name and key")
    return name, raw[1:]


@dataclass(frozen=True)
class VerifierKey:
    """A public key that checks checkpoint signatures, in signed-note vkey text form."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        """The 4-byte id carried in signature lines."""
        return key_id(self.name, self.public_key)

    def to_text(self) -> str:
        """``<name>+<hex key id>+<base64(0x01 || key)>``."""
        return vkey_text(self.name, self.public_key, ED25519_TYPE)

    @classmethod
    def from_text(cls, text: str) -> VerifierKey:
        """Parse vkey text; raises :class:`CheckpointError` when malformed."""
        return cls(*parse_vkey(text, ED25519_TYPE, "verifier key"))


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 private key with the name it signs under."""

    name: str
    private_key: Ed25519PrivateKey

    @classmethod
    def generate(cls, name: str) -> SigningKey:
        """A fresh random key."""
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, name: str, seed: bytes) -> SigningKey:
        """Key from a 32-byte seed (what key files hold)."""
        if len(seed) != 32:
            raise CheckpointError("an Ed25519 signing key seed must be 32 bytes")
        return cls(name, Ed25519PrivateKey.from_private_bytes(seed))

    @property
    def verifier(self) -> VerifierKey:
        """The matching public key."""
        public = self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return VerifierKey(self.name, public)


@dataclass(frozen=True)
class Checkpoint:
    """Origin, tree size and root hash of the log at one moment."""

    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        """The checkpoint text that is signed."""
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    def sign(self, key: SigningKey) -> str:
        """Signed note text. Ed25519 is deterministic: the same checkpoint gives the same note."""
        return sign_note(self.body(), key)


def signature_blob(message: bytes, key: SigningKey) -> str:
    """``base64(key id || Ed25519 signature)``, the signature field of a signed-note line."""
    return base64.b64encode(key.verifier.key_id + key.private_key.sign(message)).decode()


def sign_note(body: str, key: SigningKey) -> str:
    """A signed note: ``body`` (ending in a newline), a blank line, one signature line."""
    return f"{body}\n{SIG_PREFIX}{key.name} {signature_blob(body.encode(), key)}\n"


def check_signature(
    message: bytes, name: str, blob: str, keys: list[VerifierKey], what: str = "note"
) -> VerifierKey | None:
    """The key among ``keys`` whose signature ``blob`` over ``message`` is; None if no key
    of that name and id is known. A known key with a bad signature raises CheckpointError."""
    try:
        raw = base64.b64decode(blob, validate=True)
    except ValueError as exc:
        raise CheckpointError(f"{what} signature is not base64") from exc
    for key in keys:
        if key.name == name and key.key_id == raw[:4]:
            try:
                Ed25519PublicKey.from_public_bytes(key.public_key).verify(raw[4:], message)
            except InvalidSignature as exc:
                raise CheckpointError(
                    f"{what} signature by key {name!r} is invalid: the {what} was altered"
                    " or signed by another key"
                ) from exc
            return key
    return None


def open_note(note: str, keys: list[VerifierKey], what: str = "note") -> tuple[str, VerifierKey]:
    """The body of a signed note and the first known key that signed it.

    Signatures by unknown keys are ignored, as signed-note requires; the note is
    rejected unless at least one known key verifies it.
    """
    body, sep, signatures = note.partition("\n\n")
    if not sep:
        raise CheckpointError(f"{what} has no signature block")
    body += "\n"
    for line in signatures.splitlines():
        if not line.startswith(SIG_PREFIX):
            raise CheckpointError(f"malformed signature line in {what}")
        name, _, blob = line[len(SIG_PREFIX) :].rpartition(" ")
        key = check_signature(body.encode(), name, blob, keys, what)
        if key is not None:
            return body, key
    raise CheckpointError(f"no known key signed this {what}")


@dataclass(frozen=True)
class SignedCheckpoint:
    """A checkpoint and the key that verified it."""

    checkpoint: Checkpoint
    note: str
    key_name: str


def parse_checkpoint_body(body: str) -> Checkpoint:
    """Parse the three checkpoint lines (extension lines are allowed and ignored)."""
    lines = body.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise CheckpointError("checkpoint text must be origin, size and root, each on a line")
    origin, size_text, root_text = lines[0], lines[1], lines[2]
    if not origin or not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
        raise CheckpointError("checkpoint has an empty origin or a malformed tree size")
    try:
        root = base64.b64decode(root_text, validate=True)
    except ValueError as exc:
        raise CheckpointError("checkpoint root hash is not base64") from exc
    if len(root) != 32:
        raise CheckpointError("checkpoint root hash is not 32 bytes")
    return Checkpoint(origin, int(size_text), root)


def verify_note(note: str, keys: list[VerifierKey], origin: str | None = None) -> SignedCheckpoint:
    """Check a signed checkpoint note against known keys (see :func:`open_note`)."""
    body, sep, _ = note.partition("\n\n")
    if not sep:
        raise CheckpointError("checkpoint note has no signature block")
    # The body is parsed before any signature is checked, so a note that is not a
    # checkpoint at all says so instead of failing on its signature.
    checkpoint = parse_checkpoint_body(body + "\n")
    if origin is not None and checkpoint.origin != origin:
        raise CheckpointError(
            f"checkpoint is for log {checkpoint.origin!r}, not this log {origin!r}"
        )
    _, key = open_note(note, keys, "checkpoint")
    return SignedCheckpoint(checkpoint, note, key.name)
