"""Deployments for the ingestion tests: a config file per test, the real CLI, the real ledger.

A :class:`Deployment` is one mailledger installation in a temporary directory: its config
(YAML, passwords through ``password_env``), a signing key, a state directory and a store
(local files, or a bucket on the moto server). Tests run ``mailledger poll`` as a
subprocess and read the ledger back through :func:`pipeline.runtime.open_runtime`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.config import Config, load_config
from pipeline.ledger.checkpoint import SigningKey
from pipeline.ledger.entry import LedgerEntry
from pipeline.ledger.keys import write_signing_key
from pipeline.runtime import Runtime, open_runtime
from tests.conftest import ImapAccount, S3Bucket
from tests.harness.moto_server import fake_credentials_env

MAILLEDGER = Path(sys.executable).with_name("mailledger")
RECORD_TYPES = ("message.received", "response.sent")
MESSAGE_SEALED = "message.sealed"


def mailbox_entry(
    account: ImapAccount,
    name: str = "inbox",
    *,
    tls: str = "none",
    password: str | None = None,
    **overrides: Any,
) -> tuple[dict[str, Any], dict[str, str]]:
    """A ``mailboxes`` item for ``account`` and the environment holding its password."""
    env_name = f"MAILLEDGER_TEST_PASSWORD_{name.upper().replace('-', '_').replace('.', '_')}"
    item: dict[str, Any] = {
        "name": name,
        "host": account.host,
        "port": account.ssl_port if tls == "implicit" else account.port,
        "tls": tls,
        "username": account.user,
        "password_env": env_name,
        "timeout_seconds": 20,
    }
    if tls == "none":
        item["allow_plaintext"] = True
    else:
        item["ca_file"] = str(account.server.ca_file)
    item.update(overrides)
    return item, {env_name: account.password if password is None else password}


@dataclass
class Deployment:
    """One mailledger installation under ``root``."""

    root: Path
    config_path: Path
    env: dict[str, str] = field(default_factory=dict)

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """``mailledger --config <file> <args>`` as a subprocess."""
        return subprocess.run(
            [str(MAILLEDGER), "--config", str(self.config_path), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **self.env},
            check=False,
        )

    def popen(self, *args: str) -> subprocess.Popen[str]:
        """Start ``mailledger`` in its own process group (so a test can kill all of it)."""
        return subprocess.Popen(
            [str(MAILLEDGER), "--config", str(self.config_path), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **self.env},
            start_new_session=True,
        )

    def poll_json(self, *args: str, expect: int | None = 0) -> dict[str, Any]:
        """``poll --json``; checks the exit status unless ``expect`` is None."""
        done = self.run("poll", "--json", *args)
        if expect is not None:
            assert done.returncode == expect, (done.returncode, done.stdout, done.stderr[-3000:])
        report: dict[str, Any] = json.loads(done.stdout)
        return report

    def verify(self) -> subprocess.CompletedProcess[str]:
        """``verify`` (re-hashing every stored object)."""
        return self.run("verify")

    @property
    def config(self) -> Config:
        """The config as the CLI sees it."""
        return load_config(self.config_path)

    def runtime(self) -> Runtime:
        """Read-only store and ledger."""
        with pytest.MonkeyPatch.context() as patch:
            for name, value in self.env.items():
                patch.setenv(name, value)
            return open_runtime(self.config, writable=False)

    def entries(self) -> list[LedgerEntry]:
        """Every ledger entry, in order."""
        return list(self.runtime().ledger.entries())

    def records(self) -> list[LedgerEntry]:
        """``message.received`` (and ``response.sent``) entries, in order."""
        return [e for e in self.entries() if e.type in RECORD_TYPES]

    def seals(self) -> list[LedgerEntry]:
        """``message.sealed`` entries, in order."""
        return [e for e in self.entries() if e.type == MESSAGE_SEALED]

    def records_by_uid(self, folder: str = "INBOX") -> dict[int, LedgerEntry]:
        """Records of ``folder`` by UID; fails if any UID was recorded twice."""
        out: dict[int, LedgerEntry] = {}
        for entry in self.records():
            source = entry.body["source"]
            if source["folder"] != folder:
                continue
            uid = int(source["uid"])
            assert uid not in out, f"UID {uid} recorded twice: seq {out[uid].seq} and {entry.seq}"
            out[uid] = entry
        return out

    def stored(self, key: str) -> bytes:
        """An object's bytes from the store."""
        return self.runtime().store.get(key)


def _write_key(path: Path) -> None:
    if not path.exists():
        write_signing_key(path, SigningKey.generate("mailledger.test/ledger"))


def make_deployment(
    root: Path,
    mailboxes: list[tuple[dict[str, Any], dict[str, str]]],
    *,
    bucket: S3Bucket | None = None,
    store_dir: Path | None = None,
    key_file: Path | None = None,
    parse_workers: int = 1,
    extra: dict[str, Any] | None = None,
) -> Deployment:
    """Write a config (and signing key) under ``root``; the store is local unless ``bucket``.

    ``store_dir`` and ``key_file`` let two deployments share one ledger.
    """
    root.mkdir(parents=True, exist_ok=True)
    key = key_file or root / "keys" / "ledger.key"
    _write_key(key)
    env: dict[str, str] = {}
    for _item, item_env in mailboxes:
        env.update(item_env)
    storage: dict[str, Any]
    if bucket is not None:
        storage = {
            "backend": "s3",
            "bucket": bucket.name,
            "endpoint_url": bucket.endpoint_url,
            "region": "us-east-1",
            "addressing_style": "path",
            "max_attempts": 3,
        }
        env.update(fake_credentials_env())
    else:
        storage = {"backend": "local", "path": str(store_dir or root / "store"), "fsync": False}
    config: dict[str, Any] = {
        "origin": "mailledger.test/ledger",
        "actor": "worker:test",
        "state_dir": "state",
        "storage": storage,
        "signing": {"key_file": str(key), "key_env": None},
        "mailboxes": [item for item, _env in mailboxes],
        "worker": {"parse_workers": parse_workers, "dispatch_after_poll": False},
        "metrics": {"textfile": "metrics/mailledger.prom"},
        "logging": {"level": "warning", "format": "json"},
    }
    for name, value in (extra or {}).items():
        config[name] = value
    path = root / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return Deployment(root, path, env)


@pytest.fixture
def deploy(tmp_path: Path) -> Iterator[Any]:
    """``deploy(mailboxes, **options)`` -> a :class:`Deployment` in its own directory."""
    count = 0

    def build(mailboxes: list[tuple[dict[str, Any], dict[str, str]]], **options: Any) -> Deployment:
        nonlocal count
        count += 1
        return make_deployment(tmp_path / f"deployment{count}", mailboxes, **options)

    yield build
