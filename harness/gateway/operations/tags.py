"""Tags in a request, as the condition keys AWS derives from them: aws:RequestTag/<key> (each
tag's value) and aws:TagKeys (every key, also the keys an untag call removes).

https://docs.aws.amazon.com/IAM/latest/UserGuide/access_tags.html#access_tags_control-requests

Services spell tags differently: a map (Lambda `Tags`, SQS `tags`), a list of Key/Value (IAM,
RDS, SNS, DynamoDB), key/value (ECS), TagKey/TagValue (KMS), TagsList (CloudTrail), per created
resource type (EC2 `TagSpecifications`), a query string (S3 objects' `Tagging: "a=1&b=2"`) or
a TagSet (S3 PutBucketTagging / PutObjectTagging). S3 object tags also set
s3:RequestObjectTag/<key> and s3:RequestObjectTagKeys; RDS has rds:req-tag/<key>. Which of these
a request keeps is decided by the reference's list for the action (see keys.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from harness.gateway.operations.params import ParameterError, scalar_text, values_at

_TAG_MEMBERS = ("Tags", "tags", "TagList", "TagsList", "CreateBucketConfiguration.Tags")
_UNTAG_MEMBERS = ("TagKeys", "tagKeys", "TagKeyList")
_KEY_FIELDS = (("Key", "Value"), ("key", "value"), ("TagKey", "TagValue"))


def _pairs(value: Any, where: str) -> list[tuple[str, str]]:
    if isinstance(value, str):  # S3 objects: "a=1&b=2"
        return parse_qsl(value, keep_blank_values=True)
    if isinstance(value, Mapping):
        return [(str(key), scalar_text(item)) for key, item in value.items() if item is not None]
    if not isinstance(value, list | tuple):
        raise ParameterError(f"{where}: tags are neither a map nor a list")
    pairs: list[tuple[str, str]] = []
    for item in value:
        if not isinstance(item, Mapping):
            raise ParameterError(f"{where}: a tag is not a structure")
        for key_field, value_field in _KEY_FIELDS:
            if key_field in item:
                tag_value = item.get(value_field)
                pairs.append((str(item[key_field]), "" if tag_value is None else str(tag_value)))
                break
        else:
            raise ParameterError(f"{where}: a tag has no key")
    return pairs


def request_tags(params: Mapping[str, Any], resource_type: str | None) -> list[tuple[str, str]]:
    """The tags a request puts on a resource of `resource_type` (EC2's TagSpecifications tag
    each created type separately; every other form tags the call's resource)."""
    pairs: list[tuple[str, str]] = []
    for member in _TAG_MEMBERS:
        for value in values_at(params, member):
            pairs.extend(_pairs(value, member))
    tagging = params.get("Tagging")
    if isinstance(tagging, str):
        pairs.extend(_pairs(tagging, "Tagging"))
    elif isinstance(tagging, Mapping) and tagging.get("TagSet") is not None:
        pairs.extend(_pairs(tagging["TagSet"], "Tagging.TagSet"))
    for spec in values_at(params, "TagSpecifications[]"):
        if not isinstance(spec, Mapping):
            raise ParameterError("TagSpecifications: an entry is not a structure")
        if resource_type is None or spec.get("ResourceType") == resource_type:
            pairs.extend(_pairs(spec.get("Tags") or [], "TagSpecifications.Tags"))
    return pairs


def untag_keys(params: Mapping[str, Any]) -> list[str]:
    keys: list[str] = []
    for member in _UNTAG_MEMBERS:
        for value in values_at(params, member):
            items = value if isinstance(value, list | tuple) else [value]
            keys.extend(str(item) for item in items)
    return keys


def tag_keys(
    params: Mapping[str, Any], resource_type: str | None, prefix: str
) -> list[tuple[str, tuple[str, ...]]]:
    """The tag condition keys of a request on a resource of `resource_type`."""
    pairs = request_tags(params, resource_type)
    removed = untag_keys(params)
    keys: list[tuple[str, tuple[str, ...]]] = []
    for key, value in pairs:
        keys.append((f"aws:RequestTag/{key}", (value,)))
        if prefix == "s3":
            keys.append((f"s3:RequestObjectTag/{key}", (value,)))
        if prefix == "rds":
            keys.append((f"rds:req-tag/{key}", (value,)))
    names = tuple(dict.fromkeys([key for key, _ in pairs] + removed))
    if names:
        keys.append(("aws:TagKeys", names))
        if prefix == "s3" and pairs:
            keys.append(("s3:RequestObjectTagKeys", tuple(dict.fromkeys(k for k, _ in pairs))))
    return keys
