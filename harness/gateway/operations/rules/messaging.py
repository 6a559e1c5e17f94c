"""Amazon SNS and Amazon SQS.

SQS names a queue by URL (https://sqs.<region>.amazonaws.com/<account>/<name>, or the emulator's
http://localhost:4566/<account>/<name>): its ARN is arn:aws:sqs:<region>:<account>:<name>, the
account and region taken from the URL. Batch calls are authorised as the single call
(SendMessageBatch → sqs:SendMessage).
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html
SNS names topics by ARN; CreateTopic by name, in the caller's account. PublishBatch is
authorised as sns:Publish.
https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html
Tagging on creation needs the tagging action too (sqs:TagQueue, sns:TagResource):
https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-abac-tagging-resource-control.html
https://docs.aws.amazon.com/sns/latest/dg/sns-tags-configuring.html
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from harness.gateway.operations.params import ParameterError, name
from harness.gateway.operations.rules.common import action, plus, same, when
from harness.gateway.operations.spec import Call, Rule, ServiceSpec, Source

_REGION_IN_HOST = re.compile(r"(?:^|\.)(?:sqs\.)?([a-z]{2}(?:-gov)?-[a-z]+-\d)\.")
_ACCOUNT = re.compile(r"\d{12}")


def queue_arn(url: str, call: Call) -> str:
    """The ARN of the queue a QueueUrl names."""
    parts = urlsplit(url)
    segments = [segment for segment in parts.path.split("/") if segment]
    if not parts.scheme or len(segments) < 2 or not _ACCOUNT.fullmatch(segments[-2]):
        raise ParameterError(f"QueueUrl is not a queue URL: {url!r}")
    region_match = _REGION_IN_HOST.search(parts.hostname or "")
    region = region_match.group(1) if region_match else call.env.region
    # LocalStack's path style /queue/<region>/<account>/<name> names the region in the path.
    if len(segments) >= 4 and segments[-4] == "queue":
        region = segments[-3]
    return f"arn:{call.env.partition}:sqs:{region}:{segments[-2]}:{segments[-1]}"


def _queue(call: Call) -> list[str] | None:
    url = name(call.params, "QueueUrl")
    if url is not None:
        return [queue_arn(url, call)]
    queue_name = name(call.params, "QueueName")
    if queue_name is None:
        return None
    if not queue_name or "/" in queue_name or ":" in queue_name:
        raise ParameterError(f"QueueName is not a queue name: {queue_name!r}")
    owner = name(call.params, "QueueOwnerAWSAccountId") or call.env.account
    return [f"arn:{call.env.partition}:sqs:{call.env.region}:{owner}:{queue_name}"]


def _batch(single: str) -> Rule:
    """SQS batch calls: authorised as the single call on the queue."""
    return action(single)


SQS_RULES: dict[str, Rule] = {
    "SendMessageBatch": _batch("SendMessage"),
    "DeleteMessageBatch": _batch("DeleteMessage"),
    "ChangeMessageVisibilityBatch": _batch("ChangeMessageVisibility"),
    "CreateQueue": plus(same, when("tags", action("TagQueue"))),
}

SQS = ServiceSpec(
    botocore="sqs",
    prefix="sqs",
    binders={"queue": _queue},
    variables={"QueueName": (Source("QueueUrl"), Source("QueueName"))},
    rules=SQS_RULES,
)

_TOPIC_PARAMS = ("TopicArn", "ResourceArn", "TargetArn")


def _topic(call: Call) -> list[str] | None:
    for param in _TOPIC_PARAMS:
        arn = name(call.params, param)
        if arn is None:
            continue
        parts = arn.split(":")
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sns":
            if param == "TargetArn" and arn.startswith("arn:"):
                continue  # a platform endpoint, not a topic
            raise ParameterError(f"{param} is not an SNS topic ARN: {arn!r}")
        if param == "TargetArn" and "/" in parts[5]:
            continue
        return [arn]
    subscription = name(call.params, "SubscriptionArn")
    if subscription is not None:
        # A subscription's ARN is its topic's ARN and a subscription ID.
        parts = subscription.split(":")
        if len(parts) != 7 or parts[2] != "sns":
            raise ParameterError(f"SubscriptionArn is not an SNS subscription: {subscription!r}")
        return [":".join(parts[:6])]
    topic_name = name(call.params, "Name")
    if topic_name is None:
        return None
    if not topic_name or ":" in topic_name or "/" in topic_name:
        raise ParameterError(f"Name is not a topic name: {topic_name!r}")
    return [f"arn:{call.env.partition}:sns:{call.env.region}:{call.env.account}:{topic_name}"]


SNS_RULES: dict[str, Rule] = {
    "PublishBatch": action("Publish"),
    "CreateTopic": plus(same, when("Tags", action("TagResource"))),
}

SNS = ServiceSpec(
    botocore="sns",
    prefix="sns",
    binders={"topic": _topic},
    variables={"TopicName": (Source("TopicArn"),)},
    # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsns.html#amazonsns-policy-keys
    keys={"sns:Endpoint": (Source("Endpoint"),), "sns:Protocol": (Source("Protocol"),)},
    rules=SNS_RULES,
)
