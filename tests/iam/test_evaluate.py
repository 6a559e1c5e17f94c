"""AWS's policy evaluation logic, one row per documented rule.

Rows are written from:
[EVAL]  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
[BASIC] https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html
[XACCT] https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
[PB]    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
[SESS]  https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
[SCP]   https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
[RCP]   https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
[TRUST] https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user.html
[MSG]   https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
[VARS]  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
[NOTP]  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from harness.simulate import simulate

A = "111111111111"  # the caller's account
B = "222222222222"  # another account
MGMT = "999999999999"
USER = f"arn:aws:iam::{A}:user/alice"
ROLE = f"arn:aws:iam::{A}:role/dev"
SESSION = f"arn:aws:sts::{A}:assumed-role/dev/alice"
BUCKET = "arn:aws:s3:::data"
OBJECT = "arn:aws:s3:::data/report.csv"


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource, **extra}],
    }


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": action, "Resource": resource, **extra}],
    }


FULL = allow("*")
RCP_FULL = allow("*", Principal="*")  # RCPFullAWSAccess


@dataclass
class Case:
    id: str
    request: dict[str, Any]
    decision: str
    denied_by: str | None = None
    message: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def req(
    caller: str = USER, action: str = "s3:GetObject", resource: str = OBJECT, **fields: Any
) -> dict[str, Any]:
    return {"CallerArn": caller, "ActionNames": [action], "ResourceArns": [resource], **fields}


CASES = [
    # --- identity-based policies [EVAL] -------------------------------------------------------
    Case(
        "default deny",
        req(ResourceOwner=A),
        "implicitDeny",
        "identity-based policy",
        f"User: {USER} is not authorized to perform: s3:GetObject on resource: {OBJECT} "
        "because no identity-based policy allows the s3:GetObject action",
    ),
    Case(
        "identity allow", req(ResourceOwner=A, PolicyInputList=[allow("s3:GetObject")]), "allowed"
    ),
    Case(
        "explicit deny beats allow",
        req(ResourceOwner=A, PolicyInputList=[allow("s3:*"), deny("s3:GetObject")]),
        "explicitDeny",
        "identity-based policy",
        f"User: {USER} is not authorized to perform: s3:GetObject on resource: {OBJECT} "
        "with an explicit deny in an identity-based policy",
    ),
    Case(
        "action match is case-insensitive",
        req(ResourceOwner=A, PolicyInputList=[allow("S3:getobj*")]),
        "allowed",
    ),
    Case(
        "? matches one character",
        req(ResourceOwner=A, PolicyInputList=[allow("s3:GetObjec?")]),
        "allowed",
    ),
    Case(
        "? does not match two",
        req(ResourceOwner=A, PolicyInputList=[allow("s3:GetObj?")]),
        "implicitDeny",
        "identity-based policy",
    ),
    Case(
        "NotAction allow covers other actions",
        req(
            ResourceOwner=A,
            PolicyInputList=[
                {
                    "Version": "2012-10-17",
                    "Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
                }
            ],
        ),
        "allowed",
    ),
    Case(
        "NotAction allow excludes its actions",
        req(
            action="iam:CreateUser",
            resource="*",
            PolicyInputList=[
                {
                    "Version": "2012-10-17",
                    "Statement": {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
                }
            ],
        ),
        "implicitDeny",
        "identity-based policy",
    ),
    Case(
        "NotResource deny spares the listed resource",
        req(
            ResourceOwner=A,
            PolicyInputList=[
                FULL,
                {
                    "Version": "2012-10-17",
                    "Statement": {
                        "Effect": "Deny",
                        "Action": "s3:*",
                        "NotResource": "arn:aws:s3:::data/*",
                    },
                },
            ],
        ),
        "allowed",
    ),
    Case(
        "NotResource deny hits other resources",
        req(
            resource="arn:aws:s3:::other/x",
            ResourceOwner=A,
            PolicyInputList=[
                FULL,
                {
                    "Version": "2012-10-17",
                    "Statement": {
                        "Effect": "Deny",
                        "Action": "s3:*",
                        "NotResource": "arn:aws:s3:::data/*",
                    },
                },
            ],
        ),
        "explicitDeny",
        "identity-based policy",
    ),
    Case(
        "bucket ARN does not match object pattern",
        req(
            action="s3:ListBucket",
            resource=BUCKET,
            ResourceOwner=A,
            PolicyInputList=[allow("s3:ListBucket", "arn:aws:s3:::data/*")],
        ),
        "implicitDeny",
        "identity-based policy",
    ),
    Case(
        "wildcards fill whole ARN segments",
        req(
            action="sqs:SendMessage",
            resource=f"arn:aws:sqs:us-east-1:{A}:q",
            ResourceOwner=A,
            PolicyInputList=[allow("sqs:*", "arn:aws:sqs:*:*:q")],
        ),
        "allowed",
    ),
    Case(
        "resource matching is case-sensitive",
        req(ResourceOwner=A, PolicyInputList=[allow("s3:GetObject", "arn:aws:s3:::DATA/*")]),
        "implicitDeny",
        "identity-based policy",
    ),
    Case(
        "action without resource needs Resource *",
        req(
            action="s3:ListAllMyBuckets",
            resource="*",
            PolicyInputList=[allow("s3:ListAllMyBuckets", "arn:aws:s3:::*")],
        ),
        "implicitDeny",
        "identity-based policy",
    ),
    # --- permissions boundaries [PB] ------------------------------------------------------------
    Case(
        "boundary limits identity grants (Shirley)",
        req(
            action="iam:CreateUser",
            resource="*",
            PolicyInputList=[allow("iam:CreateUser")],
            PermissionsBoundaryPolicyInputList=[allow(["s3:*", "cloudwatch:*", "ec2:*"])],
        ),
        "implicitDeny",
        "permissions boundary",
        f"User: {USER} is not authorized to perform: iam:CreateUser "
        "because no permissions boundary allows the iam:CreateUser action",
        {"PermissionsBoundaryDecisionDetail": {"AllowedByPermissionsBoundary": False}},
    ),
    Case(
        "boundary and identity both allow",
        req(
            ResourceOwner=A,
            PolicyInputList=[allow("s3:*")],
            PermissionsBoundaryPolicyInputList=[allow(["s3:*", "ec2:*"])],
        ),
        "allowed",
        extra={"PermissionsBoundaryDecisionDetail": {"AllowedByPermissionsBoundary": True}},
    ),
    Case(
        "boundary alone grants nothing",
        req(ResourceOwner=A, PermissionsBoundaryPolicyInputList=[allow("s3:*")]),
        "implicitDeny",
        "identity-based policy",
    ),
    Case(
        "boundary deny",
        req(
            ResourceOwner=A,
            PolicyInputList=[FULL],
            PermissionsBoundaryPolicyInputList=[
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": "*", "Resource": "*"},
                        {
                            "Sid": "DenyS3Logs",
                            "Effect": "Deny",
                            "Action": "s3:*",
                            "Resource": "arn:aws:s3:::data/*",
                        },
                    ],
                }
            ],
        ),
        "explicitDeny",
        "permissions boundary",
    ),
    Case(
        "same-account resource policy naming the user is not limited by the boundary",
        req(
            ResourceOwner=A,
            PermissionsBoundaryPolicyInputList=[allow("ec2:*")],
            ResourcePolicy=allow("s3:GetObject", OBJECT, Principal={"AWS": USER}),
        ),
        "allowed",
    ),
    Case(
        "same-account resource policy naming the role is limited by the boundary",
        req(
            caller=SESSION,
            ResourceOwner=A,
            PermissionsBoundaryPolicyInputList=[allow("ec2:*")],
            ResourcePolicy=allow("s3:GetObject", OBJECT, Principal={"AWS": ROLE}),
        ),
        "implicitDeny",
        "permissions boundary",
    ),
    Case(
        "same-account resource policy naming the session is not limited by the boundary",
        req(
            caller=SESSION,
            ResourceOwner=A,
            PermissionsBoundaryPolicyInputList=[allow("ec2:*")],
            ResourcePolicy=allow("s3:GetObject", OBJECT, Principal={"AWS": SESSION}),
        ),
        "allowed",
    ),
    # --- session policies [SESS] ----------------------------------------------------------------
    Case(
        "session policy must allow too",
        req(
            caller=SESSION,
            ResourceOwner=A,
            PolicyInputList=[FULL],
            SessionPolicyInputList=[allow("ec2:*")],
        ),
        "implicitDeny",
        "session policy",
        f"User: {SESSION} is not authorized to perform: s3:GetObject on resource: {OBJECT} "
        "because no session policy allows the s3:GetObject action",
    ),
    Case(
        "session policy cannot grant beyond identity",
        req(caller=SESSION, ResourceOwner=A, SessionPolicyInputList=[FULL]),
        "implicitDeny",
        "identity-based policy",
    ),
    Case(
        "session and identity allow",
        req(
            caller=SESSION,
            ResourceOwner=A,
            PolicyInputList=[allow("s3:GetObject")],
            SessionPolicyInputList=[allow("s3:*")],
        ),
        "allowed",
    ),
    Case(
        "resource policy naming the role is limited by the session policy",
        req(
            caller=SESSION,
            ResourceOwner=A,
            SessionPolicyInputList=[allow("ec2:*")],
            ResourcePolicy=allow("s3:GetObject", OBJECT, Principal={"AWS": ROLE}),
        ),
        "implicitDeny",
        "session policy",
    ),
    Case(
        "resource policy naming the session is not limited by the session policy",
        req(
            caller=SESSION,
            ResourceOwner=A,
            SessionPolicyInputList=[allow("ec2:*")],
            ResourcePolicy=allow("s3:GetObject", OBJECT, Principal={"AWS": SESSION}),
        ),
        "allowed",
    ),
    # --- SCPs [SCP] -----------------------------------------------------------------------------
    Case(
        "SCPs allowing at every level",
        req(
            ResourceOwner=A, PolicyInputList=[FULL], ServiceControlPolicies=[[FULL], [FULL], [FULL]]
        ),
        "allowed",
        extra={"OrganizationsDecisionDetail": {"AllowedByOrganizations": True}},
    ),
    Case(
        "SCP deny at the root",
        req(
            ResourceOwner=A,
            PolicyInputList=[FULL],
            ServiceControlPolicies=[[FULL, deny("s3:GetObject")], [FULL], [FULL]],
        ),
        "explicitDeny",
        "service control policy",
        f"User: {USER} is not authorized to perform: s3:GetObject on resource: {OBJECT} "
        "with an explicit deny in a service control policy",
        {"OrganizationsDecisionDetail": {"AllowedByOrganizations": False}},
    ),
    Case(
        "SCP deny at an OU",
        req(
            ResourceOwner=A,
            PolicyInputList=[FULL],
            ServiceControlPolicies=[[FULL], [FULL, deny("s3:*")], [FULL]],
        ),
        "explicitDeny",
        "service control policy",
    ),
    Case(
        "SCP deny at the account",
        req(
            ResourceOwner=A,
            PolicyInputList=[FULL],
            ServiceControlPolicies=[[FULL], [FULL], [deny("s3:*")]],
        ),
        "explicitDeny",
        "service control policy",
    ),
    Case(
        "a level without an allowing SCP denies",
        req(
            ResourceOwner=A,
            PolicyInputList=[FULL],
            ServiceControlPolicies=[[FULL], [allow("ec2:*")], [FULL]],
        ),
        "implicitDeny",
        "service control policy",
        f"User: {USER} is not authorized to perform: s3:GetObject on resource: {OBJECT} "
        "because no service control policy allows the s3:GetObject action",
    ),
    Case(
        "SCPs grant nothing by themselves",
        req(ResourceOwner=A, ServiceControlPolicies=[[FULL], [FULL]]),
        "implicitDeny",
        "identity-based policy",
    ),
    Case(
        "the management account is not bound by SCPs",
        req(
            caller=f"arn:aws:iam::{MGMT}:user/admin",
            resource=OBJECT,
            ResourceOwner=MGMT,
            ManagementAccount=MGMT,
            PolicyInputList=[FULL],
            ServiceControlPolicies=[[FULL, deny("*")]],
        ),
        "allowed",
    ),
    Case(
        "service-linked roles are not bound by SCPs",
        req(
            caller=f"arn:aws:iam::{A}:role/aws-service-role/x.amazonaws.com/AWSServiceRoleForX",
            ResourceOwner=A,
            PolicyInputList=[FULL],
            ServiceControlPolicies=[[FULL, deny("*")]],
        ),
        "allowed",
    ),
    Case(
        "the root user of a member account is bound by SCPs",
        req(
            caller=f"arn:aws:iam::{A}:root",
            ResourceOwner=A,
            ServiceControlPolicies=[
                [
                    FULL,
                    deny("*", Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}),
                ]
            ],
        ),
        "explicitDeny",
        "service control policy",
    ),
    Case(
        "the root user needs no identity policy in its own account",
        req(caller=f"arn:aws:iam::{A}:root", ResourceOwner=A),
        "allowed",
    ),
    Case(
        "SCPs restrict cross-account callers from the member account",
        req(
            ResourceOwner=B,
            PolicyInputList=[FULL],
            ServiceControlPolicies=[[FULL, deny("s3:*")]],
            ResourcePolicy=allow("s3:GetObject", OBJECT, Principal={"AWS": A}),
        ),
        "explicitDeny",
        "service control policy",
    ),
    # --- resource-based policies, same account [BASIC] -----------------------------------------
    Case(
        "resource policy naming the user grants alone",
        req(ResourceOwner=A, ResourcePolicy=allow("s3:GetObject", OBJECT, Principal={"AWS": USER})),
        "allowed",
    ),
    Case(
        "resource policy naming the account delegates to identity policies",
        req(
            ResourceOwner=A,
            ResourcePolicy=allow(
                "s3:GetObject", OBJECT, Principal={"AWS": f"arn:aws:iam::{A}:root"}
            ),
        ),
        "implicitDeny",
        "identity-based policy",
    ),
    Case(
        "account delegation plus identity allow",
        req(
            ResourceOwner=A,
            PolicyInputList=[allow("s3:GetObject")],
            ResourcePolicy=allow("s3:GetObject", OBJECT, Principal={"AWS": A}),
        ),
        "allowed",
    ),
    Case(
        "resource policy naming the role grants its sessions",
        req(
            caller=SESSION,
            ResourceOwner=A,
            ResourcePolicy=allow("s3:GetObject", OBJECT, Principal={"AWS": ROLE}),
        ),
        "allowed",
    ),
    Case(
        "resource policy deny beats identity allow",
        req(
            ResourceOwner=A,
            PolicyInputList=[FULL],
            ResourcePolicy=deny("s3:GetObject", OBJECT, Principal="*"),
        ),
        "explicitDeny",
        "resource-based policy",
        f"User: {USER} is not authorized to perform: s3:GetObject on resource: {OBJECT} "
        "with an explicit deny in a resource-based policy",
    ),
    Case(
        "resource policy for another principal does not grant",
        req(
            ResourceOwner=A,
            ResourcePolicy=allow(
                "s3:GetObject", OBJECT, Principal={"AWS": f"arn:aws:iam::{A}:user/bob"}
            ),
        ),
        "implicitDeny",
        "identity-based policy",
    ),
    Case(
        "public read: anonymous allowed by Principal *",
        req(
            caller="anonymous",
            ResourceOwner=A,
            ResourcePolicy=allow("s3:GetObject", OBJECT, Principal="*"),
        ),
        "allowed",
    ),
    Case(
        "anonymous without a resource policy",
        req(caller="anonymous", ResourceOwner=A),
        "implicitDeny",
        "resource-based policy",
        f"User: anonymous is not authorized to perform: s3:GetObject on resource: {OBJECT} "
        "because no resource-based policy allows the s3:GetObject action",
    ),
    Case(
        "service principal named in the resource policy",
        req(
            caller="events.amazonaws.com",
            action="sns:Publish",
            resource=f"arn:aws:sns:us-east-1:{A}:t",
            ResourceOwner=A,
            ResourcePolicy=allow(
                "sns:Publish",
                f"arn:aws:sns:us-east-1:{A}:t",
                Principal={"Service": "events.amazonaws.com"},
            ),
        ),
        "allowed",
    ),
    Case(
        "another service principal is not",
        req(
            caller="s3.amazonaws.com",
            action="sns:Publish",
            resource=f"arn:aws:sns:us-east-1:{A}:t",
            ResourceOwner=A,
            ResourcePolicy=allow(
                "sns:Publish",
                f"arn:aws:sns:us-east-1:{A}:t",
                Principal={"Service": "events.amazonaws.com"},
            ),
        ),
        "implicitDeny",
        "resource-based policy",
    ),
    # --- cross-account [XACCT] ------------------------------------------------------------------
    Case(
        "cross-account: both sides allow",
        req(
            ResourceOwner=B,
            PolicyInputList=[allow("s3:GetObject")],
            ResourcePolicy=allow("s3:GetObject", OBJECT, Principal={"AWS": A}),
        ),
        "allowed",
    ),
    Case(
        "cross-account: identity allows, no resource policy",
        req(ResourceOwner=B, PolicyInputList=[allow("s3:GetObject")]),
        "implicitDeny",
        "resource-based policy",
        f"User: {USER} is not authorized to perform: s3:GetObject on resource: {OBJECT} "
        "because no resource-based policy allows the s3:GetObject action",
    ),
    Case(
        "cross-account: resource policy names the user, identity silent",
        req(ResourceOwner=B, ResourcePolicy=allow("s3:GetObject", OBJECT, Principal={"AWS": USER})),
        "implicitDeny",
        "identity-based policy",
    ),
    Case(
        "cross-account: resource policy for another account",
        req(
            ResourceOwner=B,
            PolicyInputList=[FULL],
            ResourcePolicy=allow("s3:GetObject", OBJECT, Principal={"AWS": "333333333333"}),
        ),
        "implicitDeny",
        "resource-based policy",
    ),
    Case(
        "cross-account: boundary still limits",
        req(
            ResourceOwner=B,
            PolicyInputList=[FULL],
            PermissionsBoundaryPolicyInputList=[allow("ec2:*")],
            ResourcePolicy=allow("s3:GetObject", OBJECT, Principal={"AWS": USER}),
        ),
        "implicitDeny",
        "permissions boundary",
    ),
    # --- role trust policies [TRUST] ------------------------------------------------------------
    Case(
        "trust naming the account needs the caller's identity allow",
        req(
            action="sts:AssumeRole",
            resource=f"arn:aws:iam::{A}:role/target",
            ResourceOwner=A,
            ResourcePolicy={
                "Version": "2012-10-17",
                "Statement": {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"AWS": A},
                },
            },
        ),
        "implicitDeny",
        "identity-based policy",
    ),
    Case(
        "trust naming the account plus identity allow",
        req(
            action="sts:AssumeRole",
            resource=f"arn:aws:iam::{A}:role/target",
            ResourceOwner=A,
            PolicyInputList=[allow("sts:AssumeRole")],
            ResourcePolicy={
                "Version": "2012-10-17",
                "Statement": {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"AWS": A},
                },
            },
        ),
        "allowed",
    ),
    Case(
        "trust naming the user directly, same account",
        req(
            action="sts:AssumeRole",
            resource=f"arn:aws:iam::{A}:role/target",
            ResourceOwner=A,
            ResourcePolicy={
                "Version": "2012-10-17",
                "Statement": {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"AWS": USER},
                },
            },
        ),
        "allowed",
    ),
    Case(
        "identity allow cannot assume a role whose trust does not name the caller",
        req(
            action="sts:AssumeRole",
            resource=f"arn:aws:iam::{A}:role/target",
            ResourceOwner=A,
            PolicyInputList=[FULL],
            ResourcePolicy={
                "Version": "2012-10-17",
                "Statement": {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                },
            },
        ),
        "implicitDeny",
        "role trust policy",
        f"User: {USER} is not authorized to perform: sts:AssumeRole on resource: "
        f"arn:aws:iam::{A}:role/target",
    ),
    Case(
        "cross-account trust with external id missing",
        req(
            caller=f"arn:aws:iam::{B}:user/vendor",
            action="sts:AssumeRole",
            resource=f"arn:aws:iam::{A}:role/VendorSupportRole",
            ResourceOwner=A,
            PolicyInputList=[allow("sts:AssumeRole")],
            ResourcePolicy={
                "Version": "2012-10-17",
                "Statement": {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"AWS": B},
                    "Condition": {"StringEquals": {"sts:ExternalId": "s3cr3t"}},
                },
            },
        ),
        "implicitDeny",
        "role trust policy",
        extra={"MissingContextValues": ["sts:ExternalId"]},
    ),
    Case(
        "cross-account trust with external id given",
        req(
            caller=f"arn:aws:iam::{B}:user/vendor",
            action="sts:AssumeRole",
            resource=f"arn:aws:iam::{A}:role/VendorSupportRole",
            ResourceOwner=A,
            PolicyInputList=[allow("sts:AssumeRole")],
            ContextEntries=[{"ContextKeyName": "sts:ExternalId", "ContextKeyValues": ["s3cr3t"]}],
            ResourcePolicy={
                "Version": "2012-10-17",
                "Statement": {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"AWS": B},
                    "Condition": {"StringEquals": {"sts:ExternalId": "s3cr3t"}},
                },
            },
        ),
        "allowed",
    ),
    Case(
        "SAML federation through the trust policy",
        req(
            caller=f"arn:aws:iam::{A}:saml-provider/Okta",
            action="sts:AssumeRoleWithSAML",
            resource=f"arn:aws:iam::{A}:role/dev",
            ResourceOwner=A,
            ContextEntries=[
                {
                    "ContextKeyName": "saml:aud",
                    "ContextKeyValues": ["https://signin.aws.amazon.com/saml"],
                }
            ],
            ResourcePolicy={
                "Version": "2012-10-17",
                "Statement": {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRoleWithSAML",
                    "Principal": {"Federated": f"arn:aws:iam::{A}:saml-provider/Okta"},
                    "Condition": {
                        "StringEquals": {"saml:aud": "https://signin.aws.amazon.com/saml"}
                    },
                },
            },
        ),
        "allowed",
    ),
    # --- RCPs [RCP] -----------------------------------------------------------------------------
    Case(
        "RCP deny for principals outside the organisation",
        req(
            caller=f"arn:aws:iam::{B}:user/x",
            ResourceOwner=A,
            PolicyInputList=[FULL],
            ResourcePolicy=allow("s3:GetObject", OBJECT, Principal="*"),
            ResourceControlPolicies=[
                [
                    RCP_FULL,
                    {
                        "Version": "2012-10-17",
                        "Statement": {
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": "*",
                            "Condition": {
                                "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}
                            },
                        },
                    },
                ]
            ],
        ),
        "explicitDeny",
        "resource control policy",
        f"User: arn:aws:iam::{B}:user/x is not authorized to perform: s3:GetObject on resource: "
        f"{OBJECT} with an explicit deny in a resource control policy",
    ),
    Case(
        "RCPs do not cover services outside their list (SNS)",
        req(
            caller=f"arn:aws:iam::{B}:user/x",
            action="sns:Publish",
            resource=f"arn:aws:sns:us-east-1:{A}:t",
            ResourceOwner=A,
            PolicyInputList=[FULL],
            ResourcePolicy=allow("sns:Publish", f"arn:aws:sns:us-east-1:{A}:t", Principal="*"),
            ResourceControlPolicies=[
                [
                    RCP_FULL,
                    {
                        "Version": "2012-10-17",
                        "Statement": {
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "*",
                            "Resource": "*",
                        },
                    },
                ]
            ],
        ),
        "allowed",
    ),
    Case(
        "RCPs spare the management account's resources",
        req(
            caller=f"arn:aws:iam::{B}:user/x",
            ResourceOwner=MGMT,
            ManagementAccount=MGMT,
            PolicyInputList=[FULL],
            ResourcePolicy=allow("s3:GetObject", OBJECT, Principal="*"),
            ResourceControlPolicies=[
                [
                    RCP_FULL,
                    {
                        "Version": "2012-10-17",
                        "Statement": {
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": "*",
                        },
                    },
                ]
            ],
        ),
        "allowed",
    ),
    # --- conditions within the evaluation -------------------------------------------------------
    Case(
        "MFA guardrail denies a session without MFA (BoolIfExists, key absent)",
        req(
            caller=SESSION,
            ResourceOwner=A,
            PolicyInputList=[
                FULL,
                deny("*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}),
            ],
        ),
        "explicitDeny",
        "identity-based policy",
    ),
    Case(
        "MFA guardrail lets an MFA session through",
        req(
            caller=SESSION,
            ResourceOwner=A,
            ContextEntries=[
                {"ContextKeyName": "aws:MultiFactorAuthPresent", "ContextKeyValues": ["true"]}
            ],
            PolicyInputList=[
                FULL,
                deny("*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}),
            ],
        ),
        "allowed",
    ),
    Case(
        "a condition on a missing key is reported",
        req(
            ResourceOwner=A,
            PolicyInputList=[
                allow("s3:GetObject", Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})
            ],
        ),
        "implicitDeny",
        "identity-based policy",
        extra={"MissingContextValues": ["aws:SourceIp"]},
    ),
    Case(
        "policy variable resolves to the caller's name [VARS]",
        req(
            resource="arn:aws:s3:::home/alice/notes.txt",
            ResourceOwner=A,
            PolicyInputList=[allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")],
        ),
        "allowed",
    ),
    Case(
        "policy variable excludes other users' paths [VARS]",
        req(
            resource="arn:aws:s3:::home/bob/notes.txt",
            ResourceOwner=A,
            PolicyInputList=[allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")],
        ),
        "implicitDeny",
        "identity-based policy",
    ),
    Case(
        "no policy variables under Version 2008-10-17 [VARS]",
        req(
            resource="arn:aws:s3:::home/alice/notes.txt",
            ResourceOwner=A,
            PolicyInputList=[
                {
                    "Version": "2008-10-17",
                    "Statement": {
                        "Effect": "Allow",
                        "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::home/${aws:username}/*",
                    },
                }
            ],
        ),
        "implicitDeny",
        "identity-based policy",
    ),
    Case(
        "unresolvable variable matches nothing [VARS]",
        req(
            caller=SESSION,
            resource="arn:aws:s3:::home/alice/notes.txt",
            ResourceOwner=A,
            PolicyInputList=[allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")],
        ),
        "implicitDeny",
        "identity-based policy",
    ),
    Case(
        "aws:PrincipalArn of a session is its role [SCP example]",
        req(
            caller=SESSION,
            ResourceOwner=A,
            PolicyInputList=[FULL],
            ServiceControlPolicies=[
                [FULL, deny("s3:*", Condition={"ArnNotLike": {"aws:PrincipalArn": ROLE}})]
            ],
        ),
        "allowed",
    ),
    # --- NotPrincipal [NOTP] --------------------------------------------------------------------
    Case(
        "Deny with NotPrincipal spares the listed session",
        req(
            caller=SESSION,
            ResourceOwner=A,
            PolicyInputList=[FULL],
            ResourcePolicy={
                "Version": "2012-10-17",
                "Statement": {
                    "Effect": "Deny",
                    "NotPrincipal": {"AWS": [SESSION, ROLE, f"arn:aws:iam::{A}:root"]},
                    "Action": "s3:*",
                    "Resource": OBJECT,
                },
            },
        ),
        "allowed",
    ),
    Case(
        "Deny with NotPrincipal listing only the role still denies its sessions",
        req(
            caller=SESSION,
            ResourceOwner=A,
            PolicyInputList=[FULL],
            ResourcePolicy={
                "Version": "2012-10-17",
                "Statement": {
                    "Effect": "Deny",
                    "NotPrincipal": {"AWS": [ROLE]},
                    "Action": "s3:*",
                    "Resource": OBJECT,
                },
            },
        ),
        "explicitDeny",
        "resource-based policy",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_evaluation_logic(case: Case) -> None:
    [result] = simulate(case.request)["EvaluationResults"]
    assert result["EvalDecision"] == case.decision, result
    assert result.get("DeniedBy") == case.denied_by, result
    if case.message is not None:
        assert result["Message"] == case.message
    for key, value in case.extra.items():
        assert result[key] == value, result
