"""Signing-key files in the signed-note private key format.

``PRIVATE+KEY+<name>+<hex key id>+<base64(0x01 || 32-byte seed)>``, the text
form used by the Go ``note`` package, so keys can move between tools.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from pipeline.errors import CheckpointError, SecretError
from pipeline.ledger.checkpoint import ED25519_TYPE, SigningKey, VerifierKey

_PREFIX = "PRIVATE+KEY+"


def encode_signing_key(key: SigningKey) -> str:
    """Text form of a signing key."""
    seed = key.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    blob = base64.b64encode(ED25519_TYPE + seed).decode()
    return f"{_PREFIX}{key.name}+{key.verifier.key_id.hex()}+{blob}"


def decode_signing_key(text: str) -> SigningKey:
    """Parse the text form; errors never echo the key material."""
    text = text.strip()
    if not text.startswith(_PREFIX):
        raise CheckpointError("signing key is not in 'PRIVATE+KEY+<name>+<id>+<key>' form")
    try:
        name, hex_id, blob = text[len(_PREFIX) :].split("+", 2)
        raw = base64.b64decode(blob, validate=True)
    except ValueError as exc:
        raise CheckpointError("signing key text is malformed") from exc
    if raw[:1] != ED25519_TYPE or len(raw) != 33:
        raise CheckpointError("signing key is not an Ed25519 key")
    key = SigningKey.from_seed(name, raw[1:])
    if key.verifier.key_id.hex() != hex_id:
        raise CheckpointError("signing key id does not match its name and key")
    return key


def write_signing_key(path: Path, key: SigningKey) -> None:
    """Create a key file readable by its owner only; never overwrites an existing key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise SecretError(f"{path} already exists; a signing key is never overwritten") from exc
    with os.fdopen(fd, "w") as handle:
        handle.write(encode_signing_key(key) + "\n")


def read_signing_key(*, env: str | None, file: Path | None) -> SigningKey | None:
    """The signing key from the environment variable or the file, or None if neither is set.

    A key that cannot be read or decoded is a :class:`SecretError` (a configuration
    error) naming the variable or the file, never the key material.
    """
    if env and os.environ.get(env):
        return _decoded(os.environ[env], f"environment variable {env}")
    if file is not None and file.exists():
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise SecretError(f"cannot read signing key file {file}: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise SecretError(
                f"signing key file {file} is not UTF-8 text (byte {exc.start} cannot be decoded)"
            ) from exc
        return _decoded(text, f"signing key file {file}")
    return None


def _decoded(text: str, where: str) -> SigningKey:
    if not text.strip():
        raise SecretError(f"{where} is empty: it holds no signing key")
    try:
        text.encode("utf-8")  # an environment value may hold bytes that are not UTF-8
        return decode_signing_key(text)
    except UnicodeEncodeError as exc:
        raise SecretError(f"{where}: not UTF-8 text") from exc
    except CheckpointError as exc:
        raise SecretError(f"{where}: {exc}") from exc


def parse_verifier_keys(texts: list[str]) -> list[VerifierKey]:
    """Verifier keys from their text forms (config or files)."""
    return [VerifierKey.from_text(text) for text in texts]
