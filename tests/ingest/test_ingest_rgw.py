"""One end-to-end ``poll`` from Dovecot into an Object Lock bucket on Ceph RGW."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import yaml

from tests.conftest import ImapAccount, S3Bucket
from tests.harness.rgw import RgwServer
from tests.ingest.conftest import Deployment, mailbox_entry
from tests.ingest.corpus import build_corpus
from tests.storage.backends import rgw_credentials_env

pytestmark = pytest.mark.real_s3


def _on_rgw(app: Deployment, rgw: RgwServer) -> Deployment:
    """Point the deployment at RGW as an operator would configure it (Content-MD5,
    first version wins, COMPLIANCE retention) with the gateway's credentials."""
    config = yaml.safe_load(app.config_path.read_text(encoding="utf-8"))
    config["storage"].update(
        checksum="md5",
        first_version_wins=True,
        object_lock={"mode": "COMPLIANCE", "retain_days": 1},
    )
    app.config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    app.env.update(rgw_credentials_env(rgw))
    return app


def test_corpus_polled_into_an_rgw_object_lock_bucket_is_recorded_once_and_verifies(
    rgw: RgwServer, rgw_bucket: S3Bucket, imap_user: ImapAccount, deploy: Any
) -> None:
    corpus = build_corpus()
    uids = imap_user.server.append_many(imap_user.user, "INBOX", [s.raw for s in corpus])
    app = _on_rgw(deploy([mailbox_entry(imap_user)], bucket=rgw_bucket, parse_workers=2), rgw)

    first = app.poll_json()
    second = app.poll_json()

    (box,) = first["mailboxes"]
    assert (box["ok"], box["recorded"]) == (True, len(corpus))
    assert second["mailboxes"][0]["recorded"] == 0
    records = app.records_by_uid()
    assert sorted(records) == uids
    store = app.runtime().store
    for entry in records.values():
        raw = entry.body["raw"]
        assert hashlib.sha256(store.get(raw["key"])).hexdigest() == raw["sha256"]
        assert store.protection(raw["key"]).mode == "COMPLIANCE"
    verified = app.verify()
    assert verified.returncode == 0, verified.stdout + verified.stderr
