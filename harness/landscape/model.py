"""The landscape model: an organisation, its identities and resources, as loaded from fixtures.

Every value here is produced by `harness.landscape.loader.load_landscape`, which validates the
data first; code downstream (the seeder, steps, reports) may rely on these invariants:

- names are unique where AWS requires them to be (accounts, OUs, SCPs, roles and managed
  policies per account, buckets globally, …) and every reference between parts resolves;
- account ids are 12 digits; ARNs are complete (no placeholders left);
- every policy was parsed by the engine (`harness.iam.parse.parse_policy`) and is kept three
  ways: the file it came from, the resolved document, and the parsed `Policy`.

The format of the files is described in docs/landscape.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from harness.iam.policy import Policy, PolicyType
from harness.reference import default_key_policy

ROOT = "Root"
"""The name of the organisation root, as a target of SCP attachments and a parent of OUs."""

Tags = tuple[tuple[str, str], ...]
"""Tags as (key, value) pairs, in file order; `dict(tags)` gives a mapping."""


# --------------------------------------------------------------------------- policies


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    """One policy file, resolved and parsed.

    `file` is the path as read (the landscape directory joined with the path written in the
    YAML); `document` is the JSON after placeholder resolution (`{{account.prod}}` → the id),
    exactly what the seeder sends to AWS; `policy` is the engine's parse of that document.
    """

    name: str
    policy_type: PolicyType
    file: Path
    document: dict[str, Any] = field(hash=False)
    policy: Policy

    def to_json(self) -> str:
        """The document as compact JSON, as AWS APIs take it (`PolicyDocument=`, `Policy=`)."""
        return json.dumps(self.document, separators=(",", ":"))


# --------------------------------------------------------------------------- organisation


@dataclass(frozen=True, slots=True)
class Regions:
    """`home` is where regional resources are created unless they say otherwise;
    `allowed` is the data-residency allow-list that the region SCP enforces."""

    home: str
    allowed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OrganizationalUnit:
    """An OU; `parent` is `ROOT` or another OU's name. `ous` and `accounts` are the names of
    its direct children, in file order."""

    name: str
    parent: str
    ous: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True, slots=True)
class ServiceControlPolicy:
    """An SCP and where it is attached (`targets`: `ROOT`, OU names or account names).

    `aws_managed` marks AWS's own FullAWSAccess (policy id p-FullAWSAccess), which the seeder
    finds rather than creates."""

    name: str
    description: str
    document: PolicyDocument
    targets: tuple[str, ...]
    aws_managed: bool = False


@dataclass(frozen=True, slots=True)
class Organization:
    management_account: str
    ous: tuple[OrganizationalUnit, ...]
    root_accounts: tuple[str, ...]
    """Accounts placed directly under the root (usually only the management account)."""
    root_ous: tuple[str, ...]
    """OUs placed directly under the root."""
    feature_set: Literal["ALL"] = "ALL"


# --------------------------------------------------------------------------- IAM in accounts


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    """A customer managed policy created in its account. Used as a permissions policy or as a
    permissions boundary (`document.policy_type` is BOUNDARY when some role or permission set
    uses it as one)."""

    name: str
    path: str
    arn: str
    description: str
    document: PolicyDocument


@dataclass(frozen=True, slots=True)
class Role:
    """An IAM role. `managed_policies` and `permissions_boundary` are full ARNs (AWS managed
    `arn:aws:iam::aws:policy/…`, or the account's own `ManagedPolicy.arn`)."""

    name: str
    path: str
    arn: str
    description: str
    trust: PolicyDocument
    managed_policies: tuple[str, ...] = ()
    inline_policies: tuple[PolicyDocument, ...] = ()
    permissions_boundary: str | None = None
    max_session_duration: int = 3600
    tags: Tags = ()


# --------------------------------------------------------------------------- resources


@dataclass(frozen=True, slots=True)
class Bucket:
    name: str
    arn: str
    region: str
    policy: PolicyDocument | None = None
    encryption: Literal["AES256", "aws:kms"] | None = None
    """Default encryption of the bucket (SSE-S3 or SSE-KMS)."""
    versioning: bool = False
    block_public_access: bool = True
    tags: Tags = ()


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    arn: str
    region: str
    policy: PolicyDocument | None = None


@dataclass(frozen=True, slots=True)
class Queue:
    """An SQS queue; `subscriptions` names SNS topics of the same account it subscribes to."""

    name: str
    arn: str
    region: str
    policy: PolicyDocument | None = None
    subscriptions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KeyAttribute:
    name: str
    type: Literal["S", "N", "B"]


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    arn: str
    region: str
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None = None


@dataclass(frozen=True, slots=True)
class DbInstance:
    identifier: str
    arn: str
    region: str
    engine: str
    instance_class: str
    allocated_storage: int
    storage_encrypted: bool


@dataclass(frozen=True, slots=True)
class Volume:
    """An EBS volume; EBS volumes have no name, so `name` becomes its `Name` tag."""

    name: str
    region: str
    availability_zone: str
    size: int
    volume_type: str
    encrypted: bool


@dataclass(frozen=True, slots=True)
class Function:
    """A Lambda function; `role` names a role of the same account (its execution role)."""

    name: str
    arn: str
    region: str
    role: str
    runtime: str
    handler: str


@dataclass(frozen=True, slots=True)
class Trail:
    """A CloudTrail trail; `bucket_account`/`bucket` name where it delivers logs."""

    name: str
    arn: str
    region: str
    bucket_account: str
    bucket: str
    organization_trail: bool = False
    multi_region: bool = True


@dataclass(frozen=True, slots=True)
class GuardDutyDetector:
    region: str
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class ConfigRecorder:
    """An AWS Config recorder; `role` is None for the service-linked AWSServiceRoleForConfig."""

    name: str
    region: str
    role: str | None = None
    all_supported: bool = True


KMS_ALIAS_PREFIX = "alias/"
"""Every KMS alias name begins with it; `alias/aws/` is reserved for AWS managed keys.
https://docs.aws.amazon.com/kms/latest/developerguide/alias-about.html"""

@dataclass(frozen=True, slots=True)
class Key:
    """A customer managed KMS key (symmetric, for encryption and decryption) and its alias
    `alias/<name>`.

    AWS chooses a key's id when it creates the key, so no landscape can know the key's ARN
    (`arn:aws:kms:<region>:<account>:key/<key id>`). The landscape names a key by the alias it
    gives it: `arn` is the alias ARN, `arn:aws:kms:<region>:<account>:alias/<name>`, which is
    what offline analysis asks about and what callers name the key by. The key ARN is known
    once the key exists: `SeededLandscape.key_arns` after seeding.
    https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id

    `policy` is the key policy file the landscape gives (None: the key holds AWS's default key
    policy, `default_key_policy`); `key_policy` is the policy the key holds either way, parsed.
    Unlike other resource policies, a key policy must allow every use of the key, directly or
    by delegating to the account: an identity policy alone grants nothing on a key.
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
    """

    name: str
    arn: str
    region: str
    key_policy: Policy
    description: str = ""
    policy: PolicyDocument | None = None
    tags: Tags = ()

    @property
    def alias(self) -> str:
        """The alias name, `alias/<name>`: a KeyId DescribeKey and the cryptographic operations
        accept (the key's management operations take only its key id or key ARN)."""
        return f"{KMS_ALIAS_PREFIX}{self.name}"

    @property
    def account_id(self) -> str:
        return self.arn.split(":")[4]

    @property
    def stand_in_arn(self) -> str:
        """The key ARN offline analysis asks about before the key exists, the key's name in
        place of its id: `arn:aws:kms:<region>:<account>:key/<name>`. KMS authorises every use
        of a key on the key's ARN, never the alias's, so a statement naming `key/*` applies to
        it as to the real key, and a statement naming only the alias ARN does not.
        https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html
        """
        return self.arn.replace(f":{KMS_ALIAS_PREFIX}", ":key/", 1)

    def policy_json(self) -> str:
        """The key policy as compact JSON, as CreateKey and PutKeyPolicy take it: the
        landscape's document, or AWS's default key policy for the account."""
        if self.policy is not None:
            return self.policy.to_json()
        document = default_key_policy(self.arn.split(":")[1], self.account_id)
        return json.dumps(document, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class Resources:
    buckets: tuple[Bucket, ...] = ()
    topics: tuple[Topic, ...] = ()
    queues: tuple[Queue, ...] = ()
    keys: tuple[Key, ...] = ()
    tables: tuple[Table, ...] = ()
    db_instances: tuple[DbInstance, ...] = ()
    volumes: tuple[Volume, ...] = ()
    functions: tuple[Function, ...] = ()
    trails: tuple[Trail, ...] = ()
    guardduty_detectors: tuple[GuardDutyDetector, ...] = ()
    config_recorders: tuple[ConfigRecorder, ...] = ()


# --------------------------------------------------------------------------- accounts


@dataclass(frozen=True, slots=True)
class Account:
    """An AWS account. Members of the organisation have `parent` (`ROOT` or an OU name);
    accounts outside it (`external`) have `parent` None."""

    name: str
    account_id: str
    email: str
    parent: str | None
    external: bool = False
    description: str = ""
    managed_policies: tuple[ManagedPolicy, ...] = ()
    roles: tuple[Role, ...] = ()
    resources: Resources = field(default_factory=Resources)

    @property
    def root_arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:root"

    def role(self, name: str) -> Role:
        for role in self.roles:
            if role.name == name:
                return role
        raise KeyError(f"no role {name!r} in account {self.name!r}")

    def managed_policy(self, name: str) -> ManagedPolicy:
        for policy in self.managed_policies:
            if policy.name == name:
                return policy
        raise KeyError(f"no managed policy {name!r} in account {self.name!r}")


# --------------------------------------------------------------------------- identity center


@dataclass(frozen=True, slots=True)
class IdentityProvider:
    """The emulated external IdP (standing in for Okta / Azure AD) that Identity Center trusts.

    `saml_provider_name` is the IAM SAML provider the seeder creates in each account that has
    an assignment; the provisioned `AWSReservedSSO_*` roles trust it."""

    name: str
    protocol: Literal["SAML", "OIDC"]
    issuer: str
    saml_provider_name: str


@dataclass(frozen=True, slots=True)
class User:
    user_name: str
    display_name: str
    email: str
    groups: tuple[str, ...]
    mfa: bool
    """MFA enrolled at the IdP; sessions of users without it carry MultiFactorAuthPresent false."""


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    description: str
    members: tuple[str, ...]
    """User names, derived from the users' `groups`."""


@dataclass(frozen=True, slots=True)
class CustomerManagedPolicyRef:
    """A reference, by name and path, to a customer managed policy that must exist in every
    account the permission set is provisioned to (as Identity Center requires)."""

    name: str
    path: str = "/"


@dataclass(frozen=True, slots=True)
class PermissionSet:
    """An Identity Center permission set. Provisioning creates, in each assigned account, a role
    `AWSReservedSSO_<name>_<suffix>` under `SSO_ROLE_PATH` trusting the SAML provider, with
    these policies and `session_duration` (ISO 8601, e.g. PT8H) as its max session duration."""

    name: str
    description: str
    session_duration: str
    managed_policies: tuple[str, ...] = ()
    """AWS managed policy ARNs."""
    customer_managed_policies: tuple[CustomerManagedPolicyRef, ...] = ()
    inline_policy: PolicyDocument | None = None
    permissions_boundary: CustomerManagedPolicyRef | None = None

    @property
    def session_seconds(self) -> int:
        return iso8601_seconds(self.session_duration)


SSO_ROLE_PATH = "/aws-reserved/sso.amazonaws.com/"
SSO_ROLE_PREFIX = "AWSReservedSSO_"


@dataclass(frozen=True, slots=True)
class Assignment:
    """One account assignment: a group (or user) gets a permission set in one account."""

    permission_set: str
    principal_type: Literal["GROUP", "USER"]
    principal: str
    account: str


@dataclass(frozen=True, slots=True)
class IdentityCenter:
    identity_provider: IdentityProvider | None
    """None when the landscape has no identity-center.yaml: no IdP, users or permission sets."""
    users: tuple[User, ...]
    groups: tuple[Group, ...]
    permission_sets: tuple[PermissionSet, ...]
    assignments: tuple[Assignment, ...]

    def provider(self) -> IdentityProvider:
        """The IdP; only a landscape with identity-center.yaml has one (and only it has
        assignments, which are what need it)."""
        if self.identity_provider is None:
            raise LookupError("the landscape has no Identity Center (no identity-center.yaml)")
        return self.identity_provider

    def user(self, user_name: str) -> User:
        for user in self.users:
            if user.user_name == user_name:
                return user
        raise KeyError(f"no user {user_name!r}")

    def permission_set(self, name: str) -> PermissionSet:
        for permission_set in self.permission_sets:
            if permission_set.name == name:
                return permission_set
        raise KeyError(f"no permission set {name!r}")


# --------------------------------------------------------------------------- the landscape


@dataclass(frozen=True, slots=True)
class Landscape:
    name: str
    description: str
    directory: Path
    regions: Regions
    organization: Organization
    accounts: tuple[Account, ...]
    """Organisation members (management first, then in tree order), then external accounts."""
    scps: tuple[ServiceControlPolicy, ...]
    identity_center: IdentityCenter

    def account(self, name: str) -> Account:
        for account in self.accounts:
            if account.name == name:
                return account
        raise KeyError(f"no account {name!r}")

    def account_by_id(self, account_id: str) -> Account:
        for account in self.accounts:
            if account.account_id == account_id:
                return account
        raise KeyError(f"no account with id {account_id!r}")

    def ou(self, name: str) -> OrganizationalUnit:
        for ou in self.organization.ous:
            if ou.name == name:
                return ou
        raise KeyError(f"no OU {name!r}")

    def scp(self, name: str) -> ServiceControlPolicy:
        for scp in self.scps:
            if scp.name == name:
                return scp
        raise KeyError(f"no SCP {name!r}")

    def member_accounts(self) -> tuple[Account, ...]:
        return tuple(account for account in self.accounts if not account.external)

    def scps_attached_to(self, target: str) -> tuple[ServiceControlPolicy, ...]:
        """SCPs attached directly to `target` (`ROOT`, an OU name or an account name)."""
        return tuple(scp for scp in self.scps if target in scp.targets)

    def ancestry(self, account: str) -> tuple[str, ...]:
        """The SCP evaluation path of a member account: `ROOT`, the OUs down to it, the account
        itself. SCPs must allow an action at every one of these levels."""
        parent = self.account(account).parent
        if parent is None:
            raise KeyError(f"account {account!r} is outside the organisation")
        chain = [account]
        while parent != ROOT:
            chain.append(parent)
            parent = self.ou(parent).parent
        chain.append(ROOT)
        return tuple(reversed(chain))

    def policies(self) -> Iterator[PolicyDocument]:
        """Every policy document of the landscape, each once per place it is used (a key's
        default key policy is written in no file, and is not among them)."""
        for scp in self.scps:
            yield scp.document
        for permission_set in self.identity_center.permission_sets:
            if permission_set.inline_policy is not None:
                yield permission_set.inline_policy
        for account in self.accounts:
            for managed in account.managed_policies:
                yield managed.document
            for role in account.roles:
                yield role.trust
                yield from role.inline_policies
            resources = account.resources
            holders: tuple[Bucket | Topic | Queue | Key, ...] = (
                *resources.buckets,
                *resources.topics,
                *resources.queues,
                *resources.keys,
            )
            for holder in holders:
                if holder.policy is not None:
                    yield holder.policy


def iso8601_seconds(duration: str) -> int:
    """Seconds of an ISO 8601 duration of hours/minutes (`PT1H`, `PT12H`, `PT90M`)."""
    text = duration.upper()
    if not text.startswith("PT") or len(text) < 4:
        raise ValueError(f"not an ISO 8601 duration of hours/minutes: {duration!r}")
    total, number = 0, ""
    for char in text[2:]:
        if char.isdigit():
            number += char
        elif char in "HMS" and number:
            total += int(number) * {"H": 3600, "M": 60, "S": 1}[char]
            number = ""
        else:
            raise ValueError(f"not an ISO 8601 duration of hours/minutes: {duration!r}")
    if number:
        raise ValueError(f"not an ISO 8601 duration of hours/minutes: {duration!r}")
    return total
