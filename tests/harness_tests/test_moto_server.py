"""The moto server harness: a separate HTTP endpoint with put/get and reset."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tests.harness.moto_server import MotoServer


def test_put_then_get_round_trips_bytes(moto_bucket) -> None:
    moto_bucket.client.put_object(Bucket=moto_bucket.name, Key="a/b", Body=b"\x00payload")
    got = moto_bucket.client.get_object(Bucket=moto_bucket.name, Key="a/b")["Body"].read()
    assert got == b"\x00payload"


def test_if_none_match_star_refuses_a_second_put(moto_bucket) -> None:
    s3 = moto_bucket.client
    s3.put_object(Bucket=moto_bucket.name, Key="k", Body=b"1", IfNoneMatch="*")
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket=moto_bucket.name, Key="k", Body=b"2", IfNoneMatch="*")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412


def test_reset_forgets_buckets() -> None:
    with MotoServer() as server:
        s3 = server.client("s3")
        s3.create_bucket(Bucket="gone-after-reset")
        server.reset()
        assert s3.list_buckets()["Buckets"] == []
        proc = server._proc
    assert proc is not None and proc.poll() is not None
