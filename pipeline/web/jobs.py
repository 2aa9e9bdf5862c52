"""Exports built in the background, with their progress kept on disk.

Building an export of many records takes minutes; the request that asks for one
starts a job and answers at once, and the job's page shows a progress bar (a small
script of the app's own polls the state; without scripts the page has a link to
check again). The state is a small JSON file per job, so any worker process of the
app can show it. It is progress only, never evidence: the export itself is the
``export.created`` entry and its bundle.

A job runs on a thread of the process that started it. If that process ends (the
app restarts), the job is shown as failed with what to do, instead of running
forever; finished jobs' files are removed after :data:`KEEP_FINISHED`.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Literal

import structlog

from pipeline.errors import MailledgerError

__all__ = ["ExportJob", "ExportJobs", "JobRun"]

log = structlog.get_logger(__name__)

JobState = Literal["running", "done", "failed"]
KEEP_FINISHED = timedelta(days=7)
"""How long a finished job's progress file is kept (the export itself is kept by retention)."""
ABANDONED = "the app restarted while this export was being built; start it again"
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
    pid: int | None = None

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
        self._remove_old_finished()
        job = ExportJob(
            secrets.token_urlsafe(12), owner, "running", "queued", 0, 1, pid=os.getpid()
        )
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
        job = self._read(self._path(job_id))
        return job if job is not None and job.owner == owner else None

    def _read(self, path: Path) -> ExportJob | None:
        try:
            job = ExportJob(**json.loads(path.read_text()))
        except FileNotFoundError:
            return None
        if not job.finished and not _alive(job.pid):
            return replace(job, state="failed", error=ABANDONED)
        return job

    def _remove_old_finished(self) -> None:
        if not self.folder.is_dir():
            return
        cutoff = time.time() - KEEP_FINISHED.total_seconds()
        for path in self.folder.glob("*.json"):
            job = self._read(path)
            if job is not None and job.finished and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)

    def running(self, owner: str) -> list[ExportJob]:
        """Jobs of ``owner`` still running."""
        if not self.folder.is_dir():
            return []
        jobs = [self.get(p.stem, owner) for p in sorted(self.folder.glob("*.json"))]
        return [j for j in jobs if j is not None and not j.finished]


def _alive(pid: int | None) -> bool:
    """Whether the process that runs a job still exists (jobs of older files: assumed so)."""
    if pid is None:
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True
