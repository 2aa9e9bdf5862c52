"""The append-only, hash-chained, Merkle-tree ledger."""
