"""``serve`` checks that it can listen before it starts the server: an address it cannot
use is one line, exit 3 for a port the machine will not give (in use), exit 2 for a host
that is no address at all, instead of the server's dozen lines of retries.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.ingest.conftest import Deployment, make_deployment


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    return make_deployment(tmp_path_factory.mktemp("env-serve"), [])


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port another program listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def test_a_port_in_use_is_one_line_and_exit_3(deployment: Deployment, busy_port: int) -> None:
    done = deployment.run("serve", "--host", "127.0.0.1", "--port", str(busy_port), timeout=60)
    assert done.returncode == 3
    assert done.stderr == (
        f"error: cannot listen on 127.0.0.1 port {busy_port} (Address already in use):"
        " another program listens there; stop it or choose another --port\n"
    )


def test_a_host_that_does_not_resolve_is_a_usage_error_naming_the_option(
    deployment: Deployment,
) -> None:
    done = deployment.run("serve", "--host", "no such host", "--port", "0", timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("error: --host: cannot resolve 'no such host' (")
    assert done.stderr.count("\n") == 1
