"""Fetching messages: IMAP mailboxes and files (eml, mbox, Maildir)."""
