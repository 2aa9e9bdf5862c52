"""Object stores: create-only, content-verified storage for records and the ledger."""
