"""Surviving mutants as findings, and the reviewed reasons some of them survive.

A mutant that survives `securecart mutate` is a control no scenario proves: its statement could
be removed, or its condition dropped, and every scenario would still pass. Each is either
covered by a new scenario or accepted, with a reason and an owner, in the landscape's
`analysis/survivors.yaml` — the same format as lint's accepted findings (`findings.load_accepted`):

    accepted:
      - rule: untested-statement            # or untested-condition (a dropped Condition)
        file: policies/resources/s3/securecart-prod-customer-data.json
        sid: DenyUnencryptedObjectUploads   # or statement: <index> for a statement without Sid
        reason: The SCP deny-unencrypted-storage refuses the same uploads first.
        owner: SecurityTeam

An entry that matches no survivor is stale (the mutant is killed now, or the statement is gone)
and is itself a finding, so the file lists only reasons that still hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from harness.analysis.findings import (
    AcceptedEntry,
    Finding,
    Rule,
    Severity,
    apply_accepted,
    load_accepted,
)
from harness.analysis.mutate import MutantResult

SURVIVORS_FILE = Path("analysis/survivors.yaml")
"""Where a landscape keeps its accepted survivors, relative to the landscape directory."""

UNTESTED_STATEMENT = Rule(
    id="untested-statement",
    severity=Severity.WARNING,
    title="No scenario fails without this statement",
    help="securecart mutate removed the statement from a copy of the landscape and every "
    "scenario still passed: the control it expresses is not proven. Add a scenario whose "
    "outcome depends on it, or accept the survivor in analysis/survivors.yaml with the reason "
    "(e.g. another control already decides the same requests).",
)
UNTESTED_CONDITION = Rule(
    id="untested-condition",
    severity=Severity.WARNING,
    title="No scenario fails without this statement's Condition",
    help="securecart mutate dropped the statement's Condition in a copy of the landscape and "
    "every scenario still passed: no scenario shows what the condition lets in or keeps out. "
    "Add a scenario for a request on the other side of the condition, or accept the survivor "
    "in analysis/survivors.yaml with the reason.",
)
RULES: tuple[Rule, ...] = (UNTESTED_STATEMENT, UNTESTED_CONDITION)
RULE_IDS = frozenset(rule.id for rule in RULES)
_RULE_OF_KIND = {"remove-statement": UNTESTED_STATEMENT, "drop-condition": UNTESTED_CONDITION}


def survivor_finding(directory: Path, result: MutantResult) -> Finding:
    """The finding for one surviving mutant (its control relative to the landscape
    `directory`)."""
    mutant = result.mutant
    rule = _RULE_OF_KIND[mutant.kind]
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        file=directory / mutant.control,
        statement=mutant.index,
        sid=mutant.sid,
        message=f"mutant survived ({mutant.describe()}): {result.reason}",
        fix="add a scenario whose outcome depends on it, or accept it with a reason in "
        f"{SURVIVORS_FILE.as_posix()}",
    )


def load_survivors(path: Path) -> tuple[AcceptedEntry, ...]:
    """The entries of a survivors file; AcceptedFileError names the entry at fault."""
    return load_accepted(path, RULE_IDS)


@dataclass(frozen=True, slots=True)
class Review:
    results: list[MutantResult]
    """The mutants' results, survivors with `accepted` set where an entry gives the reason."""
    findings: list[Finding]
    """A finding per survivor (accepted where an entry matches)."""
    stale: list[Finding]
    """Entries that match no survivor."""


def review(results: Sequence[MutantResult], entries: Sequence[AcceptedEntry], directory: Path,
           survivors_file: Path, controls: Iterable[str]) -> Review:
    """Match the survivors against the entries of `survivors_file`. Entries of policy files
    outside `controls` (those analysed) are left alone — a `--policy` run did not test them —
    unless their file is not in the landscape at all."""
    analysed = set(controls)
    on_disk = {p.relative_to(directory).as_posix() for p in directory.rglob("*.json")}
    relevant = [e for e in entries if e.file in analysed or e.file not in on_disk]
    survivors = [r for r in results if r.status == "survived"]
    findings = apply_accepted([survivor_finding(directory, r) for r in survivors], relevant,
                              directory, survivors_file)
    # apply_accepted keeps the survivors' order and appends the stale entries.
    matched, stale = findings[:len(survivors)], findings[len(survivors):]
    acceptance = {id(r): f.accepted for r, f in zip(survivors, matched, strict=True)}
    reviewed = [replace(r, accepted=acceptance.get(id(r))) for r in results]
    return Review(reviewed, matched, stale)
