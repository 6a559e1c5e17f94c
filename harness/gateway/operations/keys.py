"""The default rule's condition-key half: the keys a request carries, from its parameters.

- aws:RequestedRegion, always: the region the call is signed for (global services sign for
  us-east-1, as AWS's own requests do).
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion
- aws:RequestTag/<key>, aws:TagKeys (and the S3/RDS spellings) from tags in the request.
- service keys (s3:x-amz-server-side-encryption, rds:StorageEncrypted, iam:PermissionsBoundary …)
  from the service's table of key → parameter.
A tag or service key is kept only where the Service Authorization Reference lists it for the
action (or for the resource type the request is on): AWS sets no other key for that request,
and a policy's `…IfExists` or `Null` test must see it absent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from harness import reference
from harness.gateway.operations.params import texts_at
from harness.gateway.operations.tags import tag_keys

if TYPE_CHECKING:
    from harness.gateway.operations.spec import Call

# Global keys the mapping sets on every request, whatever the action lists.
ALWAYS = frozenset({"aws:requestedregion"})


def _provider_key(key: str) -> bool:
    """An OIDC provider's key ("token.actions.githubusercontent.com:sub"): AWS sets these for
    any provider, named by its issuer, so the reference cannot list them all.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif"""
    return "." in key.partition(":")[0]


def service_keys(call: Call, params: Mapping[str, Any]) -> list[tuple[str, tuple[str, ...]]]:
    found: list[tuple[str, tuple[str, ...]]] = []
    for key, sources in call.spec.keys.items():
        for source in sources:
            values = texts_at(params, source.path)
            if source.pattern is not None:
                values = [value for value in values if source.pattern.fullmatch(value)]
            if source.convert is not None:
                values = [source.convert(value) for value in values]
            if values:
                found.append((key, tuple(dict.fromkeys(values))))
                break
    for function in call.spec.key_functions:
        found.extend(function(params, call.env))
    return found


def request_keys(
    call: Call,
    action: reference.Action,
    resource_type: str | None,
    params: Mapping[str, Any],
    extra: Sequence[tuple[str, tuple[str, ...]]] | None = None,
) -> list[tuple[str, tuple[str, ...]]]:
    """The keys of one request: derived from `params`, plus `extra` (a rule's own keys), kept
    where the reference lists them, plus the global keys."""
    candidates = [
        *tag_keys(params, resource_type, call.spec.prefix),
        *service_keys(call, params),
        *(extra or []),
    ]
    supported = reference.supported_keys(action.service, action.name, resource_type)
    kept = [
        (key, values)
        for key, values in candidates
        if key.lower() in ALWAYS or _provider_key(key) or reference.key_supported(key, supported)
    ]
    return [("aws:RequestedRegion", (call.env.region,)), *kept]
