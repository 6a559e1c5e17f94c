"""AWS CloudFormation, Amazon CloudWatch Logs and AWS Support.

CloudFormation names a stack by its name or by its stack ID, which is the stack's ARN
(arn:…:stack/<name>/<id>): a stack named by name is authorised on stack/<name>/*, the ID being
the service's to choose (unknown at CreateStack), as AWS's own examples write it. A call that
gives CloudFormation a service role (RoleARN; a stack set's AdministrationRoleARN) passes it:
iam:PassRole with iam:PassedToService cloudformation.amazonaws.com.
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/control-access-with-iam.html
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html
https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html

CloudWatch Logs has two ARNs for a log group: arn:…:log-group:<name> and arn:…:log-group:<name>:*
(what DescribeLogGroups returns). Every action but TagResource, UntagResource and
ListTagsForResource is authorised on the second, so a policy on log-group:<name>:* covers the
group and its streams (log-group:<name>:log-stream:<stream>), one on log-group:<name> only
the tagging calls. A log group is named by logGroupName, or by logGroupIdentifier (its name
or ARN, which keeps its own account: cross-account observability).
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/iam-access-control-overview-cwl.html
https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
A subscription filter or a destination passes its role to CloudWatch Logs:
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CreateSubscriptionFilter.html

AWS Support's actions have no resource type: they are authorised on "*".
https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssupport.html
"""

from __future__ import annotations

import re

from harness.gateway.operations.params import ParameterError, name, texts_at
from harness.gateway.operations.rules.common import pass_role, plus, same
from harness.gateway.operations.spec import Call, Environment, Rule, ServiceSpec, Source

_NOT_IN_REFERENCE = "not in the Service Authorization Reference"

# --------------------------------------------------------------------------- CloudFormation

_STACK_ARN = re.compile(r"arn:[^:]+:cloudformation:[^:]+:\d{12}:stack/[^/]+/.+")
_STACK_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
CLOUDFORMATION_SERVICE = "cloudformation.amazonaws.com"


def stack_arn(value: str, env: Environment) -> str:
    """The ARN a StackName names: a stack's name, or its stack ID (its ARN)."""
    if value.startswith("arn:"):
        if not _STACK_ARN.fullmatch(value):
            raise ParameterError(f"StackName is not a stack ID: {value!r}")
        return value
    if not _STACK_NAME.fullmatch(value):
        raise ParameterError(f"StackName is not a stack name: {value!r}")
    return f"arn:{env.partition}:cloudformation:{env.region}:{env.account}:stack/{value}/*"


def _stack(call: Call) -> list[str] | None:
    value = name(call.params, "StackName")
    return [stack_arn(value, call.env)] if value is not None else None


def _change_set_name(value: str) -> str:
    """cloudformation:ChangeSetName is the name, also when the call gives the change set's ARN
    (arn:…:changeSet/<name>/<id>)."""
    if value.startswith("arn:") and ":changeSet/" in value:
        return value.split(":changeSet/", 1)[1].split("/", 1)[0]
    return value


_WITH_SERVICE_ROLE = plus(same, pass_role("RoleARN", CLOUDFORMATION_SERVICE))

CLOUDFORMATION_RULES: dict[str, Rule] = {
    operation: _WITH_SERVICE_ROLE
    for operation in (
        "CreateStack",
        "UpdateStack",
        "CreateChangeSet",
        "DeleteStack",
        "ContinueUpdateRollback",
        "RollbackStack",
    )
}
CLOUDFORMATION_RULES.update(
    {
        operation: plus(same, pass_role("AdministrationRoleARN", CLOUDFORMATION_SERVICE))
        for operation in ("CreateStackSet", "UpdateStackSet")
    }
)

CLOUDFORMATION = ServiceSpec(
    botocore="cloudformation",
    prefix="cloudformation",
    binders={"stack": _stack},
    variables={"ChangeSetName": (Source("ChangeSetName", convert=_change_set_name),)},
    # https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html#awscloudformation-policy-keys
    keys={
        "cloudformation:TemplateUrl": (Source("TemplateURL"),),
        "cloudformation:RoleArn": (Source("RoleARN"), Source("AdministrationRoleARN")),
        "cloudformation:StackPolicyUrl": (Source("StackPolicyURL"),),
        "cloudformation:ResourceTypes": (Source("ResourceTypes"),),
        "cloudformation:ChangeSetName": (Source("ChangeSetName", convert=_change_set_name),),
        "cloudformation:ImportResourceTypes": (Source("ResourcesToImport[].ResourceType"),),
        "cloudformation:TargetRegion": (Source("Regions"),),
    },
    rules=CLOUDFORMATION_RULES,
    unsupported={"RemoveAlias": _NOT_IN_REFERENCE, "SetAlias": _NOT_IN_REFERENCE},
)

# --------------------------------------------------------------------------- CloudWatch Logs

_GROUP_NAME = re.compile(r"[.\-_/#A-Za-z0-9]+")
_GROUP_ARN = re.compile(
    r"(?P<base>arn:[^:]+:logs:[^:]+:\d{12}:log-group:(?P<name>[.\-_/#A-Za-z0-9]+))(?::\*)?"
)
_TAGGING = frozenset({"TagResource", "UntagResource", "ListTagsForResource"})
# Members naming log groups, by name or (the identifiers) by name or ARN.
_GROUP_MEMBERS = (
    "logGroupName",
    "logGroupIdentifier",
    "logGroupNames",
    "logGroupIdentifiers",
    "logGroupArnList",
)
LOGS_SERVICE = "logs.amazonaws.com"


def log_group_arn(value: str, env: Environment) -> str:
    """The ARN (without the trailing ':*') of a log group named by name or ARN."""
    if value.startswith("arn:"):
        found = _GROUP_ARN.fullmatch(value)
        if found is None:
            raise ParameterError(f"not a log group ARN: {value!r}")
        return found["base"]
    if not _GROUP_NAME.fullmatch(value):
        raise ParameterError(f"not a log group name: {value!r}")
    return f"arn:{env.partition}:logs:{env.region}:{env.account}:log-group:{value}"


def _groups(call: Call) -> list[str]:
    found: list[str] = []
    for member in _GROUP_MEMBERS:
        found.extend(log_group_arn(value, call.env) for value in texts_at(call.params, member))
    return list(dict.fromkeys(found))


def _log_group(call: Call) -> list[str] | None:
    """log-group:<name>:* — but the tagging calls' resourceArn as given (no ':*')."""
    if call.operation in _TAGGING:
        arn = name(call.params, "resourceArn")
        if arn is None or ":log-group:" not in arn:
            return [] if arn is not None else None  # another type's ARN: not a log group
        return [log_group_arn(arn, call.env)]
    groups = _groups(call)
    return [f"{group}:*" for group in groups] if groups else None


def _log_stream(call: Call) -> list[str] | None:
    groups = _groups(call)
    streams = texts_at(call.params, "logStreamName")
    if not groups or not streams:
        return None
    return [f"{group}:log-stream:{stream}" for group in groups for stream in streams]


LOGS_RULES: dict[str, Rule] = {
    "PutSubscriptionFilter": plus(same, pass_role("roleArn", LOGS_SERVICE)),
    "PutDestination": plus(same, pass_role("roleArn", LOGS_SERVICE)),
}

LOGS = ServiceSpec(
    botocore="logs",
    prefix="logs",
    binders={"log-group": _log_group, "log-stream": _log_stream},
    rules=LOGS_RULES,
    unsupported={"GetLogObject": _NOT_IN_REFERENCE},
)

# --------------------------------------------------------------------------- AWS Support

SUPPORT = ServiceSpec(
    botocore="support",
    prefix="support",
    unsupported={
        operation: _NOT_IN_REFERENCE
        for operation in (
            "CompleteAttachmentUpload",
            "DescribeAttachmentUploadStatus",
            "GetAttachmentDownloadLink",
            "GetAttachmentUploadLinks",
        )
    },
)
