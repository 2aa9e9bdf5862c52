"""Exports built in the background, with their progress kept on disk.

Building an export of many records takes minutes; the request that asks for one
starts a job and answers at once, and the job's page shows a progress bar that
refreshes itself (a meta refresh: the app's Content-Security-Policy allows no
scripts, and the page works the same with or without them). The state is a small
JSON file per job, so any worker process of the app can show it.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Literal

import structlog

from pipeline.errors import MailledgerError

__all__ = ["ExportJob", "ExportJobs", "JobRun"]

log = structlog.get_logger(__name__)

JobState = Literal["running", "done", "failed"]
Progress = Callable[[str, int, int], None]
JobRun = Callable[[Progress], tuple[str, int, int]]
"""Builds the export, telling ``Progress`` each phase; returns (manifest, position, records)."""


@dataclass(frozen=True)
class ExportJob:
    """One export being built, or built, for one person."""

    job_id: str
    owner: str
    state: JobState
    phase: str
    step: int
    steps: int
    manifest: str | None = None
    seq: int | None = None
    records: int | None = None
    error: str | None = None

    @property
    def finished(self) -> bool:
        """True once the job succeeded or failed."""
        return self.state != "running"


class ExportJobs:
    """Export jobs of the app, one JSON file each under ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, job_id: str) -> Path:
        return self.folder / f"{job_id}.json"

    def _write(self, job: ExportJob) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(job.job_id)
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(asdict(job)))
        partial.replace(path)  # readers see the old state or the new, never half

    def start(self, owner: str, run: JobRun) -> ExportJob:
        """Start ``run`` in a background thread; returns the job as it starts."""
        job = ExportJob(secrets.token_urlsafe(12), owner, "running", "queued", 0, 1)
        self._write(job)
        threading.Thread(target=self._run, args=(job, run), daemon=True).start()
        return job

    def _run(self, job: ExportJob, run: JobRun) -> None:
        current = job

        def progress(phase: str, step: int, steps: int) -> None:
            nonlocal current
            current = replace(current, phase=phase, step=step, steps=steps)
            self._write(current)

        try:
            manifest, seq, records = run(progress)
        except MailledgerError as exc:
            log.warning("export_job.failed", job=job.job_id, error=str(exc))
            self._write(replace(current, state="failed", error=str(exc)))
            return
        except Exception:
            # not swallowed: logged with its traceback, and the page says where to look
            log.exception("export_job.crashed", job=job.job_id)
            self._write(
                replace(
                    current,
                    state="failed",
                    error="the export stopped on an unexpected error; the app's log has it",
                )
            )
            return
        self._write(
            replace(
                current,
                state="done",
                phase="finished",
                step=current.steps,
                manifest=manifest,
                seq=seq,
                records=records,
            )
        )

    def get(self, job_id: str, owner: str) -> ExportJob | None:
        """The job, if it exists and ``owner`` started it."""
        if not job_id.replace("-", "").replace("_", "").isalnum():
            return None  # job ids are URL-safe tokens; nothing else names a file here
        try:
            job = ExportJob(**json.loads(self._path(job_id).read_text()))
        except FileNotFoundError:
            return None
        return job if job.owner == owner else None

    def running(self, owner: str) -> list[ExportJob]:
        """Jobs of ``owner`` still running."""
        if not self.folder.is_dir():
            return []
        jobs = [self.get(p.stem, owner) for p in sorted(self.folder.glob("*.json"))]
        return [j for j in jobs if j is not None and not j.finished]
