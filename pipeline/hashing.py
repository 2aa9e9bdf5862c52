"""SHA-256 helpers used for content addressing and the ledger."""

from __future__ import annotations

import hashlib
import re

ZERO_HASH = "0" * 64
_HEX64 = re.compile(r"[0-9a-f]{64}")


def sha256_hex(data: bytes) -> str:
    """Return the lowercase hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def is_sha256_hex(value: str) -> bool:
    """True when ``value`` is 64 lowercase hex digits."""
    return _HEX64.fullmatch(value) is not None


def object_key(sha256: str, prefix: str = "objects") -> str:
    """Content-addressed key for a blob: ``objects/sha256/ab/cd/<hex>``.

    Two levels of fan-out keep local directories small and S3 prefixes spread.
    """
    if not is_sha256_hex(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return f"{prefix}/sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"
