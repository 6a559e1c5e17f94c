"""AWS Lambda.

A function is named by name, ARN, partial ARN (123456789012:function:name) or name:qualifier,
and a `Qualifier` may name a version or alias; a qualified call is authorised on the qualified
ARN ("function:name:1"), which a policy on the unqualified ARN does not cover.
https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html
Invoke and InvokeWithResponseStream are authorised as lambda:InvokeFunction. Creating a
function passes its execution role (iam:PassRole) and tagging on creation needs
lambda:TagResource:
https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
https://docs.aws.amazon.com/lambda/latest/dg/configuration-tags.html#fxn-tags-required-permissions
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from harness.gateway.operations.params import ParameterError, name
from harness.gateway.operations.rules.common import (
    action,
    pass_role,
    plus,
    same,
    when,
    with_keys,
)
from harness.gateway.operations.spec import Call, Environment, Rule, ServiceSpec, Source, TypeBinder

_ARN = re.compile(
    r"arn:(?P<partition>[^:]+):lambda:(?P<region>[^:]+):(?P<account>\d{12}):"
    r"function:(?P<name>[^:]+)(?::(?P<qualifier>[^:]+))?"
)
_PARTIAL = re.compile(r"(?P<account>\d{12}):function:(?P<name>[^:]+)(?::(?P<qualifier>[^:]+))?")
_NAME = re.compile(r"(?P<name>[A-Za-z0-9_-]+)(?::(?P<qualifier>[A-Za-z0-9_$-]+))?")
_VERSION = re.compile(r"\d+|\$LATEST")


def function_arn(value: str, env: Environment, qualifier: str | None = None) -> str:
    """The ARN a FunctionName names, qualified when it or `qualifier` names a version/alias."""
    found = _ARN.fullmatch(value)
    if found:
        partition, region, account = found["partition"], found["region"], found["account"]
    else:
        found = _PARTIAL.fullmatch(value) or _NAME.fullmatch(value)
        if not found:
            raise ParameterError(f"FunctionName is not a function name or ARN: {value!r}")
        partition, region = env.partition, env.region
        account = found.groupdict().get("account") or env.account
    arn = f"arn:{partition}:lambda:{region}:{account}:function:{found['name']}"
    qualifier = qualifier or found["qualifier"]
    return f"{arn}:{qualifier}" if qualifier else arn


def _function_name(call: Call) -> str | None:
    value = name(call.params, "FunctionName")
    if value is None:
        resource = name(call.params, "Resource") or name(call.params, "ResourceArn")
        if resource is not None and ":function:" in resource:
            value = resource
    return value


def _function(call: Call) -> list[str] | None:
    value = _function_name(call)
    if value is None:
        return None
    return [function_arn(value, call.env, name(call.params, "Qualifier"))]


def _qualified(version: bool) -> TypeBinder:
    """Binder of the 'function version' (version=True) or 'function alias' type: the qualified
    ARN when the call's qualifier is of that kind."""

    def binder(call: Call) -> list[str] | None:
        value = _function_name(call)
        if value is None:
            return None
        arn = function_arn(value, call.env, name(call.params, "Qualifier"))
        qualifier = arn.split(":")[7] if arn.count(":") == 7 else None
        if qualifier is None or bool(_VERSION.fullmatch(qualifier)) != version:
            return None
        return [arn]

    return binder


def _function_arn_key(call: Call) -> list[tuple[str, tuple[str, ...]]]:
    value = name(call.params, "FunctionName")
    return [("lambda:FunctionArn", (function_arn(value, call.env),))] if value else []


def _layer_name(value: str) -> str:
    return value.rsplit(":", 1)[-1] if value.startswith("arn:") else value


def _vpc_keys(params: Mapping[str, Any], env: Environment) -> list[tuple[str, tuple[str, ...]]]:
    keys = []
    for key, member in (
        ("lambda:SubnetIds", "SubnetIds"),
        ("lambda:SecurityGroupIds", "SecurityGroupIds"),
    ):
        config = params.get("VpcConfig")
        if isinstance(config, Mapping) and isinstance(config.get(member), list):
            keys.append((key, tuple(str(item) for item in config[member])))
    return keys


RULES: dict[str, Rule] = {
    "Invoke": action("InvokeFunction"),
    "InvokeWithResponseStream": action("InvokeFunction"),
    "GetLayerVersionByArn": action("GetLayerVersion"),
    "CreateFunction": plus(
        same,
        pass_role("Role", "lambda.amazonaws.com"),
        when("Tags", action("TagResource")),
    ),
    "UpdateFunctionConfiguration": plus(same, pass_role("Role", "lambda.amazonaws.com")),
    "CreateEventSourceMapping": plus(
        with_keys(None, _function_arn_key), when("Tags", action("TagResource"))
    ),
    "UpdateEventSourceMapping": with_keys(None, _function_arn_key),
}

UNSUPPORTED: dict[str, str] = {
    # Durable executions are newer than the Service Authorization Reference the harness reads.
    "DeleteDurableExecution": "not in the Service Authorization Reference",
    "PauseDurableExecution": "not in the Service Authorization Reference",
    "ResumeDurableExecution": "not in the Service Authorization Reference",
}

SPEC = ServiceSpec(
    botocore="lambda",
    prefix="lambda",
    binders={
        "function": _function,
        "function version": _qualified(version=True),
        "function alias": _qualified(version=False),
        # Web functions share FunctionName with functions; the harness has none to name.
        "webFunction": lambda call: None,
    },
    variables={
        "FunctionName": (Source("FunctionName"),),
        "LayerName": (Source("LayerName", convert=_layer_name),),
        "LayerVersion": (Source("VersionNumber"),),
    },
    # https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html#awslambda-policy-keys
    keys={
        "lambda:Principal": (Source("Principal"),),
        "lambda:FunctionUrlAuthType": (Source("AuthType"), Source("FunctionUrlAuthType")),
        "lambda:Layer": (Source("Layers"),),
        "lambda:CodeSigningConfigArn": (Source("CodeSigningConfigArn"),),
    },
    key_functions=(_vpc_keys,),
    rules=RULES,
    unsupported=UNSUPPORTED,
)
