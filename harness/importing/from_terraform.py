"""A landscape draft from a Terraform plan (`terraform show -json`): the organisation (OUs,
accounts, SCPs and their attachments) and each account's IAM roles and managed policies.

Which account a resource is in comes from the provider it goes through: the account id in its
provider's `assume_role.role_arn`; a provider that assumes no role acts as the caller, which
`Options.default_account` names (the management account, by default). Every resource the
landscape format does not hold, and every value Terraform knows only after apply that the
landscape needs, is in the draft's report; nothing is guessed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.importing.draft import Account, Draft, ImportFailed
from harness.importing.report import Read, Skipped, Unknown
from harness.importing.terraform_plan import Plan, PlannedResource, UnknownValue
from harness.importing.terraform_resources import import_resources

ROOT = "Root"
_ACCOUNT_IN_PRINCIPAL = re.compile(r"^(?:arn:aws[\w-]*:(?:iam|sts)::(\d{12}):|(\d{12})$)")
FULL_AWS_ACCESS = "FullAWSAccess"
FULL_AWS_ACCESS_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


@dataclass(frozen=True)
class Options:
    name: str
    home_region: str
    allowed_regions: tuple[str, ...]
    management: Account | None = None
    """The management account, when the plan does not say it (a new organisation's is the
    caller, whom a plan does not name)."""
    account_ids: Mapping[str, str] = field(default_factory=dict)
    """Account name -> id, for accounts the plan creates (their ids are known after apply)."""
    default_account: str | None = None
    """The account of resources whose provider assumes no role (default: the management)."""


class TerraformImport:
    """One plan being imported: the draft, and what of the plan it holds so far."""

    def __init__(self, plan: Plan, options: Options) -> None:
        self.plan = plan
        self.options = options
        self.draft = Draft(options.name, options.home_region, list(options.allowed_regions))
        self.draft.report.sources.append(str(plan.file))
        self.handled: set[str] = set()
        self.account_by_id: dict[str, str] = {}
        self.policy_by_address: dict[str, dict[str, Any]] = {}

    # ------------------------------------------------------------------ helpers

    def read(self, resource: PlannedResource, becomes: str) -> None:
        self.handled.add(resource.address)
        self.draft.report.read.append(Read(resource.address, becomes))

    def unknown(self, resource: PlannedResource, attribute: str, consequence: str) -> None:
        self.handled.add(resource.address)
        self.draft.report.unknown.append(Unknown(resource.address, attribute, consequence))

    def document(self, resource: PlannedResource, attribute: str) -> Any:
        """The JSON policy document in `attribute`; ImportFailed naming the address when it is
        not JSON."""
        text = resource.value(attribute)
        try:
            return json.loads(text)
        except (TypeError, json.JSONDecodeError, RecursionError) as error:
            raise ImportFailed(f"{self.plan.file}: {resource.address}.{attribute}: not a JSON "
                               f"policy document: {error}") from error

    # ------------------------------------------------------------------ the organisation

    def organization(self) -> None:
        management = self.options.management
        for org in self.plan.of_type("aws_organizations_organization"):
            if management is None and org.known("master_account_id"):
                management = Account(str(org.value("master_account_name") or "management"),
                                     str(org.value("master_account_id")),
                                     str(org.value("master_account_email") or ""))
            self.read(org, "organization.yaml")
        if management is None:
            raise ImportFailed(f"{self.plan.file}: the management account is not in the plan "
                               "(a new organisation's is the caller): name it with "
                               "--management NAME=ID,EMAIL")
        self.draft.management_account = management.name
        self.draft.accounts[management.name] = management
        self.draft.account_parents[management.name] = ROOT
        self.account_by_id[management.account_id] = management.name
        for unit in self.plan.of_type("aws_organizations_organizational_unit"):
            name = str(unit.value("name"))
            self.draft.ous[name] = {"parent": self.parent(unit)}
            self.read(unit, f"organization.yaml OU {name}")
        for account in self.plan.of_type("aws_organizations_account"):
            self.member_account(account)

    def parent(self, resource: PlannedResource) -> str:
        """Root or the name of the OU `resource`'s parent_id refers to."""
        targets = self.plan.referenced(resource, "parent_id")
        for target in targets:
            if target.type == "aws_organizations_organization":
                return ROOT
            if target.type == "aws_organizations_organizational_unit":
                return str(target.value("name"))
        if resource.known("parent_id"):
            parent_id = str(resource.value("parent_id"))
            if parent_id.startswith("r-"):
                return ROOT
            for unit in self.plan.of_type("aws_organizations_organizational_unit"):
                if unit.known("id") and unit.value("id") == parent_id:
                    return str(unit.value("name"))
        raise ImportFailed(f"{self.plan.file}: {resource.address}.parent_id: neither a root nor "
                           "an OU of the plan")

    def member_account(self, account: PlannedResource) -> None:
        name = str(account.value("name"))
        if account.known("id"):
            account_id = str(account.value("id"))
        elif name in self.options.account_ids:
            account_id = self.options.account_ids[name]
        else:
            raise ImportFailed(f"{self.plan.file}: {account.address}.id: known only after apply; "
                               f"give the account's id with --account-id {name}=ID")
        self.draft.accounts[name] = Account(name, account_id, str(account.value("email")))
        self.draft.account_parents[name] = self.parent(account)
        self.account_by_id[account_id] = name
        self.read(account, f"organization.yaml account {name}")

    def scps(self) -> None:
        self.each("aws_organizations_policy", self.scp, "the policy is not imported")
        for attachment in self.plan.of_type("aws_organizations_policy_attachment"):
            self.scp_attachment(attachment)
        self.full_aws_access()

    def scp(self, policy: PlannedResource) -> None:
        kind = policy.value("type") or "SERVICE_CONTROL_POLICY"
        if kind != "SERVICE_CONTROL_POLICY":
            self.skip(policy, "only service control policies are in the landscape format",
                      kind=f"aws_organizations_policy ({kind})")
            return
        name = str(policy.value("name"))
        document = self.document(policy, "content")
        entry: dict[str, Any] = {"name": name}
        if policy.value("description"):
            entry["description"] = str(policy.value("description"))
        entry["file"] = self.draft.policy_file("scp", name, document)
        entry["attach_to"] = []
        self.draft.scps.append(entry)
        self.policy_by_address[policy.configuration_address] = entry
        self.read(policy, f"organization.yaml SCP {name}")

    def full_aws_access(self) -> None:
        """AWS attaches its FullAWSAccess SCP to the root, every OU and every account as soon
        as SCPs are enabled, and to every OU and account created later; a plan does not show it.
        https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html"""
        if any(entry["name"] == FULL_AWS_ACCESS for entry in self.draft.scps):
            return
        targets = [ROOT, *self.draft.ous, *self.draft.account_parents]
        self.draft.scps.insert(0, {
            "name": FULL_AWS_ACCESS,
            "aws_managed": True,
            "description": "AWS's allow-all SCP, attached by AWS at every level.",
            "file": self.draft.policy_file("scp", "full-aws-access", FULL_AWS_ACCESS_DOCUMENT),
            "attach_to": targets,
        })
        self.draft.report.read.append(Read(
            "(AWS) FullAWSAccess", "organization.yaml SCP FullAWSAccess, attached at every "
            "level as AWS attaches it when SCPs are enabled"))

    def scp_attachment(self, attachment: PlannedResource) -> None:
        policies = [self.policy_by_address[r.configuration_address]
                    for r in self.plan.referenced(attachment, "policy_id")
                    if r.configuration_address in self.policy_by_address]
        if len(policies) != 1:
            self.skip(attachment, "its policy_id is not one SCP of the plan")
            return
        target = self.target(attachment)
        policies[0]["attach_to"].append(target)
        self.read(attachment, f"organization.yaml SCP {policies[0]['name']} attached to {target}")

    def target(self, attachment: PlannedResource) -> str:
        for resource in self.plan.referenced(attachment, "target_id"):
            if resource.type == "aws_organizations_organizational_unit":
                return str(resource.value("name"))
            if resource.type == "aws_organizations_account":
                return str(resource.value("name"))
            if resource.type == "aws_organizations_organization":
                return ROOT
        if attachment.known("target_id"):
            target_id = str(attachment.value("target_id"))
            if target_id.startswith("r-"):
                return ROOT
            if target_id in self.account_by_id:
                return self.account_by_id[target_id]
        raise ImportFailed(f"{self.plan.file}: {attachment.address}.target_id: neither the root, "
                           "an OU nor an account of the plan")

    # ------------------------------------------------------------------ IAM

    def account_of(self, resource: PlannedResource) -> str:
        account_id = self.plan.account_id(resource)
        if account_id is None:
            name = self.options.default_account or self.draft.management_account
            if name is None:
                raise ImportFailed(f"{self.plan.file}: {resource.address}: its provider "
                                   f"{resource.provider_key!r} assumes no role")
            if name not in self.draft.accounts:
                raise ImportFailed(f"--default-account {name}: not an account of the plan "
                                   f"({', '.join(sorted(self.draft.accounts))})")
            return name
        if account_id not in self.account_by_id:
            raise ImportFailed(f"{self.plan.file}: {resource.address}: its provider "
                               f"{resource.provider_key!r} acts in account {account_id}, which "
                               "is not an account of the organisation")
        return self.account_by_id[account_id]

    def each(self, resource_type: str, handle: Callable[[PlannedResource], None],
             consequence: str) -> None:
        """`handle` every resource of the type; one that needs a value known only after apply
        is reported with `consequence`, not imported."""
        for resource in self.plan.of_type(resource_type):
            try:
                handle(resource)
            except UnknownValue as error:
                self.unknown(resource, error.attribute, consequence)

    def managed_policies(self) -> None:
        self.each("aws_iam_policy", self.managed_policy, "the policy is not imported")

    def managed_policy(self, policy: PlannedResource) -> None:
        account = self.account_of(policy)
        name = str(policy.value("name"))
        document = self.document(policy, "policy")
        entry = _iam_entry(policy, name)
        entry["file"] = self.draft.policy_file("iam", f"{account}-{name}", document)
        self.draft.section(account, "managed_policies").append(entry)
        self.read(policy, f"accounts/{account}.yaml managed_policies[{name}]")

    def roles(self) -> None:
        self.each("aws_iam_role", self.role, "the role is not imported")
        for inline in self.plan.of_type("aws_iam_role_policy"):
            self.attach(inline, self.attach_inline)
        for attachment in self.plan.of_type("aws_iam_role_policy_attachment"):
            self.attach(attachment, self.attach_managed)

    def role(self, role: PlannedResource) -> None:
        account = self.account_of(role)
        name = str(role.value("name"))
        trust = self.document(role, "assume_role_policy")
        boundary = self.policy_reference(role, "permissions_boundary", account)
        entry = _iam_entry(role, name)
        entry["trust"] = self.draft.policy_file("trust", f"{account}-{name}", trust)
        if boundary is not None:
            entry["permissions_boundary"] = boundary
        if role.value("max_session_duration") not in (None, 3600):
            entry["max_session_duration"] = role.value("max_session_duration")
        if role.value("tags"):
            entry["tags"] = dict(role.value("tags"))
        self.draft.section(account, "roles").append(entry)
        self.read(role, f"accounts/{account}.yaml roles[{name}]")

    def attach_inline(self, entry: dict[str, Any], inline: PlannedResource, _: str) -> None:
        name = str(inline.value("name"))
        document = self.document(inline, "policy")
        entry.setdefault("inline_policies", []).append({
            "name": name,
            "file": self.draft.policy_file("iam", f"{entry['name']}-{name}", document),
        })

    def attach_managed(self, entry: dict[str, Any], attachment: PlannedResource,
                       account: str) -> None:
        policy = self.policy_reference(attachment, "policy_arn", account)
        if policy is None:
            raise UnknownValue(attachment.address, "policy_arn")
        entry.setdefault("managed_policies", []).append(policy)

    def policy_reference(self, resource: PlannedResource, attribute: str, account: str
                         ) -> str | None:
        """How the landscape names the managed policy `attribute` holds (an ARN): an AWS managed
        policy by its ARN, one of `account`'s by its name; None when unset. The ARN of a policy
        the plan creates is known only after apply: the reference to it is followed instead."""
        if resource.known(attribute):
            arn = resource.value(attribute)
            if not arn:
                return None
            return self.policy_name(resource, attribute, str(arn), account)
        policies = [r for r in self.plan.referenced(resource, attribute)
                    if r.type == "aws_iam_policy"]
        if len(policies) != 1:
            raise UnknownValue(resource.address, attribute)
        return str(policies[0].value("name"))

    def policy_name(self, resource: PlannedResource, attribute: str, arn: str, account: str
                    ) -> str:
        if arn.startswith("arn:aws:iam::aws:policy/"):
            return arn
        account_id = self.draft.accounts[account].account_id
        prefix = f"arn:aws:iam::{account_id}:policy/"
        if not arn.startswith(prefix):
            raise ImportFailed(f"{self.plan.file}: {resource.address}.{attribute}: {arn} is "
                               f"neither an AWS managed policy nor a policy of account "
                               f"{account} ({account_id})")
        return arn[len(prefix):].rsplit("/", 1)[-1]

    def attach(self, resource: PlannedResource,
               change: Callable[[dict[str, Any], PlannedResource, str], None]) -> None:
        """Apply `change` to the role entry `resource`'s `role` names (and its account)."""
        account = self.account_of(resource)
        role_name: str | None = None
        if resource.known("role"):
            role_name = str(resource.value("role"))
        else:
            roles = [r for r in self.plan.referenced(resource, "role") if r.type == "aws_iam_role"]
            if len(roles) == 1:
                role_name = str(roles[0].value("name"))
        entry = next((r for r in self.draft.section(account, "roles")
                      if r["name"] == role_name), None)
        if entry is None:
            self.unknown(resource, "role", "not imported: its role is not a role of the plan")
            return
        try:
            change(entry, resource, account)
        except UnknownValue as error:
            self.unknown(resource, error.attribute, "not imported")
            return
        self.read(resource, f"accounts/{account}.yaml roles[{role_name}]")

    def region_of(self, resource: PlannedResource) -> str:
        """The region of `resource`'s provider (the home region when it names none)."""
        provider = self.plan.providers.get(resource.provider_key)
        if provider is not None and provider.region:
            return provider.region
        return self.draft.home_region

    def skip(self, resource: PlannedResource, why: str, kind: str | None = None) -> None:
        self.handled.add(resource.address)
        self.draft.report.skipped.append(Skipped(resource.address, kind or resource.type, why))

    # ------------------------------------------------------------------ the rest

    def outside_accounts(self) -> None:
        """Accounts the policies name as principals but the plan does not hold become external
        accounts (the landscape knows every account a policy names): reported, as they may
        be members the plan does not manage, which an external account is not."""
        known = {account.account_id for account in self.draft.accounts.values()}
        for relative, document in sorted(self.draft.policies.items()):
            for account_id in sorted(_principal_accounts(document) - known):
                name = f"external-{account_id}"
                self.draft.accounts[name] = Account(
                    name, account_id, f"{account_id}@external.invalid",
                    "Named by a policy; not an account of the plan.")
                self.draft.external_accounts.append(name)
                known.add(account_id)
                self.draft.report.read.append(Read(
                    f"{relative} (a principal)", f"organization.yaml external account {name}: "
                    "the plan does not hold it; if it is a member account, import the plan "
                    "that does"))

    def skipped(self) -> None:
        for resource in self.plan.resources:
            if resource.address not in self.handled:
                self.skip(resource, "not imported: the landscape format has no place for it, "
                          "or its importer is not written yet")


def _iam_entry(resource: PlannedResource, name: str) -> dict[str, Any]:
    """The landscape entry of an IAM role or policy: its name, and its path and description
    when set."""
    entry: dict[str, Any] = {"name": name}
    if resource.value("path") not in (None, "/"):
        entry["path"] = resource.value("path")
    if resource.value("description"):
        entry["description"] = resource.value("description")
    return entry


def _principal_accounts(document: Any) -> set[str]:
    """The account ids in the Principal / NotPrincipal elements of a policy document."""
    found: set[str] = set()
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict):
            continue
        for key in ("Principal", "NotPrincipal"):
            principal = statement.get(key)
            values = principal.get("AWS", []) if isinstance(principal, dict) else []
            for value in values if isinstance(values, list) else [values]:
                match = _ACCOUNT_IN_PRINCIPAL.match(str(value))
                if match:
                    found.add(match.group(1) or match.group(2))
    return found


def import_plan(plan: Plan, options: Options) -> Draft:
    """The landscape draft of `plan` (raises ImportFailed naming the address and field of what
    it cannot read)."""
    importer = TerraformImport(plan, options)
    importer.organization()
    importer.scps()
    importer.managed_policies()
    importer.roles()
    import_resources(importer)
    importer.outside_accounts()
    importer.skipped()
    return importer.draft
