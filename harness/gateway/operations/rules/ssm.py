"""AWS Systems Manager Parameter Store.

A parameter is named with or without a leading slash ("/securecart/dev/db" or "db"); its ARN
drops the slash: arn:…:parameter/securecart/dev/db. GetParametersByPath is authorised on the
path as a parameter ARN; GetParameters and DeleteParameters on each name they list. A name
may also be a full ARN (a parameter shared from another account), which keeps its own account.
https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-access.html
https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html

Only Parameter Store is mapped: the rest of Systems Manager (documents, Run Command, sessions,
patching, …) names its resources in ways of its own, and fails closed until it is mapped.
"""

from __future__ import annotations

from harness.clients import botocore_session
from harness.gateway.operations.params import texts_at
from harness.gateway.operations.spec import Call, ServiceSpec, Source

PARAMETER_STORE = frozenset({
    "DeleteParameter", "DeleteParameters", "DescribeParameters", "GetParameter",
    "GetParameterHistory", "GetParameters", "GetParametersByPath", "LabelParameterVersion",
    "PutParameter", "UnlabelParameterVersion",
})


def _parameters(call: Call) -> list[str] | None:
    """The parameters a call names (Name, Names or Path), as ARNs; a name that is already an
    ARN is kept whole."""
    env = call.env
    prefix = f"arn:{env.partition}:ssm:{env.region}:{env.account}:parameter/"
    names = texts_at(call.params, "Name") + texts_at(call.params, "Names") + texts_at(
        call.params, "Path")
    if not names:
        return None
    return [
        name if name.startswith("arn:")
        else prefix + name.removeprefix("/")
        for name in names
    ]


SSM = ServiceSpec(
    botocore="ssm",
    prefix="ssm",
    binders={"parameter": _parameters},
    unsupported={
        operation: "outside Parameter Store, Systems Manager is not mapped yet"
        for operation in botocore_session().get_service_model("ssm").operation_names
        if operation not in PARAMETER_STORE
    },
    keys={
        "ssm:Overwrite": (Source("Overwrite"),),
        "ssm:Recursive": (Source("Recursive"),),
        "ssm:Policies": (Source("Policies"),),
    },
)
