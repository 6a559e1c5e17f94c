"""Mutants decided by replaying the baseline's decisions (`securecart mutate`, issue 15).

The baseline run's decision log records, for every decision, everything the engine was given:
the request with all its context keys (`request`) and the policy set (`policy_set`, digests of
the table written beside the log, `decisions.policies.jsonl`); the step library writes which
calls a step asserted the outcome of (`decisions.asserted.jsonl`). A mutant changes one policy
file; replaying it means deciding again, offline, every logged decision of the scenarios it
reaches whose policy set holds one of that file's uses — with the mutated document in its place
— and comparing what a scenario can read of the decision (outcome, denying type, deciding
statements, AWS's rule, the message).

    replay = Replay.load(landscape, report_directory)
    verdict = replay.judge(mutant, scenarios)     # "survived" / "killed" / None (rerun it)

A scenario's replay, in the log's order:

- no decision changes: the scenario makes the same calls with the same answers, and passes as
  it did (`same`);
- the first decision that changes belongs to a call a step asserted the outcome of, and the
  assertion fails on the replayed decisions (an allowed call now denied, a denied one now
  allowed, another denying type or statement): every call before it was answered as in the
  baseline, so the scenario gets there and fails (`killed`);
- anything else: a changed decision no step asserts (its consequences — a write now refused —
  may fail a later step, or not), a policy of the file that the scenario rewrote, a
  policy-simulator call that simulated it, a record without the policy set, a scenario of the
  offline analysis features (they read the landscape's files, not the gateway's decisions), a
  replay of the unchanged policies that does not give the logged decision: not decidable by
  replay (`unknown`).

The mutant is killed when one scenario is, survives when every scenario is the same, and is
otherwise rerun as before (`harness.analysis.mutate.run_mutant`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from harness.authorization.decide import decide_assembled
from harness.authorization.question import Question
from harness.gateway.decision_log import asserted_path, policies_path
from harness.iam.context import Caller, ContextKeys, PrincipalKind, Request
from harness.iam.decision import Decision
from harness.iam.errors import PolicyValidationError
from harness.iam.evaluate import PolicySet
from harness.iam.json_reader import MAX_DOCUMENT_CHARS
from harness.iam.messages import access_denied_message
from harness.iam.parse import parse_policy
from harness.iam.policy import Policy, PolicyType
from harness.landscape.model import Landscape
from harness.report.decisions import StatementRef
from harness.report.policy_map import PolicyMap

OFFLINE_FEATURES = ("features/analysis/",)
"""Node-id prefixes of scenarios whose steps read the landscape's files themselves (the offline
checks of steps/analysis.py): a mutant changes what they read without any decision changing."""
DENY = frozenset({"explicitDeny", "implicitDeny"})
ACCESS_DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"})
# The Gherkin's words for a decision record's (decision, denied_by): what the step library's
# "the request is denied …" steps assert, and what replay checks a replayed decision against.
DENIAL_REASONS: dict[str, tuple[str, str]] = {
    "by a service control policy": ("explicitDeny", "service control policy"),
    "by an explicit deny in an identity-based policy": ("explicitDeny", "identity-based policy"),
    "by an explicit deny in a resource-based policy": ("explicitDeny", "resource-based policy"),
    "by an explicit deny in a permissions boundary": ("explicitDeny", "permissions boundary"),
    "because no identity-based policy allows it": ("implicitDeny", "identity-based policy"),
    "because no resource-based policy allows it": ("implicitDeny", "resource-based policy"),
    "because no permissions boundary allows it": ("implicitDeny", "permissions boundary"),
}

Verdict = Literal["same", "killed", "unknown"]


@dataclass(frozen=True, slots=True)
class ScenarioReplay:
    scenario: str
    verdict: Verdict
    reason: str
    replayed: int = 0
    """Decisions decided again."""


@dataclass(frozen=True, slots=True)
class MutantReplay:
    status: Literal["killed", "survived"] | None
    """None: replay cannot tell, the mutant must be rerun."""
    reason: str
    scenarios: tuple[ScenarioReplay, ...] = ()

    @property
    def killed_by(self) -> tuple[str, ...]:
        return tuple(s.scenario for s in self.scenarios if s.verdict == "killed")


def _lines(path: Path) -> Iterable[dict[str, Any]]:
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict):
            yield data


class Replay:
    """The baseline's log, read once, and the landscape's policy uses."""

    def __init__(self, landscape: Landscape, records: Sequence[dict[str, Any]],
                 policies: dict[str, Policy], asserted: dict[str, list[dict[str, Any]]]
                 ) -> None:
        self.landscape = landscape
        self.policy_map = PolicyMap(landscape)
        self.policies = policies
        self.asserted = asserted
        self.by_scenario: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for record in records:
            scenario = record.get("scenario")
            if isinstance(scenario, str):
                self.by_scenario[scenario].append(record)
        # digest → the landscape file it is a use of (None: no file of the landscape)
        self._file: dict[str, str | None] = {}
        self._use: dict[str, Any] = {}
        self._content: dict[tuple[Any, Any], Any] | None = None

    @classmethod
    def load(cls, landscape: Landscape, log: Path) -> Replay:
        records = list(_lines(log))
        policies: dict[str, Policy] = {}
        for entry in _lines(policies_path(log)):
            digest = entry.get("digest")
            if isinstance(digest, str) and digest not in policies:
                policy = _policy(entry.get("policy"))
                if policy is not None:
                    policies[digest] = policy
        asserted: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for entry in _lines(asserted_path(log)):
            if isinstance(entry.get("scenario"), str):
                asserted[entry["scenario"]].append(entry)
        return cls(landscape, records, policies, dict(asserted))

    # ------------------------------------------------------------------ which policies

    def _file_of(self, digest: str, directory: Path) -> str | None:
        if digest not in self._file:
            policy = self.policies.get(digest)
            document = None
            if policy is not None:
                document = self.policy_map.find(
                    StatementRef(policy.name, policy.policy_type.value, "", ""))
                if document is None:
                    # An organisation policy is named by the id the backend gave it: it is the
                    # landscape's document whose statements it holds.
                    document = self._by_content().get((policy.policy_type, policy.statements))
            self._file[digest] = None if document is None else _relative(document.file,
                                                                          directory)
            self._use[digest] = document
        return self._file[digest]

    def _digests(self, record: dict[str, Any]) -> list[str]:
        found = record.get("policy_set")
        if not isinstance(found, dict):
            return []
        digests = list(found.get("identity") or ())
        for name in ("resource", "boundary"):
            if found.get(name):
                digests.append(found[name])
        digests += found.get("session") or ()
        for name in ("scps", "rcps"):
            for level in found.get(name) or ():
                digests += level
        return digests

    def _by_content(self) -> dict[tuple[Any, Any], Any]:
        """(policy type, parsed statements) → the landscape document holding exactly them,
        where one does."""
        if self._content is None:
            found: dict[tuple[Any, Any], list[Any]] = defaultdict(list)
            for document in self.policy_map.documents():
                found[(document.policy_type, document.policy.statements)].append(document)
            self._content = {key: documents[0] for key, documents in found.items()
                             if len({d.file for d in documents}) == 1}
        return self._content

    # ------------------------------------------------------------------ a mutant

    def judge(self, control: str, mutate: Any, scenarios: Sequence[str]) -> MutantReplay:
        """`mutate(document) → document`: the mutant's change to one use's resolved document;
        `scenarios`: the passing scenarios the baseline found it reaching."""
        directory = self.landscape.directory
        swapped: dict[str, Policy] = {}
        diverged: set[str] = set()
        reached = {d for s in scenarios for r in self.by_scenario.get(s, ())
                   for d in self._digests(r)}
        missing = sorted(reached - self.policies.keys())
        if missing:
            # Which file a policy is a use of cannot be told: the mutant may reach it.
            return MutantReplay(None, f"the policy table lacks {len(missing)} of the policies "
                                f"the scenarios were given ({missing[0]}, ...)")
        for digest in reached:
            if self._file_of(digest, directory) != control:
                continue
            logged, use = self.policies[digest], self._use[digest]
            if (logged.statements, logged.version) != (use.policy.statements, use.policy.version):
                diverged.add(digest)  # the scenario wrote another document: not the file's
                continue
            try:
                mutated = parse_policy(mutate(use.document), logged.policy_type,
                                       name=logged.name)
            except (PolicyValidationError, ValueError) as error:
                return MutantReplay(None, f"the mutated document does not parse: {error}")
            swapped[digest] = replace(logged, statements=mutated.statements,
                                      version=mutated.version)
        results = []
        for scenario in scenarios:
            result = self._scenario(scenario, control, swapped, diverged)
            results.append(result)
            if result.verdict == "killed":
                return MutantReplay("killed", f"replayed: {result.reason}", tuple(results))
        unknown = [r for r in results if r.verdict != "same"]
        if not unknown:
            replayed = sum(r.replayed for r in results)
            return MutantReplay("survived", f"replayed {replayed} decisions of "
                                f"{len(results)} scenarios: none changed", tuple(results))
        return MutantReplay(None, f"{unknown[0].scenario}: {unknown[0].reason}", tuple(results))

    def _scenario(self, scenario: str, control: str, swapped: dict[str, Policy],
                  diverged: set[str]) -> ScenarioReplay:
        if scenario.startswith(OFFLINE_FEATURES):
            return ScenarioReplay(scenario, "unknown", "reads the landscape's files offline")
        replayed = 0
        for request_id, records in _calls(self.by_scenario.get(scenario, [])):
            touched = False
            for record in records:
                digests = self._digests(record)
                if any(d in diverged for d in digests):
                    return ScenarioReplay(scenario, "unknown", "a policy of the file was "
                                          "rewritten by the scenario", replayed)
                if record.get("simulated") and self._simulates(record, control):
                    return ScenarioReplay(scenario, "unknown", "a policy simulation used the "
                                          "file", replayed)
                if any(d in swapped for d in digests):
                    touched = True
                elif record.get("policy_set") is None and self._names(record, control):
                    return ScenarioReplay(scenario, "unknown", "a decision without its policy "
                                          "set used the file", replayed)
            if not touched:
                continue
            # The call's decisions, before (the logged policies) and after (the mutant's).
            before: list[Decision] = []
            after: list[Decision] = []
            changed: dict[str, Any] | None = None
            for record in records:
                original = self._decide(record, {})
                decision = self._decide(record, swapped)
                if original is None or decision is None or _seen(original) != _logged(record):
                    return ScenarioReplay(scenario, "unknown", "a decision of the call cannot "
                                          "be replayed faithfully (replaying it with the "
                                          "unchanged policies does not give the logged "
                                          "decision)", replayed)
                replayed += 1
                before.append(original)
                after.append(decision)
                if changed is None and _seen(decision) != _seen(original):
                    changed = record
            if changed is None:
                continue
            what = f"{changed.get('action')} by {changed.get('principal')}"
            change = f"{_reply(before)} → {_reply(after)}"
            checks = [c for c in self.asserted.get(scenario, ())
                      if request_id in (c.get("request_ids") or ())]
            verdicts = [(_check(c, after), c) for c in checks]
            failed = [(v, c) for v, c in verdicts if v not in ("holds", "unknown")]
            if failed:
                return ScenarioReplay(scenario, "killed", f"{what}: {change}; the step "
                                      f"asserting it fails: {failed[0][0]}", replayed)
            if any(v == "unknown" for v, _ in verdicts):
                return ScenarioReplay(scenario, "unknown", f"{what}: {change}; whether the "
                                      "step asserting it fails is not told by replay", replayed)
            if _forwarded(before) != _forwarded(after):
                return ScenarioReplay(scenario, "unknown", f"{what}: {change}; no assertion on "
                                      "the call fails, but it is "
                                      + ("now forwarded" if _forwarded(after) else "now refused")
                                      + " (its consequences are not replayed)", replayed)
            # The call is forwarded as before, or refused as before (perhaps with another
            # error): nothing changes in the backend, and only the steps' assertions read its
            # answer and records — and none fails.
        return ScenarioReplay(scenario, "same", "no call's outcome or asserted answer changed",
                              replayed)

    def _simulates(self, record: dict[str, Any], control: str) -> bool:
        refs = [StatementRef.from_json(s) for d in record.get("simulated") or ()
                for key in ("matched", "unmet") for s in d.get(key) or ()]
        return any(self._ref_file(ref) == control for ref in refs)

    def _names(self, record: dict[str, Any], control: str) -> bool:
        refs = [StatementRef.from_json(s) for key in ("deciding", "matched", "unmet")
                for s in record.get(key) or ()]
        return any(self._ref_file(ref) == control for ref in refs)

    def _ref_file(self, ref: StatementRef) -> str | None:
        document = self.policy_map.find(ref)
        return None if document is None else _relative(document.file,
                                                       self.landscape.directory)

    def _decide(self, record: dict[str, Any], swapped: dict[str, Policy]) -> Decision | None:
        """The record's decision taken again, `swapped` digests replaced; None when the record
        lacks what that needs."""
        given, found = record.get("request"), record.get("policy_set")
        if not isinstance(given, dict) or not isinstance(found, dict):
            return None
        policies = self.policies

        def one(digest: str) -> Policy:
            return swapped.get(digest) or policies[digest]

        def levels(value: Any) -> tuple[tuple[Policy, ...], ...] | None:
            return None if value is None else tuple(tuple(one(d) for d in level)
                                                    for level in value)

        try:
            caller = _caller(given["caller"])
            keys = ContextKeys()
            for name, values, multivalued in given.get("keys") or ():
                keys.set(name, tuple(values), multivalued=bool(multivalued))
            request = Request(caller=caller, action=str(record.get("action")),
                              resource=str(record.get("resource")),
                              resource_account=given.get("resource_account"), keys=keys)
            policy_set = PolicySet(
                identity=tuple(one(d) for d in found.get("identity") or ()),
                resource=one(found["resource"]) if found.get("resource") else None,
                boundary=one(found["boundary"]) if found.get("boundary") else None,
                session=(None if found.get("session") is None
                         else tuple(one(d) for d in found["session"])),
                scps=levels(found.get("scps")),
                rcps=levels(found.get("rcps")),
                management_account=found.get("management_account"),
                resource_policy_required=bool(found.get("resource_policy_required")),
            )
        except (KeyError, TypeError, ValueError):
            return None
        question = Question(caller=caller, action=request.action, resource=request.resource,
                            resource_account=request.resource_account, keys=keys)
        return decide_assembled(question, request, policy_set)


def _policy(entry: Any) -> Policy | None:
    """A policy table entry parsed again (None: not one, or it no longer parses)."""
    if not isinstance(entry, dict):
        return None
    kind, name, document = entry.get("type"), entry.get("name"), entry.get("document")
    if not (isinstance(name, str) and isinstance(document, str)
            and kind in {t.value for t in PolicyType}):
        return None
    try:
        # No size quota: the policy was within its own when the gateway read it.
        return parse_policy(document, PolicyType(kind), name, max_size=MAX_DOCUMENT_CHARS)
    except PolicyValidationError:
        return None


def _caller(data: dict[str, Any]) -> Caller:
    return Caller(kind=PrincipalKind(data["kind"]), arn=data["arn"], account=data.get("account"),
                  identity_arn=data.get("identity_arn"), service=data.get("service"),
                  provider=data.get("provider"),
                  service_linked=bool(data.get("service_linked")),
                  partition=data.get("partition") or "aws")


Seen = tuple[str, str | None, str | None, tuple[tuple[str, str, str, str], ...], str | None]


def _seen(decision: Decision) -> Seen:
    """What a scenario can read of a decision (the log record's decision, denied_by, rule,
    deciding statements, message)."""
    return (decision.outcome.value,
            decision.denied_by.value if decision.denied_by else None,
            decision.rule.name if decision.rule else None,
            tuple((s.policy_name, s.policy_type.value, s.statement, s.effect.value)
                  for s in decision.deciding),
            None if decision.allowed else access_denied_message(decision))


def _logged(record: dict[str, Any]) -> Seen:
    return (str(record.get("decision")), record.get("denied_by"), record.get("rule"),
            tuple((str(s.get("policy")), str(s.get("type")), str(s.get("statement")),
                   str(s.get("effect"))) for s in record.get("deciding") or ()),
            record.get("message"))


def _code(decision: Decision) -> str | None:
    """The error a denied call is answered with when `decision` is its first denial: a rule's
    own code (UnmodifiableEntity, …), else None — the service's access-denied error
    (`harness.gateway.app.EnforcingGateway._denial`)."""
    rule = decision.rule
    if (rule is not None and rule.code is not None and rule.message is not None
            and not rule.code.startswith("AccessDenied")):
        return rule.code
    return None


def _forwarded(call: list[Decision]) -> bool:
    return all(d.allowed for d in call)


def _reply(call: list[Decision]) -> str:
    """What the client gets: allowed when every decision allows, else the first denial's."""
    for decision in call:
        if not decision.allowed:
            code = _code(decision)
            return f"denied ({code})" if code else f"denied ({decision.outcome.value})"
    return "allowed"


def _calls(records: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The records grouped by call (request id), in the order of each call's first record."""
    calls: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        calls.setdefault(str(record.get("request_id")), []).append(record)
    return list(calls.items())


def _check(check: dict[str, Any], call: list[Decision]) -> str:
    """The step's assertion (`steps.outcomes`) on the call whose decisions are `call`:
    "holds", "unknown" (replay cannot tell), or why it fails. The gateway logs every decision
    of a call and answers with the first denial; the assertion reads the answer's error code
    and the last deny record."""
    kind, detail = check.get("check"), check.get("detail")
    denies = [d for d in call if not d.allowed]
    if kind == "allowed":
        return "the call is now denied" if denies else "holds"
    if not denies:
        return "unknown" if kind == "refused" else "the call is now allowed"
    code = _code(denies[0])
    last = denies[-1]
    if kind == "refused":
        if code is not None:
            return "holds" if code == detail else f"refused with {code}, not {detail}"
        return "holds" if detail in ACCESS_DENIED_CODES else f"access denied, not {detail}"
    if kind == "protected" and code == "UnmodifiableEntity":
        return "holds" if denies[0].rule and denies[0].rule.name == "protected role" \
            else "unknown"
    if kind not in ("denied", "names", "protected"):
        return "unknown"
    if code is not None:
        return f"refused with {code}, not access denied"
    if kind == "denied" and detail is not None:
        expected = DENIAL_REASONS.get(str(detail))
        if expected is None:
            return "unknown"
        found = (last.outcome.value, last.denied_by.value if last.denied_by else None)
        return "holds" if found == expected else f"denied as {found}, not {detail}"
    if kind == "names":
        named = [s.statement for s in last.deciding]
        return "holds" if detail in named else f"the denial no longer names {detail}"
    return "holds"


def _relative(file: Path, directory: Path) -> str:
    try:
        return file.resolve().relative_to(directory.resolve()).as_posix()
    except ValueError:
        return file.as_posix()
