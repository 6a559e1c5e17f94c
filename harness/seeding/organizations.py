"""The organisation: created in the management account with all features, its OUs in tree
order, member accounts with the landscape's ids placed in their OUs, SCPs created and attached
exactly as the landscape says (AWS, like moto, attaches FullAWSAccess to the root and to every
new OU and account; an attachment the landscape does not list is removed)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from harness.backends import ACCOUNT_EMAIL_TAG, ACCOUNT_ID_TAG, ACCOUNT_NAME_TAG
from harness.landscape.model import ROOT, Account, Landscape, ServiceControlPolicy
from harness.seeding.context import ACCESS_ROLE, Clients, SeedError, list_all, step

SCP = "SERVICE_CONTROL_POLICY"
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"


@dataclass(frozen=True, slots=True)
class SeededOrganization:
    organization_id: str
    root_id: str
    ou_ids: dict[str, str]
    scp_ids: dict[str, str]

    def target_id(self, landscape: Landscape, target: str) -> str:
        """The id of an SCP target named in the landscape: Root, an OU or an account."""
        if target == ROOT:
            return self.root_id
        if target in self.ou_ids:
            return self.ou_ids[target]
        return landscape.account(target).account_id


def seed_organization(clients: Clients) -> SeededOrganization:
    """Also obtains credentials in the management account and in every member account."""
    landscape = clients.landscape
    management = landscape.account(landscape.organization.management_account)
    clients.assume(management.name, via=None)
    org = clients.client(management.name, "organizations")

    organization_id = _ensure_organization(org, management)
    root_id = _ensure_root(org)
    ou_ids = _ensure_ous(org, landscape, root_id)
    existing = {found["Id"] for found in list_all(org, "list_accounts", "Accounts")}
    for account in landscape.member_accounts():
        if account.name != management.name:
            if account.account_id not in existing:
                _create_member(org, account)
            clients.assume(account.name, via=management.name)
            _grant_access_role(clients, account, management)
    seeded = SeededOrganization(organization_id, root_id, ou_ids, _ensure_scps(org, landscape))
    for account in landscape.member_accounts():
        _place(org, account, seeded.target_id(landscape, account.parent or ROOT))
    _attach_scps(org, landscape, seeded)
    return seeded


def _ensure_organization(org: Any, management: Account) -> str:
    with step(f"seeding the organisation in account {management.name}"):
        try:
            found = org.describe_organization()["Organization"]
        except org.exceptions.AWSOrganizationsNotInUseException:
            found = org.create_organization(FeatureSet="ALL")["Organization"]
        if found["MasterAccountId"] != management.account_id:
            raise SeedError(
                f"seeding the organisation: it belongs to {found['MasterAccountId']}, "
                f"not to the management account {management.account_id}"
            )
        described = org.describe_account(AccountId=management.account_id)["Account"]
        if (described["Name"], described["Email"]) != (management.name, management.email):
            # AWS shows the name and e-mail the management account was opened with.
            org.tag_resource(
                ResourceId=management.account_id,
                Tags=[
                    {"Key": ACCOUNT_NAME_TAG, "Value": management.name},
                    {"Key": ACCOUNT_EMAIL_TAG, "Value": management.email},
                ],
            )
        return str(found["Id"])


def _ensure_root(org: Any) -> str:
    """The root, with SCPs enabled (AWS refuses SCP attachments until they are)."""
    with step("seeding the organisation root"):
        root = org.list_roots()["Roots"][0]
        enabled = [t for t in root.get("PolicyTypes", []) if t["Status"] == "ENABLED"]
        if all(t["Type"] != SCP for t in enabled):
            org.enable_policy_type(RootId=root["Id"], PolicyType=SCP)
        return str(root["Id"])


def _ensure_ous(org: Any, landscape: Landscape, root_id: str) -> dict[str, str]:
    ids = {ROOT: root_id}
    pending = list(landscape.organization.root_ous)
    for name in pending:  # grows as children are reached: parents before children
        ou = landscape.ou(name)
        with step(f"seeding OU {name}"):
            children = list_all(
                org,
                "list_organizational_units_for_parent",
                "OrganizationalUnits",
                ParentId=ids[ou.parent],
            )
            found = [child["Id"] for child in children if child["Name"] == name]
            ids[name] = (
                found[0]
                if found
                else org.create_organizational_unit(ParentId=ids[ou.parent], Name=name)[
                    "OrganizationalUnit"
                ]["Id"]
            )
        pending.extend(ou.ous)
    del ids[ROOT]
    return ids


def _create_member(org: Any, account: Account) -> None:
    with step(f"seeding account {account.name}"):
        status = org.create_account(
            AccountName=account.name,
            Email=account.email,
            Tags=[{"Key": ACCOUNT_ID_TAG, "Value": account.account_id}],
        )["CreateAccountStatus"]
        if status.get("State") != "SUCCEEDED" or status.get("AccountId") != account.account_id:
            raise SeedError(
                f"seeding account {account.name}: the backend created {status} instead of "
                f"account {account.account_id} (does it honour the {ACCOUNT_ID_TAG} tag?)"
            )


def _grant_access_role(clients: Clients, account: Account, management: Account) -> None:
    """OrganizationAccountAccessRole: CreateAccount makes it in AWS, trusting the management
    account, with AdministratorAccess. moto makes it bare; an IAM that is not moto's (the
    LocalStack backend, where Organizations is served by moto) does not know the account was
    created, so the role is made here when it is missing.
    https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_create-cross-account-role.html"""
    with step(f"seeding role {ACCESS_ROLE} in account {account.name}"):
        iam = clients.client(account.name, "iam")
        try:
            attached = iam.list_attached_role_policies(RoleName=ACCESS_ROLE)["AttachedPolicies"]
        except iam.exceptions.NoSuchEntityException:
            iam.create_role(RoleName=ACCESS_ROLE, AssumeRolePolicyDocument=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{management.account_id}:root"},
                    "Action": "sts:AssumeRole",
                }],
            }))
            attached = []
        if all(p["PolicyArn"] != ADMINISTRATOR_ACCESS for p in attached):
            iam.attach_role_policy(RoleName=ACCESS_ROLE, PolicyArn=ADMINISTRATOR_ACCESS)


def _place(org: Any, account: Account, parent_id: str) -> None:
    with step(f"placing account {account.name} in {account.parent}"):
        current = org.list_parents(ChildId=account.account_id)["Parents"][0]["Id"]
        if current != parent_id:
            org.move_account(
                AccountId=account.account_id,
                SourceParentId=current,
                DestinationParentId=parent_id,
            )


def _ensure_scps(org: Any, landscape: Landscape) -> dict[str, str]:
    existing = {p["Name"]: p["Id"] for p in list_all(org, "list_policies", "Policies", Filter=SCP)}
    return {scp.name: _ensure_scp(org, scp, existing.get(scp.name)) for scp in landscape.scps}


def _ensure_scp(org: Any, scp: ServiceControlPolicy, policy_id: str | None) -> str:
    with step(f"seeding SCP {scp.name}"):
        if scp.aws_managed:
            if policy_id is None:
                raise SeedError(f"seeding SCP {scp.name}: AWS's own policy is missing")
            return policy_id
        if policy_id is None:
            created = org.create_policy(
                Name=scp.name,
                Description=scp.description,
                Type=SCP,
                Content=scp.document.to_json(),
            )
            return str(created["Policy"]["PolicySummary"]["Id"])
        found = org.describe_policy(PolicyId=policy_id)["Policy"]
        if (
            json.loads(found["Content"]) != scp.document.document
            or found["PolicySummary"].get("Description") != scp.description
        ):
            org.update_policy(
                PolicyId=policy_id, Description=scp.description, Content=scp.document.to_json()
            )
        return policy_id


def _attach_scps(org: Any, landscape: Landscape, seeded: SeededOrganization) -> None:
    targets = [ROOT, *seeded.ou_ids, *(a.name for a in landscape.member_accounts())]
    for target in targets:
        target_id = seeded.target_id(landscape, target)
        wanted = {seeded.scp_ids[scp.name] for scp in landscape.scps_attached_to(target)}
        with step(f"attaching SCPs to {target}"):
            found = list_all(
                org, "list_policies_for_target", "Policies", TargetId=target_id, Filter=SCP
            )
            current = {p["Id"] for p in found}
            # Attach before detaching: AWS refuses to leave a target without any SCP.
            for policy_id in sorted(wanted - current):
                org.attach_policy(PolicyId=policy_id, TargetId=target_id)
            for policy_id in sorted(current - wanted):
                org.detach_policy(PolicyId=policy_id, TargetId=target_id)
