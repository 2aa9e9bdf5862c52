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
    "AWS::SecretsManager::Secret": "no CFN model for secrets",
    "AWS::Scheduler::Schedule": "EventBridge Scheduler is not modelled in CFN",
    "AWS::CloudWatch::Alarm": "only dashboards are modelled",
    "AWS::SNS::Subscription": "subscriptions are not modelled",
}

PARAMETERS = {
    "BucketName": BUCKET,
    "ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/mailledger:0.1.0",
    "HandlerImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/mailledger-lambda:0.1.0",
    "MailboxConfigYaml": "mailboxes: []",
    "VpcId": "vpc-12345678",
    "SubnetIds": "subnet-12345678",
    "SesIdentity": "example.com",
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
