"""Export jobs: progress files that never outlive their use or claim a dead job runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path

from pipeline.web.jobs import ABANDONED, KEEP_FINISHED, ExportJob, ExportJobs


def _finished_job(jobs: ExportJobs, owner: str = "officer") -> ExportJob:
    job = jobs.start(owner, lambda progress: ("m" * 64, 7, 1))
    for _ in range(200):
        current = jobs.get(job.job_id, owner)
        if current is not None and current.finished:
            return current
        time.sleep(0.01)
    raise AssertionError("the job did not finish")


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_finished_job_older_than_the_keep_period_is_removed_when_a_job_starts(
    tmp_path: Path,
) -> None:
    jobs = ExportJobs(tmp_path)
    old = _finished_job(jobs)
    _age(tmp_path / f"{old.job_id}.json", KEEP_FINISHED.total_seconds() + 60)
    _finished_job(jobs)
    assert jobs.get(old.job_id, "officer") is None


def test_a_recent_finished_job_is_kept(tmp_path: Path) -> None:
    jobs = ExportJobs(tmp_path)
    recent = _finished_job(jobs)
    _age(tmp_path / f"{recent.job_id}.json", KEEP_FINISHED.total_seconds() - 60)
    _finished_job(jobs)
    kept = jobs.get(recent.job_id, "officer")
    assert kept is not None and kept.state == "done" and kept.seq == 7


def test_a_running_job_whose_process_is_gone_is_shown_failed_with_what_to_do(
    tmp_path: Path,
) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    job = ExportJob("abandoned1", "officer", "running", "writing natives", 3, 5,
                    pid=int(gone.stdout))  # fmt: skip
    (tmp_path / "abandoned1.json").write_text(json.dumps(asdict(job)))
    shown = ExportJobs(tmp_path).get("abandoned1", "officer")
    assert shown is not None
    assert (shown.state, shown.error, shown.step) == ("failed", ABANDONED, 3)


def test_a_running_job_of_a_live_process_stays_running(tmp_path: Path) -> None:
    release = threading.Event()
    jobs = ExportJobs(tmp_path)

    def slow(progress):  # type: ignore[no-untyped-def]
        progress("finding the records", 1, 5)
        release.wait(10)
        return ("m" * 64, 9, 2)

    job = jobs.start("officer", slow)
    try:
        shown = jobs.get(job.job_id, "officer")
        assert shown is not None and shown.state == "running" and shown.pid == os.getpid()
    finally:
        release.set()


def test_a_job_is_shown_only_to_the_person_who_started_it(tmp_path: Path) -> None:
    jobs = ExportJobs(tmp_path)
    job = _finished_job(jobs, owner="officer")
    assert jobs.get(job.job_id, "supervisor") is None
    assert jobs.get("../../etc/passwd", "officer") is None
