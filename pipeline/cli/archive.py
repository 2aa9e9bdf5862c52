"""Builds the archive service for a command from the application config."""

from __future__ import annotations

from pipeline.archive import Archive
from pipeline.archive_app import open_archive as archive_over
from pipeline.cli.app import AppContext


def open_archive(app: AppContext, *, writable: bool) -> Archive:
    """The archive acting for the configured person; ``writable`` needs the signing key."""
    return archive_over(app.runtime(writable=writable))
