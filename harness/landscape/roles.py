"""The IAM roles of an account file: trust policy, managed and inline policies, permissions
boundary."""

from __future__ import annotations

from collections.abc import Mapping

from harness.iam.policy import PolicyType
from harness.landscape.context import Context
from harness.landscape.model import PolicyDocument, Role
from harness.landscape.names import AWS_MANAGED_POLICY_PREFIX, IAM_NAME, iam_path, read_name
from harness.landscape.nodes import Node, unique_field
from harness.landscape.policies import ROLE_INLINE_MAX
from harness.landscape.wording import known, suggest


def read_role(
    node: Node, account: str, managed_arns: Mapping[str, str], context: Context
) -> Role | None:
    """A role of `account`; `managed_arns` are its managed policies (name → ARN)."""
    if not node.fields(
        required=("name", "trust"),
        optional=(
            "path",
            "description",
            "managed_policies",
            "inline_policies",
            "permissions_boundary",
            "max_session_duration",
            "tags",
        ),
    ):
        return None
    account_id = context.accounts[account].account_id
    name = read_name(node, IAM_NAME, "an IAM role name")
    path = iam_path(node)
    if path.startswith("/aws-reserved/") or path.startswith("/aws-service-role/"):
        node.at("path").error(f"path {path!r} is reserved for roles AWS creates")
    arn = f"arn:aws:iam::{account_id}:role{path}{name}"
    trust = context.policies.load(node.at("trust"), PolicyType.TRUST, arn, account)
    managed = [
        ref
        for item, value in node.texts("managed_policies")
        if (ref := _managed_ref(item, value, managed_arns)) is not None
    ]
    inline = _read_inline_policies(node, arn, account, context)
    boundary = None
    boundary_name = node.text("permissions_boundary")
    if boundary_name is not None:
        boundary = _managed_ref(node.at("permissions_boundary"), boundary_name, managed_arns)
    duration = node.number("max_session_duration", 3600, 3600, 43200)
    if trust is None:
        return None
    return Role(
        name=name,
        path=path,
        arn=arn,
        description=node.text("description", "") or "",
        trust=trust,
        managed_policies=tuple(managed),
        inline_policies=tuple(inline),
        permissions_boundary=boundary,
        max_session_duration=duration,
        tags=node.tags("tags"),
    )


def _managed_ref(node: Node, value: str, managed_arns: Mapping[str, str]) -> str | None:
    """A managed policy named in a role: an AWS managed ARN, or a policy of the account."""
    if value.startswith(AWS_MANAGED_POLICY_PREFIX):
        return value
    if value.startswith("arn:"):
        if value in managed_arns.values():
            return value
        node.error(
            f"'{value}' is neither an AWS managed policy ({AWS_MANAGED_POLICY_PREFIX}…) "
            f"nor a managed policy of this account {known(managed_arns)}"
        )
        return None
    if value in managed_arns:
        return managed_arns[value]
    node.error(
        f"unknown managed policy '{value}' in this account {known(managed_arns)}"
        f"{suggest(value, managed_arns)}"
    )
    return None


def _read_inline_policies(
    node: Node, arn: str, account: str, context: Context
) -> list[PolicyDocument]:
    inline = []
    items = node.items("inline_policies")
    unique_field(items, "name", "inline policy")
    for item in items:
        if not item.fields(required=("name", "file")):
            continue
        policy_name = read_name(item, IAM_NAME, "an IAM policy name")
        document = context.policies.load(
            item.at("file"),
            PolicyType.IDENTITY,
            f"{arn}/{policy_name}",
            account,
            ROLE_INLINE_MAX,
        )
        if document is not None:
            inline.append(document)
    return inline
