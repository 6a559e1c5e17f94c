"""Findings: what an analysis of a landscape reports, accepted findings, and the output formats.

Any analysis (`securecart lint`, a policy diff, …) describes its checks as `Rule`s and reports
`Finding`s; this module turns them into text, JSON or SARIF 2.1.0, and applies a file of
accepted findings (`accepted.yaml`) to them.

Severities are IAM Access Analyzer's finding types
(https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html):
`error` (the policy does not do what it says), `security` (it grants more than it should),
`warning` (it probably does not do what was meant), `suggestion` (it could be simpler).
An unaccepted `error` or `security` finding fails the analysis.

SARIF: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html — one run, the rules
in `tool.driver.rules`, one result per finding with a physical location (the file relative to
a base directory, and the line of the statement), accepted findings as suppressed results.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
STALE_ACCEPTANCE = "stale-acceptance"


class Severity(StrEnum):
    ERROR = "error"
    SECURITY = "security"
    WARNING = "warning"
    SUGGESTION = "suggestion"

    @property
    def fails(self) -> bool:
        """Whether an unaccepted finding of this severity fails the analysis."""
        return self in (Severity.ERROR, Severity.SECURITY)

    @property
    def sarif_level(self) -> str:
        return _SARIF_LEVELS[self]


_SARIF_LEVELS = {
    Severity.ERROR: "error",
    Severity.SECURITY: "error",
    Severity.WARNING: "warning",
    Severity.SUGGESTION: "note",
}
# GitHub code scanning ranks security results by this property (0.0–10.0) of their rule.
_SECURITY_SEVERITY = {
    Severity.SECURITY: "8.0",
    Severity.ERROR: "5.0",
    Severity.WARNING: "3.0",
    Severity.SUGGESTION: "1.0",
}
_ORDER = {severity: rank for rank, severity in enumerate(Severity)}


@dataclass(frozen=True, slots=True)
class Rule:
    """One check: `id` is what findings and accepted.yaml name it by (kebab-case), `title` a
    short description, `help` what it looks for and why it matters."""

    id: str
    severity: Severity
    title: str
    help: str


@dataclass(frozen=True, slots=True)
class Acceptance:
    """Why a finding is accepted, and who owns that decision."""

    reason: str
    owner: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem. `file` is the file as read (usually under the landscape directory);
    `statement` and `sid` locate a policy statement (its index in the document and its Sid),
    or are None for findings about something else, which `subject` then names (e.g.
    "permission set Admin"). `line` is the line the finding points at (1-based), None when
    not known (SARIF output then looks the statement up in the file). `accepted` is set when an
    accepted.yaml entry matches."""

    rule: str
    severity: Severity
    file: Path
    statement: int | None
    sid: str | None
    message: str
    fix: str
    line: int | None = None
    subject: str | None = None
    accepted: Acceptance | None = None

    @property
    def fails(self) -> bool:
        return self.accepted is None and self.severity.fails

    @property
    def where(self) -> str:
        """How text output names the place: the statement's Sid or position, or the subject."""
        if self.statement is not None:
            return f'Statement[{self.statement}] "{self.sid}"' if self.sid else (
                f"Statement[{self.statement}]"
            )
        return self.subject or ""


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(
        findings,
        key=lambda f: (
            str(f.file),
            f.line or 0,
            -1 if f.statement is None else f.statement,
            _ORDER[f.severity],
            f.rule,
            f.message,
        ),
    )


def failures(findings: Iterable[Finding]) -> int:
    return sum(1 for finding in findings if finding.fails)


# --------------------------------------------------------------------------- locations


def display_path(path: Path, base: Path | None = None) -> str:
    """`path` relative to `base` (the working directory by default) when it is under it, with
    '/' separators; else the absolute path."""
    base_dir = (Path.cwd() if base is None else base).resolve()
    resolved = path.resolve()
    if resolved.is_relative_to(base_dir):
        return resolved.relative_to(base_dir).as_posix()
    return resolved.as_posix()


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _skip_string(text: str, start: int) -> int:
    """The index just after the JSON string that opens at `start` (a '"')."""
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == '"':
            return index + 1
        index += 1
    return len(text)


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def statement_offsets(text: str) -> list[int]:
    """The offset of the opening '{' of each statement of a JSON policy document, in order
    ([] when the document has no Statement the scan can find)."""
    depth, index = 0, 0
    while index < len(text):
        char = text[index]
        if char == '"':
            end = _skip_string(text, index)
            after = _skip_space(text, end)
            if depth == 1 and text[index + 1 : end - 1] == "Statement" and (
                after < len(text) and text[after] == ":"
            ):
                return _element_offsets(text, _skip_space(text, after + 1))
            index = end
            continue
        if char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
        index += 1
    return []


def _element_offsets(text: str, start: int) -> list[int]:
    if start >= len(text):
        return []
    if text[start] == "{":
        return [start]
    if text[start] != "[":
        return []
    offsets: list[int] = []
    depth, index = 0, start
    while index < len(text):
        char = text[index]
        if char == '"':
            index = _skip_string(text, index)
            continue
        if char in "{[":
            if depth == 1 and char == "{":
                offsets.append(index)
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                break
        index += 1
    return offsets


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def statement_line(path: Path, statement: int | None, sid: str | None = None) -> int:
    """The line (1-based) of a statement's opening brace in a JSON policy file; the line of its
    Sid when the scan fails; 1 when neither is found (or `statement` is None)."""
    text = _read(path)
    if text is None or statement is None:
        return 1
    offsets = statement_offsets(text)
    if 0 <= statement < len(offsets):
        return _line_of(text, offsets[statement])
    if sid:
        match = re.search(r'"Sid"\s*:\s*"' + re.escape(sid) + '"', text)
        if match is not None:
            return _line_of(text, match.start())
    return 1


def text_line(path: Path, *needles: str) -> int:
    """The line of the last of `needles` found in order in a text file (each searched from the
    line of the one before; a needle matches where no letter, digit, '_' or '-' follows it),
    e.g. ("permission_sets:", "name: Admin"); 1 when the first is missing."""
    text = _read(path)
    if text is None:
        return 1
    lines = text.splitlines()
    position, found = 0, 1
    for needle in needles:
        pattern = re.compile(re.escape(needle) + r"(?![\w-])")
        for number in range(position, len(lines)):
            if pattern.search(lines[number]):
                position, found = number, number + 1
                break
        else:
            break
    return found


def with_lines(findings: Iterable[Finding]) -> list[Finding]:
    """Each finding with `line` filled in from its file where it was not known."""
    return [
        finding
        if finding.line is not None
        else replace(finding, line=statement_line(finding.file, finding.statement, finding.sid))
        for finding in findings
    ]


# --------------------------------------------------------------------------- accepted findings


class AcceptedFileError(Exception):
    """accepted.yaml cannot be read or an entry is malformed."""


def read_yaml_file(path: Path, error: type[Exception]) -> tuple[str, Any]:
    """The text of one of the analysis's own YAML files (accepted findings, archived findings,
    waivers) and its data; `error` (naming the file) when it cannot be read or parsed."""
    try:
        text = path.read_text(encoding="utf-8")
        return text, yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as problem:
        raise error(f"{path}: cannot read: {problem}") from problem
    except yaml.YAMLError as problem:
        raise error(f"{path}: not YAML: {problem}") from problem


@dataclass(frozen=True, slots=True)
class AcceptedEntry:
    """One accepted finding. It matches findings of `rule` in `file` (relative to the directory
    the analysis ran on), narrowed by `sid`, `statement` and `subject` where given."""

    rule: str
    file: str
    reason: str
    owner: str
    sid: str | None = None
    statement: int | None = None
    subject: str | None = None
    line: int = 1
    """Where the entry is in accepted.yaml."""

    def matches(self, finding: Finding, relative_file: str) -> bool:
        return (
            finding.rule == self.rule
            and relative_file == self.file
            and (self.sid is None or finding.sid == self.sid)
            and (self.statement is None or finding.statement == self.statement)
            and (self.subject is None or finding.subject == self.subject)
        )


_ENTRY_KEYS = {"rule", "file", "sid", "statement", "subject", "reason", "owner"}


def load_accepted(path: Path, known_rules: Iterable[str] = ()) -> tuple[AcceptedEntry, ...]:
    """The entries of an accepted-findings file:

        accepted:
          - rule: admin-access
            file: identity-center.yaml
            subject: permission set Admin
            reason: Platform administration is the design; SCPs still apply.
            owner: platform-team

    `rule`, `file`, `reason` and `owner` are required; `sid`, `statement` and `subject` narrow
    the match. With `known_rules`, a rule id outside them is an error."""
    text, data = read_yaml_file(path, AcceptedFileError)
    if data is None:
        return ()
    if not isinstance(data, dict) or set(data) - {"accepted"}:
        raise AcceptedFileError(f"{path}: expected a mapping with the one key 'accepted'")
    entries = data.get("accepted")
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise AcceptedFileError(f"{path}: 'accepted' must be a list")
    lines = _item_lines(yaml.compose(text, Loader=yaml.SafeLoader))
    rules = set(known_rules)
    result: list[AcceptedEntry] = []
    for index, raw in enumerate(entries):
        line = lines[index] if index < len(lines) else 1
        where = f"{path}:{line}: accepted[{index}]"
        result.append(_entry(raw, where, line, rules))
    return tuple(result)


def _item_lines(root: yaml.Node | None) -> list[int]:
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "accepted" and isinstance(
            value, yaml.SequenceNode
        ):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _entry(raw: Any, where: str, line: int, rules: set[str]) -> AcceptedEntry:
    if not isinstance(raw, dict):
        raise AcceptedFileError(f"{where}: expected a mapping")
    unknown = sorted(str(key) for key in raw if key not in _ENTRY_KEYS)
    if unknown:
        raise AcceptedFileError(
            f"{where}: unknown key {unknown[0]!r} (expected: {', '.join(sorted(_ENTRY_KEYS))})"
        )
    for required in ("rule", "file", "reason", "owner"):
        value = raw.get(required)
        if not isinstance(value, str) or not value.strip():
            raise AcceptedFileError(f"{where}: '{required}' is required (a non-empty string)")
    rule = raw["rule"]
    if rules and rule not in rules:
        raise AcceptedFileError(f"{where}: unknown rule {rule!r}")
    statement = raw.get("statement")
    if statement is not None and (not isinstance(statement, int) or isinstance(statement, bool)):
        raise AcceptedFileError(f"{where}: 'statement' must be an integer")
    for optional in ("sid", "subject"):
        if raw.get(optional) is not None and not isinstance(raw[optional], str):
            raise AcceptedFileError(f"{where}: '{optional}' must be a string")
    return AcceptedEntry(
        rule=rule,
        file=str(raw["file"]).strip(),
        reason=" ".join(str(raw["reason"]).split()),
        owner=str(raw["owner"]).strip(),
        sid=raw.get("sid"),
        statement=statement,
        subject=raw.get("subject"),
        line=line,
    )


STALE_RULE = Rule(
    id=STALE_ACCEPTANCE,
    severity=Severity.ERROR,
    title="Accepted finding no longer found",
    help="An entry of the accepted-findings file matches no finding: the problem was fixed or "
    "the policy changed. Remove the entry (or correct it), so the file lists only decisions "
    "that still apply.",
)


def apply_accepted(
    findings: Iterable[Finding],
    entries: Sequence[AcceptedEntry],
    directory: Path,
    accepted_file: Path,
) -> list[Finding]:
    """`findings` with `accepted` set where an entry matches (files compared relative to
    `directory`), plus a `stale-acceptance` finding for each entry that matches none."""
    used: set[int] = set()
    result: list[Finding] = []
    for finding in findings:
        relative = _relative(finding.file, directory)
        for number, entry in enumerate(entries):
            if entry.matches(finding, relative):
                used.add(number)
                finding = replace(finding, accepted=Acceptance(entry.reason, entry.owner))
                break
        result.append(finding)
    for number, entry in enumerate(entries):
        if number in used:
            continue
        narrowed = ", ".join(
            f"{name} {value!r}"
            for name, value in (
                ("sid", entry.sid),
                ("statement", entry.statement),
                ("subject", entry.subject),
            )
            if value is not None
        )
        result.append(
            Finding(
                rule=STALE_ACCEPTANCE,
                severity=STALE_RULE.severity,
                file=accepted_file,
                statement=None,
                sid=None,
                message=f"accepted finding {entry.rule} in {entry.file}"
                + (f" ({narrowed})" if narrowed else "")
                + " matches no finding",
                fix="remove the entry, or correct its rule, file, sid, statement or subject",
                line=entry.line,
            )
        )
    return result


def _relative(path: Path, directory: Path) -> str:
    try:
        return path.resolve().relative_to(directory.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


# --------------------------------------------------------------------------- output


def summary(findings: Sequence[Finding]) -> dict[str, int]:
    counts = {severity.value: 0 for severity in Severity}
    for finding in findings:
        if finding.accepted is None:
            counts[finding.severity.value] += 1
    counts["accepted"] = sum(1 for finding in findings if finding.accepted is not None)
    counts["failures"] = failures(findings)
    return counts


def to_text(findings: Sequence[Finding], base: Path | None = None) -> str:
    """One block per finding — `file:line: severity rule: place: message`, then the fix (and
    the acceptance) indented — and a summary line."""
    lines: list[str] = []
    for finding in findings:
        place = f"{finding.where}: " if finding.where else ""
        status = "accepted " if finding.accepted is not None else ""
        lines.append(
            f"{display_path(finding.file, base)}:{finding.line or 1}: {status}"
            f"{finding.severity.value} {finding.rule}: {place}{finding.message}"
        )
        lines.append(f"    fix: {finding.fix}")
        if finding.accepted is not None:
            lines.append(
                f"    accepted: {finding.accepted.reason} (owner: {finding.accepted.owner})"
            )
    counts = summary(findings)
    parts = [
        f"{counts[s.value]} {s.value}"
        + ("s" if counts[s.value] != 1 and s is not Severity.SECURITY else "")
        for s in Severity
        if counts[s.value]
    ]
    total = len(findings) - counts["accepted"]
    lines.append(
        f"{total} finding{'s' if total != 1 else ''}"
        + (f" ({', '.join(parts)})" if parts else "")
        + f", {counts['accepted']} accepted"
    )
    return "\n".join(lines) + "\n"


def finding_to_dict(finding: Finding, base: Path | None = None) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "file": display_path(finding.file, base),
        "line": finding.line,
        "statement": finding.statement,
        "sid": finding.sid,
        "subject": finding.subject,
        "message": finding.message,
        "fix": finding.fix,
        "accepted": None
        if finding.accepted is None
        else {"reason": finding.accepted.reason, "owner": finding.accepted.owner},
    }


def to_json(
    findings: Sequence[Finding], base: Path | None = None, **extra: Any
) -> dict[str, Any]:
    """The findings as a JSON-ready dict: `extra` keys first, then `findings` and `summary`."""
    return {
        **extra,
        "findings": [finding_to_dict(finding, base) for finding in findings],
        "summary": summary(findings),
    }


def to_sarif(
    tool_name: str,
    rules: Sequence[Rule],
    findings: Sequence[Finding],
    *,
    base: Path | None = None,
    tool_version: str | None = None,
    information_uri: str | None = None,
) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run. File URIs are relative to `base` (the working directory
    by default: the repository root when run from there), under the uriBaseId %SRCROOT%.
    Accepted findings are results with an accepted external suppression."""
    base_dir = Path.cwd() if base is None else base
    index = {rule.id: number for number, rule in enumerate(rules)}
    driver: dict[str, Any] = {"name": tool_name, "rules": [_sarif_rule(r) for r in rules]}
    if tool_version is not None:
        driver["version"] = tool_version
    if information_uri is not None:
        driver["informationUri"] = information_uri
    results = [_sarif_result(finding, index, base_dir) for finding in findings]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": {
                    "%SRCROOT%": {"uri": base_dir.resolve().as_uri().rstrip("/") + "/"}
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def _sarif_rule(rule: Rule) -> dict[str, Any]:
    tags = ["security"] if rule.severity is Severity.SECURITY else []
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.help},
        "help": {"text": rule.help},
        "defaultConfiguration": {"level": rule.severity.sarif_level},
        "properties": {
            "severity": rule.severity.value,
            "security-severity": _SECURITY_SEVERITY[rule.severity],
            "tags": tags,
        },
    }


def _sarif_result(finding: Finding, index: Mapping[str, int], base: Path) -> dict[str, Any]:
    line = finding.line or statement_line(finding.file, finding.statement, finding.sid)
    uri = display_path(finding.file, base)
    location: dict[str, Any] = {"uri": uri}
    if not Path(uri).is_absolute():
        location["uriBaseId"] = "%SRCROOT%"
    else:
        location = {"uri": Path(uri).as_uri()}
    text = finding.message
    if finding.where:
        text = f"{finding.where}: {text}"
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": finding.severity.sarif_level,
        "message": {"text": f"{text}. Fix: {finding.fix}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": location,
                    "region": {"startLine": max(1, line)},
                }
            }
        ],
        "properties": {"severity": finding.severity.value},
    }
    if finding.rule in index:
        result["ruleIndex"] = index[finding.rule]
    if finding.statement is not None:
        result["properties"]["statement"] = finding.statement
    if finding.sid is not None:
        result["properties"]["sid"] = finding.sid
    if finding.subject is not None:
        result["properties"]["subject"] = finding.subject
    if finding.accepted is not None:
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{finding.accepted.reason} (owner: {finding.accepted.owner})",
            }
        ]
    return result


def dumps(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2) + "\n"
