"""The reference number printed in acknowledgments and quoted back by borrowers and staff."""

from __future__ import annotations

import base64
import hashlib


def reference_number(record_id: str) -> str:
    """``ML-XXXX-XXXX``: a stable, readable reference for a record.

    40 bits of SHA-256 of the record id in RFC 4648 base32 (letters and 2-7: no 0 or 1
    to mistake for O or I). Collisions only matter to a person searching by reference,
    who also has the date and sender.
    """
    digest = hashlib.sha256(record_id.encode("utf-8")).digest()[:5]
    text = base64.b32encode(digest).decode("ascii")
    return f"ML-{text[:4]}-{text[4:8]}"
