"""AWS KMS, CloudTrail, GuardDuty, Config, Organizations, IAM Identity Center (SSO Admin) and
Identity Store.

KMS: a call is authorised on the key, and the key policy must allow it (resource_policy_required).
- A Decrypt without KeyId (and a ReEncrypt without SourceKeyId) is authorised on the key its
  symmetric ciphertext names, read from the blob as the backend reads it (kms_keys); a blob that
  names no key is refused with InvalidCiphertextException.
  https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html
- A key named by alias ("alias/orders", or an alias ARN) is authorised on the key the alias
  points to, which is backend state: the mapping gives the alias ARN, with kms:RequestAlias, on a
  request that needs the key policy, and the gateway replaces it with the key's ARN
  (kms_keys.resolve_keys) before deciding. A policy naming the alias ARN does not apply to it.
  https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html
- ReEncrypt needs kms:ReEncryptFrom on the source key and kms:ReEncryptTo on the destination key.
  https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html
- CreateAlias, UpdateAlias and DeleteAlias are authorised on the alias and on every key they
  affect: the target key, and (UpdateAlias, DeleteAlias) the key the alias points to now, named
  by the alias for the gateway to resolve.
  https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html
Passing roles: CloudTrail's CloudWatch Logs role, Config's recorder role.
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html
https://docs.aws.amazon.com/config/latest/developerguide/iamrole-permissions.html
Organizations ARNs carry the organization's ID, which only the backend knows: '*' stands for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from harness.gateway.operations import default_rule
from harness.gateway.operations.kms_keys import ciphertext_key_arn
from harness.gateway.operations.params import ParameterError, name, present
from harness.gateway.operations.results import AuthorizationRequest
from harness.gateway.operations.rules.common import action, pass_role, plus, same, when
from harness.gateway.operations.spec import Call, Environment, ServiceSpec, Source, TypeBinder

_KEY_ARN = re.compile(r"arn:[^:]+:kms:[^:]+:\d{12}:(key|alias)/.+")


def kms_arn(value: str, env: Environment) -> str:
    """The ARN a KeyId names: a key ID, key ARN, alias name or alias ARN."""
    if value.startswith("arn:"):
        if not _KEY_ARN.fullmatch(value):
            raise ParameterError(f"not a KMS key or alias ARN: {value!r}")
        return value
    if not value or value.startswith("arn") or ":" in value:
        raise ParameterError(f"not a KMS key ID or alias: {value!r}")
    kind = "" if value.startswith("alias/") else "key/"
    return f"arn:{env.partition}:kms:{env.region}:{env.account}:{kind}{value}"


def _key(call: Call) -> list[str] | None:
    value = name(call.params, "KeyId") or name(call.params, "TargetKeyId")
    if value:
        return [kms_arn(value, call.env)]
    if present(call.params, "CiphertextBlob"):
        # No KeyId: the symmetric ciphertext names its key, and AWS authorises on that key.
        return [ciphertext_key_arn(call.params["CiphertextBlob"], call.operation, call.env)]
    return None


def _alias(call: Call) -> list[str] | None:
    value = name(call.params, "AliasName")
    if value is None:
        return None
    if not value.startswith("alias/"):
        raise ParameterError(f"AliasName does not begin with alias/: {value!r}")
    return [kms_arn(value, call.env)]


def _re_encrypt(call: Call) -> list[AuthorizationRequest]:
    source = name(call.params, "SourceKeyId")
    destination = name(call.params, "DestinationKeyId")
    if destination is None:
        raise ParameterError("the required parameter DestinationKeyId is missing")
    # Without SourceKeyId the `key` binder reads the source key from the ciphertext.
    source_params = {**call.params, "KeyId": source} if source else call.params
    return [
        *default_rule.requests(call, "ReEncryptFrom", params=source_params),
        *default_rule.requests(call, "ReEncryptTo", params={**call.params, "KeyId": destination}),
    ]


def _alias_target(call: Call) -> list[AuthorizationRequest]:
    """The operation on the alias and on the key it points to now: that key is named by the
    alias (the gateway reads which key it is from the backend). "kms:DeleteAlias on the KMS key
    (key policy)"; "kms:UpdateAlias on the current KMS key (key policy)".
    https://docs.aws.amazon.com/kms/latest/APIReference/API_DeleteAlias.html
    https://docs.aws.amazon.com/kms/latest/APIReference/API_UpdateAlias.html"""
    alias = name(call.params, "AliasName")
    if alias is None:
        raise ParameterError("the required parameter AliasName is missing")
    return default_rule.requests(call, params={**call.params, "KeyId": alias})


def _kms_keys(params: Mapping[str, Any], env: Environment) -> list[tuple[str, tuple[str, ...]]]:
    """kms:EncryptionContext:<key>, kms:EncryptionContextKeys, kms:RequestAlias,
    kms:CallerAccount."""
    keys: list[tuple[str, tuple[str, ...]]] = [("kms:CallerAccount", (env.account,))]
    context = params.get("EncryptionContext")
    if isinstance(context, Mapping) and context:
        for key, value in context.items():
            keys.append((f"kms:EncryptionContext:{key}", (str(value),)))
        keys.append(("kms:EncryptionContextKeys", tuple(str(key) for key in context)))
    key_id = params.get("KeyId")
    if isinstance(key_id, str) and "alias/" in key_id:
        keys.append(("kms:RequestAlias", ("alias/" + key_id.split("alias/", 1)[1],)))
    return keys


KMS = ServiceSpec(
    botocore="kms",
    prefix="kms",
    binders={"key": _key, "alias": _alias},
    variables={"KeyId": (Source("KeyId"),), "Alias": (Source("AliasName"),)},
    # https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html#awskeymanagementservice-policy-keys
    keys={
        "kms:EncryptionAlgorithm": (Source("EncryptionAlgorithm"),),
        "kms:SigningAlgorithm": (Source("SigningAlgorithm"),),
        "kms:MacAlgorithm": (Source("MacAlgorithm"),),
        "kms:MessageType": (Source("MessageType"),),
        "kms:KeySpec": (Source("KeySpec"),),
        "kms:KeyUsage": (Source("KeyUsage"),),
        "kms:KeyOrigin": (Source("Origin"),),
        "kms:MultiRegion": (Source("MultiRegion"),),
        "kms:BypassPolicyLockoutSafetyCheck": (Source("BypassPolicyLockoutSafetyCheck"),),
        "kms:GrantOperations": (Source("Operations"),),
        "kms:GranteePrincipal": (Source("GranteePrincipal"),),
        "kms:RetiringPrincipal": (Source("RetiringPrincipal"),),
        "kms:DataKeyPairSpec": (Source("KeyPairSpec"),),
        "kms:ScheduleKeyDeletionPendingWindowInDays": (Source("PendingWindowInDays"),),
        "kms:RotationPeriodInDays": (Source("RotationPeriodInDays"),),
        "kms:ExpirationModel": (Source("ExpirationModel"),),
        "kms:WrappingAlgorithm": (Source("WrappingAlgorithm"),),
        "kms:WrappingKeySpec": (Source("WrappingKeySpec"),),
    },
    key_functions=(_kms_keys,),
    rules={
        "ReEncrypt": _re_encrypt,
        "CreateKey": plus(same, when("Tags", action("TagResource"))),
        "DeleteAlias": _alias_target,
        # The alias, the key it points to now, and the new key (TargetKeyId).
        "UpdateAlias": plus(_alias_target, same),
    },
    resource_policy_types=frozenset({"key"}),
)


def _trail(call: Call) -> list[str] | None:
    value = name(call.params, "Name") or name(call.params, "TrailName")
    if value is None:
        return None
    if value.startswith("arn:"):
        return [value]
    env = call.env
    return [f"arn:{env.partition}:cloudtrail:{env.region}:{env.account}:trail/{value}"]


def _last(value: str) -> str:
    return value.rsplit("/", 1)[-1] if value.startswith("arn:") else value


CLOUDTRAIL = ServiceSpec(
    botocore="cloudtrail",
    prefix="cloudtrail",
    binders={"trail": _trail},
    variables={
        "EventDataStoreId": (Source("EventDataStore", convert=_last),),
        "ChannelId": (Source("Channel", convert=_last),),
        "DashboardName": (Source("DashboardId", convert=_last), Source("Name")),
    },
    rules={
        "CreateTrail": plus(
            same,
            pass_role("CloudWatchLogsRoleArn", "cloudtrail.amazonaws.com"),
            when("TagsList", action("AddTags")),
        ),
        "UpdateTrail": plus(same, pass_role("CloudWatchLogsRoleArn", "cloudtrail.amazonaws.com")),
    },
    unsupported={"ListInsightsMetricData": "not in the Service Authorization Reference"},
)

GUARDDUTY = ServiceSpec(
    botocore="guardduty",
    prefix="guardduty",
    variables={
        "IPSetId": (Source("IpSetId"),),
        "PublishingDestinationId": (Source("DestinationId"),),
        "ThreatIntelSetId": (Source("ThreatIntelSetId"),),
        "MalwareProtectionPlanId": (Source("MalwareProtectionPlanId"),),
    },
    unsupported={"ListInvestigationRecords": "not in the Service Authorization Reference"},
)

CONFIG = ServiceSpec(
    botocore="config",
    prefix="config",
    variables={
        "RecorderName": (
            Source("ConfigurationRecorderName"),
            Source("ConfigurationRecorder.name"),
        ),
        "ConformancePackName": (Source("ConformancePackName"),),
        "StoredQueryName": (Source("QueryName"),),
        "AggregatorAccount": (Source("AuthorizedAccountId"),),
        "AggregatorRegion": (Source("AuthorizedAwsRegion"),),
    },
    rules={
        "PutConfigurationRecorder": plus(
            same, pass_role("ConfigurationRecorder.roleARN", "config.amazonaws.com")
        ),
    },
)

_ACCOUNT_ID = re.compile(r"\d{12}")
_OU_ID = re.compile(r"ou-[0-9a-z]+-[0-9a-z]+")
_ROOT_ID = re.compile(r"r-[0-9a-z]+")
_ID_PARAMS = ("TargetId", "ParentId", "ChildId", "SourceParentId", "DestinationParentId")


def _ids(pattern: re.Pattern[str], own: str) -> TypeBinder:
    """Binder of an Organizations entity named by its own ID parameter or by any target /
    parent / child ID of its form (MoveAccount names a source and a destination parent)."""

    def binder(call: Call) -> list[str] | None:
        found = []
        for param in (own, *_ID_PARAMS):
            value = name(call.params, param)
            if value is not None and pattern.fullmatch(value):
                found.append(value)
        if not found:
            return None
        env = call.env
        kind = {"AccountId": "account", "OrganizationalUnitId": "ou", "RootId": "root"}[own]
        return [
            f"arn:{env.partition}:organizations::{env.account}:{kind}/o-*/{value}"
            for value in dict.fromkeys(found)
        ]

    return binder


ORGANIZATIONS = ServiceSpec(
    botocore="organizations",
    prefix="organizations",
    binders={
        "account": _ids(_ACCOUNT_ID, "AccountId"),
        "organizationalunit": _ids(_OU_ID, "OrganizationalUnitId"),
        "root": _ids(_ROOT_ID, "RootId"),
    },
    variables={
        "PolicyType": (Source("Type", convert=str.lower), Source("PolicyType", convert=str.lower)),
        "AccountId": (Source("AccountId"),),
        "OrganizationalUnitId": (Source("OrganizationalUnitId"),),
        "RootId": (Source("RootId"),),
    },
    # https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html#awsorganizations-policy-keys
    keys={
        "organizations:PolicyType": (Source("Type"), Source("PolicyType"), Source("Filter")),
        "organizations:ServicePrincipal": (Source("ServicePrincipal"),),
    },
)

SSO_ADMIN = ServiceSpec(
    botocore="sso-admin",
    prefix="sso",
    variables={
        "InstanceId": (Source("InstanceArn", convert=_last),),
        "PermissionSetId": (Source("PermissionSetArn", convert=_last),),
        "AccountId": (
            Source("AccountId"),
            Source("TargetId", pattern=_ACCOUNT_ID),
        ),
    },
)

IDENTITYSTORE = ServiceSpec(botocore="identitystore", prefix="identitystore")
