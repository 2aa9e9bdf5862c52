"""Audit trails of records: retrieval by any reference, proofs against the signed log."""

from pipeline.trail.build import (
    AmbiguousReferenceError,
    DeadlineView,
    Trail,
    TrailItem,
    build_trail,
    resolve_one,
    trail_from_entries,
)
from pipeline.trail.proofs import InclusionProof, ProofContext, read_entries

__all__ = [
    "AmbiguousReferenceError",
    "DeadlineView",
    "InclusionProof",
    "ProofContext",
    "Trail",
    "TrailItem",
    "build_trail",
    "read_entries",
    "resolve_one",
    "trail_from_entries",
]
