"""Events derived from committed ledger entries (a transactional outbox) and their sinks.

The ledger is the outbox: an event exists because an entry was committed, and each
sink's delivery progress is itself recorded in the ledger as ``event.delivered``
entries, so any worker can resume delivery without local state. Delivery is at
least once; event ids are deterministic so consumers can de-duplicate.
"""
