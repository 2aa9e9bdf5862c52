"""Scheduled and long-running workers: poll mailboxes, record, reconcile, report."""
