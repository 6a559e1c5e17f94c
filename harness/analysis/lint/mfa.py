"""Permission sets against the MFA deny the landscape format requires (docs/landscape.md,
"MFA"): missing-mfa."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from harness.analysis.findings import Finding, text_line
from harness.analysis.lint.rules import MISSING_MFA, SEVERITY
from harness.iam.policy import Effect, Statement
from harness.landscape.layout import IDENTITY_CENTER_FILE
from harness.landscape.model import PermissionSet

MFA_KEY = "aws:MultiFactorAuthPresent"


def is_mfa_deny(statement: Statement) -> bool:
    """Deny "*" on "*" when aws:MultiFactorAuthPresent is false (BoolIfExists), no other
    condition."""
    if statement.effect is not Effect.DENY or statement.principal is not None:
        return False
    if not statement.actions or not any(a in ("*", "*:*") for a in statement.actions):
        return False
    if not statement.resources or "*" not in statement.resources:
        return False
    if len(statement.conditions) != 1:
        return False
    (condition,) = statement.conditions
    return (
        condition.operator == "BoolIfExists"
        and condition.key.lower() == MFA_KEY.lower()
        and tuple(v.lower() for v in condition.values) == ("false",)
    )


def check_mfa(permission_set: PermissionSet, directory: Path) -> Iterator[Finding]:
    """missing-mfa: the permission set's inline policy must hold the MFA deny."""
    subject = f"permission set {permission_set.name}"
    fix = (
        'add the statement {"Sid": "RequireMfaForHumanSessions", "Effect": "Deny", '
        '"Action": "*", "Resource": "*", "Condition": {"BoolIfExists": '
        '{"aws:MultiFactorAuthPresent": "false"}}}'
    )
    inline = permission_set.inline_policy
    if inline is None:
        file = directory / IDENTITY_CENTER_FILE
        yield Finding(
            rule=MISSING_MFA,
            severity=SEVERITY[MISSING_MFA],
            file=file,
            statement=None,
            sid=None,
            message="no inline policy, so no MFA deny: sessions without MFA keep the "
            "permission set's access",
            fix=f"give it an inline_policy with {fix.removeprefix('add ')}",
            line=text_line(file, "permission_sets:", f"name: {permission_set.name}"),
            subject=subject,
        )
        return
    if any(is_mfa_deny(statement) for statement in inline.policy.statements):
        return
    yield Finding(
        rule=MISSING_MFA,
        severity=SEVERITY[MISSING_MFA],
        file=inline.file,
        statement=None,
        sid=None,
        message=f"its inline policy has no MFA deny (Deny * on * with BoolIfExists {MFA_KEY} "
        "false): sessions without MFA keep the permission set's access",
        fix=fix,
        line=1,
        subject=subject,
    )
