"""The canonical landscape, seeded into moto, read back through the AWS APIs.

One server and one seeding for the module (moto's state is process-wide); the last tests
change the state and restore it (reset), and seed a second time (idempotency)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from harness.backends.moto import MotoServer
from harness.landscape.loader import load_landscape
from harness.landscape.model import ROOT, SSO_ROLE_PATH, Landscape
from harness.seeding.context import SeededLandscape
from harness.seeding.identity_center import SAML_AUDIENCE, SSO_INLINE_POLICY
from harness.seeding.seeder import seed
from harness.stack import seed_server
from tests.seed.dump import dump

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def landscape() -> Landscape:
    return load_landscape()


@pytest.fixture(scope="module")
def server() -> Iterator[MotoServer]:
    with MotoServer() as running:
        yield running


@pytest.fixture(scope="module")
def seeded(server: MotoServer, landscape: Landscape) -> SeededLandscape:
    return seed_server(server, landscape)


@pytest.fixture(scope="module")
def baseline(seeded: SeededLandscape) -> dict[str, Any]:
    return dump(seeded)


def management(seeded: SeededLandscape, service: str) -> Any:
    return seeded.client(seeded.landscape.organization.management_account, service)


# --------------------------------------------------------------------------- organisation


def test_the_organisation_tree_is_the_landscapes(seeded: SeededLandscape) -> None:
    landscape = seeded.landscape
    org = management(seeded, "organizations")
    described = org.describe_organization()["Organization"]
    assert described["Id"] == seeded.organization_id
    assert described["FeatureSet"] == "ALL"
    assert described["MasterAccountId"] == landscape.account("management").account_id
    assert org.list_roots()["Roots"][0]["Id"] == seeded.root_id

    ids = {ROOT: seeded.root_id, **seeded.ou_ids}
    for parent in ids:
        children = org.list_organizational_units_for_parent(ParentId=ids[parent])
        names = sorted(ou["Name"] for ou in children["OrganizationalUnits"])
        expected = landscape.organization.root_ous if parent == ROOT else landscape.ou(parent).ous
        assert names == sorted(expected), parent
    for account in landscape.member_accounts():
        parents = org.list_parents(ChildId=account.account_id)["Parents"]
        assert [p["Id"] for p in parents] == [ids[account.parent or ROOT]], account.name


def test_member_accounts_carry_the_landscapes_ids_names_and_emails(
    seeded: SeededLandscape,
) -> None:
    org = management(seeded, "organizations")
    found = {(a["Id"], a["Name"], a["Email"]) for a in org.list_accounts()["Accounts"]}
    expected = {(a.account_id, a.name, a.email) for a in seeded.landscape.member_accounts()}
    assert found == expected
    assert "vendor" not in {a[1] for a in found}


def test_scp_attachments_match_the_landscape_exactly(seeded: SeededLandscape) -> None:
    landscape = seeded.landscape
    org = management(seeded, "organizations")
    names = {pid: name for name, pid in seeded.scp_ids.items()}
    assert seeded.scp_ids["FullAWSAccess"] == "p-FullAWSAccess"
    targets = {ROOT: seeded.root_id, **seeded.ou_ids}
    targets.update({a.name: a.account_id for a in landscape.member_accounts()})
    for target, target_id in targets.items():
        found = org.list_policies_for_target(TargetId=target_id, Filter="SERVICE_CONTROL_POLICY")
        attached = sorted(names[p["Id"]] for p in found["Policies"])
        assert attached == sorted(s.name for s in landscape.scps_attached_to(target)), target
    for scp in landscape.scps:
        policy = org.describe_policy(PolicyId=seeded.scp_ids[scp.name])["Policy"]
        assert json.loads(policy["Content"]) == scp.document.document, scp.name


# --------------------------------------------------------------------------- IAM


def test_landscape_roles_have_their_trust_policies_and_boundaries(
    seeded: SeededLandscape,
) -> None:
    checked = 0
    for account in seeded.landscape.accounts:
        iam = seeded.client(account.name, "iam")
        for role in account.roles:
            found = iam.get_role(RoleName=role.name)["Role"]
            assert found["Arn"] == role.arn
            assert found["AssumeRolePolicyDocument"] == role.trust.document
            assert found["MaxSessionDuration"] == role.max_session_duration
            boundary = found.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
            assert boundary == role.permissions_boundary, role.arn
            attached = iam.list_attached_role_policies(RoleName=role.name)["AttachedPolicies"]
            assert sorted(p["PolicyArn"] for p in attached) == sorted(role.managed_policies)
            # The loader names an inline policy `<role ARN>/<policy name>`.
            expected = {p.name: p.document for p in role.inline_policies}
            inline = iam.list_role_policies(RoleName=role.name)["PolicyNames"]
            found = {
                f"{role.arn}/{name}": iam.get_role_policy(RoleName=role.name, PolicyName=name)[
                    "PolicyDocument"
                ]
                for name in inline
            }
            assert found == expected
            checked += 1
        for policy in account.managed_policies:
            found = iam.get_policy(PolicyArn=policy.arn)["Policy"]
            version = iam.get_policy_version(
                PolicyArn=policy.arn, VersionId=found["DefaultVersionId"]
            )["PolicyVersion"]
            assert version["Document"] == policy.document.document
    assert checked >= 5
    deploy = seeded.client("prod", "iam").get_role(RoleName="DeployRole")["Role"]
    assert deploy["PermissionsBoundary"]["PermissionsBoundaryArn"] == (
        "arn:aws:iam::666666666666:policy/deploy-boundary"
    )


def test_member_accounts_access_role_has_administrator_access(seeded: SeededLandscape) -> None:
    iam = seeded.client("dev", "iam")
    attached = iam.list_attached_role_policies(RoleName="OrganizationAccountAccessRole")
    assert [p["PolicyArn"] for p in attached["AttachedPolicies"]] == [
        "arn:aws:iam::aws:policy/AdministratorAccess"
    ]


def test_identity_center_provisions_reserved_roles_as_aws_does(seeded: SeededLandscape) -> None:
    landscape = seeded.landscape
    center = landscape.identity_center
    pairs = {(a.account, a.permission_set) for a in center.assignments}
    assert set(seeded.provisioned_roles) == pairs
    for (account_name, set_name), arn in seeded.provisioned_roles.items():
        permission_set = center.permission_set(set_name)
        account = landscape.account(account_name)
        iam = seeded.client(account_name, "iam")
        name = arn.rsplit("/", 1)[1]
        assert name.startswith(f"AWSReservedSSO_{set_name}_")
        assert len(name.rsplit("_", 1)[1]) == 16
        role = iam.get_role(RoleName=name)["Role"]
        assert role["Path"] == SSO_ROLE_PATH
        assert role["MaxSessionDuration"] == permission_set.session_seconds
        provider = seeded.saml_provider_arns[account_name]
        assert provider == (
            f"arn:aws:iam::{account.account_id}:saml-provider/"
            f"{center.identity_provider.saml_provider_name}"
        )
        (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Principal"] == {"Federated": provider}
        assert statement["Action"] == ["sts:AssumeRoleWithSAML", "sts:TagSession"]
        assert statement["Condition"] == {"StringEquals": {"SAML:aud": SAML_AUDIENCE}}
        attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
        assert sorted(p["PolicyArn"] for p in attached) == sorted(permission_set.managed_policies)
        assert permission_set.inline_policy is not None
        inline = iam.get_role_policy(RoleName=name, PolicyName=SSO_INLINE_POLICY)
        assert inline["PolicyDocument"] == permission_set.inline_policy.document
        boundary = role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
        if permission_set.permissions_boundary is None:
            assert boundary is None
        else:
            ref = permission_set.permissions_boundary
            assert boundary == f"arn:aws:iam::{account.account_id}:policy{ref.path}{ref.name}"
    power_user = seeded.provisioned_roles[("dev", "DeveloperPowerUser")]
    role = seeded.client("dev", "iam").get_role(RoleName=power_user.rsplit("/", 1)[1])["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == (
        "arn:aws:iam::444444444444:policy/developer-boundary"
    )


def test_role_names_are_stable_across_runs(seeded: SeededLandscape) -> None:
    from harness.seeding.identity_center import role_suffix

    landscape = seeded.landscape
    account = landscape.account("dev")
    permission_set = landscape.identity_center.permission_set("DeveloperReadOnly")
    assert seeded.provisioned_roles[("dev", "DeveloperReadOnly")].endswith(
        f"/AWSReservedSSO_DeveloperReadOnly_{role_suffix(account, permission_set)}"
    )
    assert role_suffix(account, permission_set) == "0f769c042889de8e"


def test_identity_center_users_groups_and_assignments(seeded: SeededLandscape) -> None:
    center = seeded.landscape.identity_center
    store = management(seeded, "identitystore")
    users = store.list_users(IdentityStoreId=seeded.identity_store_id)["Users"]
    assert sorted(u["UserName"] for u in users) == sorted(u.user_name for u in center.users)
    for group in center.groups:
        memberships = store.list_group_memberships(
            IdentityStoreId=seeded.identity_store_id, GroupId=seeded.group_ids[group.name]
        )["GroupMemberships"]
        members = {m["MemberId"]["UserId"] for m in memberships}
        assert members == {seeded.user_ids[u] for u in group.members}, group.name
    admin = management(seeded, "sso-admin")
    for assignment in center.assignments:
        found = admin.list_account_assignments(
            InstanceArn=seeded.sso_instance_arn,
            AccountId=seeded.account_ids[assignment.account],
            PermissionSetArn=seeded.permission_set_arns[assignment.permission_set],
        )["AccountAssignments"]
        assert (assignment.principal_type, seeded.group_ids[assignment.principal]) in {
            (a["PrincipalType"], a["PrincipalId"]) for a in found
        }
    for permission_set in center.permission_sets:
        ids = {
            "InstanceArn": seeded.sso_instance_arn,
            "PermissionSetArn": seeded.permission_set_arns[permission_set.name],
        }
        described = admin.describe_permission_set(**ids)["PermissionSet"]
        assert described["SessionDuration"] == permission_set.session_duration
        managed = admin.list_managed_policies_in_permission_set(**ids)["AttachedManagedPolicies"]
        assert sorted(p["Arn"] for p in managed) == sorted(permission_set.managed_policies)


# --------------------------------------------------------------------------- resources


def test_resource_policies_are_the_landscapes(seeded: SeededLandscape) -> None:
    checked = 0
    for account in seeded.landscape.accounts:
        resources = account.resources
        s3 = seeded.client(account.name, "s3")
        for bucket in resources.buckets:
            if bucket.policy is not None:
                found = json.loads(s3.get_bucket_policy(Bucket=bucket.name)["Policy"])
                assert found == bucket.policy.document
                checked += 1
            rules = s3.get_bucket_encryption(Bucket=bucket.name)[
                "ServerSideEncryptionConfiguration"
            ]["Rules"]
            assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == (
                bucket.encryption
            )
            versioning = s3.get_bucket_versioning(Bucket=bucket.name).get("Status")
            assert versioning == ("Enabled" if bucket.versioning else None)
            block = s3.get_public_access_block(Bucket=bucket.name)
            assert all(block["PublicAccessBlockConfiguration"].values())
        sns = seeded.client(account.name, "sns")
        for topic in resources.topics:
            attributes = sns.get_topic_attributes(TopicArn=topic.arn)["Attributes"]
            if topic.policy is not None:
                assert json.loads(attributes["Policy"]) == topic.policy.document
                checked += 1
        sqs = seeded.client(account.name, "sqs")
        for queue in resources.queues:
            url = sqs.get_queue_url(QueueName=queue.name)["QueueUrl"]
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
            assert attributes["Attributes"]["QueueArn"] == queue.arn
            if queue.policy is not None:
                assert json.loads(attributes["Attributes"]["Policy"]) == queue.policy.document
                checked += 1
            for topic_name in queue.subscriptions:
                topic_arn = f"arn:aws:sns:{queue.region}:{account.account_id}:{topic_name}"
                subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic_arn)
                assert ("sqs", queue.arn) in {
                    (s["Protocol"], s["Endpoint"]) for s in subscriptions["Subscriptions"]
                }
    assert checked >= 4
    tags = seeded.client("prod", "s3").get_bucket_tagging(Bucket="securecart-prod-customer-data")
    assert tags["TagSet"] == [{"Key": "data-classification", "Value": "confidential"}]


def test_kms_keys_have_their_alias_key_policy_and_tags(seeded: SeededLandscape) -> None:
    checked = 0
    for account in seeded.landscape.accounts:
        for key in account.resources.keys:
            kms = seeded.client(account.name, "kms", key.region)
            metadata = kms.describe_key(KeyId=key.alias)["KeyMetadata"]
            assert metadata["Arn"] == seeded.key_arns[(account.name, key.name)]
            assert metadata["Arn"].startswith(
                f"arn:aws:kms:{key.region}:{account.account_id}:key/"
            )
            assert (metadata["Description"], metadata["KeyManager"]) == (
                key.description,
                "CUSTOMER",
            )
            assert (metadata["KeyUsage"], metadata["KeySpec"]) == (
                "ENCRYPT_DECRYPT",
                "SYMMETRIC_DEFAULT",
            )
            policy = kms.get_key_policy(KeyId=metadata["KeyId"], PolicyName="default")["Policy"]
            assert json.loads(policy) == json.loads(key.policy_json())
            tags = kms.list_resource_tags(KeyId=metadata["KeyId"])["Tags"]
            assert {(t["TagKey"], t["TagValue"]) for t in tags} == set(key.tags)
            checked += 1
    assert checked >= 1
    prod = seeded.landscape.account("prod")
    (key,) = prod.resources.keys
    assert key.policy is not None
    assert json.loads(key.policy_json()) == key.policy.document


def test_other_resources_exist_where_the_landscape_says(seeded: SeededLandscape) -> None:
    for account in seeded.landscape.accounts:
        resources = account.resources
        for table in resources.tables:
            found = seeded.client(account.name, "dynamodb").describe_table(TableName=table.name)
            assert found["Table"]["TableArn"] == table.arn
        for db in resources.db_instances:
            (found,) = seeded.client(account.name, "rds").describe_db_instances(
                DBInstanceIdentifier=db.identifier
            )["DBInstances"]
            assert found["StorageEncrypted"] is db.storage_encrypted
        for volume in resources.volumes:
            (found,) = seeded.client(account.name, "ec2").describe_volumes(
                Filters=[{"Name": "tag:Name", "Values": [volume.name]}]
            )["Volumes"]
            assert found["Encrypted"] is volume.encrypted and found["Size"] == volume.size
        for function in resources.functions:
            found = seeded.client(account.name, "lambda").get_function(FunctionName=function.name)[
                "Configuration"
            ]
            assert found["Role"] == account.role(function.role).arn
        trails = seeded.client(account.name, "cloudtrail")
        for trail in resources.trails:
            (found,) = trails.describe_trails(trailNameList=[trail.name])["trailList"]
            assert found["S3BucketName"] == trail.bucket
            assert found["IsOrganizationTrail"] is trail.organization_trail
            assert trails.get_trail_status(Name=trail.name)["IsLogging"] is True
        detectors = seeded.client(account.name, "guardduty").list_detectors()["DetectorIds"]
        assert len(detectors) == len(resources.guardduty_detectors), account.name
        recorders = seeded.client(account.name, "config").describe_configuration_recorders()
        assert [r["name"] for r in recorders["ConfigurationRecorders"]] == [
            r.name for r in resources.config_recorders
        ]


# --------------------------------------------------------------------------- the record


def test_the_record_names_what_later_parts_need(seeded: SeededLandscape) -> None:
    landscape = seeded.landscape
    assert seeded.account_ids == {a.name: a.account_id for a in landscape.accounts}
    assert set(seeded.ou_ids) == {ou.name for ou in landscape.organization.ous}
    assert set(seeded.scp_ids) == {scp.name for scp in landscape.scps}
    assert set(seeded.permission_set_arns) == {
        p.name for p in landscape.identity_center.permission_sets
    }
    for account in landscape.accounts:  # members, and the vendor outside the organisation
        identity = seeded.client(account.name, "sts").get_caller_identity()
        assert identity["Account"] == account.account_id
        session = seeded.account_session(account.name)
        assert session.region_name == landscape.regions.home


# --------------------------------------------------------------------------- reset, idempotency


def test_reset_undoes_changes(
    server: MotoServer, seeded: SeededLandscape, baseline: dict[str, Any]
) -> None:
    s3 = seeded.client("prod", "s3")
    s3.put_object(Bucket="securecart-prod-customer-data", Key="o.json", Body=b"{}")
    s3.delete_bucket_policy(Bucket="securecart-prod-customer-data")
    seeded.client("dev", "s3").put_bucket_policy(
        Bucket="securecart-dev-artifacts",
        Policy=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )
    seeded.client("dev", "iam").delete_role_policy(
        RoleName=seeded.provisioned_roles[("dev", "Admin")].rsplit("/", 1)[1],
        PolicyName=SSO_INLINE_POLICY,
    )
    assert dump(seeded) != baseline
    server.reset()
    assert dump(seeded) == baseline


def test_seeding_twice_leaves_the_backend_identical(
    server: MotoServer, seeded: SeededLandscape, baseline: dict[str, Any]
) -> None:
    # A key whose policy, description and tags drifted, scheduled for deletion, converges back.
    kms = seeded.client("prod", "kms")
    # The key id, not the ARN: moto 5.2.5's ScheduleKeyDeletion looks the ARN up as an id.
    key_id = seeded.key_arns[("prod", "securecart-prod-customer-data")].split("/")[-1]
    kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*",
         "Principal": {"AWS": "arn:aws:iam::666666666666:root"}, "Resource": "*"}]}))
    kms.update_key_description(KeyId=key_id, Description="drifted")
    kms.tag_resource(KeyId=key_id, Tags=[{"TagKey": "data-classification", "TagValue": "x"}])
    kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert dump(seeded) != baseline
    again = seed(seeded.landscape, server.url)
    assert dump(again) == baseline
    assert again.organization_id == seeded.organization_id
    assert again.permission_set_arns == seeded.permission_set_arns
    assert again.provisioned_roles == seeded.provisioned_roles
    assert again.key_arns == seeded.key_arns
