"""The real Dovecot used by the tests (shared with the demo, which seeds it with sample mail)."""

from pipeline.demo.dovecot import AppendItem, DovecotServer, dovecot_available

__all__ = ["AppendItem", "DovecotServer", "dovecot_available"]
