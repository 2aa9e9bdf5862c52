"""CloudFormation: who can use the signing key, what protects the keys, the queues and
the records' access log, and which alarms fire. Checked on the parsed template."""

from __future__ import annotations

from typing import Any

import pytest

WORKER_EXECUTION_ARN = {
    "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/"
    "${AWS::StackName}-worker-execution"
}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        s
        for policy in role["Properties"].get("Policies", [])
        for s in _as_list(policy["PolicyDocument"]["Statement"])
    ]


def _mentions(value: Any, name: str) -> bool:
    if isinstance(value, dict):
        return any(
            (k in ("Ref", "Fn::GetAtt") and (v == name or (isinstance(v, list) and v[0] == name)))
            or _mentions(v, name)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_mentions(v, name) for v in value)
    return False


@pytest.mark.parametrize(
    "role", ["RecordsOfficerRole", "AcknowledgeFunctionRole", "EscalateFunctionRole"]
)
def test_role_cannot_read_the_signing_key(template: dict[str, Any], role: str) -> None:
    statements = _statements(template["Resources"][role])
    assert not any(_mentions(s.get("Resource"), "SigningKeySecret") for s in statements)
    assert not any(_mentions(s.get("Resource"), "SigningKeyEncryptionKey") for s in statements)


@pytest.mark.parametrize("function", ["AcknowledgeFunction", "EscalateFunction"])
def test_handler_is_given_a_writer_key_not_the_signing_key(
    template: dict[str, Any], function: str
) -> None:
    variables = template["Resources"][function]["Properties"]["Environment"]["Variables"]
    assert not _mentions(variables, "SigningKeySecret")
    assert variables["MAILLEDGER_WRITER_KEY_SECRET_ARN"] == {"Ref": "HandlerWriterKeySecret"}


def test_signing_key_secret_denies_reads_to_all_but_the_worker(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    secret = resources["SigningKeySecret"]["Properties"]
    assert secret["KmsKeyId"] == {"Ref": "SigningKeyEncryptionKey"}
    policy = resources["SigningKeySecretPolicy"]["Properties"]
    assert policy["SecretId"] == {"Ref": "SigningKeySecret"}
    (deny,) = policy["ResourcePolicy"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == {"AWS": "*"}
    assert deny["Action"] == "secretsmanager:GetSecretValue"
    assert deny["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": WORKER_EXECUTION_ARN}}
    execution = resources["WorkerExecutionRole"]["Properties"]
    assert execution["RoleName"] == {"Fn::Sub": "${AWS::StackName}-worker-execution"}


def test_signing_key_encryption_key_decrypts_only_for_the_worker(template: dict[str, Any]) -> None:
    key = template["Resources"]["SigningKeyEncryptionKey"]["Properties"]["KeyPolicy"]
    denies = [s for s in key["Statement"] if s["Effect"] == "Deny" and s["Action"] == "kms:Decrypt"]
    assert [d["Condition"] for d in denies] == [
        {"ArnNotEquals": {"aws:PrincipalArn": WORKER_EXECUTION_ARN}}
    ]


@pytest.mark.parametrize("key", ["RecordsKey", "SigningKeyEncryptionKey"])
def test_kms_key_is_retained_waits_the_maximum_and_only_break_glass_may_delete_it(
    template: dict[str, Any], key: str
) -> None:
    resource = template["Resources"][key]
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"
    assert resource["Properties"]["PendingWindowInDays"] == 30
    (deny,) = [
        s
        for s in resource["Properties"]["KeyPolicy"]["Statement"]
        if s["Effect"] == "Deny" and "kms:ScheduleKeyDeletion" in _as_list(s["Action"])
    ]
    assert deny["Principal"] == {"AWS": "*"}
    assert deny["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": {"Ref": "BreakGlassRoleArn"}}}


def test_record_bucket_logs_access_to_a_separate_locked_bucket(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    logging = resources["RecordsBucket"]["Properties"]["LoggingConfiguration"]
    assert logging["DestinationBucketName"] == {"Ref": "AccessLogBucket"}
    log_bucket = resources["AccessLogBucket"]
    assert log_bucket["DeletionPolicy"] == "Retain"
    properties = log_bucket["Properties"]
    assert properties["ObjectLockEnabled"] is True
    assert properties["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]["Mode"] == "COMPLIANCE"
    assert all(properties["PublicAccessBlockConfiguration"].values())


@pytest.mark.parametrize("function", ["AcknowledgeFunction", "EscalateFunction"])
def test_handler_has_a_reserved_concurrency_limit(template: dict[str, Any], function: str) -> None:
    properties = template["Resources"][function]["Properties"]
    assert properties["ReservedConcurrentExecutions"] == {"Ref": "HandlerConcurrency"}
    assert template["Parameters"]["HandlerConcurrency"]["MaxValue"] <= 20


@pytest.mark.parametrize(
    "queue",
    [
        "AcknowledgmentQueue",
        "AcknowledgmentDeadLetterQueue",
        "EscalationQueue",
        "EscalationDeadLetterQueue",
    ],
)
def test_queue_is_retained_when_the_stack_is_deleted(template: dict[str, Any], queue: str) -> None:
    resource = template["Resources"][queue]
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"


def _alarms(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    ]


@pytest.mark.parametrize("queue", ["AcknowledgmentDeadLetterQueue", "EscalationDeadLetterQueue"])
def test_each_dead_letter_queue_has_a_depth_alarm(template: dict[str, Any], queue: str) -> None:
    assert any(
        a["MetricName"] == "ApproximateNumberOfMessagesVisible"
        and a["Dimensions"][0]["Value"] == {"Fn::GetAtt": [queue, "QueueName"]}
        for a in _alarms(template)
    )


def test_poll_failure_alarm_counts_error_lines_of_the_worker_log(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    metric_filter = resources["WorkerErrorMetricFilter"]["Properties"]
    assert metric_filter["LogGroupName"] == {"Ref": "WorkerLogGroup"}
    assert metric_filter["FilterPattern"] == '{ $.level = "error" }'
    (transformation,) = metric_filter["MetricTransformations"]
    alarm = resources["PollFailureAlarm"]["Properties"]
    assert alarm["MetricName"] == transformation["MetricName"]
    assert alarm["Namespace"] == transformation["MetricNamespace"]
    assert alarm["Threshold"] == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["AlarmActions"] == [{"Ref": "EscalationTopic"}]
