"""structlog set-up, done once at the entry point.

JSON lines when stderr is not a terminal (cron, systemd, containers), pretty
console output on a terminal. A redaction processor runs last before rendering:
values under secret-looking keys are dropped and long digit runs (account,
social security or card numbers) are masked to their last four digits, as a
backstop behind code that already masks them.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any, Literal

import structlog

_SECRET_KEYS = re.compile(r"pass(word)?|secret|token|authorization|private", re.IGNORECASE)
# SSNs with separators, and runs of 7 or more digits (account and card numbers)
# Not inside identifiers (record ids, hashes), which mix letters and digits.
_NUMBERS = re.compile(r"\b\d{3}-\d{2}-\d{4}\b|(?<![\w.-])\d{7,19}(?![\w-]|\.\d)")


def _mask(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "****" + digits[-4:]


def mask_numbers(text: str) -> str:
    """Mask SSN-shaped values and long digit runs to their last four digits."""
    return _NUMBERS.sub(_mask, text)


def redact(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor that keeps secrets and personal numbers out of logs."""
    for key, value in list(event_dict.items()):
        if _SECRET_KEYS.search(key):
            event_dict[key] = "[redacted]"
        elif isinstance(value, str) and key not in ("timestamp", "sha256", "raw_sha256"):
            event_dict[key] = mask_numbers(value)
    return event_dict


def configure_logging(
    level: str = "info", fmt: Literal["auto", "json", "console"] = "auto"
) -> None:
    """Configure structlog for the process; call once from the entry point."""
    use_console = fmt == "console" or (fmt == "auto" and sys.stderr.isatty())
    renderer: Any = (
        structlog.dev.ConsoleRenderer() if use_console else structlog.processors.JSONRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    # Parsers log every oddity of every message through stdlib logging; those are
    # recorded as defects in the message's record, so only errors reach the log.
    for noisy in ("mailparser", "pypdf", "PIL"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
