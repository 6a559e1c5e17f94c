"""Analysis steps: the offline checks of `securecart analyze` and `securecart lint` (and the
credential report of the running backend), as an auditor reads them.

The checks read the landscape the run uses (`world.stack.landscape`), so another team's
landscape is checked against its own archived and accepted findings. They decide without
calling AWS, so each runs once per landscape in a process, however many scenarios ask; a
`When` step puts its result in `world.notes`, the `Then` steps read it there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from harness.analysis.analyze import Analysis, analyze
from harness.analysis.credentials import CredentialReport, read_report
from harness.analysis.external import PUBLIC, ExternalFinding
from harness.analysis.findings import Finding, display_path, load_accepted
from harness.analysis.lint import ACCEPTED_FILE, RULE_IDS, lint_landscape
from harness.analysis.privesc import EscalationPath
from harness.landscape.model import Landscape
from steps.catalog import then, when
from steps.world import World

Table = list[list[str]]
T = TypeVar("T")

_ANALYSIS = "access analysis"
_POLICY_CHECKS = "policy checks"
_CREDENTIALS = "credential report"

_RESULTS: dict[tuple[str, int], tuple[Landscape, Any]] = {}
"""(check, id of the landscape) → (the landscape, kept so that its id is not reused; the
result). A landscape is immutable and a process runs one, so nothing ever goes stale."""


def _once(check: str, landscape: Landscape, run: Callable[[Landscape], T]) -> T:
    key = (check, id(landscape))
    found = _RESULTS.get(key)
    if found is None or found[0] is not landscape:
        found = _RESULTS[key] = (landscape, run(landscape))
    result: T = found[1]
    return result


def _policy_checks(landscape: Landscape) -> list[Finding]:
    accepted_file = landscape.directory / ACCEPTED_FILE
    if not accepted_file.is_file():
        return lint_landscape(landscape)
    return lint_landscape(landscape, load_accepted(accepted_file, RULE_IDS), accepted_file)


def _note(world: World, check: str, step: str) -> Any:
    assert check in world.notes, f"the {check} has not run: a When step must run it ({step})"
    return world.notes[check]


def _analysis(world: World) -> Analysis:
    found: Analysis = _note(world, _ANALYSIS,
                            "When the access analysis runs over the organisation's policies")
    return found


def _findings(world: World) -> list[Finding]:
    found: list[Finding] = _note(world, _POLICY_CHECKS,
                                 "When the policy checks run over every policy")
    return found


def _expect(holds: bool, message: str) -> None:
    """Fail the step with `message` alone (it lists what was found) when `holds` is false."""
    if not holds:
        raise AssertionError(message)


def _expect_rows(found: list[Any], expected: list[Any], what: str, shown: Iterable[str]) -> None:
    """Fail unless the rows `found` are the table's `expected` rows, listing `what` was found
    (`shown`) and the rows missing or not in the table."""
    _expect(found == expected,
        f"the {what} findings differ from the table\n"
        f"{what}:\n{_listing(shown)}\n"
        f"missing:\n{_listing(str(row) for row in expected if row not in found)}\n"
        f"not in the table:\n{_listing(str(row) for row in found if row not in expected)}")


def _listing(lines: Iterable[str], empty: str = "none") -> str:
    shown = [f"  {line}" for line in lines]
    return "\n".join(shown) if shown else f"  {empty}"


# --------------------------------------------------------------------------- When


@when("the access analysis runs over the organisation's policies",
      example="When the access analysis runs over the organisation's policies")
def access_analysis(world: World) -> None:
    """`securecart analyze`, offline, on the landscape the run uses: who outside the
    organisation each resource and trust policy lets in (archived when
    analysis/archived.yaml says it is intended), and every privilege-escalation path."""
    world.notes[_ANALYSIS] = _once(_ANALYSIS, world.stack.landscape, analyze)


@when("the policy checks run over every policy",
      example="When the policy checks run over every policy")
def policy_checks(world: World) -> None:
    """`securecart lint` on the landscape the run uses: every policy file, permission set and
    role checked by every rule, with the findings analysis/accepted.yaml accepts marked
    accepted (and an entry that matches nothing reported as a stale acceptance)."""
    world.notes[_POLICY_CHECKS] = _once(_POLICY_CHECKS, world.stack.landscape, _policy_checks)


@when("the credential report is read from every account",
      example="When the credential report is read from every account")
def credential_report(world: World) -> None:
    """IAM's credential report, read on the running backend (the seeded state): every
    account's IAM users, their passwords, MFA devices and access keys."""
    world.notes[_CREDENTIALS] = read_report(world.stack.backend, world.stack.landscape)


# --------------------------------------------------------------------------- external access


def _outside_account(world: World, finding: ExternalFinding) -> str:
    """The finding's principal as a table names it: the account's name when the landscape
    knows it, its id otherwise, "anyone" for public access."""
    if finding.principal == PUBLIC:
        return "anyone"
    for account in world.stack.landscape.accounts:
        if account.account_id == finding.principal:
            return account.name
    return finding.principal


def _describe(finding: ExternalFinding) -> str:
    conditions = f" if {'; '.join(finding.conditions)}" if finding.conditions else ""
    return (f"{finding.resource}: {finding.principal_label} may {', '.join(finding.actions)} "
            f"(granted by {', '.join(finding.statements)}{conditions})")


def _actions(cell: str) -> tuple[str, ...]:
    return tuple(sorted(a.strip().lower() for a in cell.split(",") if a.strip()))


@then("the archived external-access findings are exactly:",
      example="Then the archived external-access findings are exactly:\n"
              "  | resource                                        | outside account "
              "| actions     |\n"
              "  | arn:aws:sns:us-east-1:666666666666:order-events | vendor          "
              "| sns:Publish |")
def archived_exactly(world: World, datatable: Table) -> None:
    """The access from outside the organisation that analysis/archived.yaml declares intended,
    one row per finding: the resource's ARN, the outside account (its name in the landscape,
    or its id; "anyone" for public access) and the actions it may do (comma-separated). No
    row missing, none more, the actions exactly these."""
    header, *rows = datatable
    assert [h.strip() for h in header] == ["resource", "outside account", "actions"], header
    expected = sorted((r[0].strip(), r[1].strip(), _actions(r[2])) for r in rows)
    archived = [f for f in _analysis(world).external if f.archive is not None]
    found = sorted((f.resource, _outside_account(world, f), _actions(",".join(f.actions)))
                   for f in archived)
    _expect_rows(found, expected, "archived external-access", (_describe(f) for f in archived))


@then("no external-access finding is active",
      example="Then no external-access finding is active")
def none_active(world: World) -> None:
    """Every access from outside the organisation is archived as intended: the analysis found
    none that analysis/archived.yaml does not name (an archive entry with actions stops
    matching when the policy grants more)."""
    active = _analysis(world).active
    _expect(not active,
        f"{len(active)} active external-access finding(s), access from outside the "
        f"organisation no archive entry declares intended:\n{_listing(map(_describe, active))}")


@then("no resource is open to the public",
      example="Then no resource is open to the public")
def none_public(world: World) -> None:
    """No resource or trust policy lets in an account no landscape knows, nor an anonymous
    caller — archived or not."""
    public = [f for f in _analysis(world).external if f.public]
    _expect(not public,
        f"{len(public)} resource(s) open to the public:\n{_listing(map(_describe, public))}")


# --------------------------------------------------------------------------- escalation


def _path(path: EscalationPath) -> str:
    steps = "\n".join(f"      {n}. {step.describe()}" for n, step in enumerate(path.steps, 1))
    return (f"{path.principal} → {path.target}, then may do in {path.account} what "
            f"{path.principal} may not: {', '.join(path.gains)}\n{steps}")


def _role_labels(world: World) -> set[str]:
    """Every role the analysis looks at, as `account:role` (Identity Center roles by their
    permission set)."""
    from harness.analysis.offline import Offline

    def labels(landscape: Landscape) -> set[str]:
        return {role.label for role in Offline(landscape).roles()}

    found: set[str] = _once("roles", world.stack.landscape, labels)
    return found


@then('the "{role}" role in the "{account}" account has no path to more privileges',
      example='Then the "DeveloperPowerUser" role in the "dev" account has no path to more '
              "privileges")
def no_path_from(world: World, role: str, account: str) -> None:
    """No privilege-escalation path starts from the role (a role of the account, or the
    Identity Center role of a permission set assigned there): no chain of requests its
    policies allow — assuming roles, passing them to services, rewriting policies, trust or
    boundaries — reaches a role that may do more IAM in its account than this one."""
    label = f"{account}:{role}"
    assert label in _role_labels(world), (
        f"there is no {role} role in the {account} account to analyse: "
        f"{sorted(_role_labels(world))}")
    paths = [p for p in _analysis(world).paths if p.principal == label]
    _expect(not paths, f"{len(paths)} privilege-escalation path(s) from {label}:\n"
                       f"{_listing(map(_path, paths))}")


@then('no role of the "{group}" group can take over a "{role}" role',
      example='Then no role of the "Developers" group can take over a "DeployRole" role')
def group_cannot_take_over(world: World, group: str, role: str) -> None:
    """The group's roles are the Identity Center roles of the permission sets assigned to it,
    in each account they are assigned in. No privilege-escalation path leads from any of them
    to the named role, in any account."""
    center = world.stack.landscape.identity_center
    sources = {f"{a.account}:{a.permission_set}" for a in center.assignments
               if a.principal_type == "GROUP" and a.principal == group}
    assert sources, f"the {group} group has no permission set assigned in any account"
    targets = {label for label in _role_labels(world) if label.split(":", 1)[1] == role}
    assert targets, f"no account has a {role} role: {sorted(_role_labels(world))}"
    paths = [p for p in _analysis(world).paths if p.principal in sources and p.target in targets]
    _expect(not paths, f"the {group} group's roles ({', '.join(sorted(sources))}) can take over "
                       f"{', '.join(sorted(targets))}:\n{_listing(map(_path, paths))}")


@then("no privilege-escalation path exists",
      example="Then no privilege-escalation path exists")
def no_paths(world: World) -> None:
    """From no role of the landscape — its own roles and the Identity Center roles — does a
    privilege-escalation path lead anywhere."""
    paths = _analysis(world).paths
    _expect(not paths, f"{len(paths)} privilege-escalation path(s):\n"
                       f"{_listing(map(_path, paths))}")


# --------------------------------------------------------------------------- policy checks


def _finding(world: World, finding: Finding) -> str:
    where = display_path(finding.file, world.stack.landscape.directory)
    line = f":{finding.line}" if finding.line else ""
    text = f"{where}{line}: {finding.severity} {finding.rule}: {finding.where}: {finding.message}"
    if finding.accepted is not None:
        text += f" (accepted, owner {finding.accepted.owner})"
    return text


@then("the accepted findings are exactly:",
      example="Then the accepted findings are exactly:\n"
              "  | rule         | file                 | owner          |\n"
              "  | admin-access | identity-center.yaml | PlatformAdmins |")
def accepted_exactly(world: World, datatable: Table) -> None:
    """The findings analysis/accepted.yaml accepts as the design, one row per finding: the
    rule, the file (relative to the landscape directory) and who owns the decision. No row
    missing, none more."""
    header, *rows = datatable
    assert [h.strip() for h in header] == ["rule", "file", "owner"], header
    expected = sorted(tuple(cell.strip() for cell in row) for row in rows)
    accepted = [f for f in _findings(world) if f.accepted is not None]
    directory = world.stack.landscape.directory
    found = sorted((f.rule, display_path(f.file, directory), f.accepted.owner)
                   for f in accepted if f.accepted is not None)
    _expect_rows(found, expected, "accepted", (_finding(world, f) for f in accepted))


@then("no other finding remains",
      example="Then no other finding remains")
def nothing_else(world: World) -> None:
    """Every finding of every severity — error, security, warning, suggestion, and stale
    acceptances — is accepted: the policies pass the checks but for the accepted design."""
    open_findings = [f for f in _findings(world) if f.accepted is None]
    _expect(not open_findings,
        f"{len(open_findings)} finding(s) not accepted:\n"
        f"{_listing(_finding(world, f) for f in open_findings)}")


@then("every permission set requires MFA",
      example="Then every permission set requires MFA")
def every_set_requires_mfa(world: World) -> None:
    """Every permission set's inline policy denies everything without MFA (the missing-mfa
    check finds nothing, accepted or not), and there are permission sets to check."""
    sets = world.stack.landscape.identity_center.permission_sets
    assert sets, "the landscape has no permission sets"
    missing = [f for f in _findings(world) if f.rule == "missing-mfa"]
    _expect(not missing, f"{len(missing)} permission set(s) without the MFA deny:\n"
                         f"{_listing(_finding(world, f) for f in missing)}")


# --------------------------------------------------------------------------- credentials


@then("no account has an IAM user, a password or an access key",
      example="Then no account has an IAM user, a password or an access key")
def no_long_lived_credentials(world: World) -> None:
    """The credential report covers every account of the landscape and lists no IAM user —
    hence no console password, no MFA device of a user and no access key."""
    report: CredentialReport = _note(world, _CREDENTIALS,
                                     "When the credential report is read from every account")
    accounts = tuple(account.name for account in world.stack.landscape.accounts)
    assert report.accounts == accounts, (report.accounts, accounts)
    users = [f"{u.account}: {u.user} (password: {'yes' if u.password else 'no'}, "
             f"access keys: {len(u.access_keys)}, MFA devices: {len(u.mfa_devices)})"
             for u in report.users]
    _expect(not users, f"{len(users)} IAM user(s):\n{_listing(users)}")
