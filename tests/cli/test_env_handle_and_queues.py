"""``handle`` and ``assemble`` before they touch an event: the region of the queue they
read (taken from an AWS queue URL when none is configured, else a usage error naming
--queue-url), and the config section the handler is built from.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from click.testing import Result

from pipeline.runtime import queue_region
from tests.cli.workdir import local_workdir, run_in
from tests.harness.moto_server import ACCESS_KEY, SECRET_KEY, MotoServer

MAIL = (
    b"From: b1@borrower.example\r\nTo: service@servicer.example\r\n"
    b"Subject: notice of error\r\nMessage-ID: <m1@borrower.example>\r\n"
    b"Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n\r\nPlease correct my escrow.\r\n"
)
ACKNOWLEDGMENT = (
    "acknowledgment:\n  from_address: service@servicer.example\n  from_name: Servicing\n"
    "  portal_url: https://portal.servicer.example/\n"
    "  transport: {kind: smtp, host: 127.0.0.1, port: 9, tls: none, allow_plaintext: true}\n"
)

# AWS settings as on a machine where no region is configured anywhere
NO_REGION = {
    "AWS_REGION": None,
    "AWS_DEFAULT_REGION": None,
    "AWS_PROFILE": None,
    "AWS_ENDPOINT_URL": None,
    "AWS_CONFIG_FILE": "/nonexistent/aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
    "AWS_ACCESS_KEY_ID": ACCESS_KEY,
    "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
}


def _workdir(root: Path, extra: str = "") -> Path:
    return local_workdir(
        root,
        "env.example/ledger",
        "worker:\n  parse_workers: 1\n"
        "events:\n  sinks:\n    - kind: jsonl\n      path: outbox/events.jsonl\n" + extra,
    )


def run(workdir: Path, *args: str) -> Result:
    return run_in(workdir, *args, env=NO_REGION)


@pytest.fixture(scope="module")
def acknowledging(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _workdir(tmp_path_factory.mktemp("env-ack"), ACKNOWLEDGMENT)


def _queue(moto_server: MotoServer, region: str) -> tuple[str, str]:
    """A new queue on the moto server in ``region``: its name and moto's URL for it."""
    name = f"handle-{uuid.uuid4().hex[:12]}"
    url = moto_server.client("sqs", region=region).create_queue(QueueName=name)["QueueUrl"]
    return name, str(url)


# -- the region of a queue ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "region"),
    [
        ("https://sqs.eu-west-2.amazonaws.com/123456789012/q", "eu-west-2"),
        ("https://sqs-fips.us-gov-west-1.amazonaws.com/123456789012/q", "us-gov-west-1"),
        ("https://ap-south-1.queue.amazonaws.com/123456789012/q", "ap-south-1"),
        ("https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q", "cn-north-1"),
        ("http://127.0.0.1:4566/000000000000/q", None),
    ],
)
def test_the_region_is_read_from_an_aws_queue_url_only(url: str, region: str | None) -> None:
    assert queue_region(url) == region


def test_assemble_from_a_queue_with_no_region_anywhere_is_a_usage_error(tmp_path: Path) -> None:
    workdir = _workdir(tmp_path)
    url = "http://127.0.0.1:9/local/sealed"
    result = run(workdir, "assemble", "--queue-url", url, "--until-empty")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: --queue-url {url}: no AWS region for the queue; pass --region, set"
        " AWS_REGION, or give the queue's AWS URL (https://sqs.REGION.amazonaws.com/...)\n"
    )


def test_handle_acknowledge_takes_the_region_from_an_aws_queue_url(
    acknowledging: Path, moto_server: MotoServer
) -> None:
    name, _ = _queue(moto_server, "eu-west-2")
    aws_url = f"https://sqs.eu-west-2.amazonaws.com/123456789012/{name}"
    result = run(
        acknowledging,
        *("handle", "acknowledge", "--queue-url", aws_url),
        *("--endpoint-url", moto_server.endpoint_url, "--json"),
    )
    assert result.exit_code == 0, result.output
    assert '"handled": 0' in result.stdout


def test_handle_takes_the_queue_region_as_an_option(
    acknowledging: Path, moto_server: MotoServer
) -> None:
    _, url = _queue(moto_server, "ca-central-1")
    result = run(
        acknowledging,
        *("handle", "acknowledge", "--queue-url", url, "--region", "ca-central-1"),
        *("--endpoint-url", moto_server.endpoint_url, "--json"),
    )
    assert result.exit_code == 0, result.output
    assert '"handled": 0' in result.stdout


# -- the handler's config section -------------------------------------------------------------


def test_handle_acknowledge_without_its_section_is_one_config_error_before_any_event(
    tmp_path: Path,
) -> None:
    workdir = _workdir(tmp_path)
    (workdir / "m1.eml").write_bytes(MAIL)
    assert run(workdir, "import", str(workdir / "m1.eml")).exit_code == 0
    assert run(workdir, "dispatch").exit_code == 0
    result = run(workdir, "handle", "acknowledge")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: handle acknowledge: the config {workdir / 'config.yaml'} has no"
        " 'acknowledgment' section; add one to enable it (the example config.yaml shows"
        " its options)\n"
    )
    assert not (workdir / "state" / "handlers" / "acknowledge.offset").exists()


def test_an_import_with_an_assembly_queue_and_no_region_anywhere_is_a_usage_error(
    tmp_path: Path,
) -> None:
    url = "http://127.0.0.1:9/local/sealed"
    workdir = _workdir(tmp_path)
    config = workdir / "config.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "worker:\n  parse_workers: 1\n",
            f"worker:\n  parse_workers: 1\n  assembly_queue:\n    queue_url: {url}\n",
        ),
        encoding="utf-8",
    )
    result = run(workdir, "import", str(_mail(tmp_path)))
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: worker.assembly_queue.queue_url {url}: no AWS region for the queue"
    )


def _mail(root: Path) -> Path:
    path = root / "m1.eml"
    path.write_bytes(MAIL)
    return path
