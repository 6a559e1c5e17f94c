"""Steps of the workloads' own work: the pipeline deploying (CloudFormation stacks, ECS task
definitions and services, a Lambda function's execution role), the orders function's queue and
logs, the vendor's support staff reading support cases and logs.

Given steps that set the world up act on the backend as the world's author, where nothing is
decided; When steps make their calls as the current actor, through the enforcing gateway."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from steps.actions import act_as_assumed, role_arn_of
from steps.calls import call
from steps.catalog import given, when
from steps.world import World

LOG_LINE = "order o-1001 processed"

# A stack whose one resource CloudFormation creates without calling another service (moto
# ignores it; in AWS it needs no permission of its own), so the scenario's decision is the
# CreateStack's alone.
STACK_TEMPLATE = json.dumps({
    "AWSTemplateFormatVersion": "2010-09-09",
    "Description": "SecureCart release marker",
    "Resources": {"ReleaseMarker": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
})


def _now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)


def _order_event() -> str:
    return json.dumps({"order_id": "o-1001", "at": datetime.now(UTC).isoformat()})


def _queue_url(world: World, queue: str, account: str) -> str:
    queues = world.stack.landscape.account(account).resources.queues
    found = next((q for q in queues if q.name == queue), None)
    assert found is not None, f"no queue {queue!r} in the {account} account"
    return f"https://sqs.{found.region}.amazonaws.com/{world.account_id(account)}/{queue}"


def _ignore_existing(error: ClientError) -> None:
    if error.response.get("Error", {}).get("Code") != "ResourceAlreadyExistsException":
        raise error


# --------------------------------------------------------------------------- who acts


@given('{actor} has assumed the "{role}" role in the "{account}" account with the external id '
       '"{external_id}"',
       example='Given it has assumed the "VendorSupportRole" role in the "prod" account with the '
               'external id "securecart-vendor-support-7f3a9c"')
def assumed_with_external_id(world: World, actor: str, role: str, account: str,
                             external_id: str) -> None:
    """The actor calls STS AssumeRole with the ExternalId, which must succeed; the new session
    acts from now on."""
    act_as_assumed(world, f"{world.current().label} as {role}", role, account,
                   external_id=external_id)


# --------------------------------------------------------------------------- the world


@given('the "{group}" log group exists in the "{account}" account',
       example='Given the "/aws/lambda/orders-processor" log group exists in the "prod" account')
def log_group_exists(world: World, group: str, account: str) -> None:
    """CloudWatch Logs CreateLogGroup on the backend (a log group that exists already is
    kept)."""
    try:
        world.stack.backend(account, "logs").create_log_group(logGroupName=group)
    except ClientError as error:
        _ignore_existing(error)


@given('the "{group}" log group in the "{account}" account holds the log stream "{stream}"',
       example='Given the "/aws/lambda/orders-processor" log group in the "prod" account holds '
               'the log stream "2026/11/01/[$LATEST]0001"')
def log_stream_holds(world: World, group: str, account: str, stream: str) -> None:
    """On the backend: the log group (unless it exists), the stream, and one line in it."""
    log_group_exists(world, group, account)
    logs = world.stack.backend(account, "logs")
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": _now_ms(), "message": LOG_LINE}])


@given('an order event waits in the "{queue}" queue of the "{account}" account',
       example='Given an order event waits in the "order-queue" queue of the "prod" account')
def order_event_waits(world: World, queue: str, account: str) -> None:
    """SQS SendMessage on the backend: one order event in the queue."""
    world.stack.backend(account, "sqs").send_message(
        QueueUrl=_queue_url(world, queue, account), MessageBody=_order_event())


@given('the "{service}" ECS service runs on the "{cluster}" cluster in the "{account}" account',
       example='Given the "orders-api" ECS service runs on the "securecart" cluster in the '
               '"prod" account')
def ecs_service_runs(world: World, service: str, cluster: str, account: str) -> None:
    """On the backend: the cluster, a first revision of the task definition family named like
    the service (its task role the landscape's role of that name, if there is one), and the
    service running it."""
    ecs = world.stack.backend(account, "ecs")
    ecs.create_cluster(clusterName=cluster)
    definition: dict[str, Any] = {"family": service,
                                  "containerDefinitions": [_container(service, "1")]}
    if any(role.name == service for role in world.stack.landscape.account(account).roles):
        definition["taskRoleArn"] = role_arn_of(world, service, account)
    ecs.register_task_definition(**definition)
    ecs.create_service(cluster=cluster, serviceName=service, taskDefinition=service,
                       desiredCount=1)


def _container(family: str, version: str) -> dict[str, Any]:
    return {"name": family, "image": f"public.ecr.aws/securecart/{family}:{version}",
            "memory": 512, "essential": True}


# --------------------------------------------------------------------------- deploying


@when('{actor} deploys the "{stack}" stack',
      example='When it deploys the "securecart-orders" stack')
def deploys_stack(world: World, actor: str, stack: str) -> None:
    """CloudFormation CreateStack in the actor's account, with a template whose one resource
    (a wait condition handle) needs no permission of its own."""
    call(world, "cloudformation", "CreateStack",
         {"StackName": stack, "TemplateBody": STACK_TEMPLATE})


@when('{actor} deploys the "{stack}" stack with CloudFormation acting as the "{role}" role',
      example='When it deploys the "securecart-orders" stack with CloudFormation acting as the '
              '"orders-processor" role')
def deploys_stack_as(world: World, actor: str, stack: str, role: str) -> None:
    """CloudFormation CreateStack with a service role (RoleARN: the role of that name in the
    actor's account), which passes the role to CloudFormation (iam:PassRole)."""
    role_arn = role_arn_of(world, role, world.current().account)
    call(world, "cloudformation", "CreateStack",
         {"StackName": stack, "TemplateBody": STACK_TEMPLATE, "RoleARN": role_arn})


@when('{actor} registers a new revision of the "{family}" task definition running as the '
      '"{role}" role',
      example='When it registers a new revision of the "orders-api" task definition running as '
              'the "orders-api" role')
def registers_task_definition(world: World, actor: str, family: str, role: str) -> None:
    """ECS RegisterTaskDefinition in the actor's account, its task role the role of that name
    there, which passes the role to ECS tasks (iam:PassRole)."""
    call(world, "ecs", "RegisterTaskDefinition", {
        "family": family, "taskRoleArn": role_arn_of(world, role, world.current().account),
        "containerDefinitions": [_container(family, "2")],
    })


@when('{actor} rolls the "{service}" service on the "{cluster}" cluster out to the latest '
      '"{family}" revision',
      example='When it rolls the "orders-api" service on the "securecart" cluster out to the '
              'latest "orders-api" revision')
def rolls_out(world: World, actor: str, service: str, cluster: str, family: str) -> None:
    """ECS UpdateService: the service runs the family's latest revision."""
    call(world, "ecs", "UpdateService",
         {"cluster": cluster, "service": service, "taskDefinition": family})


@when('{actor} sets the "{function}" function to run as the "{role}" role',
      example='When it sets the "orders-processor" function to run as the "orders-processor" '
              'role')
def sets_function_role(world: World, actor: str, function: str, role: str) -> None:
    """Lambda UpdateFunctionConfiguration with the execution role of that name in the actor's
    account, which passes the role to Lambda (iam:PassRole)."""
    call(world, "lambda", "UpdateFunctionConfiguration",
         {"FunctionName": function, "Role": role_arn_of(world, role, world.current().account)})


# --------------------------------------------------------------------------- logs


@when('{actor} writes a line to the "{stream}" stream of the "{group}" log group',
      example='When it writes a line to the "2026/11/01/[$LATEST]0001" stream of the '
              '"/aws/lambda/orders-processor" log group')
def writes_log_line(world: World, actor: str, stream: str, group: str) -> None:
    """What a function's or a build's logging does, in the actor's account: CloudWatch Logs
    CreateLogStream, then, if that was allowed, PutLogEvents with one line. The request the
    Then step reads is the last one made."""
    created = call(world, "logs", "CreateLogStream",
                   {"logGroupName": group, "logStreamName": stream})
    if created.succeeded:
        call(world, "logs", "PutLogEvents", {
            "logGroupName": group, "logStreamName": stream,
            "logEvents": [{"timestamp": _now_ms(), "message": LOG_LINE}],
        })


@when('{actor} reads the "{stream}" stream of the "{group}" log group',
      example='When it reads the "2026/11/01/[$LATEST]0001" stream of the '
              '"/aws/lambda/orders-processor" log group')
def reads_log_stream(world: World, actor: str, stream: str, group: str) -> None:
    """CloudWatch Logs GetLogEvents, in the actor's account."""
    call(world, "logs", "GetLogEvents", {"logGroupName": group, "logStreamName": stream})


@when('{actor} searches the "{group}" log group for "{text}"',
      example='When it searches the "/ecs/orders-api" log group for "o-1001"')
def searches_log_group(world: World, actor: str, group: str, text: str) -> None:
    """CloudWatch Logs FilterLogEvents (the text as a quoted term), in the actor's account."""
    call(world, "logs", "FilterLogEvents",
         {"logGroupName": group, "filterPattern": json.dumps(text)})


# --------------------------------------------------------------------------- queues


@when('{actor} takes the next order event from the "{queue}" queue of the "{account}" account',
      example='When it takes the next order event from the "order-queue" queue of the "prod" '
              "account")
def takes_order_event(world: World, actor: str, queue: str, account: str) -> None:
    """SQS ReceiveMessage (one message, no wait) and, if that was allowed, DeleteMessage of the
    message received: the event is processed. The request the Then step reads is the last one
    made."""
    url = _queue_url(world, queue, account)
    received = call(world, "sqs", "ReceiveMessage",
                    {"QueueUrl": url, "MaxNumberOfMessages": 1, "WaitTimeSeconds": 0})
    if not received.succeeded:
        return
    messages = (received.response or {}).get("Messages", [])
    assert messages, f"the {queue} queue held no message:\n{received.describe()}"
    call(world, "sqs", "DeleteMessage",
         {"QueueUrl": url, "ReceiptHandle": messages[0]["ReceiptHandle"]})


@when('{actor} sends an order event to the "{queue}" queue of the "{account}" account',
      example='When it sends an order event to the "order-queue" queue of the "prod" account')
def sends_order_event(world: World, actor: str, queue: str, account: str) -> None:
    """SQS SendMessage of one order event."""
    call(world, "sqs", "SendMessage",
         {"QueueUrl": _queue_url(world, queue, account), "MessageBody": _order_event()})


# --------------------------------------------------------------------------- support


@when("{actor} reads the account's support cases",
      example="When it reads the account's support cases")
def reads_support_cases(world: World, actor: str) -> None:
    """AWS Support DescribeCases (resolved ones included), in the actor's account."""
    call(world, "support", "DescribeCases", {"includeResolvedCases": True})
