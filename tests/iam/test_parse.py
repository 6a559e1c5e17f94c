"""harness.iam.parse: documents become the policy model, or an error naming the place."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest

from harness.iam.conditions import validate_condition_values
from harness.iam.errors import PolicyValidationError
from harness.iam.json_reader import MAX_DOCUMENT_CHARS, MAX_NESTING, loads_strict
from harness.iam.parse import parse_policy
from harness.iam.policy import (
    VERSION_2008,
    VERSION_2012,
    Condition,
    Effect,
    Policy,
    PolicyType,
    PrincipalSpec,
    Statement,
)
from harness.iam.type_rules import DEFAULT_MAX_SIZE, policy_size

T = PolicyType
ACCOUNT = "123456789012"
CANONICAL = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"


def allow(**elements: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", **elements}


def doc(*statements: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"Version": VERSION_2012, "Statement": list(statements), **top}


def without(statement: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in statement.items() if key not in keys}


def trust(**elements: Any) -> dict[str, Any]:
    base = {
        "Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    return {**base, **elements}


def rcp_deny(**elements: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", **elements}


# --- Valid documents -----------------------------------------------------------------------------

VALID: list[tuple[str, Any, PolicyType, tuple[Statement, ...], str]] = [
    (
        "identity, one statement object, strings, no Version",
        {"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}},
        T.IDENTITY,
        (Statement(0, Effect.ALLOW, actions=("s3:GetObject",), resources=("*",)),),
        VERSION_2008,
    ),
    (
        "identity, statement list, lists, NotAction/NotResource, Sids",
        doc(
            {
                "Sid": "ReadData",
                "Effect": "Allow",
                "Action": ["s3:Get*", "s3:List?ucket"],
                "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/${aws:username}/*"],
            },
            {"Sid": "NoIam", "Effect": "Deny", "NotAction": "iam:*", "NotResource": ["*"]},
        ),
        T.IDENTITY,
        (
            Statement(
                0,
                Effect.ALLOW,
                sid="ReadData",
                actions=("s3:Get*", "s3:List?ucket"),
                resources=("arn:aws:s3:::data", "arn:aws:s3:::data/${aws:username}/*"),
            ),
            Statement(1, Effect.DENY, sid="NoIam", not_actions=("iam:*",), not_resources=("*",)),
        ),
        VERSION_2012,
    ),
    (
        "permissions boundary",
        doc(allow(Action="*", Resource="arn:aws:logs:eu-west-1:123456789012:log-group:app:*")),
        T.BOUNDARY,
        (
            Statement(
                0,
                Effect.ALLOW,
                actions=("*",),
                resources=("arn:aws:logs:eu-west-1:123456789012:log-group:app:*",),
            ),
        ),
        VERSION_2012,
    ),
    (
        "session policy",
        doc(allow(Action=["dynamodb:GetItem"], Resource="arn:*:dynamodb:*:*:table/orders")),
        T.SESSION,
        (
            Statement(
                0,
                Effect.ALLOW,
                actions=("dynamodb:GetItem",),
                resources=("arn:*:dynamodb:*:*:table/orders",),
            ),
        ),
        VERSION_2012,
    ),
    (
        "role trust policy: no Resource, service and SAML principals",
        doc(
            trust(),
            {
                "Sid": "Idp",
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta"},
                "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
            },
        ),
        T.TRUST,
        (
            Statement(
                0,
                Effect.ALLOW,
                actions=("sts:AssumeRole",),
                principal=PrincipalSpec(False, (("Service", ("lambda.amazonaws.com",)),)),
            ),
            Statement(
                1,
                Effect.ALLOW,
                sid="Idp",
                actions=("sts:AssumeRoleWithSAML", "sts:TagSession"),
                principal=PrincipalSpec(
                    False, (("Federated", (f"arn:aws:iam::{ACCOUNT}:saml-provider/Okta",)),)
                ),
                conditions=(
                    Condition("StringEquals", "SAML:aud", ("https://signin.aws.amazon.com/saml",)),
                ),
            ),
        ),
        VERSION_2012,
    ),
    (
        "S3 bucket policy: Principal *, NotPrincipal with Deny, canonical user, free-form Sid",
        doc(
            {
                "Sid": "Public read of www.example.com",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::www/*",
            },
            {
                "Effect": "Deny",
                "NotPrincipal": {
                    "AWS": [f"arn:aws:iam::{ACCOUNT}:root", f"arn:aws:iam::{ACCOUNT}:role/a/b/r"],
                    "CanonicalUser": CANONICAL,
                },
                "Action": "s3:*",
                "Resource": ["arn:aws:s3:::www", "arn:aws:s3:::www/*"],
            },
        ),
        T.RESOURCE,
        (
            Statement(
                0,
                Effect.ALLOW,
                sid="Public read of www.example.com",
                actions=("s3:GetObject",),
                resources=("arn:aws:s3:::www/*",),
                principal=PrincipalSpec(True),
            ),
            Statement(
                1,
                Effect.DENY,
                actions=("s3:*",),
                resources=("arn:aws:s3:::www", "arn:aws:s3:::www/*"),
                not_principal=PrincipalSpec(
                    False,
                    (
                        (
                            "AWS",
                            (f"arn:aws:iam::{ACCOUNT}:root", f"arn:aws:iam::{ACCOUNT}:role/a/b/r"),
                        ),
                        ("CanonicalUser", (CANONICAL,)),
                    ),
                ),
            ),
        ),
        VERSION_2012,
    ),
    (
        'resource policy: {"AWS": "*"} is a wildcard and keeps the other entries',
        doc(
            allow(
                Principal={
                    "AWS": ["*", ACCOUNT],
                    "Service": "sns.amazonaws.com",
                }
            )
        ),
        T.RESOURCE,
        (
            Statement(
                0,
                Effect.ALLOW,
                actions=("s3:GetObject",),
                resources=("*",),
                principal=PrincipalSpec(
                    True, (("AWS", ("*", ACCOUNT)), ("Service", ("sns.amazonaws.com",)))
                ),
            ),
        ),
        VERSION_2012,
    ),
    (
        "SCP: full IAM language, conditions in Allow and NotResource (2025)",
        doc(
            {
                "Sid": "DenyOutsideEu",
                "Effect": "Deny",
                "NotAction": ["iam:*", "organizations:*"],
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}},
            },
            {
                "Effect": "Allow",
                "Action": "*",
                "NotResource": "arn:aws:s3:::prod-*",
                "Condition": {"Bool": {"aws:SecureTransport": True}},
            },
        ),
        T.SCP,
        (
            Statement(
                0,
                Effect.DENY,
                sid="DenyOutsideEu",
                not_actions=("iam:*", "organizations:*"),
                resources=("*",),
                conditions=(Condition("StringNotEquals", "aws:RequestedRegion", ("eu-west-1",)),),
            ),
            Statement(
                1,
                Effect.ALLOW,
                actions=("*",),
                not_resources=("arn:aws:s3:::prod-*",),
                conditions=(Condition("Bool", "aws:SecureTransport", ("true",)),),
            ),
        ),
        VERSION_2012,
    ),
    (
        "RCP: Deny with Principal *, and RCPFullAWSAccess",
        doc(
            rcp_deny(Condition={"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}}),
            {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
        ),
        T.RCP,
        (
            Statement(
                0,
                Effect.DENY,
                actions=("s3:*",),
                resources=("*",),
                principal=PrincipalSpec(True),
                conditions=(
                    Condition("StringNotEqualsIfExists", "aws:PrincipalOrgID", ("o-abc",)),
                ),
            ),
            Statement(
                1, Effect.ALLOW, actions=("*",), resources=("*",), principal=PrincipalSpec(True)
            ),
        ),
        VERSION_2012,
    ),
]


@pytest.mark.parametrize(
    ("document", "policy_type", "statements", "version"),
    [case[1:] for case in VALID],
    ids=[case[0] for case in VALID],
)
@pytest.mark.parametrize("as_text", [False, True], ids=["mapping", "text"])
def test_valid_documents_become_the_model(
    document: Any,
    policy_type: PolicyType,
    statements: tuple[Statement, ...],
    version: str,
    as_text: bool,
) -> None:
    given = json.dumps(document, indent=2) if as_text else document
    policy = parse_policy(given, policy_type, "my-policy", source="fixtures/x.json")
    assert policy == Policy("my-policy", policy_type, statements, version)
    assert policy.source == "fixtures/x.json"


def test_id_and_bytes() -> None:
    text = json.dumps({"Id": "cd3ad3d9", "Statement": allow()}).encode()
    policy = parse_policy(text, T.IDENTITY)
    assert policy.document_id == "cd3ad3d9"
    assert policy.name == ""


def test_conditions_keep_document_order_and_values_become_strings() -> None:
    text = """{"Statement": {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*",
        "Condition": {
            "NumericLessThanEquals": {"s3:max-keys": 10, "s3:other": [1.50, 1e2, -0]},
            "Bool": {"aws:SecureTransport": true, "aws:MultiFactorAuthPresent": [false]},
            "StringLike": {"s3:prefix": ["home/", ""]}
        }}}"""
    (statement,) = parse_policy(text, T.IDENTITY).statements
    assert statement.conditions == (
        Condition("NumericLessThanEquals", "s3:max-keys", ("10",)),
        Condition("NumericLessThanEquals", "s3:other", ("1.50", "1e2", "-0")),
        Condition("Bool", "aws:SecureTransport", ("true",)),
        Condition("Bool", "aws:MultiFactorAuthPresent", ("false",)),
        Condition("StringLike", "s3:prefix", ("home/", "")),
    )


def test_numbers_from_a_mapping_read_as_python_prints_them() -> None:
    document = doc(allow(Condition={"NumericEquals": {"s3:max-keys": [5, 1.5, 10**20]}}))
    (statement,) = parse_policy(document, T.IDENTITY).statements
    assert statement.conditions[0].values == ("5", "1.5", "100000000000000000000")


def test_tuples_and_mappings_of_any_kind_are_json_arrays_and_objects() -> None:
    from types import MappingProxyType

    document = MappingProxyType({"Statement": (MappingProxyType(allow()),)})
    assert parse_policy(document, T.IDENTITY).statements[0].actions == ("s3:GetObject",)


def test_principal_forms_aws_documents() -> None:
    principals = [
        ACCOUNT,
        f"arn:aws:iam::{ACCOUNT}:root",
        f"arn:aws:iam::{ACCOUNT}:user/Bob",
        f"arn:aws:iam::{ACCOUNT}:user/division_abc/subdivision_xyz/Bob",
        f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        f"arn:aws-cn:iam::{ACCOUNT}:role/r",
        f"arn:aws:sts::{ACCOUNT}:assumed-role/orders/session-1",
        f"arn:aws:sts::{ACCOUNT}:federated-user/bob@example.com",
        "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHAPOMQZL",
    ]
    statement = allow(
        Principal={
            "AWS": principals,
            "Service": ["ecs.amazonaws.com", "logs.eu-west-1.amazonaws.com"],
            "Federated": [
                "cognito-identity.amazonaws.com",
                "accounts.google.com",
                f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com",
            ],
            "CanonicalUser": CANONICAL,
        }
    )
    (parsed,) = parse_policy(doc(statement), T.RESOURCE).statements
    assert parsed.principal is not None
    assert not parsed.principal.wildcard
    assert parsed.principal.values("AWS") == tuple(principals)
    assert parsed.principal.values("CanonicalUser") == (CANONICAL,)


# --- Broken documents ----------------------------------------------------------------------------

S0 = "Statement[0]"
MUST_BE_ARN = 'Resource {} must be in ARN format or "*".'
VENDOR = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
BOTH_ACTIONS = "a statement holds Action or NotAction, not both"
NO_ACTIONS = "Policy statement must contain actions."
NO_RESOURCES = "Policy statement must contain resources."
NO_PRINCIPAL_ALLOWED = "Policy document should not specify a principal."
DUPLICATE_SID = (
    'Statement IDs (SID) in a single policy must be unique. "A" is also the Sid of Statement[0]'
)
STATEMENT_ELEMENTS = (
    "Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition"
)

BROKEN: list[tuple[str, Any, PolicyType, str, str]] = [
    # The document
    (
        "unknown top-level element",
        {"Statment": [allow()]},
        T.IDENTITY,
        'Unknown element "Statment": a policy holds only Version, Id and Statement',
        "Statment",
    ),
    (
        "Version not a known date",
        doc(allow(), Version="2012-10-18"),
        T.IDENTITY,
        'Invalid Version "2012-10-18": an identity-based policy must use "2012-10-17" or '
        '"2008-10-17"',
        "Version",
    ),
    (
        "Version a number",
        doc(allow(), Version=2012),
        T.IDENTITY,
        "expected a string, found a number",
        "Version",
    ),
    (
        "Id not a string",
        doc(allow(), Id=["x"]),
        T.RESOURCE,
        "expected a string, found a list",
        "Id",
    ),
    (
        "Statement missing",
        {"Version": VERSION_2012},
        T.IDENTITY,
        "Missing required field Statement",
        "",
    ),
    (
        "Statement empty",
        doc(),
        T.IDENTITY,
        "Statement must hold at least one statement",
        "Statement",
    ),
    (
        "Statement a string",
        {"Statement": "Allow"},
        T.IDENTITY,
        "expected an object or a list of objects, found a string",
        "Statement",
    ),
    (
        "statement not an object",
        {"Statement": [None]},
        T.IDENTITY,
        "expected an object, found null",
        S0,
    ),
    # Statement elements
    (
        "unknown statement element, named with the Sid",
        doc(allow(), allow(Sid="DenyProd", Actions="s3:*")),
        T.IDENTITY,
        f'Unknown element "Actions": a statement holds only {STATEMENT_ELEMENTS}',
        'Statement[1] (Sid "DenyProd").Actions',
    ),
    (
        "Effect missing",
        doc(without(allow(), "Effect")),
        T.IDENTITY,
        "Missing required field Effect",
        S0,
    ),
    (
        "Effect in lower case",
        doc(allow(Effect="allow")),
        T.IDENTITY,
        'Invalid Effect "allow": must be "Allow" or "Deny"',
        f"{S0}.Effect",
    ),
    (
        "Effect not a string",
        doc(allow(Effect=True)),
        T.IDENTITY,
        "expected a string, found a boolean",
        f"{S0}.Effect",
    ),
    # Sid
    (
        "Sid not alphanumeric in an IAM policy",
        doc(allow(Sid="Read data")),
        T.IDENTITY,
        'Invalid Sid "Read data": Statement IDs (SID) must be alpha-numeric. Check that your input'
        " satisfies the regular expression [0-9A-Za-z]*",
        f"{S0}.Sid",
    ),
    (
        "Sid repeated",
        doc(allow(Sid="A"), allow(Sid="B"), allow(Sid="A")),
        T.IDENTITY,
        DUPLICATE_SID,
        "Statement[2].Sid",
    ),
    (
        "Sid repeated in an SCP",
        doc(allow(Sid="A"), allow(Sid="A")),
        T.SCP,
        DUPLICATE_SID,
        "Statement[1].Sid",
    ),
    (
        "Sid a number",
        doc(allow(Sid=1)),
        T.RESOURCE,
        "expected a string, found a number",
        f"{S0}.Sid",
    ),
    # Action
    ("Action missing", doc(without(allow(), "Action")), T.IDENTITY, NO_ACTIONS, S0),
    ("Action empty list", doc(allow(Action=[])), T.IDENTITY, NO_ACTIONS, f"{S0}.Action"),
    (
        "Action and NotAction",
        doc(allow(NotAction="s3:*")),
        T.IDENTITY,
        BOTH_ACTIONS,
        f"{S0}.NotAction",
    ),
    (
        "Action empty string",
        doc(allow(Action="")),
        T.IDENTITY,
        'Invalid action "": an action must not be empty',
        f"{S0}.Action",
    ),
    (
        "Action without a colon",
        doc(allow(Sid="DenyProd", Action=["s3:GetObject", "s3GetObject"])),
        T.IDENTITY,
        f'Invalid action "s3GetObject": {VENDOR}',
        'Statement[0] (Sid "DenyProd").Action[1]',
    ),
    (
        "Action with two colons",
        doc(allow(Action="s3:Get:Object")),
        T.IDENTITY,
        'Invalid action "s3:Get:Object": Actions/Condition can contain only one colon.',
        f"{S0}.Action",
    ),
    (
        "Action vendor with a wildcard",
        doc(allow(Action="s3*:GetObject")),
        T.IDENTITY,
        'Invalid action "s3*:GetObject": Vendor s3* is not valid',
        f"{S0}.Action",
    ),
    (
        "NotAction name with a space",
        doc(without(allow(NotAction=["s3:Get Object"]), "Action")),
        T.IDENTITY,
        'Invalid action "s3:Get Object": the action name must be letters, digits, hyphens and'
        " the wildcards * and ?",
        f"{S0}.NotAction[0]",
    ),
    (
        "Action name empty",
        doc(allow(Action="s3:")),
        T.IDENTITY,
        'Invalid action "s3:": the action name must be letters, digits, hyphens and the'
        " wildcards * and ?",
        f"{S0}.Action",
    ),
    (
        "Action a nested list",
        doc(allow(Action=[["s3:GetObject"]])),
        T.IDENTITY,
        "expected a string, found a list",
        f"{S0}.Action[0]",
    ),
    (
        "Action a number",
        doc(allow(Action=5)),
        T.IDENTITY,
        "expected a string or a list of strings, found a number",
        f"{S0}.Action",
    ),
    (
        "Action null",
        doc(allow(Action=None)),
        T.IDENTITY,
        "expected a string or a list of strings, found null",
        f"{S0}.Action",
    ),
    # Resource
    ("Resource missing", doc(without(allow(), "Resource")), T.IDENTITY, NO_RESOURCES, S0),
    ("Resource empty list", doc(allow(Resource=[])), T.SCP, NO_RESOURCES, f"{S0}.Resource"),
    (
        "Resource and NotResource",
        doc(allow(NotResource="*")),
        T.IDENTITY,
        "a statement holds Resource or NotResource, not both",
        f"{S0}.NotResource",
    ),
    (
        "Resource not an ARN",
        doc(allow(Resource=["*", "my-bucket"])),
        T.IDENTITY,
        MUST_BE_ARN.format("my-bucket"),
        f"{S0}.Resource[1]",
    ),
    (
        "NotResource ARN too short",
        doc(without(allow(NotResource="arn:aws:s3:bucket"), "Resource")),
        T.IDENTITY,
        MUST_BE_ARN.format("arn:aws:s3:bucket"),
        f"{S0}.NotResource",
    ),
    (
        "Resource with five parts",
        doc(allow(Resource="arn:aws:s3::bucket")),
        T.IDENTITY,
        MUST_BE_ARN.format("arn:aws:s3::bucket"),
        f"{S0}.Resource",
    ),
    (
        "Resource with an unknown partition",
        doc(allow(Resource="arn:amazon:s3:::bucket")),
        T.IDENTITY,
        'Partition "amazon" is not valid for resource "arn:amazon:s3:::bucket".',
        f"{S0}.Resource",
    ),
    (
        "Resource without a service",
        doc(allow(Resource="arn:aws::eu-west-1:123456789012:x")),
        T.IDENTITY,
        "Resource arn:aws::eu-west-1:123456789012:x: Resource vendor must be fully qualified and"
        " cannot contain regexes.",
        f"{S0}.Resource",
    ),
    # Principal, by policy type
    (
        "Principal in an identity policy",
        doc(allow(Principal="*")),
        T.IDENTITY,
        NO_PRINCIPAL_ALLOWED,
        f"{S0}.Principal",
    ),
    (
        "NotPrincipal in a boundary",
        doc(allow(NotPrincipal={"AWS": ACCOUNT})),
        T.BOUNDARY,
        NO_PRINCIPAL_ALLOWED,
        f"{S0}.NotPrincipal",
    ),
    (
        "Principal in an SCP",
        doc(allow(Principal="*")),
        T.SCP,
        NO_PRINCIPAL_ALLOWED,
        f"{S0}.Principal",
    ),
    (
        "Principal in a session policy",
        doc(allow(Principal="*")),
        T.SESSION,
        NO_PRINCIPAL_ALLOWED,
        f"{S0}.Principal",
    ),
    (
        "Principal missing in a resource policy",
        doc(allow()),
        T.RESOURCE,
        "Missing required field Principal",
        S0,
    ),
    (
        "Principal missing in a trust policy",
        doc(without(trust(), "Principal")),
        T.TRUST,
        "Missing required field Principal",
        S0,
    ),
    (
        "Principal and NotPrincipal",
        doc(allow(Principal="*", NotPrincipal="*", Effect="Deny")),
        T.RESOURCE,
        "a statement holds Principal or NotPrincipal, not both",
        f"{S0}.NotPrincipal",
    ),
    (
        "NotPrincipal in a trust policy",
        doc(without(trust(NotPrincipal={"AWS": ACCOUNT}, Effect="Deny"), "Principal")),
        T.TRUST,
        "NotPrincipal is not supported in a role trust policy",
        f"{S0}.NotPrincipal",
    ),
    (
        "NotPrincipal with Allow",
        doc(allow(NotPrincipal={"AWS": ACCOUNT})),
        T.RESOURCE,
        'NotPrincipal must be used with "Effect": "Deny"',
        f"{S0}.NotPrincipal",
    ),
    (
        "Principal a bare ARN",
        doc(allow(Principal=f"arn:aws:iam::{ACCOUNT}:root")),
        T.RESOURCE,
        'expected "*" or an object such as {"AWS": ...}, found a string',
        f"{S0}.Principal",
    ),
    (
        "Principal empty",
        doc(allow(Principal={})),
        T.RESOURCE,
        "a Principal must name at least one principal",
        f"{S0}.Principal",
    ),
    (
        "Principal of an unknown type",
        doc(allow(Principal={"User": "bob"})),
        T.RESOURCE,
        'Unknown principal type "User": use AWS, Service, Federated or CanonicalUser',
        f"{S0}.Principal.User",
    ),
    (
        "Principal list empty",
        doc(allow(Principal={"AWS": []})),
        T.RESOURCE,
        "AWS must list at least one principal",
        f"{S0}.Principal.AWS",
    ),
    (
        "Principal with a partial wildcard",
        doc(trust(Principal={"AWS": [ACCOUNT, f"arn:aws:iam::{ACCOUNT}:role/*"]})),
        T.TRUST,
        f'Invalid principal in policy: "AWS":"arn:aws:iam::{ACCOUNT}:role/*"',
        f"{S0}.Principal.AWS[1]",
    ),
    (
        "Principal assumed-role session with a wildcard",
        doc(allow(Principal={"AWS": f"arn:aws:sts::{ACCOUNT}:assumed-role/r/*"})),
        T.RESOURCE,
        f'Invalid principal in policy: "AWS":"arn:aws:sts::{ACCOUNT}:assumed-role/r/*"',
        f"{S0}.Principal.AWS",
    ),
    (
        "Principal account id too short",
        doc(allow(Principal={"AWS": "12345"})),
        T.RESOURCE,
        'Invalid principal in policy: "AWS":"12345"',
        f"{S0}.Principal.AWS",
    ),
    (
        "Principal a group",
        doc(allow(Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:group/admins"})),
        T.RESOURCE,
        f'Invalid principal in policy: "AWS":"arn:aws:iam::{ACCOUNT}:group/admins"',
        f"{S0}.Principal.AWS",
    ),
    (
        "Service principal wildcard",
        doc(trust(Principal={"Service": "*"})),
        T.TRUST,
        'Invalid principal in policy: "Service":"*"',
        f"{S0}.Principal.Service",
    ),
    (
        "Service principal not a host name",
        doc(trust(Principal={"Service": "lambda"})),
        T.TRUST,
        'Invalid principal in policy: "Service":"lambda"',
        f"{S0}.Principal.Service",
    ),
    (
        "Federated principal a user ARN",
        doc(trust(Principal={"Federated": f"arn:aws:iam::{ACCOUNT}:user/bob"})),
        T.TRUST,
        f'Invalid principal in policy: "Federated":"arn:aws:iam::{ACCOUNT}:user/bob"',
        f"{S0}.Principal.Federated",
    ),
    (
        "CanonicalUser not a canonical id",
        doc(allow(Principal={"CanonicalUser": "bob"})),
        T.RESOURCE,
        'Invalid principal in policy: "CanonicalUser":"bob"',
        f"{S0}.Principal.CanonicalUser",
    ),
    (
        "Principal value a number",
        doc(allow(Principal={"AWS": [ACCOUNT, 123456789012]})),
        T.RESOURCE,
        "expected a string, found a number",
        f"{S0}.Principal.AWS[1]",
    ),
    # Trust policies
    (
        "Resource in a trust policy",
        doc(trust(Resource="*")),
        T.TRUST,
        "Has prohibited field Resource.",
        f"{S0}.Resource",
    ),
    (
        "non-STS action in a trust policy",
        doc(trust(Action=["sts:AssumeRole", "s3:GetObject"])),
        T.TRUST,
        'Invalid action "s3:GetObject": a role trust policy allows only sts: actions'
        " (sts:AssumeRole, sts:AssumeRoleWithSAML, sts:AssumeRoleWithWebIdentity,"
        " sts:TagSession, ...)",
        f"{S0}.Action[1]",
    ),
    # SCPs and RCPs
    (
        "SCP without Version",
        {"Statement": [allow()]},
        T.SCP,
        'Missing required field Version: a service control policy needs "Version": "2012-10-17"',
        "",
    ),
    (
        "RCP with Version 2008-10-17",
        doc(rcp_deny(), Version=VERSION_2008),
        T.RCP,
        'Invalid Version "2008-10-17": a resource control policy must use "2012-10-17"',
        "Version",
    ),
    (
        "RCP Principal not *",
        doc(rcp_deny(Principal={"AWS": "*"})),
        T.RCP,
        'Principal must be "*" in a resource control policy; narrow it with conditions such as'
        " aws:PrincipalOrgID",
        f"{S0}.Principal",
    ),
    (
        "RCP without Principal",
        doc(without(rcp_deny(), "Principal")),
        T.RCP,
        "Missing required field Principal",
        S0,
    ),
    (
        "RCP NotPrincipal",
        doc(without(rcp_deny(NotPrincipal="*"), "Principal")),
        T.RCP,
        "NotPrincipal is not supported in a resource control policy",
        f"{S0}.NotPrincipal",
    ),
    (
        "RCP NotAction",
        doc(without(rcp_deny(NotAction="s3:GetObject"), "Action")),
        T.RCP,
        "NotAction is not supported in a resource control policy",
        f"{S0}.NotAction",
    ),
    (
        "RCP Allow other than full access",
        doc(rcp_deny(Effect="Allow")),
        T.RCP,
        'Allow is supported only in RCPFullAWSAccess ("Principal": "*", "Action": "*",'
        ' "Resource": "*", no Condition); an RCP restricts with Deny statements',
        f"{S0}.Effect",
    ),
    # Condition
    (
        "Condition not an object",
        doc(allow(Condition=["StringEquals"])),
        T.IDENTITY,
        "expected an object of condition operators, found a list",
        f"{S0}.Condition",
    ),
    (
        "Condition operator unknown",
        doc(allow(), allow(Condition={"StringEqual": {"aws:username": "bob"}})),
        T.IDENTITY,
        "Invalid Condition type : StringEqual",
        "Statement[1].Condition.StringEqual",
    ),
    (
        "Condition operator holding a list",
        doc(allow(Condition={"StringEquals": ["aws:username"]})),
        T.IDENTITY,
        "expected an object of condition keys, found a list",
        f"{S0}.Condition.StringEquals",
    ),
    (
        "Condition values an empty list",
        doc(allow(Condition={"StringEquals": {"aws:username": []}})),
        T.IDENTITY,
        "a condition key must list at least one value",
        f"{S0}.Condition.StringEquals.aws:username",
    ),
    (
        "Condition value null",
        doc(allow(Condition={"StringEquals": {"aws:username": None}})),
        T.IDENTITY,
        "expected a string, number or boolean, found null",
        f"{S0}.Condition.StringEquals.aws:username",
    ),
    (
        "Condition value nested list",
        doc(allow(Condition={"StringEquals": {"aws:username": ["a", ["b"]]}})),
        T.IDENTITY,
        "expected a string, number or boolean, found a list",
        f"{S0}.Condition.StringEquals.aws:username[1]",
    ),
    (
        "Condition value an object",
        doc(allow(Condition={"StringEquals": {"aws:username": {"a": "b"}}})),
        T.IDENTITY,
        "expected a string, number or boolean, found an object",
        f"{S0}.Condition.StringEquals.aws:username",
    ),
    (
        "Null with a value other than true/false",
        doc(allow(Sid="A", Condition={"Null": {"aws:TagKeys": "maybe"}})),
        T.IDENTITY,
        validate_condition_values("Null", "aws:TagKeys", ["maybe"]) or "",
        'Statement[0] (Sid "A").Condition.Null.aws:TagKeys',
    ),
    (
        "Numeric operator with a word",
        doc(allow(Condition={"NumericLessThan": {"s3:max-keys": ["10", "ten"]}})),
        T.IDENTITY,
        validate_condition_values("NumericLessThan", "s3:max-keys", ["10", "ten"]) or "",
        f"{S0}.Condition.NumericLessThan.s3:max-keys",
    ),
    (
        "Condition key empty",
        doc(allow(Condition={"StringEquals": {"": "x"}})),
        T.IDENTITY,
        validate_condition_values("StringEquals", "", ["x"]) or "",
        f"{S0}.Condition.StringEquals.",
    ),
    # Statement as a single object: its place is "Statement"
    (
        "single statement object",
        {"Statement": allow(Effect="Permit")},
        T.IDENTITY,
        'Invalid Effect "Permit": must be "Allow" or "Deny"',
        "Statement.Effect",
    ),
]


@pytest.mark.parametrize(
    ("document", "policy_type", "problem", "location"),
    [case[1:] for case in BROKEN],
    ids=[case[0] for case in BROKEN],
)
@pytest.mark.parametrize("as_text", [False, True], ids=["mapping", "text"])
def test_broken_documents_name_the_problem_and_the_place(
    document: Any, policy_type: PolicyType, problem: str, location: str, as_text: bool
) -> None:
    given = json.dumps(document) if as_text else document
    with pytest.raises(PolicyValidationError) as caught:
        parse_policy(given, policy_type, "arn:aws:iam::123456789012:policy/p")
    error = caught.value
    assert problem  # the delegated messages above exist
    assert (error.problem, error.location) == (problem, location)
    assert error.policy == "arn:aws:iam::123456789012:policy/p"


def test_error_message_format() -> None:
    error = PolicyValidationError("Bad thing", "Statement[0].Action", "my-policy")
    assert str(error) == (
        "MalformedPolicyDocument: Bad thing at Statement[0].Action in policy my-policy"
    )
    assert str(PolicyValidationError("Bad thing")) == "MalformedPolicyDocument: Bad thing"
    assert (
        str(PolicyValidationError("Bad", policy="p")) == "MalformedPolicyDocument: Bad in policy p"
    )
    assert isinstance(error, ValueError)
    clone = pickle.loads(pickle.dumps(error))
    assert (clone.problem, clone.location, clone.policy, str(clone)) == (
        error.problem,
        error.location,
        error.policy,
        str(error),
    )


def test_error_without_a_policy_name_omits_it() -> None:
    with pytest.raises(PolicyValidationError) as caught:
        parse_policy("{}", T.IDENTITY)
    assert str(caught.value) == "MalformedPolicyDocument: Missing required field Statement"


# --- Duplicate keys ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "location"),
    [
        ('{"Version": "2012-10-17", "Version": "2008-10-17", "Statement": []}', "Version"),
        (
            '{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", '
            '"Effect": "Deny"}]}',
            "Statement[0].Effect",
        ),
        (
            '{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": '
            '{"StringEquals": {"aws:username": "a", "aws:username": "b"}}}}',
            "Statement.Condition.StringEquals.aws:username",
        ),
    ],
)
def test_duplicate_keys_are_refused_with_their_path(text: str, location: str) -> None:
    key = location.rsplit(".", 1)[-1]
    for parse in (lambda: parse_policy(text, T.IDENTITY), lambda: loads_strict(text)):
        with pytest.raises(PolicyValidationError) as caught:
            parse()
        assert (caught.value.problem, caught.value.location) == (f'Duplicate key "{key}"', location)


# --- loads_strict --------------------------------------------------------------------------------


def test_loads_strict_reads_plain_json() -> None:
    assert loads_strict('{"a": [1, 2.5, true, null, "x"]}') == {"a": [1, 2.5, True, None, "x"]}
    assert loads_strict(b'{"a": {"b": 1}}') == {"a": {"b": 1}}


@pytest.mark.parametrize(
    ("text", "problem", "location"),
    [
        ('{"a": 1,\n "b": }', "not JSON: Expecting value", "line 2 column 7"),
        ("", "not JSON: Expecting value", "line 1 column 1"),
        ('{"a": 1} {"b": 2}', "not JSON: Extra data", "line 1 column 10"),
        ('{"a": NaN}', "not JSON: NaN is not a number JSON allows", "line 1 column 7"),
        (
            '{"NaN": 1, "b":\n  -Infinity}',
            "not JSON: -Infinity is not a number JSON allows",
            "line 2 column 3",
        ),
        (
            '["Infinity", Infinity]',
            "not JSON: Infinity is not a number JSON allows",
            "line 1 column 14",
        ),
        (b'{"a": "\xe9"}', "not UTF-8: invalid continuation byte", "byte 7"),
    ],
)
def test_loads_strict_errors(text: str | bytes, problem: str, location: str) -> None:
    with pytest.raises(PolicyValidationError) as caught:
        loads_strict(text)
    assert (caught.value.problem, caught.value.location) == (problem, location)


# --- Size ----------------------------------------------------------------------------------------


def test_policy_size_ignores_white_space() -> None:
    assert policy_size('{ "a" :\t[ 1 ,\r\n 2 ] }') == len('{"a":[1,2]}')
    assert policy_size("") == 0


def test_default_quotas() -> None:
    assert dict(DEFAULT_MAX_SIZE) == {
        T.IDENTITY: 6144,
        T.BOUNDARY: 6144,
        T.TRUST: 2048,
        T.SESSION: 2048,
        T.SCP: 5120,
        T.RCP: 5120,
        T.RESOURCE: 20480,
    }


def padded(policy_type: PolicyType, size: int, statement: dict[str, Any], indent: int = 0) -> str:
    """A valid document of exactly `size` characters as IAM counts them, padded in a Sid."""
    base = {"Version": VERSION_2012, "Statement": [{**statement, "Sid": ""}]}
    text = json.dumps(base, indent=indent or None)
    counted = len(text) if policy_type in (T.SCP, T.RCP) else policy_size(text)
    missing = size - counted
    assert missing >= 0
    return text.replace('"Sid": ""', f'"Sid": "{"x" * missing}"')


@pytest.mark.parametrize(
    ("policy_type", "statement"),
    [
        (T.IDENTITY, allow()),
        (T.BOUNDARY, allow()),
        (T.SESSION, allow()),
        (T.TRUST, trust()),
        (T.RESOURCE, allow(Principal="*")),
        (T.SCP, allow()),
        (T.RCP, rcp_deny()),
    ],
)
def test_size_at_the_quota_passes_and_one_over_fails(
    policy_type: PolicyType, statement: dict[str, Any]
) -> None:
    limit = DEFAULT_MAX_SIZE[policy_type]
    parse_policy(padded(policy_type, limit, statement, indent=4), policy_type)
    with pytest.raises(PolicyValidationError) as caught:
        parse_policy(padded(policy_type, limit + 1, statement, indent=4), policy_type)
    assert caught.value.problem == f"Cannot exceed quota for PolicySize: {limit} (size {limit + 1})"
    assert caught.value.location == ""


def test_iam_does_not_count_white_space_but_organizations_does() -> None:
    compact = padded(T.IDENTITY, 6144, allow())
    roomy = json.dumps(json.loads(compact), indent=8)
    parse_policy(roomy, T.IDENTITY)  # still 6,144 without white space
    scp = padded(T.SCP, 5120, allow())
    with pytest.raises(PolicyValidationError, match="PolicySize: 5120"):
        parse_policy(json.dumps(json.loads(scp), indent=1), T.SCP)


def test_max_size_overrides_the_default() -> None:
    text = padded(T.RESOURCE, 9000, allow(Principal="*"))
    parse_policy(text, T.RESOURCE)
    with pytest.raises(PolicyValidationError, match="PolicySize: 8192 \\(size 9000\\)"):
        parse_policy(text, T.RESOURCE, max_size=8192)
    parse_policy(text, T.RESOURCE, max_size=9000)


def test_a_mapping_is_measured_as_compact_json() -> None:
    document = json.loads(padded(T.IDENTITY, 6145, allow()))
    with pytest.raises(PolicyValidationError, match="PolicySize: 6144 \\(size 6145\\)"):
        parse_policy(document, T.IDENTITY)


# --- Characters ----------------------------------------------------------------------------------


def test_iam_policies_hold_only_latin1_characters() -> None:
    document = doc(allow(Condition={"StringEquals": {"aws:username": "日本"}}))
    text = json.dumps(document, indent=1, ensure_ascii=False)
    with pytest.raises(PolicyValidationError) as caught:
        parse_policy(text, T.IDENTITY)
    line = text.splitlines().index(next(ln for ln in text.splitlines() if "日" in ln)) + 1
    column = text.splitlines()[line - 1].index("日") + 1
    assert caught.value.problem == (
        "character U+65E5 is not allowed: IAM policy documents may contain only tab, line feed,"
        " carriage return and characters U+0020 to U+00FF"
    )
    assert caught.value.location == f"line {line} column {column}"
    # Latin-1 passes; JSON escapes are what a client sends and pass too; S3 takes any text.
    parse_policy(text.replace("日本", "José"), T.IDENTITY)
    parse_policy(json.dumps(json.loads(text)), T.IDENTITY)
    parse_policy(text.replace('"Effect"', '"Principal": "*", "Effect"'), T.RESOURCE)


# --- Garbage -------------------------------------------------------------------------------------

GARBAGE: list[tuple[str, Any, str, str]] = [
    ("not JSON", "Effect: Allow", "not JSON: Expecting value", "line 1 column 1"),
    (
        "JSON array",
        '[{"Effect": "Allow"}]',
        "a policy document must be a JSON object, not a list",
        "",
    ),
    ("JSON null", "null", "a policy document must be a JSON object, not null", ""),
    ("JSON number", "12", "a policy document must be a JSON object, not a number", ""),
    ("JSON string", '"policy"', "a policy document must be a JSON object, not a string", ""),
    ("empty text", "   ", "not JSON: Expecting value", "line 1 column 4"),
    (
        "huge text",
        " " * (MAX_DOCUMENT_CHARS + 1),
        f"a document of {MAX_DOCUMENT_CHARS + 1} characters is far beyond any policy size quota"
        f" (refused above {MAX_DOCUMENT_CHARS})",
        "",
    ),
    (
        "huge bytes",
        b"{" * (MAX_DOCUMENT_CHARS + 1),
        f"a document of {MAX_DOCUMENT_CHARS + 1} characters is far beyond any policy size quota"
        f" (refused above {MAX_DOCUMENT_CHARS})",
        "",
    ),
    ("deeply nested list", "[" * 100_000, f"nesting deeper than {MAX_NESTING} levels", ""),
    (
        "deeply nested objects",
        '{"a":' * 5000 + "1" + "}" * 5000,
        f"nesting deeper than {MAX_NESTING} levels",
        "",
    ),
    (
        "brackets in strings do not nest",
        '["' + "[" * 5000 + '"]',
        "a policy document must be a JSON object, not a list",
        "",
    ),
    ("invalid UTF-8", b'{"Statement": "\xff"}', "not UTF-8: invalid start byte", "byte 15"),
    (
        "UTF-8 BOM",
        "\ufeff{}",
        "not JSON: Unexpected UTF-8 BOM (decode using utf-8-sig)",
        "line 1 column 1",
    ),
    ("a number", 42, "a policy document is JSON text or a mapping, not int", ""),
    ("a list object", [allow()], "a policy document is JSON text or a mapping, not list", ""),
    ("a key that is not a string", {1: "x"}, "object key 1 is not a string", ""),
    (
        "a set value",
        {"Statement": {"Action": {"s3:*"}}},
        "a set is not a JSON value",
        "Statement.Action",
    ),
    ("NaN in a mapping", {"Id": float("nan")}, "not JSON: nan is not a number JSON allows", "Id"),
    ("bytes in a mapping", {"Id": b"x"}, "a bytes is not a JSON value", "Id"),
]


@pytest.mark.parametrize(
    ("document", "problem", "location"),
    [case[1:] for case in GARBAGE],
    ids=[case[0] for case in GARBAGE],
)
def test_garbage_is_a_policy_validation_error(document: Any, problem: str, location: str) -> None:
    with pytest.raises(PolicyValidationError) as caught:
        parse_policy(document, T.RESOURCE, "p")
    assert (caught.value.problem, caught.value.location) == (problem, location)


def test_deep_and_cyclic_mappings_are_refused_without_recursion_error() -> None:
    deep: dict[str, Any] = {}
    inner = deep
    for _ in range(10_000):
        inner["a"] = {}
        inner = inner["a"]
    cyclic: dict[str, Any] = {"Statement": {}}
    cyclic["Statement"]["Condition"] = cyclic
    for document in ({"Statement": deep}, cyclic):
        with pytest.raises(PolicyValidationError, match=f"nesting deeper than {MAX_NESTING}"):
            parse_policy(document, T.IDENTITY)


def test_an_unknown_policy_type_is_an_error() -> None:
    with pytest.raises(PolicyValidationError, match="unknown policy type 'identity'"):
        parse_policy("{}", "identity")  # type: ignore[arg-type]


def test_unexpected_failures_become_policy_validation_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import harness.iam.parse as parse_module

    def broken(operator: str, key: str, values: Any) -> str | None:
        raise KeyError(operator)

    monkeypatch.setattr(parse_module, "validate_condition_values", broken)
    document = doc(allow(Condition={"StringEquals": {"aws:username": "bob"}}))
    with pytest.raises(PolicyValidationError) as caught:
        parse_policy(document, T.IDENTITY, "p")
    assert caught.value.problem == "cannot read the document (KeyError: 'StringEquals')"
    assert isinstance(caught.value.__cause__, KeyError)
