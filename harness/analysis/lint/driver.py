"""The driver of `securecart lint`: every statement check on each policy, then the checks of
the landscape as a whole, the findings deduplicated, placed on their lines and matched against
the landscape's accepted findings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from harness.analysis.findings import (
    AcceptedEntry,
    Finding,
    apply_accepted,
    sort_findings,
    with_lines,
)
from harness.analysis.lint.actions import check_actions
from harness.analysis.lint.conditions import check_conditions, check_set_operators
from harness.analysis.lint.context import StatementContext
from harness.analysis.lint.grants import (
    check_admin,
    check_admin_managed,
    check_not_elements,
    check_principal,
)
from harness.analysis.lint.key_support import check_key_support
from harness.analysis.lint.mfa import check_mfa
from harness.analysis.lint.redundancy import check_redundant
from harness.analysis.lint.resources import check_resources
from harness.iam.policy import Policy, PolicyType
from harness.landscape.model import Landscape

ACCEPTED_FILE = Path("analysis") / "accepted.yaml"
"""Where a landscape lists its accepted findings, relative to the landscape directory."""

STATEMENT_CHECKS = (
    check_actions,
    check_resources,
    check_conditions,
    check_set_operators,
    check_key_support,
    check_not_elements,
    check_admin,
    check_principal,
)


def lint_policy(policy: Policy, file: Path) -> list[Finding]:
    """Every statement check on one parsed policy (as `harness.iam.parse.parse_policy` returns
    it); `file` is where the findings point. Lines are not filled in."""
    findings: list[Finding] = []
    for statement in policy.statements:
        context = StatementContext(policy, file, statement)
        for check in STATEMENT_CHECKS:
            findings.extend(check(context))
    findings.extend(check_redundant(policy, file))
    return findings


def lint_landscape(
    landscape: Landscape,
    accepted: Sequence[AcceptedEntry] = (),
    accepted_file: Path | None = None,
) -> list[Finding]:
    """Every finding of the landscape, sorted, lines filled in, `accepted` applied (with a
    stale-acceptance finding, pointing at `accepted_file`, for each entry that matches none).

    A policy file used in several places is linted once per policy type it is used as (its
    uses differ only in the account ids placeholders resolve to)."""
    findings: list[Finding] = []
    seen: set[tuple[Path, PolicyType]] = set()
    for document in landscape.policies():
        key = (document.file.resolve(), document.policy.policy_type)
        if key in seen:
            continue
        seen.add(key)
        findings.extend(lint_policy(document.policy, document.file))
    for permission_set in landscape.identity_center.permission_sets:
        findings.extend(check_mfa(permission_set, landscape.directory))
    findings.extend(check_admin_managed(landscape))
    findings = _unique(findings)
    findings = with_lines(findings)
    if accepted or accepted_file is not None:
        findings = apply_accepted(
            findings,
            accepted,
            landscape.directory,
            accepted_file or landscape.directory / ACCEPTED_FILE,
        )
    return sort_findings(findings)


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, int | None, str | None, str]] = set()
    result: list[Finding] = []
    for finding in findings:
        key = (
            finding.rule,
            str(finding.file.resolve()),
            finding.statement,
            finding.subject,
            finding.message,
        )
        if key not in seen:
            seen.add(key)
            result.append(finding)
    return result
