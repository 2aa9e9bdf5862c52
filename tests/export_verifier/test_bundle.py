"""End-to-end: a real bundle verified by the shipped verify.py in a bare Python.

Every run is a separate ``python -I -S`` process (isolated, no site-packages), so
the verifier proves it needs nothing but the standard library, as on an
examiner's machine. Each tampering is its own test and must name what and where.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pipeline.ledger.checkpoint import SigningKey

from ._bundle import ORIGIN, Built, build_bundle, read_manifest, relist, sha256, write_manifest


def run(verify_py: Path, *args: str, cwd: Path | None = None, python: str = sys.executable):
    return subprocess.run(
        [python, "-I", "-S", str(verify_py), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


@pytest.fixture
def built(tmp_path: Path) -> Built:
    return build_bundle(tmp_path / "export")


def verify(built: Built, *args: str):
    return run(built.root / "verify.py", str(built.root), *args)


def assert_failed(result, *phrases: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED:" in result.stdout
    for phrase in phrases:
        assert phrase in result.stdout, f"{phrase!r} not in:\n{result.stdout}"


def zip_folder(folder: Path, archive: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, prefix + path.relative_to(folder).as_posix())
    return archive


# --- the environment the examiner has --------------------------------------------------


def test_isolated_python_has_none_of_the_project_dependencies():
    probe = subprocess.run(
        [sys.executable, "-I", "-S", "-c", "import cryptography"],
        capture_output=True,
        check=False,
    )
    assert probe.returncode != 0


def test_verifier_source_is_python_3_9_syntax(built: Built):
    source = (built.root / "verify.py").read_text(encoding="utf-8")
    ast.parse(source, feature_version=(3, 9))
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


def test_intact_bundle_verifies_under_python_3_9_when_available(built: Built):
    # PYTHON39 may name an interpreter that is not on PATH
    python39 = os.environ.get("PYTHON39") or shutil.which("python3.9")
    if (
        python39 is None
        or subprocess.run(
            [python39, "-c", "import sys; assert sys.version_info[:2] == (3, 9)"],
            capture_output=True,
            check=False,
        ).returncode
    ):
        pytest.skip("no Python 3.9 on this machine")
    result = run(built.root / "verify.py", str(built.root), python=python39)
    assert result.returncode == 0, result.stdout + result.stderr


# --- intact bundles ----------------------------------------------------------------------


def test_intact_folder_verifies_and_says_which_key(built: Built):
    result = verify(built)
    assert result.returncode == 0, result.stdout + result.stderr
    files = len(read_manifest(built.root)["files"])
    assert (
        f"VERIFIED: 3 records, {files} files, 3 ledger entries against checkpoint size"
        f" {built.checkpoint_size} signed by {ORIGIN}"
    ) in result.stdout
    assert "shipped in the bundle as public-key.txt" in result.stdout
    assert "only proves the bundle is internally consistent" in result.stdout


def test_default_bundle_is_the_folder_holding_verify_py(built: Built, tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run(built.root / "verify.py", cwd=elsewhere)
    assert result.returncode == 0, result.stdout
    assert "VERIFIED:" in result.stdout


def test_intact_zip_verifies(built: Built, tmp_path: Path):
    archive = zip_folder(built.root, tmp_path / "export.zip")
    result = run(built.root / "verify.py", str(archive))
    assert result.returncode == 0, result.stdout
    assert "VERIFIED: 3 records" in result.stdout


def test_zip_with_one_top_level_folder_verifies(built: Built, tmp_path: Path):
    archive = zip_folder(built.root, tmp_path / "export.zip", prefix="export-2026-17/")
    result = run(built.root / "verify.py", str(archive))
    assert result.returncode == 0, result.stdout


def test_key_given_on_the_command_line_is_used_and_named(built: Built, tmp_path: Path):
    key_file = tmp_path / "servicer-log-key.txt"
    key_file.write_text(built.key.verifier.to_text() + "\n")
    for argument in (str(key_file), built.key.verifier.to_text()):
        result = verify(built, "--public-key", argument)
        assert result.returncode == 0, result.stdout
        assert "given on the command line" in result.stdout
        assert "internally consistent" not in result.stdout


def test_json_report(built: Built):
    result = verify(built, "--json")
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["verified"] is True
    assert report["counts"]["records"] == 3
    assert report["checkpoint"]["signed_by"] == ORIGIN
    assert report["public_key"]["source"] == "bundle"
    assert report["problems"] == []


def test_os_metadata_files_are_warned_about_not_failed(built: Built):
    (built.root / "natives" / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    result = verify(built)
    assert result.returncode == 0, result.stdout
    assert "natives/.DS_Store: operating-system metadata file" in result.stdout


# --- usage errors ------------------------------------------------------------------------


def test_missing_bundle_is_a_usage_error(built: Built, tmp_path: Path):
    result = run(built.root / "verify.py", str(tmp_path / "nothing-here"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_unreadable_key_argument_is_a_usage_error(built: Built):
    result = verify(built, "--public-key", "not-a-key-and-not-a-file")
    assert result.returncode == 2
    assert "--public-key" in result.stderr


# --- tampering ---------------------------------------------------------------------------


def test_edited_native_fails(built: Built):
    rid = built.record_ids[1]
    native = built.root / "natives" / f"{rid}.eml"
    native.write_bytes(native.read_bytes().replace(b"escrow", b"ESCROW"))
    result = verify(built)
    assert_failed(result, f"natives/{rid}.eml: CHANGED", f"record {rid}: native natives/{rid}.eml")


def test_deleted_native_fails(built: Built):
    rid = built.record_ids[0]
    (built.root / "natives" / f"{rid}.eml").unlink()
    assert_failed(verify(built), f"natives/{rid}.eml: MISSING", f"record {rid}")


def test_extra_file_fails(built: Built):
    (built.root / "natives" / "R-999999.eml").write_bytes(b"Subject: planted\r\n\r\nhi\r\n")
    assert_failed(verify(built), "natives/R-999999.eml: EXTRA file")


def test_edited_attachment_fails(built: Built):
    rid = built.record_ids[2]
    path = built.root / "natives" / rid / "statement-2.pdf"
    path.write_bytes(path.read_bytes() + b"%%EOF")
    assert_failed(
        verify(built),
        f"natives/{rid}/statement-2.pdf: CHANGED",
        f"record {rid}: attachment natives/{rid}/statement-2.pdf has SHA-256",
    )


def test_manifest_listed_hash_edited_fails(built: Built):
    manifest = read_manifest(built.root)
    item = next(f for f in manifest["files"] if f["path"] == "index.html")
    item["sha256"] = "0" * 64
    write_manifest(built.root, manifest)
    assert_failed(verify(built), "index.html: CHANGED")


def test_manifest_record_hash_edited_fails(built: Built):
    manifest = read_manifest(built.root)
    record = manifest["records"][1]
    record["raw_sha256"] = "ab" * 32
    write_manifest(built.root, manifest)
    assert_failed(verify(built), f"record {record['record_id']}: raw_sha256 {'ab' * 32}")


def test_native_replaced_with_a_consistent_manifest_is_caught_by_the_ledger(built: Built):
    # the forger rewrites the native AND every manifest hash: only the signed log knows
    rid = built.record_ids[0]
    rel = f"natives/{rid}.eml"
    forged = b"Subject: Nothing to see\r\n\r\nwithdrawn\r\n"
    (built.root / rel).write_bytes(forged)
    relist(built.root, rel)
    manifest = read_manifest(built.root)
    manifest["records"][0]["raw_sha256"] = sha256(forged)
    write_manifest(built.root, manifest)
    assert_failed(verify(built), f"record {rid}: raw_sha256", "body.raw.sha256")


def test_swapped_entry_proofs_fail(built: Built):
    manifest = read_manifest(built.root)
    a, b = manifest["entries"][0], manifest["entries"][2]
    a["proof"], b["proof"] = b["proof"], a["proof"]
    write_manifest(built.root, manifest)
    result = verify(built)
    assert_failed(
        result,
        f"ledger seq {a['seq']} ({a['file']}): inclusion proof does NOT verify",
        f"ledger seq {b['seq']} ({b['file']}): inclusion proof does NOT verify",
    )
    assert f"record {built.record_ids[0]}: ledger entry seq {a['seq']}" in result.stdout


def test_one_bit_flipped_in_a_proof_element_fails(built: Built):
    manifest = read_manifest(built.root)
    entry = manifest["entries"][1]
    element = bytearray.fromhex(entry["proof"][-1])
    element[31] ^= 0x01
    entry["proof"][-1] = element.hex()
    write_manifest(built.root, manifest)
    assert_failed(verify(built), f"ledger seq {entry['seq']} ({entry['file']}): inclusion proof")


def test_changed_entry_file_fails(built: Built):
    seq = built.receipt_seqs[1]
    path = built.root / "ledger" / f"{seq:016d}.json"
    path.write_bytes(path.read_bytes().replace(b"servicing", b"collections"))
    assert_failed(
        verify(built),
        f"ledger/{seq:016d}.json: CHANGED",
        f"ledger seq {seq} (ledger/{seq:016d}.json): entry bytes CHANGED",
    )


def test_changed_entry_with_a_consistent_manifest_is_caught_by_the_proof(built: Built):
    # entry, its listed leaf hash and file hash all rewritten: the signed root disagrees
    seq = built.receipt_seqs[0]
    rel = f"ledger/{seq:016d}.json"
    path = built.root / rel
    path.write_bytes(path.read_bytes().replace(b"servicing", b"collections"))
    relist(built.root, rel)
    manifest = read_manifest(built.root)
    leaf = hashlib.sha256(b"\x00" + path.read_bytes()).hexdigest()
    manifest["entries"][0]["leaf_hash"] = leaf
    write_manifest(built.root, manifest)
    assert_failed(verify(built), f"ledger seq {seq} ({rel}): inclusion proof does NOT verify")


def test_listed_seq_differing_from_the_entry_seq_field_fails(built: Built):
    manifest = read_manifest(built.root)
    entry = manifest["entries"][1]
    entry["seq"] += 1
    write_manifest(built.root, manifest)
    own = f"the entry's own 'seq' field is {entry['seq'] - 1}, not {entry['seq']}"
    assert_failed(verify(built), own)


def test_wrong_public_key_on_the_command_line_fails(built: Built):
    impostor = SigningKey.from_seed(ORIGIN, b"\x42" * 32)
    result = verify(built, "--public-key", impostor.verifier.to_text())
    assert_failed(
        result,
        "checkpoint.txt: checkpoint signature check FAILED",
        "not signed by the expected key",
    )
    assert "differs from the key given on the command line" in result.stdout


@pytest.mark.parametrize("field", ["size", "root"])
def test_edited_checkpoint_fails_its_signature(built: Built, field: str):
    path = built.root / "checkpoint.txt"
    origin, size, root, rest = path.read_text(encoding="utf-8").split("\n", 3)
    if field == "size":
        size = str(int(size) + 1)
    else:
        root = base64.b64encode(bytes(32)).decode()
    path.write_text("\n".join([origin, size, root, rest]), encoding="utf-8")
    relist(built.root, "checkpoint.txt")
    assert_failed(verify(built), "checkpoint.txt: checkpoint signature check FAILED", "INVALID")


def test_manifest_checkpoint_differing_from_the_signed_one_fails(built: Built):
    manifest = read_manifest(built.root)
    manifest["checkpoint"]["size"] += 1
    write_manifest(built.root, manifest)
    assert_failed(verify(built), "manifest.json checkpoint.size")


def test_zip_with_a_parent_directory_member_fails(built: Built, tmp_path: Path):
    archive = zip_folder(built.root, tmp_path / "export.zip")
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr("../outside.txt", b"escape")
    result = run(built.root / "verify.py", str(archive))
    assert_failed(result, "zip member '../outside.txt': unsafe name")


def test_every_problem_is_listed_not_only_the_first(built: Built):
    (built.root / "index.html").write_bytes(b"changed")
    (built.root / "natives" / f"{built.record_ids[2]}.eml").unlink()
    (built.root / "extra.txt").write_text("x")
    result = verify(built)
    assert_failed(result, "index.html: CHANGED", "MISSING", "extra.txt: EXTRA")
    assert "FAILED: 4 problems" in result.stdout  # 3 files + the record its native belonged to


def test_symbolic_link_in_a_folder_bundle_fails_and_is_not_followed(built: Built, tmp_path: Path):
    outside = tmp_path / "outside.eml"
    outside.write_bytes(b"Subject: elsewhere\r\n\r\n")
    (built.root / "natives" / "link.eml").symlink_to(outside)
    result = verify(built)
    assert_failed(result, "natives/link.eml: symbolic link in the bundle (not followed)")


def test_unverified_checkpoint_is_reported_once_not_once_per_record(built: Built):
    impostor = SigningKey.from_seed(ORIGIN, b"\x42" * 32)
    result = verify(built, "--public-key", impostor.verifier.to_text())
    assert_failed(result, "FAILED: 1 problem")
    assert "record " not in result.stdout
