"""The state of a seeded backend read back through the AWS APIs, as plain data to compare.

Fields that change without anyone changing the state are left out: when a role was last used
(the seeder's own sessions use OrganizationAccountAccessRole), an RDS instance's latest
restorable time (moto answers "now"), and response metadata."""

from __future__ import annotations

from typing import Any

from harness.seeding.context import SeededLandscape, list_all

_VOLATILE = {"ResponseMetadata", "RoleLastUsed", "LatestRestorableTime"}


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if k not in _VOLATILE}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def dump(seeded: SeededLandscape) -> dict[str, Any]:
    landscape = seeded.landscape
    state: dict[str, Any] = {
        "organization": dump_organization(seeded),
        "identity_center": dump_identity_center(seeded),
    }
    for account in landscape.accounts:
        state[account.name] = {
            "iam": dump_iam(seeded.client(account.name, "iam")),
            "resources": dump_resources(seeded, account.name),
        }
    cleaned: dict[str, Any] = _clean(state)
    return cleaned


def dump_organization(seeded: SeededLandscape) -> dict[str, Any]:
    org = seeded.client(seeded.landscape.organization.management_account, "organizations")
    accounts = list_all(org, "list_accounts", "Accounts")
    policies = list_all(org, "list_policies", "Policies", Filter="SERVICE_CONTROL_POLICY")
    targets = [seeded.root_id, *seeded.ou_ids.values(), *(a["Id"] for a in accounts)]
    return {
        "organization": org.describe_organization()["Organization"],
        "roots": org.list_roots()["Roots"],
        "ous": {
            parent: list_all(
                org, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent
            )
            for parent in [seeded.root_id, *seeded.ou_ids.values()]
        },
        "accounts": accounts,
        "parents": {a["Id"]: org.list_parents(ChildId=a["Id"])["Parents"] for a in accounts},
        "policies": [org.describe_policy(PolicyId=p["Id"])["Policy"] for p in policies],
        "attachments": {
            target: list_all(
                org,
                "list_policies_for_target",
                "Policies",
                TargetId=target,
                Filter="SERVICE_CONTROL_POLICY",
            )
            for target in targets
        },
    }


def dump_iam(iam: Any) -> dict[str, Any]:
    roles = {}
    for role in list_all(iam, "list_roles", "Roles"):
        name = role["RoleName"]
        roles[name] = {
            "role": iam.get_role(RoleName=name)["Role"],
            "attached": list_all(
                iam, "list_attached_role_policies", "AttachedPolicies", RoleName=name
            ),
            "inline": {
                policy: iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
                for policy in list_all(iam, "list_role_policies", "PolicyNames", RoleName=name)
            },
        }
    policies = {}
    for policy in list_all(iam, "list_policies", "Policies", Scope="Local"):
        policies[policy["Arn"]] = {
            "policy": policy,
            "versions": [
                iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=v["VersionId"])
                for v in iam.list_policy_versions(PolicyArn=policy["Arn"])["Versions"]
            ],
        }
    providers = {
        p["Arn"]: iam.get_saml_provider(SAMLProviderArn=p["Arn"])
        for p in iam.list_saml_providers()["SAMLProviderList"]
    }
    return {"roles": roles, "policies": policies, "saml_providers": providers}


def dump_identity_center(seeded: SeededLandscape) -> dict[str, Any]:
    management = seeded.landscape.organization.management_account
    admin = seeded.client(management, "sso-admin")
    store = seeded.client(management, "identitystore")
    instance = seeded.sso_instance_arn
    store_id = seeded.identity_store_id
    sets = {}
    for arn in list_all(admin, "list_permission_sets", "PermissionSets", InstanceArn=instance):
        ids = {"InstanceArn": instance, "PermissionSetArn": arn}
        sets[arn] = {
            "set": admin.describe_permission_set(**ids)["PermissionSet"],
            "managed": admin.list_managed_policies_in_permission_set(**ids),
            "customer_managed": admin.list_customer_managed_policy_references_in_permission_set(
                **ids
            ),
            "inline": admin.get_inline_policy_for_permission_set(**ids).get("InlinePolicy"),
            "assignments": {
                account_id: admin.list_account_assignments(AccountId=account_id, **ids)
                for account_id in seeded.account_ids.values()
            },
        }
    groups = list_all(store, "list_groups", "Groups", IdentityStoreId=store_id)
    return {
        "instances": admin.list_instances()["Instances"],
        "permission_sets": sets,
        "users": list_all(store, "list_users", "Users", IdentityStoreId=store_id),
        "groups": groups,
        "memberships": {
            g["GroupId"]: list_all(
                store,
                "list_group_memberships",
                "GroupMemberships",
                IdentityStoreId=store_id,
                GroupId=g["GroupId"],
            )
            for g in groups
        },
        "provisioned": {
            account_id: admin.list_permission_sets_provisioned_to_account(
                InstanceArn=instance, AccountId=account_id
            ).get("PermissionSets")
            for account_id in seeded.account_ids.values()
        },
    }


def dump_resources(seeded: SeededLandscape, account_name: str) -> dict[str, Any]:
    """The account's resources, asking only the services the landscape uses there (asking
    another would make moto build that service's backend for the account, for nothing)."""
    resources = seeded.landscape.account(account_name).resources
    state: dict[str, Any] = {}

    def client(service: str) -> Any:
        return seeded.client(account_name, service)

    if resources.buckets or resources.trails:
        s3 = client("s3")
        state["buckets"] = {b["Name"]: _bucket(s3, b) for b in s3.list_buckets()["Buckets"]}
    if resources.topics or resources.queues:
        sns = client("sns")
        state["topics"] = {
            t["TopicArn"]: sns.get_topic_attributes(TopicArn=t["TopicArn"])["Attributes"]
            for t in list_all(sns, "list_topics", "Topics")
        }
        state["subscriptions"] = list_all(sns, "list_subscriptions", "Subscriptions")
        sqs = client("sqs")
        state["queues"] = {
            url: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            for url in sqs.list_queues().get("QueueUrls", [])
        }
    if resources.keys:
        state["keys"] = _keys(seeded, account_name)
    if resources.tables:
        dynamodb = client("dynamodb")
        state["tables"] = [
            dynamodb.describe_table(TableName=name)["Table"]
            for name in dynamodb.list_tables()["TableNames"]
        ]
    if resources.db_instances:
        state["db_instances"] = client("rds").describe_db_instances()["DBInstances"]
    if resources.volumes:
        state["volumes"] = client("ec2").describe_volumes()["Volumes"]
    if resources.functions:
        state["functions"] = client("lambda").list_functions()["Functions"]
    if resources.trails:
        cloudtrail = client("cloudtrail")
        state["trails"] = {
            t["Name"]: (t, cloudtrail.get_trail_status(Name=t["Name"]).get("IsLogging"))
            for t in cloudtrail.describe_trails()["trailList"]
        }
    if resources.guardduty_detectors:
        guardduty = client("guardduty")
        state["detectors"] = {
            d: guardduty.get_detector(DetectorId=d)
            for d in guardduty.list_detectors()["DetectorIds"]
        }
    if resources.config_recorders:
        state["recorders"] = client("config").describe_configuration_recorders()[
            "ConfigurationRecorders"
        ]
    return state


def _bucket(s3: Any, bucket: dict[str, Any]) -> dict[str, Any]:
    name = bucket["Name"]
    return {
        "bucket": bucket,
        "policy": _optional(s3.get_bucket_policy, Bucket=name),
        "encryption": _optional(s3.get_bucket_encryption, Bucket=name),
        "versioning": s3.get_bucket_versioning(Bucket=name),
        "public_access": _optional(s3.get_public_access_block, Bucket=name),
        "tags": _optional(s3.get_bucket_tagging, Bucket=name),
        "objects": s3.list_objects_v2(Bucket=name).get("Contents", []),
    }


def _optional(call: Any, **params: Any) -> Any:
    """The answer, or the error code when the thing is not configured."""
    try:
        return call(**params)
    except Exception as error:  # botocore ClientError: NoSuchBucketPolicy etc.
        return getattr(error, "response", {}).get("Error", {}).get("Code", repr(error))


def _keys(seeded: SeededLandscape, account_name: str) -> dict[str, Any]:
    """Every KMS key of the account (in each region its landscape keys are in): metadata, key
    policy, tags, aliases."""
    regions = sorted({key.region for key in seeded.landscape.account(account_name).resources.keys})
    found: dict[str, Any] = {}
    for region in regions:
        kms = seeded.client(account_name, "kms", region)
        for listed in list_all(kms, "list_keys", "Keys"):
            key_id = listed["KeyId"]
            found[listed["KeyArn"]] = {
                "metadata": kms.describe_key(KeyId=key_id)["KeyMetadata"],
                "policy": kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"],
                "tags": kms.list_resource_tags(KeyId=key_id).get("Tags", []),
                "aliases": kms.list_aliases(KeyId=key_id).get("Aliases", []),
            }
    return found
