"""moto's S3/SQS/SNS/... server mode as a separate process on a loopback port.

It is a real HTTP endpoint (``python -m moto.server``), so clients go through the network
stack exactly as they would against AWS. Note moto's gaps (see the project's reference
notes): it accepts wrong Content-MD5 and lets COMPLIANCE retention be shortened; WORM
behaviour must be tested against Ceph RGW (:mod:`tests.harness.rgw`).
"""

from __future__ import annotations

import http.client
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

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

ACCESS_KEY = "testing"
SECRET_KEY = "testing"  # fixed fake credentials; moto accepts any
REGION = "us-east-1"


def fake_credentials_env() -> dict[str, str]:
    """Environment variables that make boto3 use the fake credentials and region."""
    return {
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }


def boto_client(
    service: str,
    endpoint_url: str,
    *,
    access_key: str = ACCESS_KEY,
    secret_key: str = SECRET_KEY,
    region: str = REGION,
    timeout: float = 10.0,
    retries: int = 0,
    path_style: bool = True,
) -> Any:
    """A boto3 client for a local endpoint: fixed credentials, path-style S3, short timeouts.

    ``retries`` defaults to 0 so tests see every failure; pass more to test retry paths.
    """
    config = Config(
        region_name=region,
        connect_timeout=timeout,
        read_timeout=timeout,
        retries={"total_max_attempts": retries + 1, "mode": "standard"},
        s3={"addressing_style": "path" if path_style else "auto"},
    )
    return boto3.session.Session().client(
        service,
        endpoint_url=endpoint_url,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name=region,
        config=config,
    )


class MotoServer(ManagedServer):
    """``python -m moto.server`` on 127.0.0.1:<free port>."""

    def __init__(self, startup_timeout: float = 30.0) -> None:
        """Prepare (not start) the server."""
        self.host = LOOPBACK
        self.port = 0
        self.startup_timeout = startup_timeout
        self.startup_seconds = 0.0
        self.root = Path(tempfile.mkdtemp(prefix="mailledger-moto-"))
        self.log_file = self.root / "moto.log"
        self._proc: Any = None
        self._cleanup: Cleanup | None = None

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> MotoServer:
        """Start the server and wait until it answers HTTP."""
        if self._proc is not None and self._proc.poll() is None:
            return self
        began = time.monotonic()
        self.port = free_port()
        self._proc = popen(
            [sys.executable, "-m", "moto.server", "-H", self.host, "-p", str(self.port)],
            self.log_file,
        )
        if self._cleanup is None:
            self._cleanup = Cleanup(self.close)
        wait_until(
            self._ready,
            self.startup_timeout,
            f"moto on {self.endpoint_url}",
            lambda: tail(self.log_file),
        )
        self.startup_seconds = time.monotonic() - began
        return self

    def _ready(self) -> bool:
        if self._proc is not None and self._proc.poll() is not None:
            raise RuntimeError(f"moto exited with {self._proc.returncode}\n{tail(self.log_file)}")
        conn = http.client.HTTPConnection(self.host, self.port, timeout=1)
        try:
            conn.request("GET", "/moto-api/data.json")
            return conn.getresponse().status == 200
        except OSError:
            return False
        finally:
            conn.close()

    def reset(self) -> None:
        """Forget every resource in every service (``POST /moto-api/reset``)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            conn.request("POST", "/moto-api/reset")
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"moto reset answered {response.status}")
        finally:
            conn.close()

    def client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client for ``service`` on this server (see :func:`boto_client`)."""
        return boto_client(service, self.endpoint_url, **kwargs)

    def env(self) -> dict[str, str]:
        """Environment for a child process using this server."""
        return {**fake_credentials_env(), "AWS_ENDPOINT_URL": self.endpoint_url}

    def stop(self) -> None:
        """Stop the server process."""
        proc, self._proc = self._proc, None
        stop_process(proc)

    def close(self) -> None:
        """Stop the server and remove its temporary directory."""
        try:
            self.stop()
        finally:
            if self._cleanup is not None:
                self._cleanup.cancel()
                self._cleanup = None
            remove_tree(self.root)
