"""The shipped Kubernetes manifests and systemd units run as shipped.

Each test builds a root folder laid out as the manifest or unit declares it: the config
folder read-only (0555, files 0444), secrets as the platform mounts them, and the state
paths the manifest or unit makes writable. It then runs the manifest's or unit's own
commands, with their own arguments and environment, as the unprivileged user they run
as, against the harness's Dovecot and moto server. Only the connection settings
(IMAP host and port, S3 endpoint and bucket) are pointed at the test servers; every
path stays as shipped, moved under the root folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.ledger.checkpoint import SigningKey
from pipeline.ledger.keys import write_signing_key

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "infra" / "kubernetes"
SYSTEMD = REPO / "infra" / "systemd"
MAILLEDGER = REPO / ".venv" / "bin" / "mailledger"
UNPRIVILEGED = 10001  # the image's and the pods' uid; any non-root uid would do


@pytest.fixture
def root() -> Iterator[Path]:
    # Not under pytest's tmp_path: its base folder is private to the test's user, and
    # the commands run as another user.
    path = Path(tempfile.mkdtemp(prefix="mailledger-as-shipped-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path)


def _as_user(uid: int, gid: int) -> dict[str, Any]:
    if os.geteuid() != 0:
        return {}  # already unprivileged: permissions are enforced as they are
    return {"user": uid, "group": gid, "extra_groups": []}


def _own(path: Path, mode: int, uid: int, gid: int) -> None:
    path.chmod(mode)
    if os.geteuid() == 0:
        os.chown(path, uid, gid)


def _under(root: Path, absolute: str) -> Path:
    return root / absolute.lstrip("/")


def _remap(value: Any, root: Path, prefixes: tuple[str, ...]) -> Any:
    """Every absolute path under one of ``prefixes``, moved under ``root``."""
    if isinstance(value, dict):
        return {k: _remap(v, root, prefixes) for k, v in value.items()}
    if isinstance(value, list):
        return [_remap(v, root, prefixes) for v in value]
    if isinstance(value, str) and any(
        value == p or value.startswith(p.rstrip("/") + "/") for p in prefixes
    ):
        return str(_under(root, value))
    return value


def _point_at_test_servers(config: dict[str, Any], imap_user: Any, bucket: Any) -> None:
    (mailbox,) = config["mailboxes"]
    mailbox.update(
        host=imap_user.host,
        port=imap_user.port,
        tls="none",
        allow_plaintext=True,
        username=imap_user.user,
    )
    config["storage"].update(
        bucket=bucket.name, endpoint_url=bucket.endpoint_url, addressing_style="path"
    )
    config["worker"] = {"parse_workers": 1}


def _deliver_one_message(imap_user: Any) -> None:
    message = EmailMessage()
    message["From"] = "Borrower <b@borrower.example>"
    message["To"] = "servicing@example.com"
    message["Subject"] = "Notice of error on my escrow"
    message.set_content("This is a notice of error: my escrow payment was misapplied.")
    imap_user.server.append(imap_user.user, "INBOX", bytes(message))


def _tree(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


def _run(argv: list[str], env: dict[str, str], cwd: Path, uid: int, gid: int) -> None:
    result = subprocess.run(
        [argv[0], "--log-level", "debug", *argv[1:]],
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        **_as_user(uid, gid),
    )
    assert result.returncode == 0, (argv, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr


def _written_where_declared(config: dict[str, Any]) -> None:
    assert any(Path(config["state_dir"]).rglob("*"))
    assert Path(config["metrics"]["textfile"]).read_text(encoding="utf-8").strip()
    (sink,) = config["events"]["sinks"]
    events = Path(sink["path"]).read_text(encoding="utf-8").splitlines()
    assert any('"message.received"' in line for line in events)


# --- Kubernetes ------------------------------------------------------------------------


def _k8s_doc(name: str) -> dict[str, Any]:
    with (K8S / name).open(encoding="utf-8") as fh:
        return dict(yaml.safe_load(fh))


def _k8s_pod(name: str) -> dict[str, Any]:
    return dict(_k8s_doc(name)["spec"]["jobTemplate"]["spec"]["template"]["spec"])


def test_kubernetes_poll_and_dispatch_cronjobs_run_with_the_configmap_as_shipped(
    root: Path, imap_user: Any, moto_bucket: Any
) -> None:
    config_map = _k8s_doc("configmap.yaml")
    config = yaml.safe_load(config_map["data"]["config.yaml"])
    pods = {"poll": _k8s_pod("cronjob-poll.yaml"), "dispatch": _k8s_pod("cronjob-dispatch.yaml")}
    uid = pods["poll"]["securityContext"]["runAsUser"]
    gid = pods["poll"]["securityContext"]["fsGroup"]
    mounts = {m["mountPath"]: m for m in pods["poll"]["containers"][0]["volumeMounts"]}
    volumes = {v["name"]: v for v in pods["poll"]["volumes"]}
    prefixes = tuple(mounts)
    config = _remap(config, root, prefixes)
    _point_at_test_servers(config, imap_user, moto_bucket)
    moto_bucket.client.put_bucket_versioning(
        Bucket=moto_bucket.name, VersioningConfiguration={"Status": "Enabled"}
    )

    # The volumes as the kubelet mounts them.
    for path, mount in mounts.items():
        volume = volumes[mount["name"]]
        where = _under(root, path)
        where.mkdir(parents=True, exist_ok=True)
        if "configMap" in volume:
            (where / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
            _own(where / "config.yaml", 0o444, 0, 0)
            _own(where, 0o555, 0, 0)
        elif "secret" in volume:
            write_signing_key(where / "signing-key", SigningKey.generate("mailledger.test/k8s"))
            (where / "imap-password").write_text(imap_user.password, encoding="utf-8")
            for item in volume["secret"]["items"]:
                _own(where / item["path"], volume["secret"]["defaultMode"], 0, gid)
            _own(where, 0o555, 0, 0)
        else:
            assert "emptyDir" in volume, mount
            _own(where, 0o777, 0, 0)  # an emptyDir is world-writable
    _own(root, 0o555, 0, 0)  # readOnlyRootFilesystem
    config_before = _tree(_under(root, "/etc/mailledger"))
    _deliver_one_message(imap_user)

    for command, pod in pods.items():
        (container,) = pod["containers"]
        assert container["args"] == [command]
        env = {e["name"]: e["value"] for e in container["env"] if "value" in e}
        env = _remap(env, root, prefixes)
        # The optional static keys come from the Secret (secretKeyRef) in the manifest.
        env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
        _run([str(MAILLEDGER), *container["args"]], env, root, uid, gid)

    _written_where_declared(config)
    assert _tree(_under(root, "/etc/mailledger")) == config_before


# --- systemd ---------------------------------------------------------------------------


def _unit(name: str) -> dict[str, list[str]]:
    settings: dict[str, list[str]] = {}
    for line in (SYSTEMD / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def test_systemd_poll_unit_runs_poll_and_dispatch_with_the_shipped_config(
    root: Path, imap_user: Any, moto_bucket: Any
) -> None:
    unit_name = "mailledger-poll.service"
    unit = _unit(unit_name)
    assert unit["DynamicUser"] == ["yes"] and unit["ProtectSystem"] == ["strict"]
    (state_name,) = unit["StateDirectory"]
    state = f"/var/lib/{state_name}"
    credentials = f"/run/credentials/{unit_name}"
    config_path = dict(e.split("=", 1) for e in unit["Environment"])["MAILLEDGER_CONFIG"]
    config_dir = str(Path(config_path).parent)
    prefixes = (state, credentials, config_dir)

    config = yaml.safe_load((SYSTEMD / "config.yaml").read_text(encoding="utf-8"))
    config = _remap(config, root, prefixes)
    _point_at_test_servers(config, imap_user, moto_bucket)
    moto_bucket.client.put_bucket_versioning(
        Bucket=moto_bucket.name, VersioningConfiguration={"Status": "Enabled"}
    )

    # ProtectSystem=strict: /etc read-only; the config installed 0444 as the README says.
    etc = _under(root, config_dir)
    etc.mkdir(parents=True)
    (etc / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    _own(etc / "config.yaml", 0o444, 0, 0)
    _own(etc, 0o555, 0, 0)
    # LoadCredential=: files owned by the service user, 0400, in a 0500 folder.
    loaded = _under(root, credentials)
    loaded.mkdir(parents=True)
    sources = {
        "signing-key": lambda p: write_signing_key(p, SigningKey.generate("mailledger.test/u")),
        "imap-password": lambda p: p.write_text(imap_user.password, encoding="utf-8"),
        "aws-credentials": lambda p: p.write_text(
            "[default]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
            encoding="utf-8",
        ),
    }
    for entry in unit["LoadCredential"]:
        name = entry.split(":", 1)[0]
        sources[name](loaded / name)
        _own(loaded / name, 0o400, UNPRIVILEGED, UNPRIVILEGED)
    _own(loaded, 0o500, UNPRIVILEGED, UNPRIVILEGED)
    # StateDirectory= with StateDirectoryMode=, owned by the dynamic user.
    state_dir = _under(root, state)
    state_dir.mkdir(parents=True)
    _own(state_dir, int(unit["StateDirectoryMode"][0], 8), UNPRIVILEGED, UNPRIVILEGED)
    config_before = _tree(etc)
    _deliver_one_message(imap_user)

    specifiers = {"%d": str(loaded), "%S": str(_under(root, "/var/lib"))}
    env: dict[str, str] = {}
    for entry in unit["Environment"]:
        key, _, value = entry.partition("=")
        for specifier, replacement in specifiers.items():
            value = value.replace(specifier, replacement)
        env[key] = value
    env = _remap(env, root, prefixes)
    env["CREDENTIALS_DIRECTORY"] = str(loaded)
    (workdir,) = unit["WorkingDirectory"]
    for specifier, replacement in specifiers.items():
        workdir = workdir.replace(specifier, replacement)

    assert len(unit["ExecStart"]) == 2
    for exec_start in unit["ExecStart"]:
        program, *args = exec_start.split()
        assert program == "/opt/mailledger/bin/mailledger"
        _run([str(MAILLEDGER), *args], env, Path(workdir), UNPRIVILEGED, UNPRIVILEGED)

    _written_where_declared(config)
    assert _tree(etc) == config_before
