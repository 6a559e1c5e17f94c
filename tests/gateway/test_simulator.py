"""The gateway's own IAM policy simulator (harness/gateway/simulator.py): SimulatePrincipalPolicy
over the principal's real policies in an embedded moto, and SimulateCustomPolicy, read back with
botocore's own query parser — what an SDK would see.

API reference:
https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html
https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import botocore.session
import pytest
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from harness.backends import ACCOUNT_ID_TAG
from harness.backends.moto import MotoServer
from harness.gateway.backend import BackendAccess
from harness.gateway.backend_state import BackendState
from harness.gateway.protocol import HeaderMap, HttpRequest, parse_operation
from harness.gateway.simulator import SimulationRequestError
from harness.gateway.simulator import simulate as simulator_answer

ACCOUNT = "111111111111"
OTHER = "222222222222"
MGMT = "333333333333"
MEMBER = "444444444444"
SCP = "SERVICE_CONTROL_POLICY"

APP = f"arn:aws:iam::{ACCOUNT}:role/app"
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/admin"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
BOB = f"arn:aws:iam::{ACCOUNT}:user/bob"
DEVS = f"arn:aws:iam::{ACCOUNT}:group/devs"
WORKER = f"arn:aws:iam::{MEMBER}:role/worker"
BOSS = f"arn:aws:iam::{MGMT}:role/boss"
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
JOBS = f"arn:aws:sqs:us-east-1:{ACCOUNT}:jobs"
PARTNER_QUEUE = f"arn:aws:sqs:us-east-1:{OTHER}:partner-inbox"

_MODEL = botocore.session.get_session().get_service_model("iam")
_NOW = datetime(2026, 11, 1, tzinfo=UTC)

# The role's inline policy, written as json.dumps(indent=2) writes it: the positions below are
# counted in this text.
S3_ACCESS = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "ReadAppBucket", "Effect": "Allow", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::app-bucket/*"},
    {"Sid": "NeverSecrets", "Effect": "Deny", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::app-bucket/secret/*"},
]}, indent=2)
READ_APP_BUCKET = {"SourcePolicyId": "role_app_s3-access", "SourcePolicyType": "IAM Policy",
                   "StartPosition": {"Line": 3, "Column": 17},
                   "EndPosition": {"Line": 9, "Column": 6}}
NEVER_SECRETS = {"SourcePolicyId": "role_app_s3-access", "SourcePolicyType": "IAM Policy",
                 "StartPosition": {"Line": 9, "Column": 6},
                 "EndPosition": {"Line": 15, "Column": 6}}


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


# --------------------------------------------------------------------------- the backend's state


@pytest.fixture(scope="module")
def state() -> Iterator[BackendState]:
    server = MotoServer()
    server.clear()
    access = BackendAccess(server.wsgi_app)
    try:
        _build(access)
        yield BackendState(access)
    finally:
        server.clear()


def _build(access: BackendAccess) -> None:
    iam = access.client(ACCOUNT, "iam")
    trust = document({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                      "Action": "sts:AssumeRole"})

    def managed(name: str, *statements: dict[str, Any]) -> str:
        arn: str = iam.create_policy(PolicyName=name, PolicyDocument=document(*statements))[
            "Policy"]["Arn"]
        return arn

    # Role app: an inline and a managed policy, within a boundary that leaves out DynamoDB.
    boundary = managed("app-boundary", {"Sid": "StorageAndQueues", "Effect": "Allow",
                                        "Action": ["s3:*", "sqs:*"], "Resource": "*"})
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=trust,
                    PermissionsBoundary=boundary)
    iam.put_role_policy(RoleName="app", PolicyName="s3-access", PolicyDocument=S3_ACCESS)
    iam.attach_role_policy(RoleName="app", PolicyArn=managed(
        "queue-access",
        {"Sid": "SendJobsFromVpc", "Effect": "Allow", "Action": "sqs:SendMessage",
         "Resource": JOBS, "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}}},
        {"Sid": "ReadTables", "Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}))

    # Role admin: an AWS managed policy and an inline deny.
    iam.create_role(RoleName="admin", AssumeRolePolicyDocument=trust)
    iam.attach_role_policy(RoleName="admin", PolicyArn=ADMINISTRATOR_ACCESS)
    iam.put_role_policy(RoleName="admin", PolicyName="keep-buckets", PolicyDocument=document(
        {"Sid": "NoBucketDeletion", "Effect": "Deny", "Action": "s3:DeleteBucket",
         "Resource": "*"}))

    # User alice, in group devs; user bob, with no policies of his own.
    iam.create_user(UserName="alice")
    iam.create_user(UserName="bob")
    iam.put_user_policy(UserName="alice", PolicyName="own-user", PolicyDocument=document(
        {"Sid": "ReadOwnUser", "Effect": "Allow", "Action": "iam:GetUser",
         "Resource": f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"}))
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    iam.put_group_policy(GroupName="devs", PolicyName="describe", PolicyDocument=document(
        {"Sid": "DescribeInstances", "Effect": "Allow", "Action": "ec2:DescribeInstances",
         "Resource": "*"}))
    iam.attach_group_policy(GroupName="devs", PolicyArn=managed(
        "logs-read", {"Sid": "ReadLogs", "Effect": "Allow", "Action": "logs:GetLogEvents",
                      "Resource": "*"}))

    # An organisation: MEMBER under a root SCP; MGMT its management account.
    org = access.client(MGMT, "organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root, PolicyType=SCP)
    org.create_account(AccountName="member", Email="member@example.com",
                       Tags=[{"Key": ACCOUNT_ID_TAG, "Value": MEMBER}])
    created = org.create_policy(Name="Guardrails", Description="guardrails", Type=SCP,
                                Content=document(
        {"Sid": "NoTableDeletion", "Effect": "Deny", "Action": "dynamodb:DeleteTable",
         "Resource": "*"},
        {"Sid": "HomeRegionOnly", "Effect": "Deny", "Action": "ec2:*", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}}))
    org.attach_policy(PolicyId=created["Policy"]["PolicySummary"]["Id"], TargetId=root)
    for account, name in ((MEMBER, "worker"), (MGMT, "boss")):
        member_iam = access.client(account, "iam")
        member_iam.create_role(RoleName=name, AssumeRolePolicyDocument=document(
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
             "Action": "sts:AssumeRole"}))
        member_iam.attach_role_policy(RoleName=name, PolicyArn=ADMINISTRATOR_ACCESS)


# --------------------------------------------------------------------------- helpers


def simulate(state: BackendState, operation: str, caller_account: str | None = ACCOUNT,
             **params: Any) -> dict[str, Any]:
    """The simulator's answer as botocore's query parser reads it (an SDK's view)."""
    body = simulator_answer(operation, params, state, "req-1", now=_NOW,
                            caller_account=caller_account).body
    parsed: dict[str, Any] = create_parser("query").parse(
        {"body": body, "headers": {}, "status_code": 200},
        _MODEL.operation_model(operation).output_shape)
    assert parsed.pop("ResponseMetadata")["RequestId"] == "req-1"
    return parsed


def principal(state: BackendState, source: str, *actions: str, **params: Any) -> dict[str, Any]:
    """The only EvaluationResult of a SimulatePrincipalPolicy for one action."""
    answer = simulate(state, "SimulatePrincipalPolicy", PolicySourceArn=source,
                      ActionNames=list(actions), **params)
    assert len(answer["EvaluationResults"]) == len(actions)
    return answer["EvaluationResults"][0]  # type: ignore[no-any-return]


def custom(state: BackendState, policies: list[str], *actions: str, **params: Any
           ) -> dict[str, Any]:
    answer = simulate(state, "SimulateCustomPolicy", PolicyInputList=policies,
                      ActionNames=list(actions), **params)
    return answer["EvaluationResults"][0]  # type: ignore[no-any-return]


def refused(state: BackendState, operation: str, **params: Any) -> SimulationRequestError:
    with pytest.raises(SimulationRequestError) as raised:
        simulator_answer(operation, params, state, "req-1", now=_NOW, caller_account=ACCOUNT)
    return raised.value


def ids(result: dict[str, Any]) -> list[str]:
    return [s["SourcePolicyId"] for s in result["MatchedStatements"]]


# --------------------------------------------------------------------- SimulateCustomPolicy


# The AWS CLI's documented examples of simulate-custom-policy (awscli/examples/iam/
# simulate-custom-policy.rst): the same policy allows with a later aws:CurrentTime, and denies
# with an earlier one.
DATED = ('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*",'
         '"Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":'
         '"2018-08-16T12:00:00Z"}}}}')


def _at(time: str) -> list[dict[str, Any]]:
    return [{"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": [time],
             "ContextKeyType": "date"}]


def test_custom_documented_example_allowed(state: BackendState) -> None:
    answer = simulate(state, "SimulateCustomPolicy", PolicyInputList=[DATED],
                      ActionNames=["dynamodb:CreateBackup"],
                      ContextEntries=_at("2019-04-25T11:00:00Z"))
    assert answer == {"EvaluationResults": [{
        "EvalActionName": "dynamodb:CreateBackup",
        "EvalResourceName": "*",
        "EvalDecision": "allowed",
        "MatchedStatements": [{"SourcePolicyId": "PolicyInputList.1",
                               "SourcePolicyType": "IAM Policy",
                               "StartPosition": {"Line": 1, "Column": 38},
                               "EndPosition": {"Line": 1, "Column": 167}}],
        "MissingContextValues": [],
    }], "IsTruncated": False}


def test_custom_documented_example_denied(state: BackendState) -> None:
    result = custom(state, [DATED], "dynamodb:CreateBackup",
                    ContextEntries=_at("2014-04-25T11:00:00Z"))
    assert (result["EvalDecision"], result["MatchedStatements"],
            result["MissingContextValues"]) == ("implicitDeny", [], [])


def test_custom_context_key_not_given_is_missing(state: BackendState) -> None:
    # The simulator reads no clock: a key no ContextEntry gives is a missing context value.
    result = custom(state, [DATED], "dynamodb:CreateBackup")
    assert (result["EvalDecision"], result["MissingContextValues"]) == (
        "implicitDeny", ["aws:CurrentTime"])


@pytest.mark.parametrize(("policy", "action", "spans"), [
    # AdministratorAccess as AWS answers for it: Line 3 Column 17 to Line 8 Column 6 (the
    # statement list opened at the end of line 3, the statement closed on line 8).
    (json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}, indent=2),
     "s3:GetObject", [((3, 17), (8, 6))]),
    # The AWS CLI's simulate-principal-policy example: Line 3 Column 19 to Line 9 Column 10.
    (json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Grant", "Effect": "Allow", "Action": "codecommit:ListRepositories",
         "Resource": "*"}]}, indent=4),
     "codecommit:ListRepositories", [((3, 19), (9, 10))]),
    # json.dumps' default separators: the statement list opens at column 40 (AWS: 41 for such
    # a document); a later statement starts where the one before it ended (AWS: 38–248, then
    # 248–470 in a bucket policy).
    (document({"Sid": "First", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
              {"Sid": "Second", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
     "s3:GetObject", [((1, 41), (1, 119)), ((1, 119), (1, 192))]),
])
def test_custom_statement_positions(state: BackendState, policy: str, action: str,
                                    spans: list[tuple[tuple[int, int], tuple[int, int]]]
                                    ) -> None:
    result = custom(state, [policy], action)
    assert [((s["StartPosition"]["Line"], s["StartPosition"]["Column"]),
             (s["EndPosition"]["Line"], s["EndPosition"]["Column"]))
            for s in result["MatchedStatements"]] == spans


def test_custom_boundary_input(state: BackendState) -> None:
    allow_all = document({"Effect": "Allow", "Action": "*", "Resource": "*"})
    boundary = document({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    inside = custom(state, [allow_all], "s3:ListBucket",
                    PermissionsBoundaryPolicyInputList=[boundary])
    outside = custom(state, [allow_all], "sqs:SendMessage",
                     PermissionsBoundaryPolicyInputList=[boundary])
    assert (inside["EvalDecision"], inside["PermissionsBoundaryDecisionDetail"]) == (
        "allowed", {"AllowedByPermissionsBoundary": True})
    assert (outside["EvalDecision"], outside["PermissionsBoundaryDecisionDetail"],
            outside["MatchedStatements"]) == (
        "implicitDeny", {"AllowedByPermissionsBoundary": False}, [])


def test_custom_boundary_deny_is_reported(state: BackendState) -> None:
    allow_all = document({"Effect": "Allow", "Action": "*", "Resource": "*"})
    boundary = document({"Effect": "Allow", "Action": "*", "Resource": "*"},
                        {"Effect": "Deny", "Action": "iam:*", "Resource": "*"})
    result = custom(state, [allow_all], "iam:CreateUser",
                    PermissionsBoundaryPolicyInputList=[boundary])
    assert result["EvalDecision"] == "explicitDeny"
    assert [(s["SourcePolicyId"], s["SourcePolicyType"]) for s in result["MatchedStatements"]
            ] == [("PermissionsBoundaryPolicyInputList.1", "Permissions Boundary Policy")]


def test_custom_organization_levels(state: BackendState) -> None:
    allow_all = document({"Effect": "Allow", "Action": "*", "Resource": "*"})
    levels = [{"ServiceControlPolicyInputList": [allow_all]},
              {"ServiceControlPolicyInputList": [document(
                  {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})]}]
    kept = custom(state, [allow_all], "s3:GetObject", OrderedOrganizationPolicyInputList=levels)
    cut = custom(state, [allow_all], "sqs:SendMessage",
                 OrderedOrganizationPolicyInputList=levels)
    assert (kept["EvalDecision"], kept["OrganizationsDecisionDetail"]) == (
        "allowed", {"AllowedByOrganizations": True})
    # Denied by the account level's allow-list: no statement of any SCP is listed.
    assert (cut["EvalDecision"], cut["OrganizationsDecisionDetail"],
            cut["MatchedStatements"]) == ("implicitDeny", {"AllowedByOrganizations": False}, [])


def test_custom_resource_policy_grants_named_user(state: BackendState) -> None:
    resource_policy = document({"Sid": "AliceSends", "Effect": "Allow",
                                "Principal": {"AWS": ALICE}, "Action": "sqs:SendMessage",
                                "Resource": JOBS})
    result = custom(state, [document({"Effect": "Deny", "Action": "s3:*", "Resource": "*"})],
                    "sqs:SendMessage", ResourceArns=[JOBS], ResourcePolicy=resource_policy,
                    CallerArn=ALICE)
    assert result["EvalDecision"] == "allowed"
    assert [(s["SourcePolicyId"], s["SourcePolicyType"]) for s in result["MatchedStatements"]
            ] == [("ResourcePolicy", "Resource Policy")]
    # Same account, named resources: the map is there, and empty.
    assert result["EvalDecisionDetails"] == {}


def test_custom_cross_account_decision_details(state: BackendState) -> None:
    resource_policy = document({"Effect": "Allow", "Principal": {"AWS": ALICE},
                                "Action": "sqs:SendMessage", "Resource": PARTNER_QUEUE})
    send = document({"Sid": "Send", "Effect": "Allow", "Action": "sqs:SendMessage",
                     "Resource": "*"})
    only_resource = custom(state, [document({"Effect": "Allow", "Action": "s3:*",
                                             "Resource": "*"})],
                           "sqs:SendMessage", ResourceArns=[PARTNER_QUEUE],
                           ResourcePolicy=resource_policy, CallerArn=ALICE)
    both = custom(state, [send], "sqs:SendMessage", ResourceArns=[PARTNER_QUEUE],
                  ResourcePolicy=resource_policy, CallerArn=ALICE)
    assert only_resource["EvalDecision"] == "implicitDeny"
    assert only_resource["EvalDecisionDetails"] == {"IAM Policy": "implicitDeny",
                                                    "Resource Policy": "allowed"}
    assert only_resource["ResourceSpecificResults"][0]["EvalDecisionDetails"] == {
        "IAM Policy": "implicitDeny", "Resource Policy": "allowed"}
    assert both["EvalDecision"] == "allowed"
    assert both["EvalDecisionDetails"] == {"IAM Policy": "allowed", "Resource Policy": "allowed"}
    assert sorted(ids(both)) == ["PolicyInputList.1", "ResourcePolicy"]


# ------------------------------------------------------------------ SimulatePrincipalPolicy


def test_role_inline_allow_with_position(state: BackendState) -> None:
    result = principal(state, APP, "s3:GetObject",
                       ResourceArns=["arn:aws:s3:::app-bucket/reports/q1.csv"])
    assert result["EvalDecision"] == "allowed"
    assert result["MatchedStatements"] == [READ_APP_BUCKET]
    assert result["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}
    assert result["ResourceSpecificResults"] == [{
        "EvalResourceName": "arn:aws:s3:::app-bucket/reports/q1.csv",
        "EvalResourceDecision": "allowed",
        "MatchedStatements": [READ_APP_BUCKET],
        "MissingContextValues": [],
        "PermissionsBoundaryDecisionDetail": {"AllowedByPermissionsBoundary": True},
    }]


def test_role_inline_deny_is_the_only_statement_listed(state: BackendState) -> None:
    result = principal(state, APP, "s3:GetObject",
                       ResourceArns=["arn:aws:s3:::app-bucket/secret/key.pem"])
    assert (result["EvalDecision"], result["MatchedStatements"]) == (
        "explicitDeny", [NEVER_SECRETS])


def test_one_result_per_action_across_resources(state: BackendState) -> None:
    public = "arn:aws:s3:::app-bucket/reports/q1.csv"
    secret = "arn:aws:s3:::app-bucket/secret/key.pem"
    answer = simulate(state, "SimulatePrincipalPolicy", PolicySourceArn=APP,
                      ActionNames=["s3:GetObject", "s3:PutObject"], ResourceArns=[public, secret])
    get, put = answer["EvaluationResults"]
    # The top level: the most restrictive decision, the resource type's ARN template, the
    # statements behind that decision.
    assert (get["EvalActionName"], get["EvalDecision"], get["EvalResourceName"]) == (
        "s3:GetObject", "explicitDeny", "arn:${Partition}:s3:::${BucketName}/${ObjectName}")
    assert get["MatchedStatements"] == [NEVER_SECRETS]
    assert [(r["EvalResourceName"], r["EvalResourceDecision"], r["MatchedStatements"])
            for r in get["ResourceSpecificResults"]] == [
        (public, "allowed", [READ_APP_BUCKET]), (secret, "explicitDeny", [NEVER_SECRETS])]
    assert get["EvalDecisionDetails"] == {}
    assert (put["EvalDecision"], put["MatchedStatements"]) == ("implicitDeny", [])


def test_role_managed_policy_outside_boundary(state: BackendState) -> None:
    result = principal(state, APP, "dynamodb:GetItem")
    assert (result["EvalDecision"], result["MatchedStatements"],
            result["PermissionsBoundaryDecisionDetail"]) == (
        "implicitDeny", [], {"AllowedByPermissionsBoundary": False})
    assert "ResourceSpecificResults" not in result
    assert "EvalDecisionDetails" not in result  # same account, every resource ("*")


def test_boundary_input_replaces_the_roles_boundary(state: BackendState) -> None:
    wider = document({"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"})
    result = principal(state, APP, "dynamodb:GetItem",
                       PermissionsBoundaryPolicyInputList=[wider])
    assert result["EvalDecision"] == "allowed"
    assert result["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}
    # A managed policy is named by its name; ReadTables, its second statement, starts where
    # SendJobsFromVpc ends (column 229 of the one-line document).
    assert result["MatchedStatements"] == [{
        "SourcePolicyId": "queue-access", "SourcePolicyType": "IAM Policy",
        "StartPosition": {"Line": 1, "Column": 229}, "EndPosition": {"Line": 1, "Column": 318}}]


def test_missing_context_values(state: BackendState) -> None:
    missing = principal(state, APP, "sqs:SendMessage", ResourceArns=[JOBS])
    assert (missing["EvalDecision"], missing["MissingContextValues"]) == (
        "implicitDeny", ["aws:SourceVpc"])
    assert missing["ResourceSpecificResults"][0]["MissingContextValues"] == ["aws:SourceVpc"]
    given = principal(state, APP, "sqs:SendMessage", ResourceArns=[JOBS], ContextEntries=[
        {"ContextKeyName": "aws:SourceVpc", "ContextKeyValues": ["vpc-1"],
         "ContextKeyType": "string"}])
    assert (given["EvalDecision"], given["MissingContextValues"], ids(given)) == (
        "allowed", [], ["queue-access"])


def test_policy_input_list_adds_to_the_principals_policies(state: BackendState) -> None:
    extra = document({"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"})
    result = principal(state, APP, "s3:PutObject", PolicyInputList=[extra])
    assert (result["EvalDecision"], ids(result)) == ("allowed", ["PolicyInputList.1"])


def test_aws_managed_policy_and_inline_deny(state: BackendState) -> None:
    allowed = principal(state, ADMIN, "ec2:RunInstances")
    denied = principal(state, ADMIN, "s3:DeleteBucket")
    assert (allowed["EvalDecision"], ids(allowed)) == ("allowed", ["AdministratorAccess"])
    assert (denied["EvalDecision"], ids(denied)) == ("explicitDeny", ["role_admin_keep-buckets"])
    assert "PermissionsBoundaryDecisionDetail" not in allowed  # the role has no boundary


def test_user_with_group_policies(state: BackendState) -> None:
    describe = principal(state, ALICE, "ec2:DescribeInstances")
    logs = principal(state, ALICE, "logs:GetLogEvents")
    own = principal(state, ALICE, "iam:GetUser", ResourceArns=[ALICE])
    assert (describe["EvalDecision"], ids(describe)) == ("allowed", ["group_devs_describe"])
    assert (logs["EvalDecision"], ids(logs)) == ("allowed", ["logs-read"])
    assert (own["EvalDecision"], ids(own)) == ("allowed", ["user_alice_own-user"])


def test_group_as_policy_source(state: BackendState) -> None:
    result = principal(state, DEVS, "ec2:DescribeInstances")
    assert (result["EvalDecision"], ids(result)) == ("allowed", ["group_devs_describe"])
    assert principal(state, DEVS, "iam:GetUser")["EvalDecision"] == "implicitDeny"


def test_caller_arn_simulates_another_user_with_these_policies(state: BackendState) -> None:
    # "you simulate calling the API operations as Bob, as if Bob had David's policies": alice's
    # ${aws:username} resolves to bob.
    as_bob = principal(state, ALICE, "iam:GetUser", ResourceArns=[ALICE, BOB], CallerArn=BOB)
    assert [(r["EvalResourceName"], r["EvalResourceDecision"])
            for r in as_bob["ResourceSpecificResults"]] == [
        (ALICE, "implicitDeny"), (BOB, "allowed")]


@pytest.mark.parametrize(("exclusion", "action", "decision"), [
    ({"PolicyType": "inline"}, "s3:GetObject", "implicitDeny"),
    ({"InlinePolicyIdentifier": {"PolicyName": "s3-access", "AttachmentType": "role",
                                 "AttachmentName": "a*"}}, "s3:GetObject", "implicitDeny"),
    ({"InlinePolicyIdentifier": {"PolicyName": "s3-access", "AttachmentType": "user",
                                 "AttachmentName": "app"}}, "s3:GetObject", "allowed"),
    ({"PolicyType": "user-managed"}, "sqs:SendMessage", "implicitDeny"),
    ({"PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/queue-?ccess"}, "sqs:SendMessage",
     "implicitDeny"),
    ({"PolicyType": "aws-managed"}, "sqs:SendMessage", "allowed"),
    ({"PolicyType": "permission-boundary"}, "dynamodb:GetItem", "allowed"),
    ({"PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/app-boundary"}, "dynamodb:GetItem",
     "allowed"),
])
def test_policy_exclusion_list(state: BackendState, exclusion: dict[str, Any], action: str,
                               decision: str) -> None:
    context = [{"ContextKeyName": "aws:SourceVpc", "ContextKeyValues": ["vpc-1"]}]
    result = principal(state, APP, action, PolicyExclusionList=[exclusion],
                       ResourceArns=[JOBS if action.startswith("sqs") else
                                     "arn:aws:s3:::app-bucket/a" if action.startswith("s3")
                                     else "*"],
                       ContextEntries=context)
    assert result["EvalDecision"] == decision


@pytest.mark.parametrize("exclusion", [
    {},
    {"PolicyType": "inline", "PolicyArn": ADMINISTRATOR_ACCESS},
    {"PolicyType": "everything"},
    {"PolicyArn": "arn:aws:iam::aws:policy/*Access*"},
    {"PolicyArn": "arn:aws:iam::*:policy/x"},
    {"PolicyArn": "not-an-arn"},
    {"InlinePolicyIdentifier": {"PolicyName": "p*", "AttachmentType": "role",
                                "AttachmentName": "app"}},
    {"InlinePolicyIdentifier": {"PolicyName": "p", "AttachmentType": "bucket",
                                "AttachmentName": "app"}},
])
def test_policy_exclusion_list_refuses_malformed_identifiers(state: BackendState,
                                                             exclusion: dict[str, Any]) -> None:
    error = refused(state, "SimulatePrincipalPolicy", PolicySourceArn=APP,
                    ActionNames=["s3:GetObject"], PolicyExclusionList=[exclusion])
    assert (error.code, error.status) == ("InvalidInput", 400)


def test_resource_policy_for_a_user(state: BackendState) -> None:
    resource_policy = document({"Effect": "Allow", "Principal": {"AWS": ALICE},
                                "Action": "sqs:SendMessage", "Resource": JOBS})
    result = principal(state, ALICE, "sqs:SendMessage", ResourceArns=[JOBS],
                       ResourcePolicy=resource_policy)
    assert (result["EvalDecision"], ids(result)) == ("allowed", ["ResourcePolicy"])


def test_resource_policy_is_not_simulated_for_a_role(state: BackendState) -> None:
    error = refused(state, "SimulatePrincipalPolicy", PolicySourceArn=APP,
                    ActionNames=["sqs:SendMessage"], ResourceArns=[JOBS],
                    ResourcePolicy=document({"Effect": "Allow", "Principal": "*",
                                             "Action": "sqs:*", "Resource": JOBS}))
    assert (error.code, error.message) == (
        "InvalidInput", "Invalid caller - Caller must be an IAM user in this context.")


# --------------------------------------------------------------------------- organisations


def test_scp_denies_a_member_accounts_principal(state: BackendState) -> None:
    result = principal(state, WORKER, "dynamodb:DeleteTable")
    assert (result["EvalDecision"], result["OrganizationsDecisionDetail"]) == (
        "explicitDeny", {"AllowedByOrganizations": False})
    # SCP statements are never listed, and with an SCP deny no decision details are returned.
    assert result["MatchedStatements"] == []
    assert "EvalDecisionDetails" not in result


def test_keys_only_scps_reference_are_not_missing(state: BackendState) -> None:
    # HomeRegionOnly reads aws:RequestedRegion; absent, its StringNotEquals is true ("If the
    # policy condition requires that the key is not matched ... and the right key is not
    # present, the condition is true") and the SCP denies. The key is still not reported:
    # MissingContextValues "doesn't include context keys referenced by service control
    # policies".
    absent = principal(state, WORKER, "ec2:DescribeInstances")
    assert (absent["EvalDecision"], absent["OrganizationsDecisionDetail"],
            absent["MissingContextValues"]) == (
        "explicitDeny", {"AllowedByOrganizations": False}, [])
    home = principal(state, WORKER, "ec2:DescribeInstances", ContextEntries=[
        {"ContextKeyName": "aws:RequestedRegion", "ContextKeyValues": ["us-east-1"]}])
    assert (home["EvalDecision"], home["OrganizationsDecisionDetail"], ids(home)) == (
        "allowed", {"AllowedByOrganizations": True}, ["AdministratorAccess"])


def test_management_account_is_not_restricted_by_scps(state: BackendState) -> None:
    result = principal(state, BOSS, "dynamodb:DeleteTable")
    assert (result["EvalDecision"], result["OrganizationsDecisionDetail"]) == (
        "allowed", {"AllowedByOrganizations": True})


def test_scps_excluded(state: BackendState) -> None:
    result = principal(state, WORKER, "dynamodb:DeleteTable",
                       PolicyExclusionList=[{"PolicyType": "scp"}])
    assert result["EvalDecision"] == "allowed"
    assert "OrganizationsDecisionDetail" not in result


def test_account_outside_any_organization_has_no_organizations_detail(state: BackendState) -> None:
    assert "OrganizationsDecisionDetail" not in principal(state, ADMIN, "s3:ListBucket")


# --------------------------------------------------------------------------- paging


def test_paging(state: BackendState) -> None:
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    first = simulate(state, "SimulatePrincipalPolicy", PolicySourceArn=APP, ActionNames=actions,
                     MaxItems=2)
    assert [r["EvalActionName"] for r in first["EvaluationResults"]] == actions[:2]
    assert first["IsTruncated"] is True
    rest = simulate(state, "SimulatePrincipalPolicy", PolicySourceArn=APP, ActionNames=actions,
                    MaxItems=2, Marker=first["Marker"])
    assert [r["EvalActionName"] for r in rest["EvaluationResults"]] == actions[2:]
    assert rest["IsTruncated"] is False and "Marker" not in rest
    # A marker only continues the simulation that returned it.
    error = refused(state, "SimulatePrincipalPolicy", PolicySourceArn=ADMIN,
                    ActionNames=actions, Marker=first["Marker"])
    assert error.code == "InvalidInput"


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(("source", "message"), [
    (f"arn:aws:iam::{ACCOUNT}:role/ghost", "The role with name ghost cannot be found."),
    (f"arn:aws:iam::{ACCOUNT}:user/ghost", "The user with name ghost cannot be found."),
    (f"arn:aws:iam::{ACCOUNT}:group/ghost", "The group with name ghost cannot be found."),
])
def test_unknown_policy_source(state: BackendState, source: str, message: str) -> None:
    error = refused(state, "SimulatePrincipalPolicy", PolicySourceArn=source,
                    ActionNames=["s3:GetObject"])
    assert (error.code, error.message, error.status) == ("NoSuchEntity", message, 404)


def test_malformed_policy_input_carries_the_engines_message(state: BackendState) -> None:
    error = refused(state, "SimulateCustomPolicy", ActionNames=["s3:GetObject"],
                    PolicyInputList=['{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",'
                                     ' "Resource": "*"}]}'])
    assert (error.code, error.status) == ("InvalidInput", 400)
    assert error.message.startswith("MalformedPolicyDocument: ")
    assert error.message.endswith("in policy PolicyInputList.1")


@pytest.mark.parametrize(("operation", "params"), [
    ("SimulatePrincipalPolicy", {"PolicySourceArn": "arn:aws:s3:::bucket",
                                 "ActionNames": ["s3:GetObject"]}),
    ("SimulatePrincipalPolicy", {"PolicySourceArn": APP, "ActionNames": []}),
    ("SimulateCustomPolicy", {"PolicyInputList": [], "ActionNames": ["s3:*"]}),
    ("SimulateCustomPolicy", {"PolicyInputList": [], "ActionNames": ["GetObject"]}),
    ("SimulateCustomPolicy", {"PolicyInputList": [], "ActionNames": ["s3:GetObject"],
                              "CallerArn": f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s"}),
    ("SimulateCustomPolicy", {"PolicyInputList": [], "ActionNames": ["s3:GetObject"],
                              "ResourcePolicy": document({"Effect": "Allow", "Principal": "*",
                                                          "Action": "s3:*",
                                                          "Resource": "*"})}),
    ("SimulateCustomPolicy", {"PolicyInputList": [], "ActionNames": ["s3:GetObject"],
                              "PermissionsBoundaryPolicyInputList": [DATED, DATED]}),
    ("SimulateCustomPolicy", {"PolicyInputList": [], "ActionNames": ["ec2:RunInstances"],
                              "ResourceHandlingOption": "EC2-VPC-EBS",
                              "ResourceArns": [f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/*"]}),
    ("SimulateCustomPolicy", {"PolicyInputList": [], "ActionNames": ["s3:GetObject"],
                              "ContextEntries": [{"ContextKeyName": "aws:SourceIp",
                                                  "ContextKeyValues": ["1.2.3.4", "5.6.7.8"],
                                                  "ContextKeyType": "ip"}]}),
    ("SimulateCustomPolicy", {"PolicyInputList": [], "ActionNames": ["s3:GetObject"],
                              "MaxItems": 0}),
])
def test_invalid_input(state: BackendState, operation: str, params: dict[str, Any]) -> None:
    error = refused(state, operation, **params)
    assert (error.code, error.status) == ("InvalidInput", 400)


def test_resource_handling_option_with_its_resources(state: BackendState) -> None:
    resources = [f"arn:aws:ec2:us-east-1:{ACCOUNT}:{kind}/x" for kind in
                 ("instance", "image", "security-group", "network-interface")]
    result = custom(state, [document({"Effect": "Allow", "Action": "ec2:RunInstances",
                                      "Resource": "*"})],
                    "ec2:RunInstances", ResourceHandlingOption="EC2-VPC-InstanceStore",
                    ResourceArns=resources)
    assert result["EvalDecision"] == "allowed"
    assert len(result["ResourceSpecificResults"]) == 4


# --------------------------------------------------------------------------- the gateway's view


def test_parameters_as_the_gateway_parses_them(state: BackendState) -> None:
    """A request as boto3 sends it, read by the gateway's parser (LocalStack's), answers as a
    direct call does: the parameters' shapes (ContextEntries, PolicyExclusionList, MaxItems)
    are the ones simulate reads."""
    params: dict[str, Any] = {
        "PolicySourceArn": APP, "ActionNames": ["s3:GetObject", "sqs:SendMessage"],
        "ResourceArns": ["arn:aws:s3:::app-bucket/a", JOBS], "MaxItems": 5,
        "ContextEntries": [{"ContextKeyName": "aws:SourceVpc", "ContextKeyValues": ["vpc-1"],
                            "ContextKeyType": "string"}],
        "PolicyExclusionList": [{"InlinePolicyIdentifier": {
            "PolicyName": "s3-access", "AttachmentType": "role", "AttachmentName": "app"}}]}
    operation = _MODEL.operation_model("SimulatePrincipalPolicy")
    serialized = create_serializer("query").serialize_to_request(params, operation)
    http = HttpRequest(method="POST", path="/", query_string="",
                       headers=HeaderMap({"Content-Type": "application/x-www-form-urlencoded"}),
                       body=urlencode(serialized["body"]).encode(), host="iam.amazonaws.com")
    parsed = parse_operation(http, "iam", "us-east-1")
    assert parsed.operation == "SimulatePrincipalPolicy"
    through_parser = simulate(state, parsed.operation, **parsed.params)
    assert through_parser == simulate(state, "SimulatePrincipalPolicy", **params)
    # s3-access excluded: GetObject is denied; SendMessage is allowed on the queue only.
    get, send = through_parser["EvaluationResults"]
    assert get["EvalDecision"] == "implicitDeny"
    assert [(r["EvalResourceName"], r["EvalResourceDecision"])
            for r in send["ResourceSpecificResults"]] == [
        ("arn:aws:s3:::app-bucket/a", "implicitDeny"), (JOBS, "allowed")]
