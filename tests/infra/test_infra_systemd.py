"""systemd units: oneshot poll on a persistent 5-minute timer, sandboxed, file credentials."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

SYSTEMD = Path(__file__).resolve().parents[2] / "infra" / "systemd"
SERVICES = ("mailledger-poll.service", "mailledger-run.service")

# Unit files repeat keys (ExecStart=, LoadCredential=), so configparser will not do.
Unit = dict[str, dict[str, list[str]]]


def _unit(name: str) -> Unit:
    sections: Unit = defaultdict(lambda: defaultdict(list))
    section = ""
    for raw in (SYSTEMD / name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, _, value = line.partition("=")
        sections[section][key.strip()].append(value.strip())
    return sections


def _last(unit: Unit, section: str, key: str) -> str:
    return unit[section][key][-1]


def test_poll_service_is_oneshot_running_poll() -> None:
    service = _unit("mailledger-poll.service")["Service"]
    assert service["Type"] == ["oneshot"]
    assert service["ExecStart"][0].split()[-1] == "poll"
    assert service["ExecStart"][0].split()[0].endswith("/mailledger")


def test_poll_timer_fires_every_five_minutes_and_catches_up() -> None:
    timer = _unit("mailledger-poll.timer")
    assert _last(timer, "Timer", "OnCalendar") in {"*:0/5", "*:00/5", "*-*-* *:00/5:00"}
    assert _last(timer, "Timer", "Persistent") == "true"
    assert _last(timer, "Timer", "Unit") == "mailledger-poll.service"
    assert _last(timer, "Install", "WantedBy") == "timers.target"


def test_run_service_restarts_on_failure() -> None:
    unit = _unit("mailledger-run.service")
    assert _last(unit, "Service", "Restart") == "on-failure"
    assert _last(unit, "Service", "ExecStart").split()[-1] == "run"
    assert _last(unit, "Install", "WantedBy") == "multi-user.target"


@pytest.mark.parametrize("name", SERVICES)
def test_service_is_sandboxed(name: str) -> None:
    service = _unit(name)["Service"]
    assert _last(_unit(name), "Service", "DynamicUser") == "yes" or service.get("User")
    for key, value in {
        "ProtectSystem": "strict",
        "NoNewPrivileges": "yes",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
        "PrivateDevices": "yes",
        "RestrictSUIDSGID": "yes",
    }.items():
        assert service[key] == [value], key
    assert service["StateDirectory"] == ["mailledger"]
    assert service["CapabilityBoundingSet"] == [""]


@pytest.mark.parametrize("name", SERVICES)
def test_service_loads_secrets_as_credentials(name: str) -> None:
    service = _unit(name)["Service"]
    credentials = {c.split(":", 1)[0] for c in service["LoadCredential"]}
    assert {"imap-password", "signing-key"} <= credentials
    for assignment in service.get("Environment", []):
        key, _, value = assignment.partition("=")
        if any(w in key for w in ("PASSWORD", "SECRET", "TOKEN")):
            pytest.fail(f"{name} sets {key} in the unit file")
        if key.endswith("_FILE"):
            assert value.startswith("%d/"), key
