"""The principals named by trust and resource policies: each must exist in the landscape (an
account, a role, the Identity Center SAML provider or role of an assigned permission set) or be
a known service."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from harness.iam.policy import PolicyType
from harness.landscape.context import Context
from harness.landscape.model import SSO_ROLE_PATH, SSO_ROLE_PREFIX, IdentityCenter, Role
from harness.landscape.names import ACCOUNT_ID
from harness.landscape.wording import known, suggest

# Service principals a trust or resource policy may name. A principal outside this list is most
# likely a typo (`lamda.amazonaws.com`); extend the list when the landscape needs another.
KNOWN_SERVICE_PRINCIPALS = frozenset(
    {
        "apigateway.amazonaws.com",
        "cloudformation.amazonaws.com",
        "cloudtrail.amazonaws.com",
        "codebuild.amazonaws.com",
        "codedeploy.amazonaws.com",
        "codepipeline.amazonaws.com",
        "config.amazonaws.com",
        "delivery.logs.amazonaws.com",
        "dynamodb.amazonaws.com",
        "ec2.amazonaws.com",
        "ecs-tasks.amazonaws.com",
        "ecs.amazonaws.com",
        "edgelambda.amazonaws.com",
        "events.amazonaws.com",
        "guardduty.amazonaws.com",
        "lambda.amazonaws.com",
        "logs.amazonaws.com",
        "monitoring.rds.amazonaws.com",
        "rds.amazonaws.com",
        "s3.amazonaws.com",
        "scheduler.amazonaws.com",
        "sns.amazonaws.com",
        "sqs.amazonaws.com",
        "sso.amazonaws.com",
        "states.amazonaws.com",
    }
)

# Web identity providers AWS knows without an IAM OIDC provider.
_BUILTIN_FEDERATED = frozenset(
    {
        "cognito-identity.amazonaws.com",
        "www.amazon.com",
        "graph.facebook.com",
        "accounts.google.com",
    }
)



class _Known:
    """What the principals of a landscape may be."""

    def __init__(
        self,
        context: Context,
        roles: Mapping[str, list[Role]],
        identity_center: IdentityCenter,
    ) -> None:
        self.by_id: dict[str, str] = {}
        for name, entry in context.accounts.items():
            if entry.account_id:  # a duplicate id is reported by organization.read_tree
                self.by_id.setdefault(entry.account_id, name)
        self.roles = {
            account: {(role.path, role.name) for role in account_roles}
            for account, account_roles in roles.items()
        }
        self.assigned = {(a.account, a.permission_set) for a in identity_center.assignments}
        provider = identity_center.identity_provider
        self.saml_name = provider.saml_provider_name if provider is not None else None
        self.services = context.service_principals


def check_principals(
    roles: Mapping[str, list[Role]], identity_center: IdentityCenter, context: Context
) -> None:
    """Every principal a trust or resource policy names must exist in the landscape; `roles`
    are the roles of each account."""
    landscape = _Known(context, roles, identity_center)
    for use in context.policies.uses:
        if use.document.policy_type not in (PolicyType.TRUST, PolicyType.RESOURCE):
            continue
        relative = use.document.file.relative_to(context.directory).as_posix()
        for where, kind, value in _principal_values(use.document.document):
            problem = _principal_problem(kind, value, landscape)
            if problem:
                use.reference.error(f"{relative} {where}: {problem}")


def _principal_values(document: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(place, kind, value) of every principal named in a document."""
    statements = document.get("Statement")
    listed = statements if isinstance(statements, list) else [statements]
    for index, statement in enumerate(listed):
        if not isinstance(statement, dict):
            continue
        for element in ("Principal", "NotPrincipal"):
            principal = statement.get(element)
            if not isinstance(principal, dict):
                continue
            for kind, values in principal.items():
                items = values if isinstance(values, list) else [values]
                for position, value in enumerate(items):
                    where = f"Statement[{index}].{element}.{kind}"
                    if isinstance(values, list):
                        where += f"[{position}]"
                    if isinstance(value, str):
                        yield where, kind, value


def _principal_problem(kind: str, value: str, landscape: _Known) -> str | None:
    """Why the principal `kind: value` is not one of the landscape; None when it is."""
    if value == "*" or kind == "CanonicalUser":
        return None
    if kind == "Service":
        if value in landscape.services:
            return None
        return (
            f"unknown service principal '{value}' (not in the allow-list of known service "
            "principals; landscape.yaml service_principals extends it)"
            f"{suggest(value, landscape.services)}"
        )
    if kind == "Federated" and value in _BUILTIN_FEDERATED:
        return None
    if kind == "AWS" and ACCOUNT_ID.fullmatch(value):
        if value in landscape.by_id:
            return None
        return f"account id '{value}' is not an account of the landscape"
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] not in ("iam", "sts"):
        return f"'{value}' is not a principal this landscape defines"
    account = landscape.by_id.get(parts[4])
    if account is None:
        return f"account id '{parts[4]}' in '{value}' is not an account of the landscape"
    service, resource = parts[2], parts[5]
    if kind == "Federated":
        if landscape.saml_name is None:
            return f"'{value}': the landscape has no Identity Center, hence no SAML provider"
        saml_provider = f"saml-provider/{landscape.saml_name}"
        if resource == saml_provider:
            return None
        return (
            f"'{value}' is not the Identity Center SAML provider "
            f"'{saml_provider}' of account '{account}'"
        )
    if service == "iam" and resource == "root":
        return None
    if service == "iam" and resource.startswith("role/"):
        return _role_problem(resource[len("role") :], account, landscape)
    if service == "sts" and resource.startswith("assumed-role/"):
        name = resource.split("/")[1] if resource.count("/") >= 2 else ""
        if any(n == name for _, n in landscape.roles.get(account, set())):
            return None
        return f"role '{name}' does not exist in account '{account}'"
    if service == "iam" and resource.startswith("user/"):
        return f"IAM user '{value}': the landscape defines no IAM users (seed: 'No IAM users')"
    return f"'{value}' is not a principal this landscape defines"


def _role_problem(full: str, account: str, landscape: _Known) -> str | None:
    """Why the role `full` (path and name) is not one of `account`; None when it is. An
    Identity Center role exists where its permission set is assigned."""
    path, name = full.rsplit("/", 1)[0] + "/", full.rsplit("/", 1)[1]
    if path == SSO_ROLE_PATH and name.startswith(SSO_ROLE_PREFIX):
        permission_set = name[len(SSO_ROLE_PREFIX) :].rsplit("_", 1)[0]
        if (account, permission_set) in landscape.assigned:
            return None
        return (
            f"no Identity Center role: permission set '{permission_set}' is not "
            f"assigned in account '{account}'"
        )
    roles = landscape.roles.get(account, set())
    if (path, name) in roles:
        return None
    names = sorted(n for _, n in roles)
    return (
        f"role '{name}' (path {path}) does not exist in account '{account}' "
        f"{known(names)}{suggest(name, names)}"
    )
