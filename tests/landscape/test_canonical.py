"""The canonical SecureCart landscape: the names features, docs and users rely on, and the
attachment structure of the seed document."""

from __future__ import annotations

from typing import Any

import pytest

from harness.iam.policy import Effect, PolicyType
from harness.landscape.loader import load_landscape
from harness.landscape.model import ROOT, SSO_ROLE_PATH, Landscape

MEMBER_ACCOUNTS = [
    "management",
    "security",
    "log-archive",
    "dev",
    "staging",
    "prod",
    "shared-services",
    "network",
]


@pytest.fixture(scope="module")
def landscape() -> Landscape:
    return load_landscape()


def test_accounts_and_their_places(landscape: Landscape) -> None:
    placed = {a.name: a.parent for a in landscape.accounts}
    assert placed == {
        "management": ROOT,
        "security": "SecurityOU",
        "log-archive": "SecurityOU",
        "dev": "NonProd",
        "staging": "NonProd",
        "prod": "Prod",
        "shared-services": "SharedServicesOU",
        "network": "SharedServicesOU",
        "vendor": None,
    }
    assert [a.name for a in landscape.member_accounts()] == MEMBER_ACCOUNTS
    assert landscape.account("vendor").external
    assert landscape.organization.management_account == "management"
    ids = [a.account_id for a in landscape.accounts]
    assert all(len(i) == 12 and i.isdigit() for i in ids)
    assert len(set(ids)) == len(ids)


def test_ou_tree(landscape: Landscape) -> None:
    assert landscape.organization.root_ous == ("SecurityOU", "WorkloadsOU", "SharedServicesOU")
    assert landscape.ou("WorkloadsOU").ous == ("NonProd", "Prod")
    assert landscape.ou("NonProd").parent == "WorkloadsOU"
    assert landscape.ou("NonProd").accounts == ("dev", "staging")
    assert landscape.ou("Prod").accounts == ("prod",)
    assert landscape.ancestry("staging") == (ROOT, "WorkloadsOU", "NonProd", "staging")
    assert landscape.ancestry("management") == (ROOT, "management")


def test_full_aws_access_at_every_level(landscape: Landscape) -> None:
    """SCPs need an Allow at every level from the root to the account, as AWS attaches them."""
    full = landscape.scp("FullAWSAccess")
    assert full.aws_managed
    levels = {ROOT, *(ou.name for ou in landscape.organization.ous), *MEMBER_ACCOUNTS}
    assert set(full.targets) == levels
    for account in MEMBER_ACCOUNTS:
        for level in landscape.ancestry(account):
            assert "FullAWSAccess" in [s.name for s in landscape.scps_attached_to(level)]


def test_deny_scps_and_where_they_are_attached(landscape: Landscape) -> None:
    attached = {scp.name: scp.targets for scp in landscape.scps if not scp.aws_managed}
    assert attached == {
        "deny-root-user": (ROOT,),
        "deny-internet-gateway-outside-network": (ROOT,),
        "deny-unencrypted-storage": (ROOT,),
        "deny-outside-allowed-regions": (ROOT,),
        "deny-destructive-actions-in-prod": ("Prod",),
        "protect-security-tooling": (ROOT,),
        "deny-leave-organization": (ROOT,),
    }
    for scp in landscape.scps:
        assert scp.document.policy_type is PolicyType.SCP
        assert scp.document.file.name == f"{scp.document.file.stem}.json"
    assert (
        landscape.scp("deny-root-user")
        .document.file.as_posix()
        .endswith("policies/scp/deny-root-user.json")
    )


def test_region_scp_uses_the_allow_list(landscape: Landscape) -> None:
    assert landscape.regions.home == "us-east-1"
    assert landscape.regions.allowed == ("us-east-1", "eu-west-1")
    statement = landscape.scp("deny-outside-allowed-regions").document.document["Statement"][0]
    condition = statement["Condition"]["StringNotEquals"]["aws:RequestedRegion"]
    assert condition == ["us-east-1", "eu-west-1"]
    assert {"iam:*", "sts:*", "organizations:*", "cloudfront:*", "support:*"} <= set(
        statement["NotAction"]
    )


def test_internet_gateway_scp_exempts_the_network_account(landscape: Landscape) -> None:
    statement = landscape.scp("deny-internet-gateway-outside-network").document.document[
        "Statement"
    ][0]
    network = landscape.account("network").account_id
    assert statement["Condition"]["StringNotEquals"]["aws:PrincipalAccount"] == network


def test_identity_center_users_groups_and_mfa(landscape: Landscape) -> None:
    center = landscape.identity_center
    users = {u.user_name: (u.groups, u.mfa) for u in center.users}
    assert users == {
        "alice": (("Developers",), True),
        "dave": (("Developers",), False),
        "bob": (("SecurityTeam",), True),
        "carol": (("PlatformAdmins",), True),
    }
    assert {g.name: g.members for g in center.groups} == {
        "Developers": ("alice", "dave"),
        "SecurityTeam": ("bob",),
        "PlatformAdmins": ("carol",),
    }


def test_assignments(landscape: Landscape) -> None:
    assigned: dict[tuple[str, str], list[str]] = {}
    for a in landscape.identity_center.assignments:
        assert a.principal_type == "GROUP"
        assigned.setdefault((a.permission_set, a.principal), []).append(a.account)
    assert assigned == {
        ("DeveloperReadOnly", "Developers"): ["dev", "staging"],
        ("DeveloperPowerUser", "Developers"): ["dev"],
        ("SecurityAudit", "SecurityTeam"): MEMBER_ACCOUNTS,
        ("Admin", "PlatformAdmins"): MEMBER_ACCOUNTS,
    }


def test_every_permission_set_requires_mfa(landscape: Landscape) -> None:
    for permission_set in landscape.identity_center.permission_sets:
        assert permission_set.inline_policy is not None, permission_set.name
        deny = permission_set.inline_policy.policy.statements[0]
        assert deny.effect is Effect.DENY
        assert deny.actions == ("*",)
        assert [(c.operator, c.key, c.values) for c in deny.conditions] == [
            ("BoolIfExists", "aws:MultiFactorAuthPresent", ("false",))
        ]


def test_power_user_carries_the_developer_boundary(landscape: Landscape) -> None:
    power = landscape.identity_center.permission_set("DeveloperPowerUser")
    assert power.permissions_boundary is not None
    assert power.permissions_boundary.name == "developer-boundary"
    boundary = landscape.account("dev").managed_policy("developer-boundary")
    assert boundary.document.policy_type is PolicyType.BOUNDARY
    arn = f"arn:aws:iam::{landscape.account('dev').account_id}:policy/developer-boundary"
    assert boundary.arn == arn
    for document in (boundary.document, power.inline_policy):
        assert document is not None
        statements = {s.sid: s for s in document.policy.statements}
        assert statements["DenyRemovingPermissionsBoundaries"].actions == (
            "iam:DeleteRolePermissionsBoundary",
        )
        editing = next(s for sid, s in statements.items() if sid and sid.startswith("DenyEditing"))
        assert "iam:CreatePolicyVersion" in (editing.actions or ())
        # Both boundaries: editing the pipeline's would let a developer widen DeployRole and
        # assume it (the path `securecart analyze` found).
        assert editing.resources == (arn, arn.replace("developer-boundary", "deploy-boundary"))
        create = next(
            s
            for s in document.policy.statements
            if s.effect is Effect.DENY and "iam:CreateRole" in (s.actions or ())
        )
        assert [(c.operator, c.key, c.values) for c in create.conditions] == [
            ("StringNotEquals", "iam:PermissionsBoundary", (arn,))
        ]


def test_provisioning_needs_are_in_the_model(landscape: Landscape) -> None:
    center = landscape.identity_center
    assert center.identity_provider.saml_provider_name == "AWSSSO_securecart_DO_NOT_DELETE"
    assert SSO_ROLE_PATH == "/aws-reserved/sso.amazonaws.com/"
    admin = center.permission_set("Admin")
    assert admin.managed_policies == ("arn:aws:iam::aws:policy/AdministratorAccess",)
    assert admin.session_seconds == 3600
    assert center.permission_set("DeveloperReadOnly").session_seconds == 8 * 3600


def test_application_and_pipeline_roles(landscape: Landscape) -> None:
    prod = landscape.account("prod")
    assert {r.name for r in prod.roles} == {
        "orders-processor",
        "orders-api",
        "DeployRole",
        "VendorSupportRole",
    }
    assert _services(prod.role("orders-processor").trust.document) == ["lambda.amazonaws.com"]
    assert _services(prod.role("orders-api").trust.document) == ["ecs-tasks.amazonaws.com"]
    deployer = landscape.account("shared-services").role("ci-deployer")
    for account in ("dev", "staging", "prod"):
        deploy = landscape.account(account).role("DeployRole")
        assert _aws_principals(deploy.trust.document) == [deployer.arn]
        assert deploy.permissions_boundary == (
            landscape.account(account).managed_policy("deploy-boundary").arn
        )
    ci = landscape.account("shared-services").managed_policy("ci-deployer-permissions")
    assert deployer.managed_policies == (ci.arn,)
    assume = ci.document.document["Statement"][0]
    assert assume["Action"] == "sts:AssumeRole"
    assert assume["Resource"] == [
        landscape.account(account).role("DeployRole").arn for account in ("dev", "staging", "prod")
    ]


def test_vendor_support_role(landscape: Landscape) -> None:
    role = landscape.account("prod").role("VendorSupportRole")
    assert role.max_session_duration == 3600
    vendor = landscape.account("vendor")
    assert _aws_principals(role.trust.document) == [vendor.root_arn]
    statement = role.trust.document["Statement"][0]
    assert "sts:ExternalId" in statement["Condition"]["StringEquals"]


def test_resources_in_their_accounts(landscape: Landscape) -> None:
    prod = landscape.account("prod").resources
    assert [b.name for b in prod.buckets] == ["securecart-prod-customer-data"]
    assert [t.name for t in prod.topics] == ["order-events"]
    assert [(q.name, q.subscriptions) for q in prod.queues] == [("order-queue", ("order-events",))]
    assert [t.name for t in prod.tables] == ["orders"]
    assert [(d.identifier, d.storage_encrypted) for d in prod.db_instances] == [("orders-db", True)]
    assert [v.encrypted for v in prod.volumes] == [True]
    assert [(f.name, f.role) for f in prod.functions] == [("orders-processor", "orders-processor")]
    assert [b.name for b in landscape.account("dev").resources.buckets] == [
        "securecart-dev-artifacts"
    ]
    assert [b.name for b in landscape.account("staging").resources.buckets] == [
        "securecart-staging-artifacts"
    ]
    assert [b.name for b in landscape.account("log-archive").resources.buckets] == [
        "securecart-log-archive"
    ]
    trail = landscape.account("management").resources.trails[0]
    assert (trail.name, trail.organization_trail, trail.bucket_account) == (
        "securecart-org-trail",
        True,
        "log-archive",
    )
    for account in MEMBER_ACCOUNTS[1:]:
        resources = landscape.account(account).resources
        assert len(resources.guardduty_detectors) == 1, account
        assert len(resources.config_recorders) == 1, account


def test_customer_data_bucket_policy(landscape: Landscape) -> None:
    bucket = landscape.account("prod").resources.buckets[0]
    assert bucket.policy is not None
    sids = [s.sid for s in bucket.policy.policy.statements]
    assert sids == [
        "DenyInsecureTransport",
        "DenyUnencryptedObjectUploads",
        "OnlyOrdersProcessorReadsCustomerData",
        "AllowOrdersProcessor",
    ]
    only = bucket.policy.document["Statement"][2]["Condition"]["ArnNotEquals"]
    assert only["aws:PrincipalArn"] == landscape.account("prod").role("orders-processor").arn


def test_customer_data_key_and_its_key_policy(landscape: Landscape) -> None:
    prod = landscape.account("prod")
    (key,) = prod.resources.keys
    assert (key.name, key.alias, key.region) == (
        "securecart-prod-customer-data",
        "alias/securecart-prod-customer-data",
        "us-east-1",
    )
    # Named by its alias ARN: the key id is the backend's choice.
    assert key.arn == f"arn:aws:kms:us-east-1:{prod.account_id}:alias/securecart-prod-customer-data"
    assert dict(key.tags) == {"data-classification": "confidential"}
    assert key.policy is not None and key.key_policy is key.policy.policy
    assert key.policy.policy_type is PolicyType.RESOURCE
    admin, use = key.policy.document["Statement"]
    # The account administers the key but does not use it; only orders-processor uses it.
    assert admin["Sid"] == "AccountAdministersTheKey"
    assert admin["Principal"] == {"AWS": prod.root_arn}
    assert not {"kms:Encrypt", "kms:Decrypt", "kms:CreateGrant", "kms:*"} & set(admin["Action"])
    assert not any(a.startswith(("kms:GenerateDataKey", "kms:ReEncrypt")) for a in admin["Action"])
    assert use["Principal"] == {"AWS": prod.role("orders-processor").arn}
    assert use["Action"] == ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"]
    assert key.policy in list(landscape.policies())
    for account in landscape.accounts:
        assert account.name == "prod" or not account.resources.keys, account.name


def test_order_events_topic_policy(landscape: Landscape) -> None:
    topic = landscape.account("prod").resources.topics[0]
    assert topic.policy is not None
    statements = topic.policy.document["Statement"]
    vendor = landscape.account("vendor")
    assert statements[1]["Principal"] == {"AWS": vendor.root_arn}
    assert statements[1]["Action"] == "sns:Publish"
    outside = statements[2]["Condition"]["StringNotEquals"]["aws:PrincipalAccount"]
    members = [a.account_id for a in landscape.member_accounts()]
    assert outside == [*members, vendor.account_id]


def test_every_policy_is_resolved_and_parsed(landscape: Landscape) -> None:
    documents = list(landscape.policies())
    assert len(documents) > 30
    for document in documents:
        assert "{{" not in document.to_json(), document.file
        assert document.policy.policy_type is document.policy_type
        assert document.file.is_file()


def _services(document: dict[str, Any]) -> list[str]:
    return [s["Principal"]["Service"] for s in document["Statement"]]


def _aws_principals(document: dict[str, Any]) -> list[str]:
    return [s["Principal"]["AWS"] for s in document["Statement"]]
