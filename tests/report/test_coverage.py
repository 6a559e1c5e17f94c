"""Policy-statement coverage over the canonical landscape."""

from __future__ import annotations

from harness.landscape.model import Landscape
from harness.report.coverage import statement_coverage
from harness.report.policy_map import PolicyMap

from . import samples


def test_each_statement_is_decided_matched_or_never(landscape: Landscape) -> None:
    coverage = statement_coverage(PolicyMap(landscape), samples.calls())
    by_name = {(p.document.name, s.statement): s for p in coverage.policies
               for s in p.statements}
    destructive = by_name[("deny-destructive-actions-in-prod", "DenyDestructiveActionsInProd")]
    assert (destructive.status, destructive.decided, destructive.matched) == ("decided", 2, 2)
    secrets = by_name[("DeveloperReadOnly (permission set inline policy)",
                       "NoReadingSecretValues")]
    assert secrets.status == "decided"
    full = by_name[("FullAWSAccess", "Statement[0]")]
    assert (full.status, full.matched) == ("matched", 6)
    assert by_name[("deny-root-user", "DenyRootUser")].status == "never"


def test_counts_add_up_to_every_statement_of_the_landscape(landscape: Landscape) -> None:
    coverage = statement_coverage(PolicyMap(landscape), samples.calls())
    documents = {d.name: d for d in landscape.policies()}
    assert coverage.total == sum(len(d.policy.statements) for d in documents.values())
    assert (coverage.count("decided") + coverage.count("matched") + coverage.count("never")
            == coverage.total)
    assert coverage.count("decided") == 2 and coverage.count("matched") == 1


def test_deciding_statements_outside_the_landscape_are_listed(landscape: Landscape) -> None:
    coverage = statement_coverage(PolicyMap(landscape), samples.calls())
    assert coverage.outside == (("AWS managed policy ReadOnlyAccess › Statement[0]", 1),)


def test_no_calls_no_coverage(landscape: Landscape) -> None:
    coverage = statement_coverage(PolicyMap(landscape), [])
    assert coverage.count("never") == coverage.total > 0
