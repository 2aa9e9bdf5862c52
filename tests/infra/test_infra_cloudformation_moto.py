"""The whole template deploys into moto's CloudFormation (server mode).

moto 5.2 creates most resource types of the template. It has no CloudFormation
model for the types in ``MOTO_UNSUPPORTED`` and skips those resources while the
stack still reaches CREATE_COMPLETE, so the full template is deployed (not a
filtered copy) and a test pins which resources were skipped and why. moto's S3
model also ignores ObjectLockEnabled, ObjectLockConfiguration and
VersioningConfiguration, so Object Lock is checked on the parsed template in
test_infra_cloudformation_template.py, not here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

STACK = "mailledger-test"
BUCKET = "mailledger-records-test"
REGION = "us-east-1"

# Resource types moto 5.2 has no CloudFormation model for (checked against
# moto.cloudformation.parsing.get_model_map()).
MOTO_UNSUPPORTED = {
    "AWS::S3::BucketPolicy": "no CFN model; the policy is checked on the parsed template",
    "AWS::SecretsManager::ResourcePolicy": "no CFN model; checked on the parsed template",
    "AWS::Logs::MetricFilter": "no CFN model; checked on the parsed template",
    "AWS::SecretsManager::Secret": "no CFN model for secrets",
    "AWS::Scheduler::Schedule": "EventBridge Scheduler is not modelled in CFN",
    "AWS::CloudWatch::Alarm": "only dashboards are modelled",
    "AWS::SNS::Subscription": "subscriptions are not modelled",
    "AWS::ApplicationAutoScaling::ScalableTarget": "Application Auto Scaling is not modelled",
    "AWS::ApplicationAutoScaling::ScalingPolicy": "Application Auto Scaling is not modelled",
}

PARAMETERS = {
    "BucketName": BUCKET,
    "ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/mailledger:0.1.0",
    "HandlerImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/mailledger-lambda:0.1.0",
    "MailboxConfigYaml": "mailboxes: []",
    "VpcId": "vpc-12345678",
    "SubnetIds": "subnet-12345678",
    "SesIdentity": "example.com",
    "BreakGlassRoleArn": "arn:aws:iam::123456789012:role/mailledger-break-glass",
    "LogVerifierKey": "mailledger.test/stack+3c8e1a2b+AfGmDjRZhTFQ1a0KTnmDxNv7qnDxWr6Wr9D0cPeZGuW6",
}


def _client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture(scope="module")
def stack(moto_endpoint: str, template_path: Path) -> Iterator[dict[str, Any]]:
    cfn = _client("cloudformation", moto_endpoint)
    cfn.create_stack(
        StackName=STACK,
        TemplateBody=template_path.read_text(encoding="utf-8"),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in PARAMETERS.items()],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
    )
    cfn.get_waiter("stack_create_complete").wait(
        StackName=STACK, WaiterConfig={"Delay": 1, "MaxAttempts": 20}
    )
    (description,) = cfn.describe_stacks(StackName=STACK)["Stacks"]
    yield description


@pytest.fixture(scope="module")
def outputs(stack: dict[str, Any]) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def test_stack_reaches_create_complete(stack: dict[str, Any]) -> None:
    assert stack["StackStatus"] == "CREATE_COMPLETE"


def test_only_known_unsupported_resource_types_are_skipped(
    moto_endpoint: str, stack: dict[str, Any], template: dict[str, Any]
) -> None:
    summaries = _client("cloudformation", moto_endpoint).list_stack_resources(StackName=STACK)[
        "StackResourceSummaries"
    ]
    created = {s["LogicalResourceId"] for s in summaries if s["LogicalResourceId"]}
    conditional_off = {"EscalationEmailSubscription"}  # EscalationEmail left empty
    expected = set(template["Resources"]) - conditional_off
    skipped_types = {template["Resources"][name]["Type"] for name in expected - created}
    assert skipped_types <= set(MOTO_UNSUPPORTED)
    assert {"RecordsBucket", "RecordsKey", "AcknowledgmentQueue", "EscalationTopic"} <= created


def test_record_bucket_exists(moto_endpoint: str, stack: dict[str, Any]) -> None:
    buckets = {b["Name"] for b in _client("s3", moto_endpoint).list_buckets()["Buckets"]}
    assert BUCKET in buckets


@pytest.mark.parametrize(
    ("queue_output", "dlq_output"),
    [
        ("AcknowledgmentQueueUrl", "AcknowledgmentDeadLetterQueueUrl"),
        ("EscalationQueueUrl", "EscalationDeadLetterQueueUrl"),
    ],
)
def test_created_queue_redrives_to_its_dead_letter_queue(
    moto_endpoint: str, outputs: dict[str, str], queue_output: str, dlq_output: str
) -> None:
    sqs = _client("sqs", moto_endpoint)
    attributes = sqs.get_queue_attributes(
        QueueUrl=outputs[queue_output], AttributeNames=["RedrivePolicy"]
    )["Attributes"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=outputs[dlq_output], AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == dlq_arn
    assert int(redrive["maxReceiveCount"]) == 5


def test_escalation_topic_exists(
    moto_endpoint: str, stack: dict[str, Any], outputs: dict[str, str]
) -> None:
    topics = {t["TopicArn"] for t in _client("sns", moto_endpoint).list_topics()["Topics"]}
    assert outputs["EscalationTopicArn"] in topics


def test_config_parameter_names_the_created_bucket_and_queues(
    moto_endpoint: str, outputs: dict[str, str]
) -> None:
    import yaml

    value = _client("ssm", moto_endpoint).get_parameter(Name=outputs["ConfigParameterName"])[
        "Parameter"
    ]["Value"]
    config = yaml.safe_load(value)
    assert config["mailboxes"] == []
    assert config["storage"]["bucket"] == BUCKET
    queue_urls = {sink["name"]: sink["queue_url"] for sink in config["events"]["sinks"]}
    assert queue_urls == {
        "acknowledgment": outputs["AcknowledgmentQueueUrl"],
        "escalation": outputs["EscalationQueueUrl"],
    }


def test_worker_task_definition_is_registered_with_the_image(
    moto_endpoint: str, outputs: dict[str, str]
) -> None:
    definition = _client("ecs", moto_endpoint).describe_task_definition(
        taskDefinition=outputs["WorkerTaskDefinitionArn"]
    )["taskDefinition"]
    (container,) = definition["containerDefinitions"]
    assert container["image"] == PARAMETERS["ImageUri"]
    assert definition["family"] == f"{STACK}-worker"
    # moto's CFN model drops requiresCompatibilities; the template test checks the rest.


def test_a_poll_cycle_runs_against_the_bucket_and_queues_the_stack_created(
    moto_endpoint: str, outputs: dict[str, str], imap_user: Any, tmp_path: Path
) -> None:
    """The stack's own generated config, pointed at moto and a local Dovecot, records mail
    into the stack's bucket and sends events to the stack's queues."""
    import os
    import subprocess
    import sys
    from email.message import EmailMessage

    import yaml

    from pipeline.ledger.checkpoint import SigningKey
    from pipeline.ledger.keys import write_signing_key

    s3 = _client("s3", moto_endpoint)
    # moto's CloudFormation ignores ObjectLockEnabled and VersioningConfiguration; turn
    # both on by hand so the worker writes into a bucket shaped like the real one.
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    # moto delivers queue messages to mapped Lambdas by running them in Docker, which is
    # not available here; disable the mappings so the queues keep what the worker sends.
    lam = _client("lambda", moto_endpoint)
    for mapping in lam.list_event_source_mappings()["EventSourceMappings"]:
        lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    text = _client("ssm", moto_endpoint).get_parameter(Name=outputs["ConfigParameterName"])[
        "Parameter"
    ]["Value"]
    config = yaml.safe_load(text)
    config["storage"].update({"endpoint_url": moto_endpoint, "addressing_style": "path"})
    for sink in config["events"]["sinks"]:
        sink["endpoint_url"] = moto_endpoint
    config["mailboxes"] = [
        {
            "name": "servicing",
            "host": imap_user.host,
            "port": imap_user.port,
            "tls": "none",
            "allow_plaintext": True,
            "username": imap_user.user,
            "password_env": "STACK_TEST_IMAP_PASSWORD",
        }
    ]
    config["state_dir"] = str(tmp_path / "state")
    config["signing"] = {"key_file": str(tmp_path / "ledger.key"), "key_env": None}
    config["worker"] = {"parse_workers": 1}
    write_signing_key(tmp_path / "ledger.key", SigningKey.generate("mailledger.test/stack"))
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")

    message = EmailMessage()
    message["From"] = "Borrower <b@borrower.example>"
    message["Subject"] = "Notice of error on my escrow"
    message.set_content("This is a notice of error: my escrow payment was misapplied.")
    imap_user.server.append(imap_user.user, "INBOX", bytes(message))

    env = {
        **os.environ,
        "STACK_TEST_IMAP_PASSWORD": imap_user.password,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }
    cli = [sys.executable, "-m", "pipeline", "--config", str(path)]
    poll = subprocess.run([*cli, "poll"], env=env, capture_output=True, text=True, timeout=120)
    assert poll.returncode == 0, poll.stdout + poll.stderr

    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert any(k.startswith("ledger/entries/") for k in keys)
    assert any(k.startswith("objects/sha256/") for k in keys)
    sqs = _client("sqs", moto_endpoint)
    ack = sqs.receive_message(QueueUrl=outputs["AcknowledgmentQueueUrl"], WaitTimeSeconds=1)
    escalation = sqs.receive_message(QueueUrl=outputs["EscalationQueueUrl"], WaitTimeSeconds=1)
    assert json.loads(ack["Messages"][0]["Body"])["type"] == "message.received"
    assert json.loads(escalation["Messages"][0]["Body"])["type"] == "message.escalated"
    verify = subprocess.run([*cli, "verify"], env=env, capture_output=True, text=True, timeout=60)
    assert verify.returncode == 0, verify.stdout + verify.stderr
