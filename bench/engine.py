"""Decisions per second of the policy engine on a varied, realistic corpus.

    python -m bench.engine [--requests N] [--seconds S]

Prints two figures, measured on one core:
- warm: the engine deciding pre-parsed requests (policies parsed once, as the gateway caches them);
- batch: `securecart simulate --batch`'s path, every request read from JSON and its policies parsed.
- batch, whole process: `securecart simulate --batch` run as a command on the documented cases
  (tests/iam/cases/*.json) repeated to --batch-lines lines, wall time of the process (start-up
  and imports included), as a user runs it.
The corpus mixes identity policies with wildcards and NotAction, permissions boundaries, session
policies, three-level SCP paths with region and MFA conditions, resource policies with conditions,
cross-account callers and policy variables.
"""

from __future__ import annotations

import argparse
import glob
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

from harness.authorization import Question, assembly, authorize
from harness.authorization.context import context_keys
from harness.iam.context import Request
from harness.iam.evaluate import evaluate
from harness.simulation.custom_policy import Simulation, parse_request, question, simulate
from harness.simulation.inputs import run_batch

BOUNDARY_ARN = "arn:aws:iam::111111111111:policy/DevBoundary"
ACCOUNTS = ["111111111111", "222222222222", "333333333333"]
REGIONS = ["us-east-1", "eu-west-1", "ap-south-1"]
ACTIONS = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteBucket",
    "s3:ListBucket",
    "dynamodb:GetItem",
    "dynamodb:DeleteTable",
    "sns:Publish",
    "sqs:SendMessage",
    "ec2:RunInstances",
    "ec2:CreateInternetGateway",
    "iam:CreateRole",
    "iam:PassRole",
    "lambda:InvokeFunction",
    "kms:Decrypt",
    "cloudtrail:StopLogging",
    "rds:DeleteDBInstance",
]


def _statement(
    effect: str, actions: Any, resources: Any, condition: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    statement = {"Effect": effect, "Action": actions, "Resource": resources, **extra}
    if condition:
        statement["Condition"] = condition
    return statement


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


REGION_SCP = _doc(
    {
        "Sid": "DenyOutsideAllowedRegions",
        "Effect": "Deny",
        "NotAction": [
            "iam:*",
            "organizations:*",
            "sts:*",
            "support:*",
            "cloudfront:*",
            "route53:*",
        ],
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
    }
)
PROD_SCP = _doc(
    _statement(
        "Deny",
        [
            "s3:DeleteBucket",
            "dynamodb:DeleteTable",
            "rds:DeleteDBInstance",
            "cloudtrail:StopLogging",
        ],
        "*",
    )
)
FULL = _doc(_statement("Allow", "*", "*"))
MFA = _doc(_statement("Deny", "*", "*", {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))


def _identity(rng: random.Random) -> list[dict[str, Any]]:
    return rng.choice(
        [
            [_doc(_statement("Allow", ["s3:Get*", "s3:List*", "dynamodb:Get*"], "*")), MFA],
            [_doc(_statement("Allow", "*", "*"))],
            [
                _doc(
                    {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"},
                    _statement(
                        "Allow",
                        ["iam:CreateRole", "iam:PassRole"],
                        "*",
                        {
                            "StringEquals": {
                                "iam:PermissionsBoundary": BOUNDARY_ARN
                            }
                        },
                    ),
                )
            ],
            [
                _doc(
                    _statement(
                        "Allow",
                        ["s3:GetObject", "s3:PutObject"],
                        "arn:aws:s3:::home/${aws:username}/*",
                    ),
                    _statement("Allow", "sns:Publish", "arn:aws:sns:*:*:order-events"),
                )
            ],
        ]
    )


def _request(rng: random.Random) -> dict[str, Any]:
    account, owner = rng.choice(ACCOUNTS), rng.choice(ACCOUNTS)
    caller = rng.choice(
        [
            f"arn:aws:iam::{account}:user/alice",
            f"arn:aws:sts::{account}:assumed-role/dev/alice",
            f"arn:aws:iam::{account}:role/ci-deployer",
        ]
    )
    action = rng.choice(ACTIONS)
    resource = rng.choice(
        [
            "arn:aws:s3:::home/alice/notes.txt",
            "arn:aws:s3:::securecart-prod-customer-data/c.json",
            f"arn:aws:sns:us-east-1:{owner}:order-events",
            "*",
            f"arn:aws:dynamodb:us-east-1:{owner}:table/orders",
        ]
    )
    request: dict[str, Any] = {
        "CallerArn": caller,
        "ActionNames": [action],
        "ResourceArns": [resource],
        "ResourceOwner": owner,
        "PolicyInputList": _identity(rng),
        "ContextEntries": [
            {"ContextKeyName": "aws:RequestedRegion", "ContextKeyValues": [rng.choice(REGIONS)]},
            {
                "ContextKeyName": "aws:MultiFactorAuthPresent",
                "ContextKeyValues": ["true" if rng.random() < 0.85 else "false"],
            },
            {"ContextKeyName": "aws:SecureTransport", "ContextKeyValues": ["true"]},
        ],
        "ServiceControlPolicies": [[FULL, REGION_SCP], [FULL], [FULL, PROD_SCP]],
        "ManagementAccount": "999999999999",
    }
    if rng.random() < 0.4:
        request["PermissionsBoundaryPolicyInputList"] = [
            _doc(
                _statement("Allow", ["s3:*", "sns:*", "dynamodb:*", "iam:*"], "*"),
                _statement("Deny", "iam:DeleteRolePermissionsBoundary", "*"),
            )
        ]
    if "assumed-role" in caller and rng.random() < 0.5:
        request["SessionPolicyInputList"] = [_doc(_statement("Allow", ["s3:*", "sns:*"], "*"))]
    if resource != "*" and rng.random() < 0.6:
        request["ResourcePolicy"] = _doc(
            _statement(
                "Allow",
                ["s3:GetObject", "sns:Publish", "dynamodb:GetItem"],
                resource,
                {"StringEquals": {"aws:PrincipalAccount": rng.choice(ACCOUNTS)}},
                Principal={"AWS": rng.choice(ACCOUNTS)},
            ),
            _statement(
                "Deny", "*", resource, {"Bool": {"aws:SecureTransport": "false"}}, Principal="*"
            ),
        )
    return request


def corpus(size: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [_request(rng) for _ in range(size)]


def _prepared(requests: list[dict[str, Any]]) -> list[tuple[Question, Simulation]]:
    prepared = []
    for raw in requests:
        simulation = parse_request(raw)
        prepared.append(
            (question(simulation, simulation.actions[0], simulation.resources[0]), simulation))
    return prepared


def _per_second(decide: Callable[[], object], count: int, seconds: float) -> float:
    decide()  # warm the pattern caches
    # CPU time of this (single-threaded) process: one core's work, whatever else the machine
    # is running.
    decisions, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        decide()
        decisions += count
    return decisions / (time.process_time() - start)


def bench_warm(requests: list[dict[str, Any]], seconds: float) -> float:
    """The engine alone: requests and policy sets assembled once (by the authorization layer,
    as the gateway's cache keeps them), then decided again and again."""
    assembled = []
    for asked, simulation in _prepared(requests):
        sides = assembly.parties(asked, simulation.policies)
        request = Request(asked.caller, asked.action, asked.resource, sides.resource_account,
                          context_keys(asked, sides, simulation.policies))
        assembled.append((request, assembly.policy_set(asked, sides, simulation.policies)))

    def decide() -> None:
        for request, policies in assembled:
            evaluate(request, policies)

    return _per_second(decide, len(assembled), seconds)


def bench_layer(requests: list[dict[str, Any]], seconds: float) -> float:
    """The whole authorization path per request: the rules, the request context, the policy
    set and the engine (harness.authorization.authorize), policies parsed once."""
    prepared = _prepared(requests)

    def decide() -> None:
        for asked, simulation in prepared:
            authorize(asked, simulation.policies)

    return _per_second(decide, len(prepared), seconds)


def bench_batch(requests: list[dict[str, Any]]) -> float:
    lines = "".join(json.dumps(r) + "\n" for r in requests)
    out = io.StringIO()
    start = time.process_time()
    run_batch(io.StringIO(lines), out)
    elapsed = time.process_time() - start
    answers = out.getvalue().splitlines()
    assert len(answers) == len(requests) and all("EvaluationResults" in a for a in answers)
    return len(requests) / elapsed


def documented_requests() -> list[str]:
    """The requests of the documented cases, each as one JSON line."""
    root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "tests", "iam", "cases")
    found = []
    for path in sorted(glob.glob(os.path.join(root, "*.json"))):
        with open(path, encoding="utf-8") as handle:
            found += [json.dumps(case["request"]) for case in json.load(handle)["cases"]]
    return found


def bench_batch_process(lines: int) -> tuple[float, int]:
    """Decisions per second of `securecart simulate --batch` as a whole process over the
    documented cases repeated to `lines` lines, and the number of distinct requests."""
    requests = documented_requests()
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "batch.jsonl")
        with open(path, "w", encoding="utf-8") as handle:
            handle.writelines(requests[i % len(requests)] + "\n" for i in range(lines))
        # The `securecart` command's entry point, in this interpreter.
        command = [sys.executable, "-c",
                   "import sys; from harness.commands.main import main; sys.exit(main())",
                   "simulate", "--batch", path]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False)
        elapsed = time.perf_counter() - start
    answers = done.stdout.decode().splitlines()
    decisions = sum(len(json.loads(a).get("EvaluationResults", [])) for a in answers)
    assert len(answers) == lines, done.stderr.decode()[-2000:]
    return decisions / elapsed, len(requests)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--batch-lines", type=int, default=20000)
    args = parser.parse_args()
    requests = corpus(args.requests)
    outcomes: dict[str, int] = {}
    for raw in requests:
        decision = simulate(raw)["EvaluationResults"][0]["EvalDecision"]
        outcomes[decision] = outcomes.get(decision, 0) + 1
    print(f"corpus: {len(requests)} requests, outcomes {dict(sorted(outcomes.items()))}")
    print(f"warm engine: {bench_warm(requests, args.seconds):,.0f} decisions/s (one core)")
    print(f"warm authorization layer: {bench_layer(requests, args.seconds):,.0f} decisions/s "
          "(one core)")
    print(f"batch (parse + decide): {bench_batch(requests):,.0f} decisions/s (one core)")
    rate, distinct = bench_batch_process(args.batch_lines)
    print(f"batch, whole process (securecart simulate --batch, {args.batch_lines} lines of "
          f"{distinct} documented cases): {rate:,.0f} decisions/s (wall)")


if __name__ == "__main__":
    main()
