"""Event handlers: acknowledgment and escalation, run from the CLI or as Lambda functions."""
