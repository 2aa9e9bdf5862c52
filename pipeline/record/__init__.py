"""Turning fetched messages into stored objects and ledger entries, exactly once."""
