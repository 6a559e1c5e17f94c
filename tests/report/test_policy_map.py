"""A statement as the decision log names it → the canonical landscape's policy file."""

from __future__ import annotations

import json

import pytest

from harness.landscape.model import Landscape
from harness.report.decisions import StatementRef
from harness.report.policy_map import PolicyMap

from . import samples

SCP = "service control policy"
IDENTITY = "identity-based policy"
KEY_ARN = "arn:aws:kms:us-east-1:666666666666:key/0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
CUSTOMER_DATA_KEY = "arn:aws:kms:us-east-1:666666666666:alias/securecart-prod-customer-data"


@pytest.fixture(scope="module")
def policy_map(landscape: Landscape) -> PolicyMap:
    return PolicyMap(landscape)


@pytest.mark.parametrize(
    ("policy", "kind", "statement", "document", "label"),
    [
        # SCPs: the backend's random policy id; found by the Sid.
        (samples.SCP_ARN, SCP, "DenyDestructiveActionsInProd",
         "deny-destructive-actions-in-prod", "SCP deny-destructive-actions-in-prod"),
        (samples.FULL_ACCESS, SCP, "Statement[0]", "FullAWSAccess", "SCP FullAWSAccess"),
        # The Identity Center role's inline policy is its permission set's.
        (samples.SSO_INLINE, IDENTITY, "NoReadingSecretValues",
         "DeveloperReadOnly (permission set inline policy)",
         "permission set DeveloperReadOnly (inline policy)"),
        # A role's own inline policy.
        ("inline policy orders-processor of arn:aws:iam::666666666666:role/orders-processor",
         IDENTITY, "ReadAndWriteCustomerData",
         "arn:aws:iam::666666666666:role/orders-processor/orders-processor",
         "inline policy orders-processor of role orders-processor (prod)"),
        # Managed policies and boundaries by ARN.
        ("arn:aws:iam::444444444444:policy/deploy-permissions", IDENTITY, "DeployStacks",
         "arn:aws:iam::444444444444:policy/deploy-permissions",
         "managed policy deploy-permissions (dev)"),
        ("arn:aws:iam::444444444444:policy/developer-boundary", "permissions boundary",
         "AllowWorkloadServices", "arn:aws:iam::444444444444:policy/developer-boundary",
         "boundary developer-boundary (dev)"),
        # Trust and resource policies by the ARN they are attached to.
        ("arn:aws:iam::666666666666:role/VendorSupportRole trust policy", "role trust policy",
         "VendorAccountWithExternalId", "arn:aws:iam::666666666666:role/VendorSupportRole",
         "trust policy of role VendorSupportRole (prod)"),
        ("arn:aws:s3:::securecart-prod-customer-data resource policy", "resource-based policy",
         "OnlyOrdersProcessorReadsCustomerData", "arn:aws:s3:::securecart-prod-customer-data",
         "bucket policy of securecart-prod-customer-data"),
        ("arn:aws:sns:us-east-1:666666666666:order-events resource policy",
         "resource-based policy", "VendorMayPublish",
         "arn:aws:sns:us-east-1:666666666666:order-events", "topic policy of order-events"),
        # A key policy: by the key's ARN (the backend's id) and its aliases (the landscape's).
        (f"{KEY_ARN} resource policy (alias alias/securecart-prod-customer-data)",
         "resource-based policy", "OnlyOrdersProcessorUsesTheKey", CUSTOMER_DATA_KEY,
         "key policy of securecart-prod-customer-data"),
        (f"{KEY_ARN} resource policy (alias alias/other, alias/securecart-prod-customer-data)",
         "resource-based policy", "AccountAdministersTheKey", CUSTOMER_DATA_KEY,
         "key policy of securecart-prod-customer-data"),
    ],
)
def test_logged_names_find_their_landscape_document(
    policy_map: PolicyMap, policy: str, kind: str, statement: str, document: str, label: str
) -> None:
    ref = StatementRef(policy, kind, statement, "Deny")
    found = policy_map.find(ref)
    assert found is not None
    assert found.name == document
    source = policy_map.resolve(ref)
    assert source.label == label
    assert source.statement == statement
    assert source.excerpt is not None and source.file is not None
    if not statement.startswith("Statement["):
        assert json.loads(source.excerpt)["Sid"] == statement
        text = found.file.read_text(encoding="utf-8").splitlines()
        assert source.line is not None and f'"{statement}"' in text[source.line - 1]


def test_the_excerpt_is_the_file_as_written_with_its_placeholders(policy_map: PolicyMap) -> None:
    source = policy_map.resolve(StatementRef(
        "arn:aws:sns:us-east-1:666666666666:order-events resource policy",
        "resource-based policy", "VendorMayPublish", "Allow"))
    assert source.excerpt is not None and "{{account." in source.excerpt
    assert source.file == "policies/resources/sns/order-events.json"


@pytest.mark.parametrize(
    ("policy", "kind", "statement", "label"),
    [
        ("arn:aws:iam::aws:policy/ReadOnlyAccess", IDENTITY, "Statement[0]",
         "AWS managed policy ReadOnlyAccess"),
        ("session policy", "session policy", "Statement[0]", "session policy"),
        ("arn:aws:iam::444444444444:role/aws-reserved/sso.amazonaws.com/"
         "AWSReservedSSO_Admin_0123456789abcdef trust policy", "role trust policy",
         "Statement[0]", "trust policy of role AWSReservedSSO_Admin_0123456789abcdef "
         "(not in the landscape)"),
        # An index alone cannot say which of several SCPs it was.
        (samples.SCP_ARN, SCP, "Statement[0]", f"{SCP} {samples.SCP_ARN}"),
        ("inline policy x of arn:aws:iam::123456789012:role/unknown", IDENTITY, "S",
         "inline policy x of unknown"),
        # A key without an alias, or whose aliases the landscape does not give.
        (f"{KEY_ARN} resource policy", "resource-based policy", "S",
         f"resource-based policy {KEY_ARN} resource policy"),
        (f"{KEY_ARN} resource policy (alias alias/other)", "resource-based policy", "S",
         f"resource-based policy {KEY_ARN} resource policy (alias alias/other)"),
    ],
)
def test_statements_outside_the_landscape_are_named_not_shown(
    policy_map: PolicyMap, policy: str, kind: str, statement: str, label: str
) -> None:
    ref = StatementRef(policy, kind, statement, "Allow")
    assert policy_map.find(ref) is None
    source = policy_map.resolve(ref)
    assert source.label == label
    assert source.excerpt is None and source.file is None


def test_every_landscape_document_once_with_a_label(policy_map: PolicyMap,
                                                    landscape: Landscape) -> None:
    documents = policy_map.documents()
    assert len({d.name for d in documents}) == len(documents)
    assert {d.name for d in documents} == {d.name for d in landscape.policies()}
    assert [d.name for d in documents if policy_map.label(d) == d.name] == []
