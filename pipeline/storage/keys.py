"""Key conventions shared by every backend."""

from __future__ import annotations

from pipeline.hashing import is_sha256_hex

CONTENT_PREFIXES = ("objects/sha256/", "quarantine/sha256/")


def expected_sha256(key: str) -> str | None:
    """The SHA-256 a content-addressed key promises, or None for other keys."""
    if key.startswith(CONTENT_PREFIXES):
        tail = key.rsplit("/", 1)[-1]
        if is_sha256_hex(tail):
            return tail
    return None
