"""Kubernetes manifests: CronJobs that never overlap, restricted pods, writable state only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

K8S = Path(__file__).resolve().parents[2] / "infra" / "kubernetes"


def _docs() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted(K8S.glob("*.yaml")):
        with path.open(encoding="utf-8") as fh:
            docs.extend(d for d in yaml.safe_load_all(fh) if d)
    return docs


def _by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in _docs() if d.get("kind") == kind}


def _pod_specs() -> dict[str, dict[str, Any]]:
    specs = {
        name: job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        for name, job in _by_kind("CronJob").items()
    }
    specs.update(
        {name: dep["spec"]["template"]["spec"] for name, dep in _by_kind("Deployment").items()}
    )
    return specs


POD_NAMES = sorted(_pod_specs())


def test_poll_and_dispatch_cronjobs_and_run_deployment_exist() -> None:
    commands = {
        name: [c["args"] for c in spec["containers"]] for name, spec in _pod_specs().items()
    }
    assert commands == {
        "mailledger-poll": [["poll"]],
        "mailledger-dispatch": [["dispatch"]],
        "mailledger-run": [["run"]],
        "mailledger-assemble": [["assemble"]],
    }


def test_keda_scales_the_assemble_workers_on_the_assembly_queue_depth() -> None:
    (scaled,) = _by_kind("ScaledObject").values()
    assert scaled["spec"]["scaleTargetRef"]["name"] == "mailledger-assemble"
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["type"] == "aws-sqs-queue"
    assert int(trigger["metadata"]["queueLength"]) >= 1
    assert 1 <= scaled["spec"]["minReplicaCount"] < scaled["spec"]["maxReplicaCount"]


def test_assemble_workers_get_no_imap_password() -> None:
    spec = _by_kind("Deployment")["mailledger-assemble"]["spec"]["template"]["spec"]
    (secrets,) = [v for v in spec["volumes"] if v["name"] == "secrets"]
    assert [i["key"] for i in secrets["secret"]["items"]] == ["signing-key"]


@pytest.mark.parametrize("name", sorted(_by_kind("CronJob")))
def test_cronjob_forbids_concurrent_runs_and_skips_stale_starts(name: str) -> None:
    spec = _by_kind("CronJob")[name]["spec"]
    assert spec["concurrencyPolicy"] == "Forbid"
    assert isinstance(spec["startingDeadlineSeconds"], int)
    assert 0 < spec["startingDeadlineSeconds"] <= 300
    assert spec["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def test_run_deployment_never_runs_two_workers() -> None:
    spec = _by_kind("Deployment")["mailledger-run"]["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"]["type"] == "Recreate"


@pytest.mark.parametrize("name", POD_NAMES)
def test_containers_have_resource_requests_and_limits(name: str) -> None:
    for container in _pod_specs()[name]["containers"]:
        for bound in ("requests", "limits"):
            assert set(container["resources"][bound]) >= {"cpu", "memory"}, (name, bound)


@pytest.mark.parametrize("name", POD_NAMES)
def test_pod_runs_as_non_root_with_runtime_default_seccomp(name: str) -> None:
    spec = _pod_specs()[name]
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] != 0
    assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert spec["automountServiceAccountToken"] is False


@pytest.mark.parametrize("name", POD_NAMES)
def test_container_is_locked_down(name: str) -> None:
    for container in _pod_specs()[name]["containers"]:
        ctx = container["securityContext"]
        assert ctx["runAsNonRoot"] is True
        assert ctx["readOnlyRootFilesystem"] is True
        assert ctx["allowPrivilegeEscalation"] is False
        assert ctx["capabilities"]["drop"] == ["ALL"]
        assert "add" not in ctx["capabilities"]
        assert ctx["seccompProfile"]["type"] == "RuntimeDefault"


@pytest.mark.parametrize("name", POD_NAMES)
def test_only_emptydir_mounts_are_writable(name: str) -> None:
    spec = _pod_specs()[name]
    volumes = {v["name"]: v for v in spec["volumes"]}
    for container in spec["containers"]:
        writable = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        writable = {p: v for p, v in writable.items() if not _read_only(container, p)}
        assert "/var/lib/mailledger" in writable
        for path, volume in writable.items():
            assert "emptyDir" in volumes[volume], path


def _read_only(container: dict[str, Any], path: str) -> bool:
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == path]
    return bool(mount.get("readOnly", False))


@pytest.mark.parametrize("name", POD_NAMES)
def test_secrets_are_mounted_as_files_not_literal_env(name: str) -> None:
    for container in _pod_specs()[name]["containers"]:
        for env in container.get("env", []):
            if any(w in env["name"] for w in ("PASSWORD", "SECRET", "TOKEN", "KEY")):
                assert "value" not in env, env["name"]
                assert "secretKeyRef" in env["valueFrom"], env["name"]


def test_configmap_holds_a_yaml_config_without_secrets() -> None:
    config_text = _by_kind("ConfigMap")["mailledger-config"]["data"]["config.yaml"]
    config = yaml.safe_load(config_text)
    assert config["storage"]["backend"] == "s3"
    for mailbox in config["mailboxes"]:
        assert "password" not in mailbox
        assert mailbox["password_file"].startswith("/run/secrets/")


def test_secret_example_holds_placeholders_only() -> None:
    secret = _by_kind("Secret")["mailledger-secrets"]
    assert set(secret["stringData"].values()) == {"replace-me"}


def test_kustomization_lists_existing_files_but_not_the_secret_example() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    resources = kustomization["resources"]
    assert all((K8S / r).is_file() for r in resources)
    assert "secret.example.yaml" not in resources
    assert {"cronjob-poll.yaml", "cronjob-dispatch.yaml", "configmap.yaml"} <= set(resources)


def _s3_actions_the_config_needs(storage: dict[str, Any]) -> set[str]:
    # What the S3 store sends for the options the config sets: every record write is a
    # PutObject; a per-object lock makes each PutObject carry a retention, which AWS
    # authorizes as s3:PutObjectRetention; SSE-KMS with a named key needs the key.
    actions = {"s3:PutObject", "s3:GetObject", "s3:ListBucket"}
    if storage.get("object_lock"):
        actions.add("s3:PutObjectRetention")
    if (storage.get("object_lock") or {}).get("legal_hold"):
        actions.add("s3:PutObjectLegalHold")
    if storage.get("sse_kms_key_id"):
        actions.update({"kms:GenerateDataKey", "kms:Decrypt"})
    return actions


def test_configmap_needs_only_s3_actions_the_documented_worker_role_grants() -> None:
    from tests.infra.conftest import TEMPLATE, load_cfn

    (configmap,) = _by_kind("ConfigMap").values()
    storage = yaml.safe_load(configmap["data"]["config.yaml"])["storage"]
    role = load_cfn(TEMPLATE)["Resources"]["WorkerTaskRole"]["Properties"]
    granted = {
        action
        for policy in role["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Allow"
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }
    assert _s3_actions_the_config_needs(storage) - granted == set()
