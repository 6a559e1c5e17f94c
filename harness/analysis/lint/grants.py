"""What a policy grants beyond what a design should: allow-with-not-action,
allow-with-not-resource, admin-access (in a statement, or an AWS managed policy attached to a
permission set or a role), public-principal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from harness.analysis.findings import Finding, text_line
from harness.analysis.lint.context import StatementContext
from harness.analysis.lint.patterns import covers
from harness.analysis.lint.rules import (
    ADMIN_ACCESS,
    ALLOW_WITH_NOT_ACTION,
    ALLOW_WITH_NOT_RESOURCE,
    PUBLIC_PRINCIPAL,
    SEVERITY,
)
from harness.iam.policy import Effect, PolicyType
from harness.landscape.layout import ACCOUNTS_DIR, IDENTITY_CENTER_FILE
from harness.landscape.model import Landscape

# AWS managed policies that are administrator access (AdministratorAccess: "*" on "*";
# IAMFullAccess: "iam:*" on "*").
ADMIN_MANAGED_POLICIES = (
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/IAMFullAccess",
)


def check_not_elements(context: StatementContext) -> Iterator[Finding]:
    """allow-with-not-action, allow-with-not-resource."""
    statement = context.statement
    if statement.effect is not Effect.ALLOW:
        return
    if statement.not_actions is not None:
        yield context.finding(
            ALLOW_WITH_NOT_ACTION,
            f"Allow with NotAction grants every action except {', '.join(statement.not_actions)}"
            ", including actions and services AWS adds later",
            "list the actions to allow in Action, or deny the exceptions explicitly",
        )
    if statement.not_resources is not None:
        yield context.finding(
            ALLOW_WITH_NOT_RESOURCE,
            "Allow with NotResource grants the actions on every resource except "
            f"{', '.join(statement.not_resources)}",
            "list the resources to allow in Resource",
        )


_ADMIN_ACTION = "iam:*"
_EVERY_RESOURCE = "arn:aws:iam::*:*"
_NOT_GRANTING = (PolicyType.SCP, PolicyType.RCP, PolicyType.BOUNDARY)


def check_admin(context: StatementContext) -> Iterator[Finding]:
    """admin-access: Allow "*", "*:*" or "iam:*" (or wider) on every (IAM) resource."""
    statement = context.statement
    if statement.effect is not Effect.ALLOW or context.policy.policy_type in _NOT_GRANTING:
        return
    if not statement.actions or not statement.resources:
        return
    wide = [a for a in statement.actions if covers(a, _ADMIN_ACTION, ignore_case=True)]
    every = [r for r in statement.resources if covers(r, _EVERY_RESOURCE, ignore_case=False)]
    if wide and every:
        yield context.finding(
            ADMIN_ACCESS,
            f'Allow "{wide[0]}" on "{every[0]}" is administrator access'
            + (" (under a condition)" if statement.conditions else ""),
            "grant the actions and resources the role needs; accept the finding in "
            "analysis/accepted.yaml if administrator access is the design",
        )


def check_principal(context: StatementContext) -> Iterator[Finding]:
    """public-principal: Allow to "*" or {"AWS": "*"} without a Condition. (Allow with
    NotPrincipal the parser already refuses.)"""
    statement = context.statement
    if statement.effect is not Effect.ALLOW or statement.conditions:
        return
    if statement.principal is not None and statement.principal.wildcard:
        yield context.finding(
            PUBLIC_PRINCIPAL,
            'Allow to Principal "*" without a Condition: any AWS account'
            + (" may assume the role" if context.policy.policy_type is PolicyType.TRUST else
               " (and, for some services, anonymous callers) may use the resource"),
            "name the principals, or add a Condition (aws:PrincipalOrgID, aws:SourceArn, "
            "aws:SourceAccount)",
        )


def check_admin_managed(landscape: Landscape) -> Iterator[Finding]:
    """admin-access: AWS managed administrator policies on permission sets and roles."""
    directory = landscape.directory
    center_file = directory / IDENTITY_CENTER_FILE
    for permission_set in landscape.identity_center.permission_sets:
        for arn in permission_set.managed_policies:
            if arn in ADMIN_MANAGED_POLICIES:
                yield _managed_admin_finding(
                    center_file,
                    f"permission set {permission_set.name}",
                    arn,
                    ("permission_sets:", f"name: {permission_set.name}", _policy_name(arn)),
                )
    for account in landscape.accounts:
        account_file = directory / ACCOUNTS_DIR / f"{account.name}.yaml"
        for role in account.roles:
            for arn in role.managed_policies:
                if arn in ADMIN_MANAGED_POLICIES:
                    yield _managed_admin_finding(
                        account_file,
                        f"role {role.name}",
                        arn,
                        ("roles:", f"name: {role.name}", _policy_name(arn)),
                    )


def _policy_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _managed_admin_finding(
    file: Path, subject: str, arn: str, needles: tuple[str, ...]
) -> Finding:
    return Finding(
        rule=ADMIN_ACCESS,
        severity=SEVERITY[ADMIN_ACCESS],
        file=file,
        statement=None,
        sid=None,
        message=f"the AWS managed policy {_policy_name(arn)} is administrator access",
        fix="attach the policies the job needs; accept the finding in analysis/accepted.yaml "
        "if administrator access is the design",
        line=text_line(file, *needles),
        subject=subject,
    )
