"""A stand-in for the step library's pytest plugin, for the report tests: the same options
(--landscape, --backend, --decision-log), feature files collected from the paths given, and
steps that "call AWS" by writing canned decision-log records (with `scenario`: the node id).

Any backend name is accepted. `FAKE_SUITE_REFUSES="localstack=s3:ListBucket"` (comma-separated
`backend=action` pairs) makes that backend refuse that action, as an emulator that does not
implement it would: a scenario expecting it allowed then fails on that backend alone.
"""

from __future__ import annotations

import json
import os
import time
import types
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when

ACCOUNTS = {"prod": "666666666666", "dev": "444444444444"}
SCP_ARN = "arn:aws:organizations::111111111111:policy/o-fake/service_control_policy/p-1234abcd"
FULL_ACCESS = "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"
REFUSES = "FAKE_SUITE_REFUSES"


def _statement(policy: str, kind: str, sid: str, effect: str) -> dict[str, Any]:
    return {"policy": policy, "type": kind, "statement": sid, "effect": effect, "source": None}


def _sso_inline(account: str, permission_set: str) -> str:
    role = (f"arn:aws:iam::{account}:role/aws-reserved/sso.amazonaws.com/"
            f"AWSReservedSSO_{permission_set}_0123456789abcdef")
    return f"inline policy AwsSSOInlinePolicy of {role}"


def _refused(backend: str, action: str) -> bool:
    pairs = (pair.partition("=") for pair in os.environ.get(REFUSES, "").split(","))
    return any(name.strip() == backend and refused.strip() == action
               for name, _, refused in pairs)


def _decision(action: str, account: str, permission_set: str, backend: str) -> dict[str, Any]:
    if _refused(backend, action):
        return {"decision": "refused", "denied_by": None, "deciding": [], "matched": [],
                "error_code": "NotImplemented"}
    full = _statement(FULL_ACCESS, "service control policy", "Statement[0]", "Allow")
    if action in ("s3:DeleteBucket", "dynamodb:DeleteTable"):
        scp = _statement(SCP_ARN, "service control policy", "DenyDestructiveActionsInProd", "Deny")
        return {"decision": "explicitDeny", "denied_by": "service control policy",
                "deciding": [scp], "matched": [full, scp]}
    if action == "secretsmanager:GetSecretValue":
        deny = _statement(_sso_inline(account, permission_set), "identity-based policy",
                          "NoReadingSecretValues", "Deny")
        return {"decision": "explicitDeny", "denied_by": "identity-based policy",
                "deciding": [deny], "matched": [full, deny]}
    if action == "s3:PutObject":
        return {"decision": "implicitDeny", "denied_by": "identity-based policy",
                "deciding": [], "matched": [full]}
    grant = _statement("arn:aws:iam::aws:policy/ReadOnlyAccess", "identity-based policy",
                       "Statement[0]", "Allow")
    return {"decision": "allowed", "denied_by": None, "deciding": [grant],
            "matched": [full, grant]}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--landscape", default=None)
    parser.addoption("--backend", default="moto")
    parser.addoption("--decision-log", default=None)
    # What `securecart run` passes the step plugin for --backend localstack.
    parser.addoption("--localstack-log-dir", default=None)
    parser.addoption("--localstack-url", default=None)
    parser.addoption("--localstack-via", default=None)


def pytest_configure(config: pytest.Config) -> None:
    for tag in ("guardrails", "scp", "developer-access", "broken-setup"):
        config.addinivalue_line("markers", f"{tag}: a feature tag")


class FeatureFile(pytest.Module):
    """A .feature file collected as a module whose tests are its scenarios."""

    def _getobj(self) -> types.ModuleType:
        module = types.ModuleType(self.path.stem)
        module.__file__ = str(self.path)
        code = f"from pytest_bdd import scenarios\nscenarios({str(self.path)!r})\n"
        exec(compile(code, str(self.path), "exec"), module.__dict__)
        return module


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix == ".feature":
        return FeatureFile.from_parent(parent, path=file_path)
    return None


@pytest.fixture(autouse=True)
def backend(request: pytest.FixtureRequest) -> None:
    """Stands for the backend the real plugin starts: a scenario tagged @broken-setup finds it
    down, as if it had not started."""
    if request.node.get_closest_marker("broken-setup") is not None:
        raise RuntimeError("the backend did not start")


class World:
    def __init__(self) -> None:
        self.principal = ""
        self.account = ""
        self.permission_set = ""
        self.last: dict[str, Any] = {}


@pytest.fixture
def world() -> World:
    return World()


@given(parsers.parse('{person} has signed in as "{permission_set}" in the "{account}" account'))
def signed_in(world: World, person: str, permission_set: str, account: str) -> None:
    world.account = ACCOUNTS[account]
    world.permission_set = permission_set
    world.principal = (f"arn:aws:sts::{world.account}:assumed-role/"
                       f"AWSReservedSSO_{permission_set}_0123456789abcdef/{person}")


def _call(request: pytest.FixtureRequest, world: World, action: str, resource: str) -> None:
    time.sleep(0.003)  # calls happen inside steps, after they start
    record = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "request_id": f"req-{time.monotonic_ns()}",
        "principal": world.principal,
        "service": action.split(":")[0],
        "operation": action.split(":")[1],
        "action": action,
        "resource": resource,
        **_decision(action, world.account, world.permission_set,
                    request.config.getoption("backend")),
        "missing_keys": [],
        "message": None,
        "scenario": request.node.nodeid,
    }
    if record["decision"] == "refused":
        record["message"] = f"{action} is not implemented by this backend"
    elif record["decision"] != "allowed":
        record["message"] = f"User: {world.principal} is not authorized to perform: {action}"
    path = request.config.getoption("decision_log")
    if path:
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(record) + "\n")
    world.last = record


@when(parsers.parse('{pronoun} calls {action} on "{resource}"'))
def calls_on(request: pytest.FixtureRequest, world: World, action: str, resource: str) -> None:
    _call(request, world, action, resource)


@when(parsers.parse("{pronoun} calls {action} with:"))
def calls_with(request: pytest.FixtureRequest, world: World, action: str,
               datatable: list[list[str]]) -> None:
    _call(request, world, action, f"arn:aws:secretsmanager:us-east-1:{world.account}:secret:"
          + datatable[0][1])


@then("the request is allowed")
def allowed(world: World) -> None:
    assert world.last["decision"] == "allowed", f"denied: {world.last['message']}"


@then(parsers.parse('the request is denied by the statement "{sid}"'))
def denied_by(world: World, sid: str) -> None:
    assert world.last["decision"] != "allowed"
    assert sid in [s["statement"] for s in world.last["deciding"]]


@then("nothing else happens")
def nothing_else() -> None:
    pass
