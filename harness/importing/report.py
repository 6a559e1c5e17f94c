"""What an import read, skipped and could not know (`import-report.md` beside the landscape):
nothing of the source is dropped without a line here."""

from __future__ import annotations

from dataclasses import dataclass, field

REPORT_FILE = "import-report.md"


@dataclass(frozen=True, slots=True)
class Read:
    source: str
    """Where in the source: a Terraform address, a logical id, an export file."""
    becomes: str
    """What it became in the landscape: `accounts/prod.yaml roles[orders-processor]`."""


@dataclass(frozen=True, slots=True)
class Skipped:
    source: str
    kind: str
    """The resource type (or construct) skipped."""
    why: str


@dataclass(frozen=True, slots=True)
class Unknown:
    source: str
    attribute: str
    consequence: str
    """What the landscape lacks for it: `the role policy is not imported`."""


@dataclass
class ImportReport:
    sources: list[str] = field(default_factory=list)
    read: list[Read] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unknown: list[Unknown] = field(default_factory=list)

    def markdown(self) -> str:
        lines = ["# Import report", "", "Sources:", ""]
        lines += [f"- `{source}`" for source in self.sources]
        lines += ["", f"## Read ({len(self.read)})", ""]
        if self.read:
            lines += ["| source | in the landscape |", "|---|---|"]
            lines += [f"| `{r.source}` | {r.becomes} |" for r in self.read]
        else:
            lines.append("Nothing.")
        lines += ["", f"## Skipped ({len(self.skipped)})", ""]
        if self.skipped:
            lines += ["| source | type | why |", "|---|---|---|"]
            lines += [f"| `{s.source}` | `{s.kind}` | {s.why} |" for s in self.skipped]
        else:
            lines.append("Nothing: every resource of the source is in the landscape.")
        lines += ["", f"## Unknown until applied ({len(self.unknown)})", ""]
        if self.unknown:
            lines += ["| source | attribute | consequence |", "|---|---|---|"]
            lines += [f"| `{u.source}` | `{u.attribute}` | {u.consequence} |"
                      for u in self.unknown]
        else:
            lines.append("Nothing.")
        return "\n".join(lines) + "\n"
