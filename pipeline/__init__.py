"""mailledger: email ingestion with a tamper-evident, hash-chained audit trail."""

__version__ = "0.1.0"
