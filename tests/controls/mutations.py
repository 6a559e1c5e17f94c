"""The mutation table: for each control of the SecureCart landscape, ways to remove or weaken
it, and the scenarios that document it — which must fail when it is broken.

A `Mutation` is applied to a copy of fixtures/securecart; its `selection` is run against that
copy and at least `min_failed` of the selected scenarios must fail (errors do not count). A
mutation with `survivor` set is one no scenario catches today: its case checks that none of
the selected scenarios fails and prints it with the reason, so the gap stays
visible; once a scenario catches it, the case fails until the `survivor` note is removed.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from tests.controls.edits import (
    Document,
    Edit,
    StaleMutation,
    attach_scp,
    change_permission_set,
    change_role,
    change_statement,
    combine,
    detach_scp,
    drop_field,
    drop_statements,
    edit_yaml,
    remove_scp,
    set_condition,
    set_field,
    set_principal,
    without_action,
    without_condition,
)
from tests.controls.suite import CANONICAL, Selection

# --------------------------------------------------------------------------- the landscape's files

SCP = "policies/scp"
CUSTOMER_DATA_BUCKET = "policies/resources/s3/securecart-prod-customer-data.json"
ORDER_EVENTS_TOPIC = "policies/resources/sns/order-events.json"
DEVELOPER_BOUNDARY = "policies/boundaries/developer-boundary.json"
PERMISSION_SETS = {
    "Admin": "policies/permission-sets/admin.json",
    "DeveloperPowerUser": "policies/permission-sets/developer-power-user.json",
    "DeveloperReadOnly": "policies/permission-sets/developer-read-only.json",
    "SecurityAudit": "policies/permission-sets/security-audit.json",
}
TRUST = "policies/trust"

# --------------------------------------------------------------------------- the features

GUARDRAILS = "guardrails/organisation_guardrails.feature"
DESTRUCTIVE = "guardrails/destructive_actions_in_prod.feature"
STRUCTURE = "organisation/structure.feature"
CUSTOMER_DATA = "customer_data/only_the_orders_lambda_reads.feature"
SECURITY_TEAM = "security_team/read_everywhere.feature"
VENDOR = "vendor/order_events.feature"
MFA = "mfa/mfa_for_people.feature"
BOUNDARIES = "privilege_escalation/permission_boundaries.feature"
DEVELOPER_ACCESS = "developer_access/read_only_in_non_prod.feature"
PIPELINE = "pipeline/deploy_role.feature"
WORKLOADS = "workloads/orders_api.feature"


@dataclass(frozen=True)
class Mutation:
    id: str
    control: str
    """The control, as a reviewer names it."""
    change: str
    """What the mutation does to it."""
    edit: Edit
    selection: Selection
    """The scenarios that document the control."""
    min_failed: int
    """How many of them must fail at least."""
    survivor: str | None = None
    """Why no scenario catches this mutation today (None: the scenarios must catch it)."""


# --------------------------------------------------------------------------- edits used below


def _regions_allow(region: str) -> Edit:
    def change(landscape_file: Document) -> None:
        allowed = landscape_file["regions"]["allowed"]
        if region in allowed:
            raise StaleMutation(f"landscape.yaml: {region} is already allowed")
        allowed.append(region)

    return edit_yaml("landscape.yaml", change)


def _management_account_moved(organization: Document) -> None:
    """Another account directly under the root becomes the organisation's management account:
    the account named "management" is then a member like the others, bound by the SCPs."""
    if organization["management_account"] != "management":
        raise StaleMutation("organization.yaml: the management account is not 'management'")
    organization["root"]["accounts"].append({
        "name": "org-admin",
        "id": "101010101010",
        "email": "aws-org-admin@securecart.example",
        "description": "The organisation's management account (mutation).",
    })
    organization["management_account"] = "org-admin"
    full_access = [s for s in organization["service_control_policies"]
                   if s["name"] == "FullAWSAccess"]
    full_access[0]["attach_to"].append("org-admin")


def _assigned_also_to(account: str) -> Edit:
    def change(identity_center: Document) -> None:
        found = [a for a in identity_center["assignments"]
                 if a["permission_set"] == "DeveloperReadOnly" and a["group"] == "Developers"]
        if len(found) != 1 or account in found[0]["accounts"]:
            raise StaleMutation(f"identity-center.yaml: no DeveloperReadOnly assignment to add "
                                f"{account} to")
        found[0]["accounts"].append(account)

    return edit_yaml("identity-center.yaml", change)


def _no_mfa_statement(*permission_sets: str) -> Edit:
    """RequireMfaForHumanSessions is removed from these permission sets' inline policies; an
    inline policy holding nothing else (Admin's) is taken off its permission set."""

    def remove_from(name: str) -> Edit:
        def apply(landscape: Path) -> None:
            document = json.loads((landscape / PERMISSION_SETS[name]).read_text("utf-8"))
            if [s.get("Sid") for s in document["Statement"]] == ["RequireMfaForHumanSessions"]:
                change_permission_set(name, drop_field("inline_policy"))(landscape)
            else:
                drop_statements(PERMISSION_SETS[name], "RequireMfaForHumanSessions")(landscape)

        return apply

    return combine(*(remove_from(name) for name in permission_sets))


# --------------------------------------------------------------------------- the table

SCP_MUTATIONS = [
    Mutation(
        "scp-root-user-removed", "SCP deny-root-user",
        "the SCP is removed from the organisation (policy and attachment)",
        remove_scp("deny-root-user"),
        Selection((GUARDRAILS, STRUCTURE), "use-case-no-root-user or deny-root-user"),
        min_failed=5,
    ),
    Mutation(
        "scp-root-user-narrowed", "SCP deny-root-user",
        "DenyRootUser applies only to the management account's root (member roots free)",
        change_statement(f"{SCP}/deny-root-user.json", "DenyRootUser", set_condition(
            "StringLike", "aws:PrincipalArn", "arn:aws:iam::{{account.management}}:root")),
        Selection((GUARDRAILS,), "use-case-no-root-user"),
        min_failed=4,
    ),
    Mutation(
        "scp-internet-gateway-removed", "SCP deny-internet-gateway-outside-network",
        "the SCP is removed from the organisation",
        remove_scp("deny-internet-gateway-outside-network"),
        Selection((GUARDRAILS, STRUCTURE),
                  "use-case-internet-gateways or deny-internet-gateway-outside-network"),
        min_failed=4,
    ),
    Mutation(
        "scp-internet-gateway-dev-exempted", "SCP deny-internet-gateway-outside-network",
        "the dev account is exempted beside the network account",
        change_statement(
            f"{SCP}/deny-internet-gateway-outside-network.json",
            "DenyInternetGatewayOutsideNetworkAccount",
            set_condition("StringNotEquals", "aws:PrincipalAccount",
                          ["{{account.network}}", "{{account.dev}}"])),
        Selection((GUARDRAILS,), "use-case-internet-gateways"),
        min_failed=1,
    ),
    Mutation(
        "scp-unencrypted-s3", "SCP deny-unencrypted-storage (S3)",
        "both S3 statements (no header, unknown algorithm) are removed",
        drop_statements(f"{SCP}/deny-unencrypted-storage.json",
                        "DenyS3PutWithoutEncryptionHeader", "DenyS3PutWithUnknownEncryption"),
        Selection((GUARDRAILS,), "test_objects_must_be_uploaded_encrypted"),
        min_failed=1,
    ),
    Mutation(
        "scp-unencrypted-ebs", "SCP deny-unencrypted-storage (EBS)",
        "DenyUnencryptedEbsVolumes is removed",
        drop_statements(f"{SCP}/deny-unencrypted-storage.json", "DenyUnencryptedEbsVolumes"),
        Selection((GUARDRAILS,), "test_databases_and_volumes_must_be_created_encrypted"),
        min_failed=1,
    ),
    Mutation(
        "scp-unencrypted-rds", "SCP deny-unencrypted-storage (RDS)",
        "DenyUnencryptedRdsInstances is removed",
        drop_statements(f"{SCP}/deny-unencrypted-storage.json", "DenyUnencryptedRdsInstances"),
        Selection((GUARDRAILS,), "test_databases_and_volumes_must_be_created_encrypted"),
        min_failed=1,
    ),
    Mutation(
        "scp-regions-removed", "SCP deny-outside-allowed-regions",
        "the SCP is removed from the organisation",
        remove_scp("deny-outside-allowed-regions"),
        Selection((GUARDRAILS, STRUCTURE),
                  "use-case-data-residency or deny-outside-allowed-regions"),
        min_failed=3,
    ),
    Mutation(
        "scp-regions-widened", "SCP deny-outside-allowed-regions",
        "ap-southeast-2 is added to regions.allowed (landscape.yaml)",
        _regions_allow("ap-southeast-2"),
        Selection((GUARDRAILS,), "use-case-data-residency"),
        min_failed=1,
    ),
    Mutation(
        "scp-destructive-removed", "SCP deny-destructive-actions-in-prod",
        "the SCP is no longer attached to the Prod OU (its only attachment)",
        remove_scp("deny-destructive-actions-in-prod"),
        Selection((DESTRUCTIVE, STRUCTURE),
                  "use-case-no-destructive-actions-in-prod or deny-destructive-actions-in-prod"),
        min_failed=7,
    ),
    Mutation(
        "scp-destructive-table-unlisted", "SCP deny-destructive-actions-in-prod",
        "dynamodb:DeleteTable is taken off its action list",
        change_statement(f"{SCP}/deny-destructive-actions-in-prod.json",
                         "DenyDestructiveActionsInProd", without_action("dynamodb:DeleteTable")),
        Selection((DESTRUCTIVE,),
                  "dynamodb-DeleteTable or test_the_production_table_survives_the_attempt"),
        min_failed=2,
    ),
    Mutation(
        "scp-tooling-guardduty", "SCP protect-security-tooling (GuardDuty)",
        "ProtectGuardDuty is removed",
        drop_statements(f"{SCP}/protect-security-tooling.json", "ProtectGuardDuty"),
        Selection((GUARDRAILS,), "use-case-security-tooling and ProtectGuardDuty"),
        min_failed=1,
    ),
    Mutation(
        "scp-tooling-config", "SCP protect-security-tooling (Config)",
        "ProtectConfig is removed",
        drop_statements(f"{SCP}/protect-security-tooling.json", "ProtectConfig"),
        Selection((GUARDRAILS,), "use-case-security-tooling and ProtectConfig"),
        min_failed=2,
    ),
    Mutation(
        "scp-tooling-cloudtrail", "SCP protect-security-tooling (CloudTrail)",
        "ProtectCloudTrail is removed",
        drop_statements(f"{SCP}/protect-security-tooling.json", "ProtectCloudTrail"),
        Selection((GUARDRAILS,), "test_the_organisation_trail_cannot_be_stopped"),
        min_failed=1,
    ),
    Mutation(
        "scp-leave-organization-removed", "SCP deny-leave-organization",
        "the SCP is removed from the organisation",
        remove_scp("deny-leave-organization"),
        Selection((GUARDRAILS, STRUCTURE),
                  "use-case-stay-in-the-organisation or deny-leave-organization"),
        min_failed=3,
    ),
    Mutation(
        "management-account-moved", "SCPs do not bind the management account",
        "another root account becomes the management account; 'management' is a member",
        edit_yaml("organization.yaml", _management_account_moved),
        Selection((GUARDRAILS,), "use-case-management-exempt"),
        min_failed=1,
    ),
    Mutation(
        "full-aws-access-off-nonprod", "FullAWSAccess at every level",
        "FullAWSAccess is detached from the NonProd OU (deny-leave-organization keeps it "
        "holding one SCP, as AWS requires)",
        combine(detach_scp("FullAWSAccess", "NonProd"),
                attach_scp("deny-leave-organization", "NonProd")),
        Selection((DESTRUCTIVE, DEVELOPER_ACCESS),
                  "test_the_same_administrator_may_delete_in_dev "
                  "or test_readonly_developers_can_look_but_not_change"),
        min_failed=3,
    ),
]

LOG_ARCHIVE_BUCKET = "policies/resources/s3/securecart-log-archive.json"

RESOURCE_POLICY_MUTATIONS = [
    Mutation(
        "log-archive-security-reads-removed", "log-archive bucket: SecurityTeamReads",
        "the statement is removed (the security team reads the logs from its own account)",
        drop_statements(LOG_ARCHIVE_BUCKET, "SecurityTeamReads"),
        Selection((SECURITY_TEAM,), "test_bob_reads_the_log_archive_from_the_security_account"),
        min_failed=1,
    ),
    Mutation(
        "log-archive-mutable", "log-archive bucket: LogsAreImmutable",
        "the statement is removed",
        drop_statements(LOG_ARCHIVE_BUCKET, "LogsAreImmutable"),
        Selection((SECURITY_TEAM,), "test_the_logs_are_immutable"),
        min_failed=1,
    ),
    Mutation(
        "bucket-only-processor-removed",
        "customer-data bucket: OnlyOrdersProcessorReadsCustomerData",
        "the statement is removed",
        drop_statements(CUSTOMER_DATA_BUCKET, "OnlyOrdersProcessorReadsCustomerData"),
        Selection((CUSTOMER_DATA, SECURITY_TEAM), "cannot_read_customer_data"),
        min_failed=3,
    ),
    Mutation(
        "bucket-only-processor-any-prod-role",
        "customer-data bucket: OnlyOrdersProcessorReadsCustomerData",
        "the exception is widened from orders-processor to every role of prod (ArnNotLike "
        "role/*)",
        change_statement(CUSTOMER_DATA_BUCKET, "OnlyOrdersProcessorReadsCustomerData",
                         set_condition("ArnNotLike", "aws:PrincipalArn",
                                       "arn:aws:iam::{{account.prod}}:role/*")),
        Selection((CUSTOMER_DATA, SECURITY_TEAM), "cannot_read_customer_data"),
        min_failed=3,
    ),
    Mutation(
        "bucket-tls-removed", "customer-data bucket: DenyInsecureTransport",
        "the statement is removed",
        drop_statements(CUSTOMER_DATA_BUCKET, "DenyInsecureTransport"),
        Selection((CUSTOMER_DATA,), "test_customer_data_is_never_served_over_plain_http"),
        min_failed=1,
    ),
    Mutation(
        "bucket-unencrypted-uploads-removed",
        "customer-data bucket: DenyUnencryptedObjectUploads",
        "the statement is removed",
        drop_statements(CUSTOMER_DATA_BUCKET, "DenyUnencryptedObjectUploads"),
        Selection((CUSTOMER_DATA,), "test_customer_data_is_only_stored_encrypted"),
        min_failed=1,
        survivor="the SCP deny-unencrypted-storage (DenyS3PutWithoutEncryptionHeader) denies "
        "the same upload, and the scenario only asks that it be denied",
    ),
    Mutation(
        "topic-vendor-allow-removed", "order-events topic: VendorMayPublish",
        "the statement is removed",
        drop_statements(ORDER_EVENTS_TOPIC, "VendorMayPublish"),
        Selection((VENDOR,), "test_the_vendor_publishes_to_orderevents"),
        min_failed=1,
    ),
    Mutation(
        "topic-opened-to-everyone", "order-events topic: only the vendor outside the org",
        "VendorMayPublish allows Principal * and NobodyElseOutsideTheOrganization is removed",
        combine(change_statement(ORDER_EVENTS_TOPIC, "VendorMayPublish", set_principal("*")),
                drop_statements(ORDER_EVENTS_TOPIC, "NobodyElseOutsideTheOrganization")),
        Selection((VENDOR,), "test_another_outside_account_cannot_publish"),
        min_failed=1,
    ),
    Mutation(
        "topic-outsider-deny-removed", "order-events topic: NobodyElseOutsideTheOrganization",
        "the statement is removed",
        drop_statements(ORDER_EVENTS_TOPIC, "NobodyElseOutsideTheOrganization"),
        Selection((VENDOR,), "test_another_outside_account_cannot_publish "
                  "or test_the_vendor_cannot_subscribe"),
        min_failed=1,
    ),
    Mutation(
        "topic-vendor-every-action", "order-events topic: the vendor may only publish",
        "VendorMayPublish allows sns:* instead of sns:Publish",
        change_statement(ORDER_EVENTS_TOPIC, "VendorMayPublish", set_field("Action", "sns:*")),
        Selection((VENDOR,), "test_the_vendor_cannot_subscribe_to_or_read_the_topic"),
        min_failed=1,
        survivor="the vendor's own integration policy (accounts/vendor.yaml) allows only "
        "sns:Publish, so Subscribe is refused on the vendor's side whatever the topic allows",
    ),
]

IDENTITY_MUTATIONS = [
    Mutation(
        "boundary-deny-create-removed", "developer-boundary: DenyCreatingRolesWithoutThisBoundary",
        "the statement is removed from the boundary",
        drop_statements(DEVELOPER_BOUNDARY, "DenyCreatingRolesWithoutThisBoundary"),
        # A developer's own CreateRole meets the permission set's deny first; the role she
        # creates, with every IAM permission, meets only the boundary's.
        Selection((BOUNDARIES,), "test_a_role_a_developer_creates_is_held_by_the_same_boundary"
                  "_whatever_she_grants_it"),
        min_failed=1,
    ),
    Mutation(
        "boundary-detached", "developer-boundary on DeveloperPowerUser",
        "permissions_boundary is removed from the DeveloperPowerUser permission set",
        change_permission_set("DeveloperPowerUser", drop_field("permissions_boundary")),
        Selection((BOUNDARIES, DEVELOPER_ACCESS), "use-case-boundaries or poweruser"),
        min_failed=1,
    ),
    Mutation(
        "power-user-deny-create-removed",
        "DeveloperPowerUser: DenyCreatingRolesWithoutTheDeveloperBoundary",
        "the statement is removed from the permission set's inline policy",
        drop_statements(PERMISSION_SETS["DeveloperPowerUser"],
                        "DenyCreatingRolesWithoutTheDeveloperBoundary"),
        Selection((BOUNDARIES,), "test_a_role_without_the_boundary_is_refused "
                  "or test_a_role_with_another_boundary_is_refused"),
        min_failed=1,
    ),
    Mutation(
        "power-user-deploy-boundary-editable",
        "DeveloperPowerUser: DenyEditingPermissionsBoundaries covers the pipeline's boundary",
        "deploy-boundary is taken off the statement (the escalation path securecart analyze "
        "found)",
        change_statement(PERMISSION_SETS["DeveloperPowerUser"], "DenyEditingPermissionsBoundaries",
                         set_field("Resource",
                                   "arn:aws:iam::{{account.dev}}:policy/developer-boundary")),
        Selection((BOUNDARIES,), "test_the_pipelines_boundary_cannot_be_edited"),
        min_failed=1,
    ),
    Mutation(
        "power-user-admin-attach-allowed", "DeveloperPowerUser: DenyGrantingAdministratorAccess",
        "the statement is removed",
        drop_statements(PERMISSION_SETS["DeveloperPowerUser"], "DenyGrantingAdministratorAccess"),
        Selection((BOUNDARIES,), "test_administrator_access_cannot_be_attached"),
        min_failed=1,
    ),
    Mutation(
        "mfa-removed-everywhere", "MFA: RequireMfaForHumanSessions",
        "the statement is removed from every permission set",
        _no_mfa_statement(*PERMISSION_SETS),
        Selection((MFA,), "test_a_developer_without_mfa or test_mfa_is_required"),
        min_failed=5,
    ),
    *(
        Mutation(
            f"mfa-removed-from-{name}", f"MFA: RequireMfaForHumanSessions in {name}",
            f"the statement is removed from {name} only",
            _no_mfa_statement(name),
            Selection((MFA,), keyword),
            min_failed=count,
        )
        for name, keyword, count in [
            ("Admin", "carol-Admin-prod", 1),
            ("SecurityAudit", "bob-SecurityAudit-security", 1),
            ("DeveloperPowerUser", "alice-DeveloperPowerUser-dev", 1),
            ("DeveloperReadOnly",
             "test_a_developer_without_mfa or alice-DeveloperReadOnly-staging", 2),
        ]
    ),
    Mutation(
        "read-only-secrets-readable", "DeveloperReadOnly: NoReadingSecretValues",
        "the statement is removed",
        drop_statements(PERMISSION_SETS["DeveloperReadOnly"], "NoReadingSecretValues"),
        Selection((DEVELOPER_ACCESS,), "test_readonly_developers_cannot_read_secrets"),
        min_failed=1,
    ),
    Mutation(
        "read-only-ssm-readable", "DeveloperReadOnly: NoReadingSecretValues (SSM parameters)",
        "ssm:GetParameter, GetParameters and GetParametersByPath are taken off the statement "
        "(ReadOnlyAccess grants them)",
        combine(*(
            change_statement(PERMISSION_SETS["DeveloperReadOnly"], "NoReadingSecretValues",
                             without_action(action))
            for action in ("ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath")
        )),
        Selection((DEVELOPER_ACCESS,), "test_readonly_developers_cannot_read_secrets"),
        min_failed=1,
    ),
    Mutation(
        "developers-assigned-to-prod", "Developers have no assignment in prod",
        "DeveloperReadOnly is also assigned to Developers in prod",
        _assigned_also_to("prod"),
        Selection((DEVELOPER_ACCESS,), "test_developers_have_no_assignment_in_production"),
        min_failed=1,
    ),
]

TRUST_MUTATIONS = [
    Mutation(
        "vendor-support-external-id-removed", "VendorSupportRole trust: sts:ExternalId",
        "the ExternalId condition is removed",
        change_statement(f"{TRUST}/vendor-support.json", "VendorAccountWithExternalId",
                         without_condition),
        Selection((VENDOR,), "test_the_vendors_support_role_needs_the_external_id"),
        min_failed=1,
    ),
    Mutation(
        "vendor-support-twelve-hours", "VendorSupportRole: one-hour sessions",
        "max_session_duration 3600 → 43200 (accounts/prod.yaml)",
        change_role("prod", "VendorSupportRole", set_field("max_session_duration", 43200)),
        Selection((VENDOR,), "test_the_vendors_support_session_lasts_at_most_an_hour"),
        min_failed=1,
        survivor="the scenario's caller is the vendor's integration role, so the AssumeRole is "
        "role chaining, which AWS caps at one hour whatever the role's max_session_duration",
    ),
    Mutation(
        "deploy-role-trusts-shared-services", "DeployRole trust: only the pipeline's ci-deployer",
        "the principal becomes the whole shared-services account "
        "(arn:aws:iam::777777777777:root)",
        change_statement(f"{TRUST}/deploy-role.json", "OnlyThePipelineDeployer", set_principal(
            {"AWS": "arn:aws:iam::{{account.shared-services}}:root"})),
        Selection((PIPELINE,), "test_the_pipeline_assumes_deployrole "
                  "or test_nobody_else_may_assume_deployrole"),
        min_failed=1,
    ),
    Mutation(
        "ci-deployer-trust-any-account", "ci-deployer trust: aws:SourceAccount",
        "the SourceAccount condition is removed (any account's CodeBuild)",
        change_statement(f"{TRUST}/ci-deployer.json", "PipelineBuildsInSharedServices",
                         without_condition),
        Selection((PIPELINE,), "test_the_pipeline_assumes_deployrole "
                  "or test_a_build_of_another_account_cannot_take"),
        min_failed=1,
    ),
    Mutation(
        "lambda-trust-any-account", "Lambda execution role trust: aws:SourceAccount",
        "the SourceAccount condition is removed",
        change_statement(f"{TRUST}/lambda.json", "LambdaInThisAccount", without_condition),
        Selection((CUSTOMER_DATA,), "test_the_ordersprocessor_function_reads_customer_data "
                  "or test_lambda_acting_for_another_account"),
        min_failed=1,
    ),
    Mutation(
        "ecs-trust-any-account", "ECS task role trust: aws:SourceAccount",
        "the SourceAccount condition is removed",
        change_statement(f"{TRUST}/ecs-tasks.json", "EcsTasksInThisAccount", without_condition),
        Selection((WORKLOADS,), "test_the_orders_api_writes_and_reads_orders "
                  "or test_ecs_tasks_of_another_account"),
        min_failed=1,
    ),
]

MUTATIONS = SCP_MUTATIONS + RESOURCE_POLICY_MUTATIONS + IDENTITY_MUTATIONS + TRUST_MUTATIONS


def mutated_copy(mutation: Mutation, directory: Path) -> Path:
    """A copy of the canonical landscape in `directory`, with `mutation` applied; raises
    StaleMutation when the mutation changes nothing."""
    landscape = directory / "landscape"
    shutil.copytree(CANONICAL, landscape)
    before = _contents(landscape)
    mutation.edit(landscape)
    if _contents(landscape) == before:
        raise StaleMutation(f"{mutation.id} changed nothing in the landscape")
    return landscape


def _contents(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }
