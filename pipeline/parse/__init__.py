"""Parsing of raw RFC 5322 messages into frozen :class:`ParsedMessage` values (no I/O)."""

from pipeline.parse.html_text import html_to_text
from pipeline.parse.message import parse_message
from pipeline.parse.model import Address, ParsedAttachment, ParsedMessage

__all__ = ["Address", "ParsedAttachment", "ParsedMessage", "html_to_text", "parse_message"]
