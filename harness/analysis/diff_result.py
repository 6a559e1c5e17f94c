"""What a diff reports (`harness.analysis.diff`): access added or removed (`Change`), the
statements responsible (`StatementRef`), and the waivers that accept an addition (`Waiver`,
matched by `harness.analysis.waivers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from harness.analysis.findings import statement_line
from harness.analysis.requests import AccessRequest
from harness.iam import MatchedStatement


@dataclass(frozen=True, slots=True)
class StatementRef:
    """A statement responsible for a change: its policy, type, label (Sid or Statement[i]),
    index, effect, file (None for AWS managed policies) and the line of the statement in it
    (for a statement of the base, the line in the base's version of the file; `base` is set)."""

    policy: str
    policy_type: str
    statement: str
    index: int
    effect: str
    file: Path | None
    line: int = 1
    base: bool = False

    @classmethod
    def of(
        cls, matched: MatchedStatement, relocate: tuple[Path, Path] | None = None
    ) -> StatementRef:
        file = Path(matched.source).resolve() if matched.source else None
        line = 1 if file is None else statement_line(file, matched.index, matched.statement)
        if file is not None and relocate is not None and file.is_relative_to(relocate[0]):
            file = relocate[1] / file.relative_to(relocate[0])
        return cls(
            policy=matched.policy_name,
            policy_type=matched.policy_type.value,
            statement=matched.statement,
            index=matched.index,
            effect=matched.effect.value,
            file=file,
            line=line,
            base=relocate is not None,
        )

    def describe(self) -> str:
        return f"{self.policy_type} {self.policy} {self.statement} ({self.effect})"


@dataclass(frozen=True, slots=True)
class Change:
    """Access added or removed: the request, how reports name its principal, and the statements
    responsible (`why` says how they are)."""

    kind: str  # "added" | "removed"
    request: AccessRequest
    principal_label: str
    statements: tuple[StatementRef, ...]
    why: str
    waiver: Waiver | None = None

    @property
    def principal(self) -> str:
        return self.request.principal

    @property
    def action(self) -> str:
        return self.request.action

    @property
    def resource(self) -> str:
        return self.request.resource

    @property
    def context(self) -> str:
        return self.request.context


@dataclass(frozen=True, slots=True)
class Waiver:
    """An accepted addition of access, until `expires` (inclusive)."""

    principal: str
    action: str
    resource: str
    owner: str
    reason: str
    expires: date
    index: int = 0


@dataclass(frozen=True, slots=True)
class DiffResult:
    added: tuple[Change, ...]
    removed: tuple[Change, ...]
    request_space: int
    decisions: tuple[int, int] = (0, 0)
    """Engine evaluations made on (base, head)."""
    statement_checks: int = 0
    """Engine evaluations of one changed statement, to tell which requests may differ."""
    seconds: float = 0.0
    expired_waivers: tuple[Waiver, ...] = ()

    @property
    def waived(self) -> tuple[Change, ...]:
        return tuple(c for c in self.added if c.waiver is not None)

    @property
    def unwaived(self) -> tuple[Change, ...]:
        return tuple(c for c in self.added if c.waiver is None)

    @property
    def exit_status(self) -> int:
        return 1 if self.unwaived else 0

    @property
    def empty(self) -> bool:
        return not self.added and not self.removed
