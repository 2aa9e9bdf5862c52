"""The ``store`` fixture: every conformance test runs once per backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.storage.base import ObjectStore
from tests.storage.backends import local_store, rgw_store, s3_store


@pytest.fixture(params=["local", "s3", pytest.param("rgw", marks=pytest.mark.real_s3)])
def backend(request: pytest.FixtureRequest) -> str:
    """Name of the backend under test."""
    return str(request.param)


@pytest.fixture
def store(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> ObjectStore:
    """A fresh, empty store of the backend under test (S3, RGW: a new Object Lock bucket)."""
    if backend == "local":
        return local_store(tmp_path / "store")
    if backend == "rgw":
        return rgw_store(request.getfixturevalue("rgw"))
    return s3_store(request.getfixturevalue("moto_server"), object_lock=True)
