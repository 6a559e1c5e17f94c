"""What every statement check is given: the policy, its file and the statement, and the way to
report a finding about that statement."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.analysis.findings import Finding
from harness.analysis.lint.rules import SEVERITY
from harness.iam.policy import Policy, Statement


@dataclass(frozen=True, slots=True)
class StatementContext:
    """What the statement checks share: the policy, its file, the statement."""

    policy: Policy
    file: Path
    statement: Statement

    def finding(self, rule: str, message: str, fix: str) -> Finding:
        return Finding(
            rule=rule,
            severity=SEVERITY[rule],
            file=self.file,
            statement=self.statement.index,
            sid=self.statement.sid,
            message=message,
            fix=fix,
        )
