"""The catalogue of ledger entry types: names, typed bodies, strict decoding, encoding.

The ledger (``pipeline.ledger``) stores bytes and proves them; it knows nothing of
what a body means. This package sits above it and below every reader and writer:
each entry type has one frozen model here, one schema version, and one path from
older versions to the current model.
"""

from pipeline.entries import names
from pipeline.entries.catalogue import (
    TypedEntry,
    decode,
    decode_all,
    decode_as,
    decode_body,
    decode_record,
    draft,
    encode,
)
from pipeline.entries.models import CATALOGUE, Body, RecordBody

__all__ = [
    "CATALOGUE",
    "Body",
    "RecordBody",
    "TypedEntry",
    "decode",
    "decode_all",
    "decode_as",
    "decode_body",
    "decode_record",
    "draft",
    "encode",
    "names",
]
