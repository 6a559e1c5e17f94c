"""The names AWS accepts (account ids, IAM names and paths, bucket and resource names) and the
checks of a name against them."""

from __future__ import annotations

import re

from harness.landscape.nodes import Node

ACCOUNT_ID = re.compile(r"\d{12}")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
IAM_NAME = re.compile(r"[\w+=,.@-]{1,64}")
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
RESOURCE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,256}")
PERMISSION_SET_NAME = re.compile(r"[\w+=,.@-]{1,32}")
# A KMS alias is 1–256 letters, digits, "/", "_" and "-", beginning with "alias/": the name
# after it has at most 250. https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html
KMS_ALIAS_NAME = re.compile(r"[A-Za-z0-9/_-]{1,250}")
_IAM_PATH = re.compile(r"/([\x21-\x7e]*/)?")
AWS_MANAGED_POLICY_PREFIX = "arn:aws:iam::aws:policy/"


def check_name(node: Node, name: str, pattern: re.Pattern[str], what: str) -> None:
    if name and not pattern.fullmatch(name):
        node.error(f"{name!r} is not {what}")


def read_name(node: Node, pattern: re.Pattern[str], what: str, key: str = "name") -> str:
    """The name in the field `key` ('' when it is missing), checked against `pattern`."""
    name = node.text(key) or ""
    check_name(node.at(key), name, pattern, what)
    return name


def iam_path(node: Node) -> str:
    """The IAM `path` field of a role or policy ('/' when absent or invalid)."""
    path = node.text("path", "/") or "/"
    if not _IAM_PATH.fullmatch(path) or len(path) > 512:
        node.at("path").error(f"path {path!r} must begin and end with '/'")
        return "/"
    return path
