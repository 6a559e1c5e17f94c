"""Accepted survivors (harness.analysis.survivors): a survivor with a reviewed reason is
reported as accepted, one without is a finding, an entry that matches no survivor is stale, and
a malformed survivors file is a usage error naming the entry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.analysis.findings import AcceptedFileError
from harness.analysis.mutate import (
    Mutant,
    MutantResult,
    generate_mutants,
    policy_controls,
    report_json,
    report_text,
)
from harness.analysis.survivors import SURVIVORS_FILE, load_survivors, review
from harness.commands import mutate as mutate_command
from harness.commands.main import main
from harness.landscape.loader import load_landscape
from harness.report.mutation_coverage import mutation_section
from harness.runner.repository import CANONICAL, FEATURES

ORDER_EVENTS = "policies/resources/sns/order-events.json"


def _mutants() -> dict[str, Mutant]:
    controls = policy_controls(load_landscape(CANONICAL), ["order-events"])
    return {m.id: m for m in generate_mutants(controls)}


def _results() -> list[MutantResult]:
    mutants = _mutants()
    owner = mutants[f"{ORDER_EVENTS}#OwnerAccountManagesTheTopic:remove-statement"]
    publish = mutants[f"{ORDER_EVENTS}#VendorMayPublish:remove-statement"]
    condition = mutants[f"{ORDER_EVENTS}#NobodyElseOutsideTheOrganization:drop-condition"]
    return [
        MutantResult(owner, "survived", "1 scenarios ran and passed"),
        MutantResult(publish, "killed", "1 of 1 scenarios failed"),
        MutantResult(condition, "survived", "the condition kept out no scenario's call"),
    ]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


ENTRIES = f"""\
accepted:
  - rule: untested-statement
    file: {ORDER_EVENTS}
    sid: OwnerAccountManagesTheTopic
    reason: The owner account's own principals are allowed by their identity policies.
    owner: PlatformAdmins
  - rule: untested-statement
    file: {ORDER_EVENTS}
    sid: VendorMayPublish
    reason: Was a survivor once.
    owner: PlatformAdmins
"""


def test_a_survivor_with_an_entry_is_accepted_one_without_is_not_and_a_stale_entry_is_named(
    tmp_path: Path
) -> None:
    file = _write(tmp_path / "survivors.yaml", ENTRIES)
    reviewed = review(_results(), load_survivors(file), CANONICAL, file, [ORDER_EVENTS])
    owner, publish, condition = reviewed.results
    assert owner.accepted is not None and owner.accepted.owner == "PlatformAdmins"
    assert publish.accepted is None and condition.accepted is None
    assert [f.rule for f in reviewed.findings] == ["untested-statement", "untested-condition"]
    assert reviewed.findings[0].accepted is not None and reviewed.findings[1].accepted is None
    # VendorMayPublish is killed: its entry is stale, and says where it is.
    assert len(reviewed.stale) == 1
    assert reviewed.stale[0].line == 7 and "matches no finding" in reviewed.stale[0].message

    data = report_json(policy_controls(load_landscape(CANONICAL), ["order-events"]),
                       reviewed.results, None, landscape=CANONICAL, features=FEATURES,
                       seconds=1.0, stale=reviewed.stale, survivors_file=file)
    assert data["totals"]["accepted"] == 1 and data["totals"]["unexplained"] == 1
    text = report_text(data)
    assert "ACCEPTED" in text and "accepted: The owner account's own principals" in text
    assert f"STALE    {file}:7" in text
    assert "1 accepted with a reason, 1 unexplained" in text
    assert "survived, accepted" in mutation_section(json.loads(json.dumps(data)))


def test_entries_of_policies_not_analysed_are_left_alone_unless_their_file_is_gone(
    tmp_path: Path
) -> None:
    file = _write(tmp_path / "survivors.yaml", """\
accepted:
  - rule: untested-condition
    file: policies/scp/deny-root-user.json
    sid: DenyRootUser
    reason: Not analysed in this run.
    owner: SecurityTeam
  - rule: untested-statement
    file: policies/no-such-file.json
    statement: 0
    reason: The policy was deleted.
    owner: SecurityTeam
""")
    reviewed = review(_results(), load_survivors(file), CANONICAL, file, [ORDER_EVENTS])
    assert [f.line for f in reviewed.stale] == [7]


@pytest.mark.parametrize(("text", "message"), [
    ("accepted:\n  - rule: untested-statement\n    file: x.json\n    owner: o\n",
     "accepted[0]: 'reason' is required"),
    ("accepted:\n  - rule: no-such-rule\n    file: x.json\n    reason: r\n    owner: o\n",
     "unknown rule 'no-such-rule'"),
    ("accepted: [\n", "not YAML"),
])
def test_a_malformed_survivors_file_names_the_entry(tmp_path: Path, text: str,
                                                    message: str) -> None:
    file = _write(tmp_path / "survivors.yaml", text)
    with pytest.raises(AcceptedFileError) as raised:
        load_survivors(file)
    assert str(raised.value).startswith(str(file)) and message in str(raised.value)


def test_the_command_refuses_a_malformed_survivors_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = _write(tmp_path / "survivors.yaml", "accepted: 3\n")
    status = main(["mutate", "--survivors", str(file), "--report", str(tmp_path)])
    assert status == mutate_command.EXIT_USAGE
    assert "'accepted' must be a list" in capsys.readouterr().err


def test_the_canonical_survivors_file_names_real_statements() -> None:
    """Every entry of the canonical landscape's survivors file names a mutant that exists (a
    full `securecart mutate` run checks that each still survives)."""
    entries = load_survivors(CANONICAL / SURVIVORS_FILE)
    ids = {(m.control, m.sid, m.index, m.kind) for m in generate_mutants(
        policy_controls(load_landscape(CANONICAL)))}
    kinds = {"untested-statement": "remove-statement", "untested-condition": "drop-condition"}
    for entry in entries:
        assert any(control == entry.file and kind == kinds[entry.rule]
                   and (entry.sid is None or sid == entry.sid)
                   and (entry.statement is None or index == entry.statement)
                   for control, sid, index, kind in ids), entry
