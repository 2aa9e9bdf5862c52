"""Who may take an export and to whom one may be given: the accounts' rule, in the
library, whatever the CLI or the web app asks."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher

from pipeline.archive import Archive, ArchiveSettings
from pipeline.archive.people import People, Role, User, UserDirectory
from pipeline.entries import decode
from pipeline.entries.models import AccessViewed, ExportGranted
from pipeline.errors import AccountError, PermissionDeniedError, RecordNotFoundError
from pipeline.index.model import SearchCriteria
from tests.index.factory import Scenario, build_scenario

OFFICER = User("officer", (Role.RECORDS_OFFICER,))
EXAMINER = User("examiner", (Role.EXAMINER,))


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_scenario(tmp_path)


def _archive(scenario: Scenario, actor: str) -> Archive:
    env = scenario.env
    return Archive(
        env.runtime.store, env.runtime.ledger, ArchiveSettings(index_path=env.index_path), actor
    )


def _people(tmp_path: Path) -> People:
    directory = UserDirectory(tmp_path / "users.json")
    # the cheapest Argon2 parameters: these tests never check a password
    people = People(directory, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    directory._put(OFFICER, create=True)
    directory._put(EXAMINER, create=True)
    directory._put(User("retired", (Role.EXAMINER,), disabled=True), create=True)
    return people


def _exported(scenario: Scenario, tmp_path: Path) -> tuple[int, str]:
    with _archive(scenario, OFFICER.actor) as archive:
        outcome = archive.export(tmp_path / "exam", SearchCriteria(), "CFPB exam 2026-7")
    seq = scenario.env.runtime.ledger.size() - 1
    return seq, outcome.result.manifest_sha256


@pytest.mark.parametrize("grantee", ["officer", "retired", "nobody-at-all"])
def test_an_export_is_given_only_to_an_examiners_account(
    scenario: Scenario, tmp_path: Path, grantee: str
) -> None:
    seq, _ = _exported(scenario, tmp_path)
    people = _people(tmp_path)
    before = scenario.env.runtime.ledger.size()
    with _archive(scenario, OFFICER.actor) as archive, pytest.raises(AccountError) as refused:
        people.grant_export(archive, seq, grantee, "exam")
    assert f"{grantee!r} is not an examiner's account" in str(refused.value)
    assert scenario.env.runtime.ledger.size() == before


def test_an_export_given_to_an_examiner_is_recorded_with_the_grantee(
    scenario: Scenario, tmp_path: Path
) -> None:
    seq, manifest = _exported(scenario, tmp_path)
    with _archive(scenario, OFFICER.actor) as archive:
        entry = _people(tmp_path).grant_export(archive, seq, "examiner", "CFPB exam")
    granted = decode(entry).body
    assert isinstance(granted, ExportGranted)
    assert (granted.grantee, granted.manifest_sha256, granted.export_seq) == (
        "examiner",
        manifest,
        seq,
    )


def test_an_examiner_cannot_take_an_export_not_given_to_them(
    scenario: Scenario, tmp_path: Path
) -> None:
    _, manifest = _exported(scenario, tmp_path)
    before = scenario.env.runtime.ledger.size()
    with _archive(scenario, EXAMINER.actor) as archive, pytest.raises(PermissionDeniedError):
        _people(tmp_path).take_export(archive, EXAMINER, manifest, "looking")
    assert scenario.env.runtime.ledger.size() == before


def test_taking_an_export_is_recorded_first_naming_its_manifest_and_reason(
    scenario: Scenario, tmp_path: Path
) -> None:
    seq, manifest = _exported(scenario, tmp_path)
    people = _people(tmp_path)
    with _archive(scenario, OFFICER.actor) as archive:
        people.grant_export(archive, seq, "examiner", "CFPB exam")
    with _archive(scenario, EXAMINER.actor) as archive:
        export = people.take_export(archive, EXAMINER, manifest, "reading the production")
    taken = decode(scenario.env.runtime.ledger.entry(scenario.env.runtime.ledger.size() - 1))
    assert isinstance(taken.body, AccessViewed)
    assert taken.body.what == f"export download {manifest}"
    assert taken.body.reason == "reading the production"
    assert taken.body.actor == EXAMINER.actor
    assert taken.body.record_ids == export.record_ids


def test_an_export_not_on_record_is_not_found(scenario: Scenario, tmp_path: Path) -> None:
    with _archive(scenario, OFFICER.actor) as archive, pytest.raises(RecordNotFoundError):
        _people(tmp_path).take_export(archive, OFFICER, "b" * 64, "looking")
