"""The fault proxy: injects the configured faults, reproducibly, and counts them."""

from __future__ import annotations

import collections

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from tests.harness.fault_proxy import FaultProxy
from tests.harness.moto_server import boto_client


def _classify(call) -> str:
    try:
        call()
    except ClientError as exc:
        return str(exc.response["ResponseMetadata"]["HTTPStatusCode"])
    except ConnectionClosedError:
        return "reset"
    except ReadTimeoutError:
        return "timeout"
    return "ok"


def test_random_faults_match_the_rates_and_the_counts(fault_proxy: FaultProxy, moto_bucket):
    fault_proxy.configure(error_500=0.1, slowdown_503=0.1, reset=0.1, seed=7)
    s3 = boto_client("s3", fault_proxy.endpoint_url, timeout=5)
    seen = collections.Counter(
        _classify(lambda i=i: s3.put_object(Bucket=moto_bucket.name, Key=f"k{i}", Body=b"x"))
        for i in range(200)
    )
    assert seen["500"] == fault_proxy.counts["error_500"]
    assert seen["503"] == fault_proxy.counts["slowdown_503"]
    assert seen["reset"] == fault_proxy.counts["reset"]
    assert seen["ok"] == fault_proxy.counts["forwarded"] == 200 - fault_proxy.injected()
    for fault in ("error_500", "slowdown_503", "reset"):
        assert 5 <= fault_proxy.counts[fault] <= 40


def test_same_seed_gives_the_same_fault_sequence(moto_server, moto_bucket) -> None:
    sequences = []
    for _ in range(2):
        with FaultProxy(moto_server.endpoint_url, seed=3) as proxy:
            proxy.configure(error_500=0.3)
            s3 = boto_client("s3", proxy.endpoint_url)
            sequences.append(
                [
                    _classify(lambda s3=s3: s3.head_bucket(Bucket=moto_bucket.name))
                    for _ in range(30)
                ]
            )
    assert sequences[0] == sequences[1]
    assert "500" in sequences[0]


def test_slowdown_carries_the_s3_error_code(fault_proxy: FaultProxy, moto_bucket) -> None:
    fault_proxy.fail_next("slowdown_503")
    s3 = boto_client("s3", fault_proxy.endpoint_url)
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket=moto_bucket.name, Key="k", Body=b"x")
    assert info.value.response["Error"]["Code"] == "SlowDown"


def test_reset_after_forwarding_applies_the_write_but_loses_the_answer(
    fault_proxy: FaultProxy, moto_bucket
) -> None:
    fault_proxy.fail_next("reset_after")
    s3 = boto_client("s3", fault_proxy.endpoint_url)
    put = lambda: s3.put_object(  # noqa: E731
        Bucket=moto_bucket.name, Key="once", Body=b"x", IfNoneMatch="*"
    )
    assert _classify(put) == "reset"
    assert _classify(put) == "412"
    assert moto_bucket.client.get_object(Bucket=moto_bucket.name, Key="once")["Body"].read() == b"x"


def test_delay_longer_than_the_client_timeout_times_out(fault_proxy: FaultProxy, moto_bucket):
    fault_proxy.configure(delay_seconds=1.5)
    fault_proxy.fail_next("delay")
    s3 = boto_client("s3", fault_proxy.endpoint_url, timeout=0.5)
    assert _classify(lambda: s3.head_bucket(Bucket=moto_bucket.name)) == "timeout"
    assert _classify(lambda: s3.head_bucket(Bucket=moto_bucket.name)) == "ok"
    assert fault_proxy.counts["delay"] == 1


def test_faults_can_be_limited_to_some_methods(fault_proxy: FaultProxy, moto_bucket) -> None:
    fault_proxy.configure(error_500=1.0, methods=("PUT",))
    s3 = boto_client("s3", fault_proxy.endpoint_url)
    assert _classify(lambda: s3.list_objects_v2(Bucket=moto_bucket.name)) == "ok"
    assert _classify(lambda: s3.put_object(Bucket=moto_bucket.name, Key="k", Body=b"")) == "500"


def test_proxy_stops_by_itself_after_its_lifetime(moto_server) -> None:
    proxy = FaultProxy(moto_server.endpoint_url, max_lifetime=0.3).start()
    server = proxy._server
    assert server is not None
    assert server.stopping.wait(3)
    proxy.stop()
