"""A throwaway one-node Ceph cluster with a RADOS Gateway (S3) on loopback, for WORM tests.

moto accepts a wrong Content-MD5 and lets COMPLIANCE retention be shortened; Ceph RGW
behaves like AWS there, so Object Lock and integrity tests run against it.

The cluster: one monitor (v1 protocol), one OSD on ``memstore`` (RAM; nothing on disk
but logs and the mon store), pools of size 1, no cephx (``auth ... required = none``),
and ``radosgw`` with the beast frontend on 127.0.0.1. Every file lives under a temporary
directory owned by the ``ceph`` user when running as root (daemons drop to it).

Reuse: when ``MAILLEDGER_TEST_RGW_ENDPOINT`` (plus ``..._ACCESS_KEY`` and
``..._SECRET_KEY``) is set, :func:`rgw_from_env` returns a handle to that gateway instead
of starting one. To start one for several test runs::

    python -m tests.harness.rgw serve --env-file rgw.env   # runs until SIGTERM/SIGINT
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from pipeline.demo.processes import (
    LOOPBACK,
    Cleanup,
    ManagedServer,
    free_port,
    popen,
    remove_tree,
    stop_process,
    tail,
    wait_until,
)
from tests.harness.moto_server import boto_client

ENV_ENDPOINT = "MAILLEDGER_TEST_RGW_ENDPOINT"
ENV_ACCESS_KEY = "MAILLEDGER_TEST_RGW_ACCESS_KEY"
ENV_SECRET_KEY = "MAILLEDGER_TEST_RGW_SECRET_KEY"

ACCESS_KEY = "MAILLEDGERTESTKEY000"
SECRET_KEY = "mailledger-test-secret-key-0000000000000"  # fixed test credential, loopback only
REGION = "us-east-1"
# What the monitor answers a CLI that asked before it had the monmap (see _start).
_COMMAND_DESCRIPTIONS_REFUSED = "problem getting command descriptions"
_BINARIES = ("monmaptool", "ceph-mon", "ceph-osd", "ceph", "radosgw", "radosgw-admin")


def _which(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")


def rgw_unavailable_reason() -> str | None:
    """Why a gateway cannot be started here (missing binaries or user), or None."""
    missing = [b for b in _BINARIES if _which(b) is None]
    if missing:
        return (
            f"Ceph RGW not installed (missing {', '.join(missing)}): "
            "run scripts/install-system-deps.sh --rgw"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("ceph")
        except KeyError:
            return "user 'ceph' missing (install ceph-common)"
    return None


def rgw_from_env() -> RgwServer | None:
    """A handle to an already-running gateway named by ``MAILLEDGER_TEST_RGW_*``, or None."""
    endpoint = os.environ.get(ENV_ENDPOINT)
    if not endpoint:
        return None
    return RgwServer.external(
        endpoint,
        os.environ.get(ENV_ACCESS_KEY, ACCESS_KEY),
        os.environ.get(ENV_SECRET_KEY, SECRET_KEY),
    )


class RgwServer(ManagedServer):
    """Start (or attach to) a Ceph RADOS Gateway; :attr:`endpoint_url` speaks S3."""

    def __init__(self, startup_timeout: float = 90.0, memstore_bytes: int = 1 << 30) -> None:
        """Prepare (not start) a one-node cluster under a fresh temporary directory."""
        self.host = LOOPBACK
        self.mon_port = 0
        self.port = 0
        self.access_key = ACCESS_KEY
        self.secret_key = SECRET_KEY
        self.startup_timeout = startup_timeout
        self.memstore_bytes = memstore_bytes
        self.startup_seconds = 0.0
        self._external_url: str | None = None
        self.root: Path | None = None
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._cleanup: Cleanup | None = None
        self._lock = threading.Lock()

    @classmethod
    def external(cls, endpoint_url: str, access_key: str, secret_key: str) -> RgwServer:
        """A handle to a gateway someone else runs; :meth:`close` leaves it alone."""
        server = cls()
        server._external_url = endpoint_url.rstrip("/")
        server.access_key = access_key
        server.secret_key = secret_key
        return server

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:<port>`` (path-style addressing)."""
        if self._external_url is not None:
            return self._external_url
        return f"http://{self.host}:{self.port}"

    def client(self, service: str = "s3", **kwargs: Any) -> Any:
        """A boto3 client with this gateway's keys, path-style addressing, no retries."""
        kwargs.setdefault("access_key", self.access_key)
        kwargs.setdefault("secret_key", self.secret_key)
        return boto_client(service, self.endpoint_url, **kwargs)

    def env(self) -> dict[str, str]:
        """``MAILLEDGER_TEST_RGW_*`` variables naming this gateway."""
        return {
            ENV_ENDPOINT: self.endpoint_url,
            ENV_ACCESS_KEY: self.access_key,
            ENV_SECRET_KEY: self.secret_key,
        }

    # ----------------------------------------------------------------- start-up
    def _conf(self) -> Path:
        assert self.root is not None
        return self.root / "ceph.conf"

    def _write_conf(self, fsid: str) -> None:
        r = self.root
        self._conf().write_text(
            f"""[global]
fsid = {fsid}
mon initial members = a
mon host = v1:{self.host}:{self.mon_port}
public addr = {self.host}
ms bind msgr2 = false
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
mon allow pool size one = true
mon warn on pool no redundancy = false
mon allow pool delete = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0
osd objectstore = memstore
# The OSD's own crush update at start races its first monmap ("wrong fsid", exit 1);
# the harness places osd.0 in the crush map itself instead.
osd class update on start = false
osd crush update on start = false
memstore device bytes = {self.memstore_bytes}
osd data = {r}/osd/$cluster-$id
mon data = {r}/mon/$cluster-$id
run dir = {r}/run
admin socket = {r}/run/$cluster-$name.asok
pid file = {r}/run/$cluster-$name.pid
log file = {r}/log/$cluster-$name.log
keyring = {r}/keyring
err to stderr = true
log to stderr = false
debug ms = 0
[client.rgw.a]
rgw frontends = beast endpoint={self.host}:{self.port} tcp_nodelay=1
rgw data = {r}/rgw
rgw enable usage log = false
rgw dns name = localhost
"""
        )

    def _run(self, *args: str, timeout: float = 60.0) -> str:
        """Run a Ceph tool to completion; raise with its output on failure."""
        assert self.root is not None
        result = subprocess.run(
            [*args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n"
                f"{result.stderr}\n{self._diagnostics()}"
            )
        return result.stdout

    def _daemon(self, name: str, *args: str) -> None:
        assert self.root is not None
        self._procs[name] = popen([*args], self.root / "log" / f"{name}.out")

    def _user_args(self) -> list[str]:
        return ["--setuser", "ceph", "--setgroup", "ceph"] if os.geteuid() == 0 else []

    def _diagnostics(self) -> str:
        if self.root is None:
            return ""
        parts = []
        for path in sorted((self.root / "log").glob("*")):
            parts.append(f"--- {path.name} ---\n{tail(path, 15)}")
        dead = {n: p.returncode for n, p in self._procs.items() if p.poll() is not None}
        if dead:
            parts.append(f"exited daemons: {dead}")
        return "\n".join(parts)

    def _check_alive(self) -> None:
        for name, proc in self._procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}\n{self._diagnostics()}")

    def start(self) -> RgwServer:
        """Create the cluster, start mon, OSD and gateway, create the test S3 user."""
        if self._external_url is not None or self._procs:
            return self
        reason = rgw_unavailable_reason()
        if reason is not None:
            raise RuntimeError(reason)
        with self._lock:
            began = time.monotonic()
            self.root = Path(tempfile.mkdtemp(prefix="mailledger-rgw-"))
            self.root.chmod(0o755)
            self._cleanup = Cleanup(self.close)
            try:
                self._start(began)
            except BaseException:
                self._stop_daemons()
                raise
            self.startup_seconds = time.monotonic() - began
        return self

    def _start(self, began: float) -> None:
        assert self.root is not None
        r = self.root
        for sub in ("mon/ceph-a", "osd/ceph-0", "run", "log", "rgw"):
            (r / sub).mkdir(parents=True, exist_ok=True)
        self.mon_port, self.port = free_port(), free_port()
        fsid = str(uuid.uuid4())
        self._write_conf(fsid)
        (r / "keyring").touch()
        if os.geteuid() == 0:
            ceph = pwd.getpwnam("ceph")
            for path in [r, *r.rglob("*")]:
                os.chown(path, ceph.pw_uid, ceph.pw_gid)
        conf = ["-c", str(self._conf())]
        deadline = began + self.startup_timeout

        self._run(
            "monmaptool", "--create", "--clobber", "--fsid", fsid,
            "--addv", "a", f"[v1:{self.host}:{self.mon_port}]", str(r / "monmap"),
        )  # fmt: skip
        if os.geteuid() == 0:
            os.chown(r / "monmap", pwd.getpwnam("ceph").pw_uid, pwd.getpwnam("ceph").pw_gid)
        self._run("ceph-mon", *conf, "--mkfs", "-i", "a", "--monmap", str(r / "monmap"),
                  *self._user_args())  # fmt: skip
        self._daemon("mon", "ceph-mon", *conf, "-f", "-i", "a", *self._user_args())

        def ceph(*args: str, timeout: float = 30.0) -> str:
            # Under load (two test workers starting clusters at once) the CLI can ask the
            # monitor for its commands before it has the monmap, and the monitor refuses
            # it ("problem getting command descriptions", EPERM). Every command sent here
            # is idempotent, so it is asked again.
            command = ["ceph", *conf, "--connect-timeout", "15", *args]
            for _ in range(2):
                try:
                    return self._run(*command, timeout=timeout)
                except RuntimeError as error:
                    if _COMMAND_DESCRIPTIONS_REFUSED not in str(error):
                        raise
                    time.sleep(1.0)
            return self._run(*command, timeout=timeout)

        wait_until(
            lambda: (self._check_alive(), self._mon_up())[1],
            max(1.0, deadline - time.monotonic()),
            "ceph monitor",
            self._diagnostics,
        )
        osd_uuid = str(uuid.uuid4())
        osd_id = ceph("osd", "new", osd_uuid).strip()
        self._run("ceph-osd", *conf, "-i", osd_id, "--mkfs", "--osd-uuid", osd_uuid,
                  *self._user_args())  # fmt: skip
        ceph("osd", "crush", "add", f"osd.{osd_id}", "1.0", "root=default")
        osd_args = ["ceph-osd", *conf, "-f", "-i", osd_id, *self._user_args()]
        self._daemon("osd", *osd_args)
        restarts = {"left": 2}

        def osd_up() -> bool:
            proc = self._procs["osd"]
            if proc.poll() is not None and restarts["left"] > 0:
                restarts["left"] -= 1  # a start-up race in the OSD; once more is enough
                self._daemon("osd", *osd_args)
                return False
            self._check_alive()
            return '"num_up_osds":1' in ceph("osd", "stat", "-f", "json")

        wait_until(osd_up, max(1.0, deadline - time.monotonic()), "ceph OSD up", self._diagnostics)
        self._daemon("rgw", "radosgw", *conf, "-f", "-n", "client.rgw.a", *self._user_args())
        wait_until(
            lambda: (self._check_alive(), self._rgw_up())[1],
            max(1.0, deadline - time.monotonic()),
            f"radosgw on {self.endpoint_url}",
            self._diagnostics,
        )
        self._run(
            "radosgw-admin", *conf, "-n", "client.rgw.a", "user", "create",
            "--uid", "mailledger-test", "--display-name", "mailledger test",
            "--access-key", self.access_key, "--secret-key", self.secret_key,
        )  # fmt: skip

    def _mon_up(self) -> bool:
        assert self.root is not None
        result = subprocess.run(
            ["ceph", "-c", str(self._conf()), "--connect-timeout", "2", "mon", "stat"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=10,
            check=False,
        )
        return result.returncode == 0

    def _rgw_up(self) -> bool:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=2)
        try:
            conn.request("GET", "/")
            return conn.getresponse().status == 200
        except OSError:
            return False
        finally:
            conn.close()

    # ----------------------------------------------------------------- shutdown
    def _stop_daemons(self) -> None:
        for name in ("rgw", "osd", "mon"):
            proc = self._procs.pop(name, None)
            stop_process(proc, grace=5.0)
        self._procs.clear()

    def stop(self) -> None:
        """Stop the daemons (a started cluster's data is in RAM and is lost)."""
        with self._lock:
            self._stop_daemons()

    def close(self) -> None:
        """Stop the daemons and remove the temporary directory (no-op when external)."""
        if self._external_url is not None:
            return
        try:
            self.stop()
        finally:
            if self._cleanup is not None:
                self._cleanup.cancel()
                self._cleanup = None
            remove_tree(self.root)
            self.root = None


def main(argv: list[str] | None = None) -> int:
    """``serve``: start a gateway, print/write its env variables, run until signalled."""
    parser = argparse.ArgumentParser(prog="python -m tests.harness.rgw")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="start a gateway and keep it running")
    serve.add_argument("--env-file", type=Path, help="write KEY=VALUE lines here when ready")
    args = parser.parse_args(argv)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with RgwServer() as server:
        lines = "".join(f"{k}={v}\n" for k, v in server.env().items())
        if args.env_file is not None:
            tmp = args.env_file.with_suffix(".tmp")
            tmp.write_text(lines)
            tmp.replace(args.env_file)
        sys.stdout.write(lines + f"# ready in {server.startup_seconds:.1f}s\n")
        sys.stdout.flush()
        while not stop.wait(1.0):
            with contextlib.suppress(RuntimeError):
                server._check_alive()
                continue
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
