"""SLA reports from the ledger: figures, and text, JSON, CSV and HTML renderings."""
