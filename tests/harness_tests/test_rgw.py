"""Ceph RGW behaves like AWS where moto does not (runs only where Ceph is installed)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.real_s3


def _error(call) -> tuple[str, int]:
    with pytest.raises(ClientError) as info:
        call()
    resp = info.value.response
    return resp["Error"]["Code"], resp["ResponseMetadata"]["HTTPStatusCode"]


def test_if_none_match_star_gives_412_on_the_second_put(rgw_unversioned_bucket) -> None:
    s3, name = rgw_unversioned_bucket.client, rgw_unversioned_bucket.name
    s3.put_object(Bucket=name, Key="k", Body=b"1", IfNoneMatch="*")
    assert _error(lambda: s3.put_object(Bucket=name, Key="k", Body=b"2", IfNoneMatch="*")) == (
        "PreconditionFailed",
        412,
    )
    assert s3.get_object(Bucket=name, Key="k")["Body"].read() == b"1"


@pytest.mark.xfail(
    strict=True,
    reason="Ceph RGW 16 ignores If-None-Match: * on versioned buckets (adds a version)",
)
def test_if_none_match_star_gives_412_on_an_object_lock_bucket(rgw_bucket) -> None:
    s3, name = rgw_bucket.client, rgw_bucket.name
    s3.put_object(Bucket=name, Key="k", Body=b"1", IfNoneMatch="*")
    assert _error(lambda: s3.put_object(Bucket=name, Key="k", Body=b"2", IfNoneMatch="*"))[1] == 412


def test_wrong_content_md5_is_refused_with_bad_digest(rgw_bucket) -> None:
    wrong = base64.b64encode(hashlib.md5(b"something else").digest()).decode()
    code, status = _error(
        lambda: rgw_bucket.client.put_object(
            Bucket=rgw_bucket.name, Key="k", Body=b"payload", ContentMD5=wrong
        )
    )
    assert (code, status) == ("BadDigest", 400)


def test_object_lock_bucket_is_versioned_and_compliance_cannot_be_shortened(rgw_bucket) -> None:
    s3, name = rgw_bucket.client, rgw_bucket.name
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    until = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=1)
    put = s3.put_object(
        Bucket=name,
        Key="c",
        Body=b"x",
        ObjectLockMode="COMPLIANCE",
        ObjectLockRetainUntilDate=until,
    )
    head = s3.head_object(Bucket=name, Key="c")
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] == until
    shorter = {"Mode": "COMPLIANCE", "RetainUntilDate": until - dt.timedelta(hours=1)}
    assert _error(
        lambda: s3.put_object_retention(
            Bucket=name, Key="c", VersionId=put["VersionId"], Retention=shorter
        )
    )[1] in (400, 403)
    assert (
        _error(lambda: s3.delete_object(Bucket=name, Key="c", VersionId=put["VersionId"]))[1] == 403
    )
