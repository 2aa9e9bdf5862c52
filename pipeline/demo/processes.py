"""Small helpers shared by the harness servers: free ports, readiness polling, cleanup."""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Self

LOOPBACK = "127.0.0.1"

_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def port_accepts(port: int, host: str = LOOPBACK, timeout: float = 0.2) -> bool:
    """True when something accepts a TCP connection on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def tail(path: Path, lines: int = 40) -> str:
    """The last ``lines`` lines of a text file, or a note that it does not exist."""
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"<no log at {path}: {exc}>"
    return "\n".join(text.splitlines()[-lines:])


def wait_until(
    check: Callable[[], bool],
    timeout: float,
    what: str,
    diagnostics: Callable[[], str] = lambda: "",
    interval: float = 0.02,
) -> None:
    """Poll ``check`` until it returns True; raise ``RuntimeError`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    delay = interval
    while True:
        if check():
            return
        if time.monotonic() >= deadline:
            raise RuntimeError(
                f"timed out after {timeout:.1f}s waiting for {what}\n{diagnostics()}"
            )
        time.sleep(delay)
        delay = min(delay * 1.5, 0.25)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask Linux to send SIGTERM to this child when the parent thread exits (no orphans)."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: no parent-death signal
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    os.setpgrp()


def popen(args: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start a child process in its own process group, output to ``log``, killed if we die.

    The child gets SIGTERM when the thread that started it exits (``PR_SET_PDEATHSIG``),
    so start servers from the main thread (pytest fixtures do).
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            preexec_fn=_die_with_parent,
        )


def stop_process(proc: subprocess.Popen[bytes] | None, grace: float = 5.0) -> None:
    """Terminate a child's whole process group: SIGTERM, wait ``grace`` seconds, then SIGKILL."""
    if proc is None:
        return
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=grace)
    # Reap anything left in the group (daemons that forked helpers).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def remove_tree(path: Path | None) -> None:
    """Remove a temporary directory, ignoring errors (cleanup must never raise)."""
    if path is not None:
        shutil.rmtree(path, ignore_errors=True)


class Cleanup:
    """Run a stop function once, at the latest when the interpreter exits."""

    def __init__(self, stop: Callable[[], None]) -> None:
        """Register ``stop`` with :mod:`atexit`; :meth:`cancel` unregisters it."""
        self._stop = stop
        atexit.register(self._run)

    def _run(self) -> None:
        with contextlib.suppress(Exception):
            self._stop()

    def cancel(self) -> None:
        """Forget the registration (the owner has stopped cleanly)."""
        atexit.unregister(self._run)


class ManagedServer:
    """Start on ``with``, close on leaving it: the protocol every local server shares."""

    def start(self) -> Self:
        """Start the server (subclasses)."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop the server and remove what it wrote (subclasses)."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
