"""The CloudFormation template: lint, WORM bucket, bucket policy, least-privilege IAM, queues."""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any

import pytest
import yaml

RECORD_PREFIXES = ("objects/", "quarantine/", "ledger/")

# Concrete S3 actions that could destroy, shorten or unprotect a record. A role
# pattern that matches any of them (s3:Delete*, s3:*, *) is a violation too.
DESTRUCTIVE_S3_ACTIONS = (
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:DeleteObjectTagging",
    "s3:DeleteObjectVersionTagging",
    "s3:DeleteBucket",
    "s3:DeleteBucketPolicy",
    "s3:PutObjectRetention",
    "s3:BypassGovernanceRetention",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutBucketPolicy",
    "s3:PutBucketVersioning",
    "s3:PutBucketEncryption",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketAcl",
    "s3:PutBucketOwnershipControls",
    "s3:PutLifecycleConfiguration",
    "s3:PutReplicationConfiguration",
)

SERVICE_ROLES = (
    "WorkerTaskRole",
    "WorkerExecutionRole",
    "SchedulerRole",
    "AcknowledgeFunctionRole",
    "EscalateFunctionRole",
)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _resources_of_type(template: dict[str, Any], cfn_type: str) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in template["Resources"].items() if res["Type"] == cfn_type}


def _role_statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    props = template["Resources"][role]["Properties"]
    statements: list[dict[str, Any]] = []
    for policy in props.get("Policies", []):
        statements.extend(_as_list(policy["PolicyDocument"]["Statement"]))
    return statements


def _allowed_actions(template: dict[str, Any], role: str) -> list[str]:
    return [
        action
        for st in _role_statements(template, role)
        if st["Effect"] == "Allow"
        for action in _as_list(st["Action"])
    ]


def _resource_text(resource: Any) -> str:
    """The ARN pattern a policy resource denotes, with CloudFormation references left in."""
    if isinstance(resource, str):
        return resource
    if "Fn::Sub" in resource:
        sub = resource["Fn::Sub"]
        return sub if isinstance(sub, str) else sub[0]
    if "Fn::GetAtt" in resource:
        return "${" + ".".join(resource["Fn::GetAtt"]) + "}"
    if "Ref" in resource:
        return "${" + resource["Ref"] + "}"
    raise AssertionError(f"unexpected resource form {resource!r}")


def _statements_allowing(template: dict[str, Any], role: str, action: str) -> list[dict[str, Any]]:
    return [
        st
        for st in _role_statements(template, role)
        if st["Effect"] == "Allow"
        and any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in _as_list(st["Action"]))
    ]


def _destructive_grants(actions: list[str]) -> list[tuple[str, str]]:
    return [
        (granted, destructive)
        for granted in actions
        for destructive in DESTRUCTIVE_S3_ACTIONS
        if fnmatch.fnmatchcase(destructive.lower(), granted.lower())
    ]


# ---------------------------------------------------------------------- lint


def test_template_passes_cfn_lint_without_errors(template_path: Path) -> None:
    from cfnlint.api import lint_file

    matches = lint_file(template_path)
    errors = [m for m in matches if m.rule.id.startswith("E")]
    assert errors == [], "\n".join(str(m) for m in errors)


# -------------------------------------------------------------------- bucket


def test_bucket_is_created_with_object_lock_enabled(template: dict[str, Any]) -> None:
    bucket = template["Resources"]["RecordsBucket"]["Properties"]
    assert bucket["ObjectLockEnabled"] is True
    assert bucket["ObjectLockConfiguration"]["ObjectLockEnabled"] == "Enabled"


def test_bucket_default_retention_is_compliance_for_the_retention_parameter(
    template: dict[str, Any],
) -> None:
    rule = template["Resources"]["RecordsBucket"]["Properties"]["ObjectLockConfiguration"]["Rule"]
    assert rule["DefaultRetention"]["Mode"] == "COMPLIANCE"
    assert rule["DefaultRetention"]["Days"] == {"Ref": "RetentionDays"}
    parameter = template["Parameters"]["RetentionDays"]
    assert parameter["Type"] == "Number"
    # SEC 17a-4 / FINRA 4511: six years at least.
    assert parameter["Default"] >= 6 * 365


def test_bucket_has_versioning_enabled(template: dict[str, Any]) -> None:
    props = template["Resources"]["RecordsBucket"]["Properties"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}


def test_bucket_encrypts_with_the_stack_kms_key(template: dict[str, Any]) -> None:
    rules = template["Resources"]["RecordsBucket"]["Properties"]["BucketEncryption"][
        "ServerSideEncryptionConfiguration"
    ]
    default = rules[0]["ServerSideEncryptionByDefault"]
    assert default["SSEAlgorithm"] == "aws:kms"
    key_name = default["KMSMasterKeyID"]["Fn::GetAtt"][0]
    key = template["Resources"][key_name]
    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["KeyPolicy"]["Statement"]
    assert key["Properties"]["EnableKeyRotation"] is True


def test_bucket_blocks_all_public_access(template: dict[str, Any]) -> None:
    block = template["Resources"]["RecordsBucket"]["Properties"]["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }


def test_bucket_and_key_are_retained_when_the_stack_is_deleted(template: dict[str, Any]) -> None:
    for name in ("RecordsBucket", "RecordsKey"):
        assert template["Resources"][name]["DeletionPolicy"] == "Retain", name


# ------------------------------------------------------------- bucket policy


def _bucket_policy_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    policy = template["Resources"]["RecordsBucketPolicy"]
    assert policy["Properties"]["Bucket"] == {"Ref": "RecordsBucket"}
    return _as_list(policy["Properties"]["PolicyDocument"]["Statement"])


def test_bucket_policy_denies_requests_without_tls(template: dict[str, Any]) -> None:
    matching = [
        st
        for st in _bucket_policy_statements(template)
        if st["Effect"] == "Deny"
        and st["Principal"] == "*"
        and "s3:*" in _as_list(st["Action"])
        and str(st.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport")).lower()
        == "false"
    ]
    assert matching, "no Deny on aws:SecureTransport=false"
    resources = {_resource_text(r) for st in matching for r in _as_list(st["Resource"])}
    assert "${RecordsBucket.Arn}" in resources
    assert "${RecordsBucket.Arn}/*" in resources


@pytest.mark.parametrize("prefix", RECORD_PREFIXES)
def test_bucket_policy_denies_put_without_if_none_match_on_record_prefix(
    template: dict[str, Any], prefix: str
) -> None:
    covering = [
        st
        for st in _bucket_policy_statements(template)
        if st["Effect"] == "Deny"
        and st["Principal"] == "*"
        and {"s3:PutObject", "s3:*"} & set(_as_list(st["Action"]))
        and str(st.get("Condition", {}).get("Null", {}).get("s3:if-none-match")).lower() == "true"
        and any(
            _resource_text(r) in (f"${{RecordsBucket.Arn}}/{prefix}*", "${RecordsBucket.Arn}/*")
            for r in _as_list(st["Resource"])
        )
    ]
    assert covering, f"no If-None-Match deny covers {prefix}"


# ----------------------------------------------------------------------- IAM


@pytest.mark.parametrize("role", [*SERVICE_ROLES, "RecordsOfficerRole"])
def test_role_grants_no_delete_retention_or_bucket_change(
    template: dict[str, Any], role: str
) -> None:
    assert _destructive_grants(_allowed_actions(template, role)) == []


@pytest.mark.parametrize("role", [*SERVICE_ROLES, "RecordsOfficerRole"])
def test_role_grants_no_wildcard_actions(template: dict[str, Any], role: str) -> None:
    wildcards = [a for a in _allowed_actions(template, role) if "*" in a]
    assert wildcards == []


@pytest.mark.parametrize("role", [*SERVICE_ROLES, "RecordsOfficerRole"])
def test_role_has_only_inline_allow_statements_with_action(
    template: dict[str, Any], role: str
) -> None:
    props = template["Resources"][role]["Properties"]
    assert "ManagedPolicyArns" not in props
    for st in _role_statements(template, role):
        assert st["Effect"] == "Allow"
        assert "NotAction" not in st
        assert "NotResource" not in st


def test_worker_may_put_get_and_list_records(template: dict[str, Any]) -> None:
    actions = set(_allowed_actions(template, "WorkerTaskRole"))
    assert {"s3:PutObject", "s3:GetObject", "s3:ListBucket"} <= actions


def test_worker_writes_only_under_record_prefixes(template: dict[str, Any]) -> None:
    resources = {
        _resource_text(r)
        for st in _statements_allowing(template, "WorkerTaskRole", "s3:PutObject")
        for r in _as_list(st["Resource"])
    }
    assert resources == {f"${{RecordsBucket.Arn}}/{p}*" for p in RECORD_PREFIXES}


def test_worker_cannot_place_legal_holds(template: dict[str, Any]) -> None:
    assert not _statements_allowing(template, "WorkerTaskRole", "s3:PutObjectLegalHold")


def test_records_officer_puts_only_ledger_entries_and_legal_holds(
    template: dict[str, Any],
) -> None:
    # Decision (documented in the template and infra/README.md): the officer appends
    # hold/export/access entries to ledger/ and places legal holds; nothing else.
    puts = {
        a
        for a in _allowed_actions(template, "RecordsOfficerRole")
        if a.split(":", 1)[1].lower().startswith("put")
    }
    assert puts == {"s3:PutObject", "s3:PutObjectLegalHold"}
    put_object_resources = {
        _resource_text(r)
        for st in _statements_allowing(template, "RecordsOfficerRole", "s3:PutObject")
        if "s3:PutObject" in _as_list(st["Action"])
        for r in _as_list(st["Resource"])
    }
    assert put_object_resources == {"${RecordsBucket.Arn}/ledger/*"}


def test_records_officer_can_read_records_and_their_lock_state(template: dict[str, Any]) -> None:
    actions = set(_allowed_actions(template, "RecordsOfficerRole"))
    assert {
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:GetObjectRetention",
        "s3:GetObjectLegalHold",
        "s3:ListBucket",
        "s3:ListBucketVersions",
    } <= actions


def test_records_officer_role_requires_mfa(template: dict[str, Any]) -> None:
    (trust,) = template["Resources"]["RecordsOfficerRole"]["Properties"][
        "AssumeRolePolicyDocument"
    ]["Statement"]
    assert trust["Condition"]["Bool"]["aws:MultiFactorAuthPresent"] == "true"


def test_generated_config_relies_on_bucket_default_retention(template: dict[str, Any]) -> None:
    # Per-object retention headers need s3:PutObjectRetention, which no role has.
    value = template["Resources"]["WorkerConfigParameter"]["Properties"]["Value"]["Fn::Sub"]
    assert "object_lock" not in value
    assert "bucket: ${RecordsBucket}" in value


# -------------------------------------------------------------------- queues


def test_every_work_queue_redrives_to_a_dead_letter_queue(template: dict[str, Any]) -> None:
    queues = _resources_of_type(template, "AWS::SQS::Queue")
    dead_letter_targets = {
        q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for q in queues.values()
        if "RedrivePolicy" in q["Properties"]
    }
    work_queues = {name for name in queues if name not in dead_letter_targets}
    assert work_queues == {"AcknowledgmentQueue", "EscalationQueue", "AssemblyQueue"}
    for name in work_queues:
        redrive = queues[name]["Properties"]["RedrivePolicy"]
        dlq = redrive["deadLetterTargetArn"]["Fn::GetAtt"]
        assert dlq[1] == "Arn"
        assert dlq[0] != name
        assert 1 <= redrive["maxReceiveCount"] <= 10
        # A dead letter must outlive the copy that failed.
        assert (
            queues[dlq[0]]["Properties"]["MessageRetentionPeriod"]
            >= queues[name]["Properties"]["MessageRetentionPeriod"]
        )


def test_each_handler_consumes_its_own_queue(template: dict[str, Any]) -> None:
    mappings = _resources_of_type(template, "AWS::Lambda::EventSourceMapping").values()
    pairs = {
        (m["Properties"]["FunctionName"]["Ref"], m["Properties"]["EventSourceArn"]["Fn::GetAtt"][0])
        for m in mappings
    }
    assert pairs == {
        ("AcknowledgeFunction", "AcknowledgmentQueue"),
        ("EscalateFunction", "EscalationQueue"),
    }


def test_handlers_use_the_lambda_entry_points(template: dict[str, Any]) -> None:
    for function, entry in (
        ("AcknowledgeFunction", "pipeline.handler_app.acknowledge"),
        ("EscalateFunction", "pipeline.handler_app.escalate"),
    ):
        props = template["Resources"][function]["Properties"]
        image_branch = props["ImageConfig"]["Fn::If"][1]
        zip_branch = props["Handler"]["Fn::If"][2]
        assert image_branch == {"Command": [entry]}
        assert zip_branch == entry


# -------------------------------------------------------------------- worker


def test_worker_task_takes_its_image_from_the_parameter(template: dict[str, Any]) -> None:
    (container,) = template["Resources"]["WorkerTaskDefinition"]["Properties"][
        "ContainerDefinitions"
    ]
    assert container["Image"] == {"Ref": "ImageUri"}
    assert container["Command"] == ["poll"]
    assert container["ReadonlyRootFilesystem"] is True


def test_worker_task_gets_credentials_from_secrets_manager_not_plain_environment(
    template: dict[str, Any],
) -> None:
    (container,) = template["Resources"]["WorkerTaskDefinition"]["Properties"][
        "ContainerDefinitions"
    ]
    secret_refs = {s["Name"]: s["ValueFrom"] for s in container["Secrets"]}
    for env_name, secret in (
        ("IMAP_PASSWORD", "MailboxCredentialSecret"),
        ("MAILLEDGER_SIGNING_KEY", "SigningKeySecret"),
    ):
        assert secret_refs[env_name] == {"Ref": secret}
        assert template["Resources"][secret]["Type"] == "AWS::SecretsManager::Secret"
    plain = [e["Name"] for e in container["Environment"]]
    assert not [n for n in plain if any(w in n for w in ("PASSWORD", "SECRET", "KEY"))]


@pytest.mark.parametrize(
    ("schedule", "command"), [("PollSchedule", None), ("DispatchSchedule", "dispatch")]
)
def test_schedule_runs_the_worker_task_on_fargate(
    template: dict[str, Any], schedule: str, command: str | None
) -> None:
    props = template["Resources"][schedule]["Properties"]
    target = props["Target"]
    assert target["Arn"] == {"Fn::GetAtt": ["WorkerCluster", "Arn"]}
    assert target["EcsParameters"]["TaskDefinitionArn"] == {"Ref": "WorkerTaskDefinition"}
    assert target["EcsParameters"]["LaunchType"] == "FARGATE"
    if command is not None:
        assert f'"command": ["{command}"]' in target["Input"]
    else:
        assert "Input" not in target


# ----------------------------------------------------------------- assembly


def test_poll_seals_and_announces_on_the_assembly_queue(template: dict[str, Any]) -> None:
    value = template["Resources"]["WorkerConfigParameter"]["Properties"]["Value"]["Fn::Sub"]
    text = value if isinstance(value, str) else value[0]
    config = yaml.safe_load(text.replace("${MailboxConfigYaml}", ""))
    assert config["worker"]["assembly_queue"]["queue_url"] == "${AssemblyQueue}"


def test_assemble_service_runs_the_assemble_command_and_scales_on_queue_depth(
    template: dict[str, Any],
) -> None:
    resources = template["Resources"]
    task = resources["AssembleTaskDefinition"]["Properties"]
    (container,) = task["ContainerDefinitions"]
    assert container["Command"] == ["assemble"]
    assert resources["AssembleService"]["Properties"]["TaskDefinition"] == {
        "Ref": "AssembleTaskDefinition"
    }
    policy = resources["AssembleScalingPolicy"]["Properties"]
    metric = policy["TargetTrackingScalingPolicyConfiguration"]["CustomizedMetricSpecification"]
    assert metric["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert metric["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["AssemblyQueue", "QueueName"]}
