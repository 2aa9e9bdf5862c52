"""structlog set-up, done once per process (the entry point and each worker process).

JSON lines when stderr is not a terminal (cron, systemd, containers), pretty
console output on a terminal. Our own structlog loggers and every standard
``logging`` logger (mail-parser, botocore, imapclient, pypdf, Pillow, and
``warnings``) end in the same chain: a redaction processor runs last before
rendering, so values under secret-looking keys are dropped and account, social
security or card numbers are masked to their last four digits
(:func:`pipeline.redact.mask_numbers`), as a backstop behind code that already
masks them. Nothing reaches stderr except through that chain.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, Literal

import structlog

from pipeline.redact import mask_numbers

__all__ = ["LogSettings", "configure_logging", "current_settings", "mask_numbers", "redact"]

LogFormat = Literal["auto", "json", "console"]

_SECRET_KEYS = re.compile(r"pass(word)?|secret|token|authorization|private", re.IGNORECASE)
# Values that are hashes or timestamps by construction; masking them helps nobody.
_VERBATIM_KEYS = frozenset({"timestamp", "sha256", "raw_sha256"})
# Libraries whose messages quote the message being parsed (mail-parser logs
# "Failed decoding header part: <raw header>"). What they found is already a
# defect in the record; the log keeps the finding and withholds the quote.
_QUOTING_LOGGERS = ("mailparser",)
_QUOTE_START = re.compile(r"[:'\"]")
# Library chatter below this level is never shown, whatever our own level: their
# debug output can hold request headers and message text.
_LIBRARY_FLOOR = logging.WARNING
_PARSERS = ("mailparser", "pypdf", "PIL")


@dataclass(frozen=True)
class LogSettings:
    """What :func:`configure_logging` was last called with (handed to worker processes)."""

    level: str = "warning"
    fmt: LogFormat = "auto"


_current = LogSettings()


def current_settings() -> LogSettings:
    """The settings this process's logging was configured with."""
    return _current


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_numbers(value)
    if isinstance(value, list | tuple):
        return [_mask_value(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _mask_value(item) for key, item in value.items()}
    return value


def redact(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor that keeps secrets and personal numbers out of logs."""
    for key, value in list(event_dict.items()):
        if _SECRET_KEYS.search(key):
            event_dict[key] = "[redacted]"
        elif key not in _VERBATIM_KEYS:
            event_dict[key] = _mask_value(value)
    return event_dict


def withhold_quoted_content(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Cut what a parsing library quotes from a message out of its log line."""
    name = str(event_dict.get("logger", ""))
    if name.split(".")[0] in _QUOTING_LOGGERS:
        event = str(event_dict.get("event", ""))
        # Their messages quote after a colon or inside quotes ("Skipped attachment 'x'").
        head = _QUOTE_START.split(event, maxsplit=1)[0].rstrip()
        if head != event:
            event_dict["event"] = head
            event_dict["detail"] = "message text withheld from the log"
        exc_info = event_dict.pop("exc_info", None)
        if isinstance(exc_info, tuple) and exc_info[0] is not None:
            # An exception's text can quote the message too; its type says enough.
            event_dict["exception_type"] = exc_info[0].__name__
    return event_dict


class _RedactingHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The root handler :func:`configure_logging` installs (told apart from others)."""


def configure_logging(level: str = "info", fmt: LogFormat = "auto") -> None:
    """Configure structlog and the standard ``logging`` root for this process."""
    global _current
    _current = LogSettings(level, fmt)
    use_console = fmt == "console" or (fmt == "auto" and sys.stderr.isatty())
    renderer: Any = (
        structlog.dev.ConsoleRenderer() if use_console else structlog.processors.JSONRenderer()
    )
    timestamper = structlog.processors.TimeStamper(fmt="iso", utc=True)
    numeric_level = logging.getLevelNamesMapping()[level.upper()]
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            timestamper,
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            timestamper,
            withhold_quoted_content,
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
    )
    handler = _RedactingHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    # Replace our earlier handler and any plain stream handler (a library's
    # basicConfig would print records raw); handlers of other kinds (a test
    # framework's capture) are left in place.
    for old in list(root.handlers):
        if isinstance(old, _RedactingHandler) or type(old) is logging.StreamHandler:
            root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(max(numeric_level, _LIBRARY_FLOOR))
    # Parsers log every oddity of every message; those are recorded as defects in the
    # message's record, so only their errors reach the log.
    for name in _PARSERS:
        logging.getLogger(name).setLevel(max(numeric_level, logging.ERROR))
    logging.captureWarnings(True)
