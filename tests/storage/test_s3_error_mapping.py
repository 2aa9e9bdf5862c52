"""How S3Store maps S3 error codes onto the store's errors (in-process moto; no server)."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from pipeline.errors import ObjectNotFoundError, StorageError
from pipeline.storage.s3 import S3Store, _code
from pipeline.storage.settings import S3Settings


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="unit")
        yield client


def _error(code: str, status: int) -> ClientError:
    return ClientError(
        {"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "PutObject"
    )


def test_error_code_prefers_the_s3_code() -> None:
    assert _code(_error("PreconditionFailed", 412)) == "PreconditionFailed"


def test_error_code_falls_back_to_the_http_status() -> None:
    exc = ClientError({"Error": {}, "ResponseMetadata": {"HTTPStatusCode": 409}}, "PutObject")
    assert _code(exc) == "409"


def test_missing_bucket_is_a_storage_error_not_a_missing_object(s3) -> None:
    store = S3Store(S3Settings(bucket="no-such-bucket"), client=s3)
    with pytest.raises(StorageError) as info:
        store.get("a")
    assert not isinstance(info.value, ObjectNotFoundError)
    assert "NoSuchBucket" in str(info.value)


def test_put_to_a_missing_bucket_names_the_key_and_code(s3) -> None:
    store = S3Store(S3Settings(bucket="no-such-bucket"), client=s3)
    with pytest.raises(StorageError, match=r"could not write a/b .*NoSuchBucket"):
        store.put("a/b", b"x")


def test_prefix_is_applied_to_writes_and_stripped_from_listings(s3) -> None:
    store = S3Store(S3Settings(bucket="unit", prefix="tenant/"), client=s3)
    store.put("p/a", b"x")
    assert s3.get_object(Bucket="unit", Key="tenant/p/a")["Body"].read() == b"x"
    assert list(store.list("p/")) == ["p/a"]


def test_stored_object_carries_its_sha256_in_metadata(s3) -> None:
    store = S3Store(S3Settings(bucket="unit"), client=s3)
    store.put("m/a", b"abc")
    head = s3.head_object(Bucket="unit", Key="m/a")
    assert head["Metadata"]["sha256"] == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_existing_object_without_metadata_is_compared_by_its_bytes(s3) -> None:
    s3.put_object(Bucket="unit", Key="legacy", Body=b"old")
    store = S3Store(S3Settings(bucket="unit"), client=s3)
    from pipeline.errors import ObjectConflictError
    from pipeline.storage.base import PutOutcome

    assert store.put("legacy", b"old") is PutOutcome.EXISTED
    with pytest.raises(ObjectConflictError):
        store.put("legacy", b"new")
