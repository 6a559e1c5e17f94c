"""`securecart lint`: one seeded mistake per rule (a copy of the SecureCart landscape with one
policy edited, or a policy parsed on its own), the canonical landscape clean, accepted findings
and stale acceptances, the command's outputs and exit statuses."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.analysis import lint
from harness.analysis.findings import Finding, Severity, load_accepted
from harness.analysis.lint.patterns import arn_pattern_fits
from harness.commands.main import main
from harness.iam.parse import parse_policy
from harness.iam.policy import PolicyType
from harness.landscape.loader import load_landscape
from tests.landscape.builders import CANONICAL, copy_landscape, edit_json, edit_yaml

ACCEPTED = CANONICAL / "analysis" / "accepted.yaml"
REPOSITORY = Path(__file__).resolve().parents[2]


def lint_directory(directory: Path) -> list[Finding]:
    """Every finding of a landscape, with its own accepted.yaml applied."""
    accepted_file = directory / lint.ACCEPTED_FILE
    entries = load_accepted(accepted_file, lint.RULE_IDS) if accepted_file.is_file() else ()
    return lint.lint_landscape(load_landscape(directory), entries, accepted_file)


def unaccepted(findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.accepted is None]


def statement(index: int) -> Callable[[Any], dict[str, Any]]:
    def pick(document: Any) -> dict[str, Any]:
        found: dict[str, Any] = document["Statement"][index]
        return found

    return pick


# --------------------------------------------------------------------------- seeded mistakes


def _set(index: int, key: str, value: Any) -> Callable[[Any], None]:
    def change(document: Any) -> None:
        document["Statement"][index][key] = value

    return change


def _rename(index: int, old: str, new: str) -> Callable[[Any], None]:
    def change(document: Any) -> None:
        entry = document["Statement"][index]
        entry[new] = entry.pop(old)

    return change


def _append(new: dict[str, Any]) -> Callable[[Any], None]:
    def change(document: Any) -> None:
        document["Statement"].append(new)

    return change


def _condition(index: int, condition: dict[str, Any]) -> Callable[[Any], None]:
    return _set(index, "Condition", condition)


def _remove(index: int) -> Callable[[Any], None]:
    def change(document: Any) -> None:
        del document["Statement"][index]

    return change


CUSTOMER_DATA = "arn:aws:s3:::securecart-prod-customer-data"
ORDER_QUEUE = "arn:aws:sqs:{{region.home}}:{{account.self}}:order-queue"

# (id, file, edit, rule, statement index, Sid, words the message holds)
SEEDED: list[tuple[str, str, Callable[[Any], None], str, int | None, str | None, str]] = [
    (
        "unknown service prefix",
        "policies/iam/orders-processor.json",
        _set(0, "Action", ["s4:GetObject", "s3:GetObjectVersion", "s3:PutObject"]),
        lint.UNKNOWN_SERVICE,
        0,
        "ReadAndWriteCustomerData",
        "s4 is not a service prefix (did you mean s3?)",
    ),
    (
        "misspelled action",
        "policies/iam/orders-processor.json",
        _set(2, "Action", ["sqs:ReceiveMessages", "sqs:DeleteMessage"]),
        lint.UNKNOWN_ACTION,
        2,
        "ConsumeOrderQueue",
        "did you mean sqs:ReceiveMessage?",
    ),
    (
        "wildcard matching no action",
        "policies/iam/deploy-permissions.json",
        _set(0, "Action", ["cloudformation:Descibe*", "cloudformation:CreateStack"]),
        lint.UNKNOWN_ACTION,
        0,
        "DeployStacks",
        '"cloudformation:Descibe*" matches no action of cloudformation',
    ),
    (
        "misspelled action in an SCP's NotAction",
        "policies/scp/deny-outside-allowed-regions.json",
        _set(0, "NotAction", ["iam:*", "sts:*", "organisations:*"]),
        lint.UNKNOWN_SERVICE,
        0,
        "DenyAllOutsideAllowedRegions",
        "organisations is not a service prefix (did you mean organizations?)",
    ),
    (
        "object action on a bucket ARN",
        "policies/iam/orders-processor.json",
        _set(0, "Resource", CUSTOMER_DATA),
        lint.RESOURCE_TYPE_MISMATCH,
        0,
        "ReadAndWriteCustomerData",
        'fits "s3:GetObject", which applies to',
    ),
    (
        "bucket action on an object ARN",
        "policies/iam/orders-processor.json",
        _set(1, "Resource", f"{CUSTOMER_DATA}/*"),
        lint.RESOURCE_TYPE_MISMATCH,
        1,
        "ListCustomerData",
        '"s3:ListBucket", which applies to',
    ),
    (
        "resource of no action's type",
        "policies/iam/orders-processor.json",
        _set(1, "Resource", [CUSTOMER_DATA, ORDER_QUEUE]),
        lint.RESOURCE_TYPE_MISMATCH,
        1,
        "ListCustomerData",
        ":order-queue\" fits none of the resource types",
    ),
    (
        "action without resource types on specific ARNs",
        "policies/iam/ci-deployer.json",
        _set(0, "Action", ["sts:AssumeRole", "sts:GetCallerIdentity"]),
        lint.ACTION_WITHOUT_RESOURCE_TYPES,
        0,
        "AssumeDeployRoleInWorkloadAccounts",
        '"sts:GetCallerIdentity" supports no resource-level permissions',
    ),
    (
        "misspelled service condition key",
        "policies/iam/deploy-permissions.json",
        _condition(4, {"StringEquals": {"iam:PassedToServise": ["lambda.amazonaws.com"]}}),
        lint.UNKNOWN_CONDITION_KEY,
        4,
        "PassApplicationRolesToTheirServices",
        "iam:PassedToServise is not a known condition key (did you mean iam:PassedToService?)",
    ),
    (
        "misspelled global condition key",
        "policies/trust/lambda.json",
        _condition(0, {"StringEquals": {"aws:SourceAcount": "{{account.self}}"}}),
        lint.UNKNOWN_CONDITION_KEY,
        0,
        "LambdaInThisAccount",
        "did you mean aws:SourceAccount?",
    ),
    (
        "numeric operator on a String key",
        "policies/trust/ci-deployer.json",
        _condition(0, {"NumericLessThan": {"aws:SourceAccount": "{{account.shared-services}}"}}),
        lint.CONDITION_TYPE_MISMATCH,
        0,
        "PipelineBuildsInSharedServices",
        "aws:SourceAccount is of type String",
    ),
    (
        "Bool on an ARN key",
        "policies/resources/sqs/order-queue.json",
        _condition(0, {"Bool": {"aws:SourceArn": "true"}}),
        lint.CONDITION_TYPE_MISMATCH,
        0,
        "OrderEventsTopicMaySend",
        "Bool compares Bool values, but aws:SourceArn is of type ARN",
    ),
    (
        "date operator on a non-date",
        "policies/scp/deny-unencrypted-storage.json",
        _condition(2, {"DateGreaterThan": {"rds:StorageEncrypted": "2020-01-01T00:00:00Z"}}),
        lint.CONDITION_TYPE_MISMATCH,
        2,
        "DenyUnencryptedRdsInstances",
        "rds:StorageEncrypted is of type Bool",
    ),
    (
        "ForAllValues on a single-valued key in a trust policy",
        "policies/trust/lambda.json",
        _condition(0, {"ForAllValues:StringEquals": {"aws:SourceAccount": "{{account.self}}"}}),
        lint.FORALLVALUES_SINGLE_VALUED,
        0,
        "LambdaInThisAccount",
        "aws:SourceAccount is single-valued, and ForAllValues is true when the request has no "
        "value for it: an Allow it guards also grants requests without the key",
    ),
    (
        "ForAnyValue on a single-valued key in a queue policy",
        "policies/resources/sqs/order-queue.json",
        _condition(0, {"ForAnyValue:ArnEquals": {
            "aws:SourceArn": "arn:aws:sns:{{region.home}}:{{account.prod}}:order-events"}}),
        lint.FORANYVALUE_SINGLE_VALUED,
        0,
        "OrderEventsTopicMaySend",
        "aws:SourceArn is single-valued and set operators are for multivalued keys",
    ),
    (
        "multivalued key without a set operator",
        "policies/iam/orders-api.json",
        _condition(0, {"StringEquals": {"dynamodb:LeadingKeys": "${aws:PrincipalTag/customer}"}}),
        lint.MISSING_SET_OPERATOR,
        0,
        "OrdersTableOnly",
        "dynamodb:LeadingKeys is multivalued (ArrayOfString)",
    ),
    (
        "a bucket-listing key on object actions",
        "policies/iam/orders-processor.json",
        _condition(0, {"StringLike": {"s3:prefix": "orders/*"}}),
        lint.UNSUPPORTED_CONDITION_KEY,
        0,
        "ReadAndWriteCustomerData",
        "no action of the statement (s3:GetObject, s3:GetObjectVersion, s3:PutObject) supports "
        "s3:prefix, so requests never have it: the condition is always false and the statement "
        "never grants",
    ),
    (
        "an EBS key on RDS actions in an SCP's deny",
        "policies/scp/deny-unencrypted-storage.json",
        _condition(2, {"BoolIfExists": {"ec2:Encrypted": "false"}}),
        lint.UNSUPPORTED_CONDITION_KEY,
        2,
        "DenyUnencryptedRdsInstances",
        "supports ec2:Encrypted, so requests never have it: the condition is always true and the "
        "statement denies every request",
    ),
    (
        "Allow with NotAction",
        "policies/iam/orders-api.json",
        _rename(0, "Action", "NotAction"),
        lint.ALLOW_WITH_NOT_ACTION,
        0,
        "OrdersTableOnly",
        "Allow with NotAction grants every action except dynamodb:GetItem",
    ),
    (
        "Allow with NotResource",
        "policies/iam/orders-api.json",
        _rename(0, "Resource", "NotResource"),
        lint.ALLOW_WITH_NOT_RESOURCE,
        0,
        "OrdersTableOnly",
        "Allow with NotResource",
    ),
    (
        "iam:* on every resource",
        "policies/iam/vendor-support.json",
        _append({"Sid": "Everything", "Effect": "Allow", "Action": "iam:*", "Resource": "*"}),
        lint.ADMIN_ACCESS,
        2,
        "Everything",
        'Allow "iam:*" on "*" is administrator access',
    ),
    (
        "*:* on every resource in a permission set's inline policy",
        "policies/permission-sets/admin.json",
        _append({"Sid": "All", "Effect": "Allow", "Action": "*:*", "Resource": "*"}),
        lint.ADMIN_ACCESS,
        1,
        "All",
        'Allow "*:*" on "*"',
    ),
    (
        "Principal * in a topic policy without a condition",
        "policies/resources/sns/order-events.json",
        _set(1, "Principal", "*"),
        lint.PUBLIC_PRINCIPAL,
        1,
        "VendorMayPublish",
        'Allow to Principal "*" without a Condition',
    ),
    (
        "AWS * in a trust policy without a condition",
        "policies/trust/deploy-role.json",
        _set(0, "Principal", {"AWS": "*"}),
        lint.PUBLIC_PRINCIPAL,
        0,
        "OnlyThePipelineDeployer",
        "any AWS account may assume the role",
    ),
    (
        "exact duplicate statement",
        "policies/iam/orders-processor.json",
        _append(
            {
                "Sid": "RecordOrdersAgain",
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
                "Resource": "arn:aws:dynamodb:{{region.home}}:{{account.self}}:table/orders",
            }
        ),
        lint.REDUNDANT_STATEMENT,
        5,
        "RecordOrdersAgain",
        "duplicates RecordOrders",
    ),
    (
        "statement covered by wildcards",
        "policies/permission-sets/developer-power-user.json",
        _append(
            {
                "Sid": "ReadRoles",
                "Effect": "Allow",
                "Action": ["iam:GetRole", "iam:GetRolePolicy"],
                "Resource": "arn:aws:iam::{{account.dev}}:role/app-*",
            }
        ),
        lint.REDUNDANT_STATEMENT,
        9,
        "ReadRoles",
        "is covered by ManageWorkloadRolesAndPolicies",
    ),
    (
        "deny covered by an unconditional deny",
        "policies/permission-sets/developer-power-user.json",
        _append(
            {
                "Sid": "DenyDeletingBoundaries",
                "Effect": "Deny",
                "Action": "iam:DeleteRolePermissionsBoundary",
                "Resource": "arn:aws:iam::{{account.dev}}:role/*",
                "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}},
            }
        ),
        lint.REDUNDANT_STATEMENT,
        9,
        "DenyDeletingBoundaries",
        "is covered by DenyRemovingPermissionsBoundaries",
    ),
]


@pytest.mark.parametrize(
    ("file", "edit", "rule", "index", "sid", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in SEEDED],
)
def test_a_seeded_mistake_is_found(
    tmp_path: Path,
    file: str,
    edit: Callable[[Any], None],
    rule: str,
    index: int,
    sid: str,
    words: str,
) -> None:
    directory = copy_landscape(tmp_path)
    edit_json(directory, file, edit)
    findings = unaccepted(lint_directory(directory))
    matching = [f for f in findings if f.rule == rule]
    assert matching, f"no {rule} finding; found: {[(f.rule, f.message) for f in findings]}"
    finding = matching[0]
    assert (finding.file.resolve(), finding.statement, finding.sid) == (
        (directory / file).resolve(),
        index,
        sid,
    )
    assert words in finding.message
    assert finding.severity is next(r.severity for r in lint.RULES if r.id == rule)
    assert finding.fix
    assert finding.line is not None and finding.line > 1
    # the mistake is the only thing wrong
    assert {(f.rule, f.statement) for f in findings} == {(rule, index)}


def test_missing_mfa_deny(tmp_path: Path) -> None:
    directory = copy_landscape(tmp_path)
    edit_json(directory, "policies/permission-sets/developer-read-only.json", _remove(0))
    findings = unaccepted(lint_directory(directory))
    assert [(f.rule, f.file.resolve(), f.statement, f.subject) for f in findings] == [
        (
            lint.MISSING_MFA,
            (directory / "policies/permission-sets/developer-read-only.json").resolve(),
            None,
            "permission set DeveloperReadOnly",
        )
    ]
    assert findings[0].severity is Severity.SECURITY


def test_an_mfa_deny_with_bool_instead_of_boolifexists_does_not_count(tmp_path: Path) -> None:
    directory = copy_landscape(tmp_path)
    edit_json(
        directory,
        "policies/permission-sets/security-audit.json",
        _condition(0, {"Bool": {"aws:MultiFactorAuthPresent": "false"}}),
    )
    findings = unaccepted(lint_directory(directory))
    assert [(f.rule, f.subject) for f in findings] == [
        (lint.MISSING_MFA, "permission set SecurityAudit")
    ]


def test_a_permission_set_without_inline_policy_has_no_mfa_deny(tmp_path: Path) -> None:
    directory = copy_landscape(tmp_path)

    def drop_inline(data: Any) -> None:
        for permission_set in data["permission_sets"]:
            if permission_set["name"] == "SecurityAudit":
                del permission_set["inline_policy"]

    edit_yaml(directory, "identity-center.yaml", drop_inline)
    findings = unaccepted(lint_directory(directory))
    assert [(f.rule, f.file.name, f.subject) for f in findings] == [
        (lint.MISSING_MFA, "identity-center.yaml", "permission set SecurityAudit")
    ]
    text = (directory / "identity-center.yaml").read_text(encoding="utf-8").splitlines()
    assert findings[0].line is not None
    assert "name: SecurityAudit" in text[findings[0].line - 1]


def test_aws_managed_administrator_access_on_a_role(tmp_path: Path) -> None:
    directory = copy_landscape(tmp_path)

    def attach(data: Any) -> None:
        for role in data["roles"]:
            if role["name"] == "orders-api":
                role["managed_policies"] = ["arn:aws:iam::aws:policy/AdministratorAccess"]

    edit_yaml(directory, "accounts/prod.yaml", attach)
    findings = unaccepted(lint_directory(directory))
    assert [(f.rule, f.file.name, f.statement, f.subject) for f in findings] == [
        (lint.ADMIN_ACCESS, "prod.yaml", None, "role orders-api")
    ]
    text = (directory / "accounts/prod.yaml").read_text(encoding="utf-8").splitlines()
    assert findings[0].line is not None
    assert "AdministratorAccess" in text[findings[0].line - 1]


# --------------------------------------------------------------------------- rules on policies


def check(document: dict[str, Any], policy_type: PolicyType = PolicyType.IDENTITY) -> list[str]:
    """The rule ids lint finds in one policy, as `rule@statement`."""
    policy = parse_policy(document, policy_type, "test")
    return sorted(f"{f.rule}@{f.statement}" for f in lint.lint_policy(policy, Path("p.json")))


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any = "*", **more: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **more}


def test_clean_policies_give_no_finding() -> None:
    bucket = "arn:aws:s3:::bucket"
    assert check(doc(allow(["s3:GetObject", "s3:ListBucket"], [bucket, f"{bucket}/*"]))) == []
    assert check(doc(allow("s3:GetObject", "arn:aws:s3:::*"))) == []
    assert check(doc(allow("s3:GetObject", "arn:aws:s3:::${aws:username}/*"))) == []
    assert check(doc(allow("s3:get*", f"{bucket}/*"))) == []  # actions are case-insensitive
    assert check(doc(allow("logs:PutLogEvents", "arn:aws:logs:*:*:log-group:/aws/x:*"))) == []
    assert check(doc(allow("dynamodb:Query", "arn:aws:dynamodb:*:*:table/t/index/*"))) == []
    assert check(doc(allow("iam:PassRole", "arn:aws:iam::*:role/path/to/role"))) == []
    assert check(doc(allow("s3:ListAllMyBuckets"))) == []


def test_conditions_lint_accepts() -> None:
    tagged = allow(
        "ec2:RunInstances",
        Condition={
            "StringEquals": {"aws:PrincipalTag/team": "a", "aws:RequestTag/env": "dev"},
            "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/x"},
            "StringLike": {"aws:SourceArn": "arn:aws:sns:*"},  # String operators on ARN keys
            "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"},
            "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
            "NumericGreaterThan": {"aws:EpochTime": "1577836800"},  # documented for both
            "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
            "Null": {"ec2:InstanceType": "false"},
            "ForAnyValue:StringEquals": {"aws:TagKeys": ["a"]},
        },
    )
    assert check(doc(tagged)) == []
    saml = {
        "Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::111111111111:saml-provider/idp"},
        "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
    }
    assert check(doc(saml), PolicyType.TRUST) == []
    provider = "token.actions.githubusercontent.com"
    github = {
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::111111111111:oidc-provider/{provider}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {f"{provider}:aud": "sts.amazonaws.com"},
            "StringLike": {f"{provider}:sub": "repo:o/r:*"},
        },
    }
    assert check(doc(github), PolicyType.TRUST) == []
    # a parameterised key of the service
    tag = {"StringEquals": {"s3:ExistingObjectTag/x": "y"}}
    assert check(doc(allow("s3:GetObject", "arn:aws:s3:::b/*", Condition=tag))) == []


def test_set_operators_against_the_key_s_kind() -> None:
    def conditions(condition: dict[str, Any], action: str = "s3:GetObject") -> list[str]:
        return check(doc(allow(action, "arn:aws:s3:::b/*", Condition=condition)))

    # multivalued keys with a set operator, and Null (presence only) without one
    assert conditions({"ForAnyValue:StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}}) == []
    assert conditions({"ForAllValues:StringLike": {"aws:PrincipalOrgPaths": "o-1/r-1/*"}}) == []
    assert conditions({"Null": {"aws:TagKeys": "false"}}) == []
    assert conditions({"StringLike": {"aws:PrincipalOrgPaths": "o-1/r-1/*"}}) == [
        "missing-set-operator@0"]
    # single-valued keys: the plain operator only
    assert conditions({"StringEquals": {"aws:PrincipalTag/team": "a"}}) == []
    assert conditions({"ForAllValues:StringEquals": {"aws:PrincipalTag/team": "a"}}) == [
        "forallvalues-with-single-valued-key@0"]
    assert conditions({"ForAnyValue:StringNotEquals": {"aws:PrincipalTag/team": "a"}}) == [
        "foranyvalue-with-single-valued-key@0"]
    # a key nobody types is not judged (unknown-condition-key speaks for misspellings)
    assert conditions({"ForAllValues:StringEquals": {"aws:PrincipalTagz": "a"}}) == [
        "unknown-condition-key@0"]


def test_set_operators_on_web_identity_claims() -> None:
    github = "token.actions.githubusercontent.com"
    trust = {
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::111111111111:oidc-provider/{github}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"ForAllValues:StringLike": {f"{github}:sub": "repo:o/r:*"}},
    }
    assert check(doc(trust), PolicyType.TRUST) == ["forallvalues-with-single-valued-key@0"]
    cognito = {
        "Effect": "Allow",
        "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:pool"},
            "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
        },
    }
    assert check(doc(cognito), PolicyType.TRUST) == []  # amr is a list, whatever its type says


def test_condition_keys_the_actions_support() -> None:
    def keyed(action: Any, key: str, resource: Any = "*", **more: Any) -> list[str]:
        return check(doc(allow(action, resource, Condition={"StringLike": {key: "x"}}, **more)))

    bucket, objects = "arn:aws:s3:::b", "arn:aws:s3:::b/*"
    assert keyed("s3:ListBucket", "s3:prefix", bucket) == []
    assert keyed("s3:GetObject", "s3:prefix", objects) == ["unsupported-condition-key@0"]
    # a wildcard: one matching action that supports the key is enough
    assert keyed("s3:*", "s3:prefix", [bucket, objects]) == []
    assert keyed("s3:Get*", "s3:prefix", objects) == ["unsupported-condition-key@0"]
    # keys of the action's resource types count (ec2:InstanceType is the instance's)
    assert keyed("ec2:RunInstances", "ec2:InstanceType") == []
    # another service's key: unsupported, unless AWS makes it cross-service
    assert keyed("s3:GetObject", "ec2:InstanceType", objects) == ["unsupported-condition-key@0"]
    assert keyed("s3:GetObject", "ec2:SourceInstanceArn", objects) == []
    assert keyed("iam:CreateRole", "iam:PassedToService") == ["unsupported-condition-key@0"]
    assert keyed("iam:PassRole", "iam:PassedToService") == []
    # the reference's literal "tag-key" stands for any tag key
    assert keyed("ssm:DeregisterManagedInstance", "ssm:resourceTag/team") == []
    # not judged: NotAction, every action, unknown actions, and actions the
    # reference gives no key at all (a gap: AWS's own policies test ProductId on Subscribe)
    not_action = {"Effect": "Deny", "NotAction": "s3:ListBucket", "Resource": "*",
                  "Condition": {"StringLike": {"s3:prefix": "x"}}}
    assert check(doc(not_action)) == []
    every = {"Effect": "Deny", "Action": "*", "Resource": "*",
             "Condition": {"StringLike": {"s3:prefix": "x"}}}
    assert check(doc(every), PolicyType.SCP) == []
    assert keyed("s3:GetObjects", "s3:prefix", objects) == ["unknown-action@0"]
    product = {"ForAnyValue:StringEquals": {"aws-marketplace:ProductId": "prod-1"}}
    assert check(doc(allow("aws-marketplace:Subscribe", Condition=product))) == []
    # global aws: keys are not this check's
    assert keyed("s3:GetObject", "aws:SourceVpce", objects) == []


def test_principals_lint_accepts() -> None:
    deny_everyone = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "arn:aws:s3:::b/*",
    }
    assert check(doc(deny_everyone), PolicyType.RESOURCE) == []
    conditional = {
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b/*",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}},
    }
    assert check(doc(conditional), PolicyType.RESOURCE) == []


def test_admin_wildcards_in_filters_are_not_grants() -> None:
    everything = doc(allow("*"))
    assert check(everything, PolicyType.SCP) == []
    assert check(everything, PolicyType.BOUNDARY) == []
    assert check(everything) == ["admin-access@0"]
    assert check(doc(allow("*", "arn:aws:iam::*:*"))) == ["admin-access@0"]
    assert check(doc(allow("iam:*", "arn:aws:iam::*:role/*"))) == []


def test_redundancy_needs_same_effect_principal_and_conditions() -> None:
    wide = allow("s3:*", "arn:aws:s3:::b/*")
    narrow = allow("s3:GetObject", "arn:aws:s3:::b/x")
    condition = {"Bool": {"aws:SecureTransport": "true"}}
    assert check(doc(wide, narrow)) == ["redundant-statement@1"]
    assert check(doc(narrow, wide)) == ["redundant-statement@0"]
    assert check(doc({**wide, "Effect": "Deny"}, narrow)) == []
    assert check(doc({**wide, "Condition": condition}, narrow)) == []
    assert check(doc({**wide, "Condition": condition}, {**narrow, "Condition": condition})) == [
        "redundant-statement@1"
    ]
    # a policy variable is covered only by '*' or the same variable
    mine = allow("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*")
    assert check(doc(allow("s3:GetObject", "arn:aws:s3:::b/x/*"), mine)) == []
    assert check(doc(allow("s3:GetObject", "arn:aws:s3:::b/*"), mine)) == [
        "redundant-statement@1"
    ]
    assert check(doc(mine, dict(mine))) == ["redundant-statement@1"]
    one = allow("s3:GetObject", "arn:aws:s3:::b/?/*")
    assert check(doc(one, mine)) == []
    # of two equal statements, the later is reported
    assert check(doc(narrow, dict(narrow))) == ["redundant-statement@1"]


def test_glob_and_template_intersection() -> None:
    obj = "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    bucket = "arn:${Partition}:s3:::${BucketName}"
    assert arn_pattern_fits("arn:aws:s3:::b/k/e/y", obj)
    assert arn_pattern_fits("arn:aws:s3:::b*", obj)  # '*' may hold '/key'
    assert not arn_pattern_fits("arn:aws:s3:::b", obj)
    assert not arn_pattern_fits("arn:aws:s3:::b/*", bucket)
    assert arn_pattern_fits("arn:aws:s3:::b?", bucket)
    assert arn_pattern_fits("*", bucket)


# ----------------------------------------------------------------------- the canonical landscape


def test_the_canonical_landscape_has_no_unaccepted_finding() -> None:
    findings = lint_directory(CANONICAL)
    assert unaccepted(findings) == []
    assert {(f.rule, f.file.name, f.sid or f.subject) for f in findings} == {
        (lint.ADMIN_ACCESS, "identity-center.yaml", "permission set Admin"),
        (lint.ALLOW_WITH_NOT_ACTION, "developer-boundary.json", "AllowWorkloadServices"),
    }


def test_every_acceptance_still_matches_a_finding() -> None:
    entries = load_accepted(ACCEPTED, lint.RULE_IDS)
    findings = lint_directory(CANONICAL)
    assert not [f for f in findings if f.rule == "stale-acceptance"]
    assert len(entries) == sum(1 for f in findings if f.accepted is not None)
    assert all(entry.reason and entry.owner for entry in entries)


def test_a_stale_acceptance_is_reported(tmp_path: Path) -> None:
    directory = copy_landscape(tmp_path)
    accepted = directory / lint.ACCEPTED_FILE
    accepted.write_text(
        accepted.read_text(encoding="utf-8")
        + "  - rule: public-principal\n"
        "    file: policies/resources/sns/order-events.json\n"
        "    sid: VendorMayPublish\n"
        "    reason: the vendor publishes\n"
        "    owner: someone\n",
        encoding="utf-8",
    )
    findings = lint_directory(directory)
    stale = [f for f in findings if f.rule == "stale-acceptance"]
    assert len(stale) == 1
    assert stale[0].file == accepted
    assert stale[0].fails
    lines = accepted.read_text(encoding="utf-8").splitlines()
    assert stale[0].line is not None
    assert lines[stale[0].line - 1] == "  - rule: public-principal"


def test_an_accepted_finding_does_not_fail_but_a_new_one_does(tmp_path: Path) -> None:
    directory = copy_landscape(tmp_path)
    edit_json(directory, "policies/resources/sns/order-events.json", _set(1, "Principal", "*"))
    assert [f.rule for f in lint_directory(directory) if f.fails] == [lint.PUBLIC_PRINCIPAL]
    accepted = directory / lint.ACCEPTED_FILE
    accepted.write_text(
        accepted.read_text(encoding="utf-8")
        + "  - rule: public-principal\n"
        "    file: policies/resources/sns/order-events.json\n"
        "    sid: VendorMayPublish\n"
        "    reason: for the test\n"
        "    owner: tests\n",
        encoding="utf-8",
    )
    assert [f for f in lint_directory(directory) if f.fails] == []


# --------------------------------------------------------------------------- the command


def test_command_on_the_canonical_landscape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "0 findings, 2 accepted"
    assert "accepted security admin-access: permission set Admin:" in out


def test_command_fails_on_an_unaccepted_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = copy_landscape(tmp_path)
    edit_json(directory, "policies/iam/orders-processor.json", _set(0, "Resource", CUSTOMER_DATA))
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "--landscape", "securecart"]) == 1
    out = capsys.readouterr().out
    assert (
        "\nsecurecart/policies/iam/orders-processor.json:4: error resource-type-mismatch: "
        'Statement[0] "ReadAndWriteCustomerData": no resource of the statement '
        "(arn:aws:s3:::securecart-prod-customer-data) fits \"s3:GetObject\""
    ) in out
    assert out.splitlines()[-1] == "3 findings (3 errors), 2 accepted"


def test_a_suggestion_does_not_fail(tmp_path: Path) -> None:
    directory = copy_landscape(tmp_path)
    edit_json(directory, "policies/iam/orders-api.json", _append(
        {
            "Effect": "Allow",
            "Action": "dynamodb:GetItem",
            "Resource": "arn:aws:dynamodb:{{region.home}}:{{account.self}}:table/orders",
        }
    ))
    assert main(["lint", "--landscape", str(directory)]) == 0


def test_command_json_and_output_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "out" / "lint.json"
    assert main(["lint", "--format", "json", "--output", str(output)]) == 0
    document = json.loads(output.read_text(encoding="utf-8"))
    assert document["landscape"] == "securecart"
    assert document["summary"]["accepted"] == 2
    assert document["summary"]["failures"] == 0
    assert {f["rule"] for f in document["findings"]} == {"admin-access", "allow-with-not-action"}
    assert "json written to" in capsys.readouterr().err


def test_command_sarif(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--format", "sarif"]) == 0
    sarif = json.loads(capsys.readouterr().out)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    ids = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert ids == lint.RULE_IDS
    assert all(result["suppressions"][0]["status"] == "accepted" for result in run["results"])


def test_usage_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["lint", "--format", "xml"])
    assert exit_info.value.code == 2
    assert main(["lint", "--landscape", str(tmp_path / "nowhere")]) == 2
    assert main(["lint", "--accepted", str(tmp_path / "missing.yaml")]) == 2
    broken = tmp_path / "accepted.yaml"
    broken.write_text("accepted:\n  - rule: admin-access\n    file: x.json\n", encoding="utf-8")
    assert main(["lint", "--accepted", str(broken)]) == 2
    assert "'reason' is required" in capsys.readouterr().err
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(
        "accepted:\n  - {rule: no-such-rule, file: x, reason: r, owner: o}\n", encoding="utf-8"
    )
    assert main(["lint", "--accepted", str(unknown)]) == 2
    assert "unknown rule 'no-such-rule'" in capsys.readouterr().err


def test_an_invalid_landscape_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = copy_landscape(tmp_path)
    edit_json(directory, "policies/iam/orders-api.json", _set(0, "Effect", "Permit"))
    assert main(["lint", "--landscape", str(directory)]) == 2
    assert "landscape invalid" in capsys.readouterr().err


def test_python_dash_m() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "harness.commands", "lint", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["failures"] == 0
