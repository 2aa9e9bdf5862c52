"""Deployment files of the web app: Kubernetes (restricted pod, probes, one writer of its
volume, TLS Ingress) and the systemd unit (sandboxed, credentials as files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from pipeline.config import Config

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "infra" / "kubernetes" / "web"


def _docs() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(WEB.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc and "metadata" in doc:
                out[doc["kind"]] = doc
    return out


def test_kustomization_lists_every_manifest_of_the_folder() -> None:
    listed = yaml.safe_load((WEB / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == sorted(
        p.name for p in WEB.glob("*.yaml") if p.name != "kustomization.yaml"
    )


def test_the_web_deployment_serves_one_restricted_replica_probed_on_healthz() -> None:
    deployment = _docs()["Deployment"]["spec"]
    assert deployment["replicas"] == 1 and deployment["strategy"]["type"] == "Recreate"
    pod = deployment["template"]["spec"]
    (container,) = pod["containers"]
    assert container["args"] == ["serve"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
    ctx = container["securityContext"]
    assert ctx["readOnlyRootFilesystem"] and not ctx["allowPrivilegeEscalation"]
    assert ctx["capabilities"]["drop"] == ["ALL"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["automountServiceAccountToken"] is False
    assert all("value" not in e for e in container["env"] if e["name"].startswith("AWS_"))


def test_the_state_volume_is_the_persistent_claim_and_config_loads() -> None:
    docs = _docs()
    volumes = {v["name"]: v for v in docs["Deployment"]["spec"]["template"]["spec"]["volumes"]}
    claim = volumes["state"]["persistentVolumeClaim"]["claimName"]
    assert claim == docs["PersistentVolumeClaim"]["metadata"]["name"]
    config = Config.model_validate(yaml.safe_load(docs["ConfigMap"]["data"]["config.yaml"]))
    assert config.web.trusted_proxies == 1 and config.web.host == "0.0.0.0"  # noqa: S104 (in a pod)
    assert str(config.state_dir).startswith("/var/lib/mailledger")


def test_the_ingress_terminates_tls_for_the_service() -> None:
    docs = _docs()
    ingress = docs["Ingress"]["spec"]
    assert ingress["tls"][0]["hosts"] == [ingress["rules"][0]["host"]]
    backend = ingress["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == docs["Service"]["metadata"]["name"]


def test_the_systemd_unit_serves_sandboxed_with_file_credentials() -> None:
    lines = (ROOT / "infra" / "systemd" / "mailledger-web.service").read_text().splitlines()
    settings = [line.split("=", 1) for line in lines if "=" in line and not line.startswith("#")]
    keys = {k: v for k, v in settings}
    assert keys["ExecStart"].endswith("mailledger serve")
    for key, value in {
        "DynamicUser": "yes",
        "ProtectSystem": "strict",
        "NoNewPrivileges": "yes",
        "PrivateTmp": "yes",
        "CapabilityBoundingSet": "",
    }.items():
        assert keys[key] == value, key
    assert any(v.startswith("signing-key:") for k, v in settings if k == "LoadCredential")
