"""Amazon EC2 (with EBS) and Amazon ECS.

EC2 authorises a call on every resource it touches, each a separate request on the same action:
RunInstances on the image, the instance, its network interface, security groups and subnet.
Resources the call creates or the service picks (the new instance, the default subnet) have no
ID yet: their ARN ends in '*', as in AWS's examples.
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ExamplePolicies_EC2.html#iam-example-runinstances
Tagging on creation (TagSpecifications) needs ec2:CreateTags on the created resource, with
ec2:CreateAction naming the call:
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html
An instance profile passes its role (iam:PassRole). The role is inside the profile, which is
backend state: the request's resource is the profile's ARN, which no role policy matches — the
gateway substitutes the profile's role, or the pass is denied (fail closed).
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html

ECS names clusters, services and tasks by name or ARN (the `default` cluster when omitted),
task definitions as family[:revision]; task and execution roles are passed to
ecs-tasks.amazonaws.com; tagging on creation needs ecs:TagResource with ecs:CreateAction:
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harness.gateway.operations import default_rule
from harness.gateway.operations.params import ParameterError, name, values_at
from harness.gateway.operations.results import AuthorizationRequest
from harness.gateway.operations.rules.common import pass_role, plus, same, when
from harness.gateway.operations.spec import Call, Environment, Rule, ServiceSpec, Source
from harness.gateway.operations.tags import request_tags


def _create_tags(call: Call) -> list[AuthorizationRequest]:
    """ec2:CreateTags on each resource type the call tags on creation."""
    if call.operation == "CreateTags":
        return []
    made = []
    for spec in values_at(call.params, "TagSpecifications[]"):
        if not isinstance(spec, Mapping) or not isinstance(spec.get("ResourceType"), str):
            raise ParameterError("TagSpecifications: an entry has no ResourceType")
        kind = spec["ResourceType"]
        tags = request_tags({"TagSpecifications": [spec]}, kind)
        keys: list[tuple[str, tuple[str, ...]]] = [("ec2:CreateAction", (call.operation,))]
        keys += [(f"aws:RequestTag/{key}", (value,)) for key, value in tags]
        keys.append(("aws:TagKeys", tuple(dict.fromkeys(key for key, _ in tags))))
        env = call.env
        arn = f"arn:{env.partition}:ec2:{env.region}:{env.account}:{kind}/*"
        made.append(default_rule.on(call, "CreateTags", arn, keys=keys, resource_type=kind))
    return made


def _instance_profile(call: Call) -> list[AuthorizationRequest]:
    profile = call.params.get("IamInstanceProfile")
    if profile is None:
        return []
    if not isinstance(profile, Mapping):
        raise ParameterError("IamInstanceProfile is not a structure")
    arn = profile.get("Arn")
    if not arn:
        profile_name = profile.get("Name")
        if not isinstance(profile_name, str) or not profile_name:
            raise ParameterError("IamInstanceProfile names no profile")
        env = call.env
        arn = f"arn:{env.partition}:iam::{env.account}:instance-profile/{profile_name}"
    if not isinstance(arn, str) or ":instance-profile/" not in arn:
        raise ParameterError(f"IamInstanceProfile.Arn is not an instance profile: {arn!r}")
    keys = [("iam:PassedToService", ("ec2.amazonaws.com",))]
    return [default_rule.on(call, "PassRole", arn, service="iam", keys=keys)]


EC2_RULES: dict[str, Rule] = {
    "RunInstances": plus(same, _instance_profile),
    "AssociateIamInstanceProfile": plus(same, _instance_profile),
    "ReplaceIamInstanceProfileAssociation": plus(same, _instance_profile),
}

EC2_UNSUPPORTED: dict[str, str] = {
    name: "not in the Service Authorization Reference"
    for name in (
        "AssociateKmsKeyId",
        "AssociateNetworkingFlexCostAllocationPolicy",
        "CreateCapacityReservationDateChangeQuote",
        "CreateMetricCategory",
        "CreateNetworkingFlexCostAllocationPolicy",
        "CreateTransitGatewayNetworkFunctionAttachment",
        "DeleteClientVpnEndpointAuthorizationPolicy",
        "DeleteMetricCategory",
        "DeleteNetworkingFlexCostAllocationPolicies",
        "DeleteTransitGatewayNetworkFunctionAttachment",
        "DescribeCapacityReservationDateChangeQuotes",
        "DescribeMetricCategories",
        "DescribeNetworkingFlexCostAllocationPolicies",
        "DescribeNetworkingFlexCostAllocationPolicyAssociations",
        "DescribeTransitGatewayNetworkFunctionAttachments",
        "DisassociateKmsKeyId",
        "DisassociateNetworkingFlexCostAllocationPolicy",
        "GetCapacityManagerSupportabilityScores",
        "GetClientVpnEndpointAuthorizationPolicy",
        "GetImageFindings",
        "GetNetworkingFlexCostAllocationPolicyVersions",
        "GetTransitGatewayAttachmentNatConfiguration",
        "ModifyClientVpnEndpointAuthorizationPolicy",
        "ModifyMetricCategory",
        "ModifyNetworkingFlexCostAllocationPolicy",
        "ModifyTransitGatewayAttachmentNatConfiguration",
        "ModifyTransitGatewayNetworkFunctionAttachment",
        "ModifyTransitGatewayPeeringAttachment",
    )
}


def _ec2_region(params: Mapping[str, Any], env: Environment) -> list[tuple[str, tuple[str, ...]]]:
    return [("ec2:Region", (env.region,))]


EC2 = ServiceSpec(
    botocore="ec2",
    prefix="ec2",
    # Template variable → the members that name it, where the member is not the variable's
    # own name (or its plural).
    variables={
        "SecurityGroupId": (
            Source("GroupId"),
            Source("GroupIds"),
            Source("SecurityGroupIds"),
            Source("SecurityGroupId"),
        ),
        "NaclId": (Source("NetworkAclId"),),
        "KeyPairName": (Source("KeyName"),),
        "LocalGatewayRoutetableId": (Source("LocalGatewayRouteTableId"),),
        "PlacementGroupName": (Source("GroupName"),),
        "RoleNameWithPath": (Source("RoleName"),),
        "VpcEndpointServiceId": (Source("ServiceId"),),
        "DedicatedHostId": (Source("HostId"), Source("HostIds")),
        "ReservationId": (Source("ReservedInstancesId"), Source("ReservedInstancesIds")),
        "CertificateId": (Source("CertificateArn", convert=lambda arn: arn.rsplit("/", 1)[-1]),),
    },
    # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html#amazonec2-policy-keys
    keys={
        "ec2:Encrypted": (Source("Encrypted"),),
        "ec2:VolumeType": (Source("VolumeType"),),
        "ec2:VolumeSize": (Source("Size"),),
        "ec2:VolumeIops": (Source("Iops"),),
        "ec2:VolumeThroughput": (Source("Throughput"),),
        "ec2:KmsKeyId": (Source("KmsKeyId"),),
        "ec2:AvailabilityZone": (
            Source("AvailabilityZone"),
            Source("Placement.AvailabilityZone"),
        ),
        "ec2:InstanceType": (Source("InstanceType"),),
        "ec2:Tenancy": (Source("Placement.Tenancy"),),
        "ec2:EbsOptimized": (Source("EbsOptimized"),),
        "ec2:InstanceProfile": (Source("IamInstanceProfile.Arn"),),
        "ec2:KeyPairName": (Source("KeyName"),),
        "ec2:ImageID": (Source("ImageId"),),
    },
    key_functions=(_ec2_region,),
    rules=EC2_RULES,
    unsupported=EC2_UNSUPPORTED,
    always=(_create_tags,),
)


def _last(value: str) -> str:
    """A name given as an ARN ("arn:aws:ecs:…:cluster/prod") → its name."""
    return value.rsplit("/", 1)[-1] if value.startswith("arn:") else value


def _family(value: str) -> str:
    return _last(value).split(":", 1)[0]


def _cluster(call: Call) -> list[str] | None:
    value = name(call.params, "cluster") or name(call.params, "clusterName")
    if value is None:
        return None
    if value.startswith("arn:"):
        return [value]
    env = call.env
    return [f"arn:{env.partition}:ecs:{env.region}:{env.account}:cluster/{value}"]


def _task_definition(call: Call) -> list[str] | None:
    value = name(call.params, "taskDefinition")
    if value is None:
        family = name(call.params, "family")
        if family is None:
            return None
        value = f"{family}:*"  # RegisterTaskDefinition: the next revision
    if value.startswith("arn:"):
        return [value]
    revision = value.split(":", 1)[1] if ":" in value else "*"
    env = call.env
    family = value.split(":", 1)[0]
    prefix = f"arn:{env.partition}:ecs:{env.region}:{env.account}"
    return [f"{prefix}:task-definition/{family}:{revision}"]


def _ecs_tag_on_create(call: Call) -> list[AuthorizationRequest]:
    keys = [("ecs:CreateAction", (call.operation,))]
    return default_rule.requests(call, "TagResource", keys=keys)


_TASK_ROLES = plus(
    pass_role("taskRoleArn", "ecs-tasks.amazonaws.com"),
    pass_role("executionRoleArn", "ecs-tasks.amazonaws.com"),
)
_OVERRIDE_ROLES = plus(
    pass_role("overrides.taskRoleArn", "ecs-tasks.amazonaws.com"),
    pass_role("overrides.executionRoleArn", "ecs-tasks.amazonaws.com"),
)


def _tagged(rule: Rule) -> Rule:
    return plus(rule, when("tags", _ecs_tag_on_create))


ECS_RULES: dict[str, Rule] = {
    "RegisterTaskDefinition": _tagged(plus(same, _TASK_ROLES)),
    "CreateService": _tagged(plus(same, pass_role("role", "ecs.amazonaws.com"))),
    "RunTask": _tagged(plus(same, _OVERRIDE_ROLES)),
    "StartTask": _tagged(plus(same, _OVERRIDE_ROLES)),
    "CreateCluster": _tagged(same),
    "CreateCapacityProvider": _tagged(same),
    "CreateTaskSet": _tagged(same),
    "RegisterContainerInstance": _tagged(same),
}


def _ecs_cluster_key(
    params: Mapping[str, Any], env: Environment
) -> list[tuple[str, tuple[str, ...]]]:
    value = params.get("cluster")
    if not isinstance(value, str) or not value:
        return []
    arn = (
        value
        if value.startswith("arn:")
        else (f"arn:{env.partition}:ecs:{env.region}:{env.account}:cluster/{value}")
    )
    return [("ecs:cluster", (arn,))]


ECS = ServiceSpec(
    botocore="ecs",
    prefix="ecs",
    binders={"cluster": _cluster, "task-definition": _task_definition},
    variables={
        "ClusterName": (Source("cluster", convert=_last), Source("clusterName")),
        "ServiceName": (
            Source("service", convert=_last),
            Source("serviceName"),
            Source("services", convert=_last),
        ),
        "TaskId": (Source("task", convert=_last), Source("tasks", convert=_last)),
        "ContainerInstanceId": (
            Source("containerInstance", convert=_last),
            Source("containerInstances", convert=_last),
        ),
        "CapacityProviderName": (Source("capacityProvider", convert=_last), Source("name")),
        "TaskSetId": (Source("taskSet", convert=_last),),
        "TaskDefinitionFamilyName": (Source("taskDefinition", convert=_family),),
    },
    # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html#amazonelasticcontainerservice-policy-keys
    keys={
        "ecs:enable-execute-command": (Source("enableExecuteCommand"),),
        "ecs:task-cpu": (Source("cpu"),),
        "ecs:task-memory": (Source("memory"),),
        "ecs:compute-compatibility": (Source("requiresCompatibilities"),),
        "ecs:capacity-provider": (Source("capacityProviderStrategy[].capacityProvider"),),
    },
    key_functions=(_ecs_cluster_key,),
    rules=ECS_RULES,
    # "If you do not specify a cluster, the default cluster is assumed."
    defaults={"cluster": "default"},
)
