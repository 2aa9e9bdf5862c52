"""A production is authenticated as a whole: every tampering with a real export fails
the shipped verifier, run as an examiner runs it (``python3 -I -S verify.py``), with
the real log key, naming what and where."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import pipeline.export.bundle_verifier as bundle_verifier
from pipeline.archive import Archive, ArchiveSettings
from pipeline.index.db import SearchCriteria
from tests.index.factory import build_scenario

RELEASED_VERIFIER = Path(bundle_verifier.__file__)  # what an examiner gets from the release


@dataclass(frozen=True)
class Production:
    path: Path
    key: str
    export_seq: int
    manifest_sha256: str
    notice_id: str
    notice_control: str


@pytest.fixture(scope="module")
def honest(tmp_path_factory: pytest.TempPathFactory) -> Production:
    root = tmp_path_factory.mktemp("production")
    scenario = build_scenario(root)
    env = scenario.env
    settings = ArchiveSettings(index_path=env.index_path)
    with Archive(env.runtime.store, env.runtime.ledger, settings, "person:liaison") as archive:
        outcome = archive.export(root / "export", SearchCriteria(), "CFPB exam 2026-7")
    manifest = json.loads((root / "export" / "manifest.json").read_text(encoding="utf-8"))
    notice_id = scenario.notice.body["record_id"]
    control = next(r for r in manifest["records"] if r["record_id"] == notice_id)
    return Production(
        root / "export",
        env.key.verifier.to_text(),
        outcome.created.seq,
        outcome.result.manifest_sha256,
        notice_id,
        control["control_number"],
    )


@pytest.fixture
def bundle(honest: Production, tmp_path: Path) -> Path:
    copy = tmp_path / "export"
    shutil.copytree(honest.path, copy)
    return copy


def run(bundle: Path, key: str, verifier: Path | None = None) -> subprocess.CompletedProcess[str]:
    script = verifier or bundle / "verify.py"
    return subprocess.run(
        [sys.executable, "-I", "-S", str(script), str(bundle), "--public-key", key],
        capture_output=True,
        text=True,
        check=False,
    )


def failed_with(proc: subprocess.CompletedProcess[str], *problems: str) -> None:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    listed = [line[4:] for line in proc.stdout.splitlines() if line.startswith("  - ")]
    for problem in problems:
        assert problem in listed, f"{problem!r} not in {listed}"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_of(bundle: Path) -> dict:
    return json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))


def rewrite_manifest(bundle: Path, change: Callable[[dict], None]) -> str:
    """Change the manifest as a careful forger would (hashes relisted); its new SHA-256."""
    manifest = manifest_of(bundle)
    change(manifest)
    data = (json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()
    (bundle / "manifest.json").write_bytes(data)
    return sha(data)


def relist_all(bundle: Path) -> Callable[[dict], None]:
    def change(manifest: dict) -> None:
        files = []
        for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
            rel = path.relative_to(bundle).as_posix()
            if rel in bundle_verifier.UNLISTED:
                continue
            data = path.read_bytes()
            files.append({"path": rel, "sha256": sha(data), "size": len(data)})
        manifest["files"] = files

    return change


def manifest_changed(honest: Production, new_sha: str) -> str:
    return (
        f"manifest.json: CHANGED since the export was recorded: SHA-256 {new_sha};"
        f" export.created at ledger position {honest.export_seq} records {honest.manifest_sha256}"
    )


def kinds(honest: Production) -> dict[str, str]:
    """One file of each kind in the production."""
    c = honest.notice_control
    return {
        "text": f"text/{c}.txt",
        "html": f"html/{c}.html",
        "loadfile": "loadfiles/export.dat",
        "index": "index.html",
        "native": f"natives/{c}.eml",
        "attachment": f"natives/{c}.0001_statement.pdf",
        "ledger": "ledger/0000000000000003.json",
    }


KINDS = ("text", "html", "loadfile", "index", "native", "attachment", "ledger")


def test_honest_folder_production_verifies_with_its_recorded_verifier(honest, bundle):
    proc = run(bundle, honest.key)
    assert proc.returncode == 0, proc.stdout
    assert "VERIFIED: 3 records" in proc.stdout
    released = sha(RELEASED_VERIFIER.read_bytes())
    assert (
        f"Recorded:   export.created at ledger position {honest.export_seq}, in the checkpoint"
        f" of size {honest.export_seq + 1}; verify.py SHA-256 recorded there: {released}"
    ) in proc.stdout


def test_honest_zip_production_verifies(honest, tmp_path):
    zipped = Path(shutil.make_archive(str(tmp_path / "export"), "zip", honest.path))
    proc = run(zipped, honest.key, RELEASED_VERIFIER)
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize("kind", KINDS)
def test_a_changed_file_is_named(honest, bundle, kind):
    rel = kinds(honest)[kind]
    data = (bundle / rel).read_bytes()
    edited = data + b"\n"
    (bundle / rel).write_bytes(edited)
    proc = run(bundle, honest.key)
    failed_with(
        proc,
        f"{rel}: CHANGED: {len(edited)} bytes, SHA-256 {sha(edited)}; the manifest lists"
        f" {len(data)} bytes, SHA-256 {sha(data)}",
    )


@pytest.mark.parametrize("kind", KINDS)
def test_a_changed_file_with_the_manifest_rehashed_breaks_the_seal(honest, bundle, kind):
    rel = kinds(honest)[kind]
    (bundle / rel).write_bytes((bundle / rel).read_bytes() + b"\n")
    new_sha = rewrite_manifest(bundle, relist_all(bundle))
    failed_with(run(bundle, honest.key), manifest_changed(honest, new_sha))


@pytest.mark.parametrize("kind", KINDS)
def test_a_removed_file_is_named(honest, bundle, kind):
    rel = kinds(honest)[kind]
    (bundle / rel).unlink()
    failed_with(
        run(bundle, honest.key), f"{rel}: MISSING: listed in the manifest but not in the bundle"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_a_removed_file_delisted_from_the_manifest_breaks_the_seal(honest, bundle, kind):
    rel = kinds(honest)[kind]
    (bundle / rel).unlink()
    new_sha = rewrite_manifest(bundle, relist_all(bundle))
    failed_with(run(bundle, honest.key), manifest_changed(honest, new_sha))


@pytest.mark.parametrize(
    "rel", ["text/ML00000099.txt", "html/extra.html", "loadfiles/extra.csv", "ledger/x.json"]
)
def test_an_added_file_is_named(honest, bundle, rel):
    (bundle / rel).write_bytes(b"added")
    failed_with(
        run(bundle, honest.key), f"{rel}: EXTRA file: in the bundle but not listed in the manifest"
    )


def test_an_added_file_listed_in_the_manifest_breaks_the_seal(honest, bundle):
    (bundle / "text" / "ML00000099.txt").write_bytes(b"added")
    new_sha = rewrite_manifest(bundle, relist_all(bundle))
    failed_with(run(bundle, honest.key), manifest_changed(honest, new_sha))


def test_a_removed_record_is_named_with_the_export_entry(honest, bundle):
    rid, control = honest.notice_id, honest.notice_control
    for path in list(bundle.rglob(f"{control}*")):
        path.unlink()

    def drop(manifest: dict) -> None:
        manifest["records"] = [r for r in manifest["records"] if r["record_id"] != rid]

    rewrite_manifest(bundle, drop)
    new_sha = rewrite_manifest(bundle, relist_all(bundle))
    failed_with(
        run(bundle, honest.key),
        manifest_changed(honest, new_sha),
        f"record {rid}: MISSING: export.created at ledger position {honest.export_seq} records"
        " it, the manifest does not",
    )


def test_a_removed_trail_entry_is_named(honest, bundle):
    manifest = manifest_of(bundle)
    notice = next(r for r in manifest["records"] if r["record_id"] == honest.notice_id)
    seq = next(s for s in notice["trail"] if s != notice["received_seq"])
    (bundle / f"ledger/{seq:016d}.json").unlink()

    def drop(manifest: dict) -> None:
        manifest["entries"] = [e for e in manifest["entries"] if e["seq"] != seq]

    rewrite_manifest(bundle, drop)
    new_sha = rewrite_manifest(bundle, relist_all(bundle))
    failed_with(
        run(bundle, honest.key),
        manifest_changed(honest, new_sha),
        f"record {honest.notice_id}: trail entry seq {seq} is MISSING: not in the bundle or it"
        " did not verify",
    )


def test_a_removed_accepted_attachment_is_named(honest, bundle):
    rel = kinds(honest)["attachment"]
    attachment_sha = sha((bundle / rel).read_bytes())
    (bundle / rel).unlink()

    def drop(manifest: dict) -> None:
        for record in manifest["records"]:
            record["attachments"] = [a for a in record["attachments"] if a["path"] != rel]

    rewrite_manifest(bundle, drop)
    new_sha = rewrite_manifest(bundle, relist_all(bundle))
    manifest = manifest_of(bundle)
    received = next(
        r["received_seq"] for r in manifest["records"] if r["record_id"] == honest.notice_id
    )
    failed_with(
        run(bundle, honest.key),
        manifest_changed(honest, new_sha),
        f"record {honest.notice_id}: accepted attachment SHA-256 {attachment_sha} recorded in"
        f" ledger entry seq {received} is MISSING from the export",
    )


def test_a_swapped_verifier_is_caught_by_the_released_one(honest, bundle):
    forged = b'print("VERIFIED: 3 records")\n'
    (bundle / "verify.py").write_bytes(forged)
    assert run(bundle, honest.key).returncode == 0  # the swapped one lies ...
    released = sha(RELEASED_VERIFIER.read_bytes())
    failed_with(  # ... the one obtained from the release names it
        run(bundle, honest.key, RELEASED_VERIFIER),
        f"verify.py: CHANGED: SHA-256 {sha(forged)}; export.created at ledger position"
        f" {honest.export_seq} records {released}",
    )


def test_the_verifier_hash_in_the_log_is_the_released_verifier(honest):
    seal = json.loads((honest.path / bundle_verifier.SEAL_ENTRY).read_text(encoding="utf-8"))
    assert seal["body"]["verifier_sha256"] == sha(RELEASED_VERIFIER.read_bytes())
    assert seal["body"]["manifest_sha256"] == honest.manifest_sha256


def test_a_removed_seal_is_named(honest, bundle):
    (bundle / bundle_verifier.SEAL_ENTRY).unlink()
    failed_with(
        run(bundle, honest.key),
        "seal/export-created.json: MISSING: without it nothing binds manifest.json to the"
        " signed log",
    )


def test_a_forged_export_entry_recording_a_rehashed_manifest_is_not_in_the_signed_log(
    honest, bundle
):
    (bundle / kinds(honest)["text"]).write_bytes(b"edited")
    new_sha = rewrite_manifest(bundle, relist_all(bundle))
    entry = json.loads((bundle / bundle_verifier.SEAL_ENTRY).read_bytes())
    entry["body"]["manifest_sha256"] = new_sha
    (bundle / bundle_verifier.SEAL_ENTRY).write_text(json.dumps(entry), encoding="utf-8")
    failed_with(
        run(bundle, honest.key),
        f"seal/export-created.json: NOT in the signed log: its inclusion proof at position"
        f" {honest.export_seq} does not verify against seal/checkpoint.txt (size"
        f" {honest.export_seq + 1})",
    )
