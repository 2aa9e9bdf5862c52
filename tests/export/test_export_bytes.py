"""An export is the same bytes whatever the export keeps in memory while it is written.

``data/case-scenario.tar.gz`` is a small deployment (41 entries) holding the case
agreement scenario of ``tests/cases``: requests in every deadline status,
acknowledgments, replies linked by In-Reply-To, References, the ML reference number
only and by hand, a holding reply, a correction, an extension and its notice. Its
export against the checkpoint of all 41 entries was written before the export kept
its case records, record rows and Merkle levels out of memory; the manifest lists
every file's SHA-256 and every trail, so its own SHA-256 pins the whole bundle.
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from pipeline.archive import Archive, ArchiveSettings
from pipeline.config import Config, LocalStorageConfig, SigningConfig
from pipeline.index.db import SearchCriteria
from pipeline.runtime import open_runtime
from tests.index.factory import ORIGIN

DEPLOYMENT = Path(__file__).parent / "data" / "case-scenario.tar.gz"
SIZE = 41
# manifest.json's SHA-256 of the export of DEPLOYMENT against its checkpoint of SIZE
MANIFEST_SHA256 = "96f40829fda10c76f202dd9a57ed8c3690efeefc98da7e7fbf99f7a9b1154178"


def _export(root: Path, out: Path) -> str:
    with tarfile.open(DEPLOYMENT) as archive:
        members = archive.getmembers()
        # plain files and folders under the root only (no links, no climbing out)
        assert all((m.isfile() or m.isdir()) and ".." not in Path(m.name).parts for m in members)
        archive.extractall(root, members)  # noqa: S202 - members checked above
    config = Config(
        origin=ORIGIN,
        actor="person:records.officer@servicer.example",
        state_dir=root / "state",
        storage=LocalStorageConfig(path=root / "store", fsync=False),
        signing=SigningConfig(key_file=root / "keys" / "ledger.key", key_env=None),
    )
    runtime = open_runtime(config, writable=True)
    settings = ArchiveSettings(
        index_path=root / "state" / "index.sqlite", clock=config.classification.policy.clock
    )
    with Archive(runtime.store, runtime.ledger, settings, "person:a") as archive:
        outcome = archive.export(out, SearchCriteria(), reason="byte check", as_of=SIZE)
    return outcome.result.manifest_sha256


@pytest.mark.parametrize("name", ["bundle", "bundle.zip"])
def test_export_of_the_case_scenario_has_the_manifest_it_had_before(tmp_path, name):
    sha256 = _export(tmp_path / "deployment", tmp_path / name)
    assert sha256 == MANIFEST_SHA256


def test_export_of_the_case_scenario_carries_each_linked_reply_in_its_request_trail(tmp_path):
    out = tmp_path / "bundle"
    _export(tmp_path / "deployment", out)
    manifest = json.loads((out / "manifest.json").read_text())
    types = {
        e["seq"]: json.loads((out / e["file"]).read_bytes())["type"] for e in manifest["entries"]
    }
    replied = [r for r in manifest["records"] if "response.sent" in {types[s] for s in r["trail"]}]
    # nine requests; replies linked by In-Reply-To, References, reference number, by hand,
    # and the holding reply
    assert (len(manifest["records"]), len(replied)) == (9, 5)
