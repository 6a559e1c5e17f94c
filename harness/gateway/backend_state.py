"""What the backend holds that a decision needs, read through the AWS APIs and cached.

Identity policies (inline and managed, of a role or of a user and its groups), permissions
boundaries, role tags and trust policies, the organisation (SCPs and RCPs along an account's
path, the management account, the org id and paths), and resource-based policies (S3, SNS, SQS,
Lambda, KMS), resource tags (aws:ResourceTag: SQS, SNS, DynamoDB, IAM, Lambda, KMS) and the keys
KMS aliases point to. The cache is dropped whenever a request that can change any of it passes
through the gateway (`invalidate`), so a scenario that edits a policy sees the new decision next
call. What was read while the backend was at its reset point (the seeded state) is kept apart:
when the backend is restored to that point (`restored`), it holds again, byte for byte, so the
next scenario does not read the organisation and its policies through the APIs once more.

Policies that the backend holds but the engine cannot parse raise `BackendStateError`; the gateway
denies the request naming the policy (fail closed). A *resource* policy the engine cannot read
is the exception (`unreadable_stand_in`): it must not lock its owner out of the very calls that
replace or delete it, so it is read as a stand-in that sets it aside for those calls alone and
denies every other one.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import unquote

from botocore.exceptions import ClientError

from harness.authorization.source import Organization
from harness.gateway.backend import BackendAccess, paginated
from harness.iam.errors import PolicyValidationError
from harness.iam.json_reader import MAX_DOCUMENT_CHARS
from harness.iam.parse import parse_policy
from harness.iam.policy import Policy, PolicyType

T = TypeVar("T")

_SCP = "SERVICE_CONTROL_POLICY"
_RCP = "RESOURCE_CONTROL_POLICY"


class BackendStateError(RuntimeError):
    """The backend's state could not be read or understood; the request is denied."""


class UnreadablePolicy(BackendStateError):
    """The backend holds a policy the engine cannot parse (AWS would have refused it)."""

    def __init__(self, error: PolicyValidationError) -> None:
        super().__init__(f"the backend holds a policy the engine cannot read: {error}")
        self.problem = str(error.in_policy(""))
        """What is wrong, without the policy's name: 'MalformedPolicyDocument: … at …'."""


@dataclass(frozen=True, slots=True)
class Identity:
    """The policies of an IAM role or user, and its tags."""

    policies: tuple[Policy, ...]
    boundary: Policy | None
    tags: tuple[tuple[str, str], ...]
    max_session_duration: int = 3600


class BackendState:
    """The backend's policies, identities, organisation and resources, as decisions need them:
    read through `access`, cached until `invalidate` (see the module doc)."""

    def __init__(self, access: BackendAccess) -> None:
        self.access = access
        self._cache: dict[tuple[str, ...], Any] = {}
        self._lock = threading.Lock()
        # Bumped by every invalidation: a value loaded while a write passed through may be
        # stale, and must not be cached (it is still returned to the request that read it).
        self._generation = 0
        # What was read at the reset point; None while the backend may be elsewhere (nothing
        # declared a reset point yet, or a write passed since).
        self._at_reset_point: dict[tuple[str, ...], Any] | None = None
        self._reset_point: dict[tuple[str, ...], Any] = {}

    def reset_point(self) -> None:
        """The backend's state now is what a reset restores (a snapshot was just taken):
        forget everything read before, and keep what is read from now on for `restored`."""
        with self._lock:
            self._generation += 1
            self._cache.clear()
            self._reset_point = {}
            self._at_reset_point = self._reset_point

    def restored(self) -> None:
        """The backend was restored to the reset point: what was read there holds again."""
        with self._lock:
            self._generation += 1
            self._cache = dict(self._reset_point)
            self._at_reset_point = self._reset_point

    def invalidate(self, service: str | None = None) -> None:
        """Forget what a write to `service` may have changed (everything when None). Reads
        under way when it happens are not cached (the generation moves on), and the backend is
        no longer at its reset point."""
        with self._lock:
            self._generation += 1
            self._at_reset_point = None
            if service is None:
                self._cache.clear()
                return
            kinds = _KINDS_CHANGED_BY.get(service, ())
            for key in [k for k in self._cache if k[0] in kinds or
                        (k[0] in _PER_SERVICE_KINDS and k[1] == service)]:
                del self._cache[key]

    def _cached(self, key: tuple[str, ...], load: Callable[[], T]) -> T:
        with self._lock:
            if key in self._cache:
                found: T = self._cache[key]
                return found
            generation = self._generation
        value = load()
        with self._lock:
            if generation == self._generation:
                self._cache[key] = value
                if self._at_reset_point is not None:
                    self._at_reset_point[key] = value
        return value

    # ------------------------------------------------------------------ identities

    def role(self, role_arn: str) -> Identity:
        return self._cached(("role", role_arn), lambda: self._load_role(role_arn))

    def role_trust(self, role_arn: str) -> Policy | None:
        return self._cached(("trust", role_arn), lambda: self._load_trust(role_arn))

    def user(self, user_arn: str) -> Identity:
        return self._cached(("user", user_arn), lambda: self._load_user(user_arn))

    def _load_role(self, role_arn: str) -> Identity:
        account, name = _account_and_name(role_arn)
        iam = self.access.client(account, "iam")
        role = _call(f"reading role {role_arn}", lambda: iam.get_role(RoleName=name))["Role"]
        inline = [
            self._parse(iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"],
                        PolicyType.IDENTITY, inline_policy_name(role_arn, p))
            for p in paginated(iam, "list_role_policies", "PolicyNames", RoleName=name)
        ]
        managed = [
            self.managed_policy(account, attached["PolicyArn"], PolicyType.IDENTITY)
            for attached in paginated(iam, "list_attached_role_policies", "AttachedPolicies",
                                      RoleName=name)
        ]
        boundary_arn = role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
        return Identity(
            policies=(*inline, *managed),
            boundary=(self.managed_policy(account, boundary_arn, PolicyType.BOUNDARY)
                      if boundary_arn else None),
            tags=tuple((t["Key"], t["Value"]) for t in role.get("Tags", [])),
            max_session_duration=int(role.get("MaxSessionDuration", 3600)),
        )

    def _load_trust(self, role_arn: str) -> Policy | None:
        account, name = _account_and_name(role_arn)
        iam = self.access.client(account, "iam")
        try:
            role = iam.get_role(RoleName=name)["Role"]
        except ClientError as error:
            if error.response["Error"]["Code"] == "NoSuchEntity":
                return None
            raise BackendStateError(f"reading role {role_arn}: {error}") from error
        return self._parse(role["AssumeRolePolicyDocument"], PolicyType.TRUST,
                           f"{role_arn} trust policy")

    def _load_user(self, user_arn: str) -> Identity:
        account, name = _account_and_name(user_arn)
        iam = self.access.client(account, "iam")
        user = _call(f"reading user {user_arn}", lambda: iam.get_user(UserName=name))["User"]
        policies = [
            self._parse(iam.get_user_policy(UserName=name, PolicyName=p)["PolicyDocument"],
                        PolicyType.IDENTITY, inline_policy_name(user_arn, p))
            for p in paginated(iam, "list_user_policies", "PolicyNames", UserName=name)
        ]
        policies += [
            self.managed_policy(account, a["PolicyArn"], PolicyType.IDENTITY)
            for a in paginated(iam, "list_attached_user_policies", "AttachedPolicies",
                               UserName=name)
        ]
        for group in paginated(iam, "list_groups_for_user", "Groups", UserName=name):
            group_name = group["GroupName"]
            policies += [
                self._parse(iam.get_group_policy(GroupName=group_name, PolicyName=p)[
                    "PolicyDocument"], PolicyType.IDENTITY, inline_policy_name(group["Arn"], p))
                for p in paginated(iam, "list_group_policies", "PolicyNames", GroupName=group_name)
            ]
            policies += [
                self.managed_policy(account, a["PolicyArn"], PolicyType.IDENTITY)
                for a in paginated(iam, "list_attached_group_policies", "AttachedPolicies",
                                   GroupName=group_name)
            ]
        boundary_arn = user.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
        return Identity(
            policies=tuple(policies),
            boundary=(self.managed_policy(account, boundary_arn, PolicyType.BOUNDARY)
                      if boundary_arn else None),
            tags=tuple((t["Key"], t["Value"]) for t in user.get("Tags", [])),
        )

    def user_details(self, account: str, user_name: str) -> tuple[str, str]:
        """(ARN, unique id) of a user of `account`."""
        iam = self.access.client(account, "iam")
        user = _call(f"reading user {user_name}", lambda: iam.get_user(UserName=user_name))
        return user["User"]["Arn"], user["User"]["UserId"]

    def managed_policy_text(self, account: str, arn: str) -> str:
        """The default version of a managed policy, as JSON text (for session policies)."""
        iam = self.access.client(account, "iam")
        policy = _call(f"reading policy {arn}", lambda: iam.get_policy(PolicyArn=arn))["Policy"]
        version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
        return _document_text(version["PolicyVersion"]["Document"])

    def managed_policy(self, account: str, arn: str, policy_type: PolicyType) -> Policy:
        """The default version of a managed policy (AWS managed ones too: every account has
        them)."""
        return self._cached(("managed", account, arn, policy_type.name),
                            lambda: self._load_managed(account, arn, policy_type))

    def _load_managed(self, account: str, arn: str, policy_type: PolicyType) -> Policy:
        return self._parse(self.managed_policy_text(account, arn), policy_type, arn)

    # ------------------------------------------------------------------ organisation

    def organization(self, account: str) -> Organization | None:
        """None when the account belongs to no organisation."""
        return self._cached(("org", account), lambda: self._load_organization(account))

    def _load_organization(self, account: str) -> Organization | None:
        org_client = self.access.client(account, "organizations")
        try:
            described = org_client.describe_organization()["Organization"]
        except ClientError as error:
            if error.response["Error"]["Code"] == "AWSOrganizationsNotInUseException":
                return None
            raise BackendStateError(
                f"reading the organisation of account {account}: {error}") from error
        management = described["MasterAccountId"]
        orgs = self.access.client(management, "organizations")
        path = [account]
        child = account
        while True:
            try:
                parents: list[dict[str, str]] = orgs.list_parents(ChildId=child)["Parents"]
            except ClientError as error:
                raise BackendStateError(f"reading the parents of {child}: {error}") from error
            if not parents:
                break
            child = parents[0]["Id"]
            path.append(child)
            if parents[0]["Type"] == "ROOT":
                break
        return Organization(described["Id"], management, tuple(reversed(path)))

    def scps(self, account: str) -> tuple[tuple[Policy, ...], ...] | None:
        return self._org_policies(account, _SCP, PolicyType.SCP)

    def rcps(self, account: str) -> tuple[tuple[Policy, ...], ...] | None:
        return self._org_policies(account, _RCP, PolicyType.RCP)

    def _org_policies(self, account: str, kind: str, policy_type: PolicyType
                      ) -> tuple[tuple[Policy, ...], ...] | None:
        organization = self.organization(account)
        if organization is None:
            return None
        return self._cached(
            ("org-policies", kind, account),
            lambda: tuple(self._attached(organization.management_account, target, kind,
                                         policy_type) for target in organization.path),
        )

    def _attached(self, management: str, target: str, kind: str, policy_type: PolicyType
                  ) -> tuple[Policy, ...]:
        orgs = self.access.client(management, "organizations")
        try:
            listed = paginated(orgs, "list_policies_for_target", "Policies", TargetId=target,
                               Filter=kind)
        except ClientError as error:
            if kind == _RCP:  # a backend without RCPs has none attached
                return ()
            raise BackendStateError(f"reading {kind} of {target}: {error}") from error
        policies = []
        for summary in listed:
            content = orgs.describe_policy(PolicyId=summary["Id"])["Policy"]["Content"]
            policies.append(self._parse(content, policy_type, summary["Arn"]))
        return tuple(policies)

    def iam_arn(self, arn: str, accounts: tuple[str, ...]) -> str:
        """The ARN of an existing role, user or group with its path. IAM calls name an entity
        without its path and the mapping assumes "/" — but a policy naming
        role/aws-reserved/* must match AWSReservedSSO_… roles. Any other ARN, or an entity the
        backend does not hold (yet: CreateRole; or of an account outside `accounts`), is
        returned as given."""
        match = _PATHLESS_IAM_ARN.fullmatch(arn)
        if match is None or match["account"] not in accounts:
            return arn
        return self._cached(("iam-path", arn), lambda: self._load_iam_arn(arn, match))

    def _load_iam_arn(self, arn: str, match: re.Match[str]) -> str:
        account, kind, name = match["account"], match["kind"], match["name"]
        iam = self.access.client(account, "iam")
        getter, key = _IAM_GETTERS[kind]
        try:
            found: dict[str, Any] = getattr(iam, getter)(**{f"{key}Name": name})[key]
        except ClientError as error:
            if error.response["Error"]["Code"] == "NoSuchEntity":
                return arn
            raise BackendStateError(f"reading {kind} {name} of {account}: {error}") from error
        return str(found.get("Arn", arn))

    # ------------------------------------------------------------------ resources

    def bucket_owner(self, bucket: str, accounts: tuple[str, ...]) -> str | None:
        """The account whose ListBuckets shows the bucket, among `accounts`."""
        def load() -> str | None:
            for account in accounts:
                s3 = self.access.client(account, "s3")
                if any(b["Name"] == bucket for b in s3.list_buckets().get("Buckets", [])):
                    return account
            return None

        return self._cached(("bucket-owner", bucket, *accounts), load)

    def resource_policy(self, service: str, arn: str, owner: str, region: str
                        ) -> Policy | None:
        return self._cached(("resource-policy", service, arn),
                            lambda: self._load_resource_policy(service, arn, owner, region))

    def _load_resource_policy(self, service: str, arn: str, owner: str, region: str
                              ) -> Policy | None:
        loader = _RESOURCE_POLICY_LOADERS.get(service)
        if loader is None:
            return None
        document = loader(self.access.client(owner, service, region), arn)
        if document is None:
            return None
        name = f"{arn} resource policy"
        if service == "kms":
            name += self._key_aliases_note(arn, owner)
        try:
            return self._parse(document, PolicyType.RESOURCE, name)
        except UnreadablePolicy as error:
            return unreadable_stand_in(service, arn, owner, error.problem)

    def resource_tags(self, service: str, arn: str, owner: str, region: str
                      ) -> tuple[tuple[str, str], ...]:
        """A resource's tags (none when it does not exist yet, or the service keeps none the
        gateway reads): the values of aws:ResourceTag/<key>."""
        return self._cached(("resource-tags", service, arn),
                            lambda: self._load_resource_tags(service, arn, owner, region))

    def _load_resource_tags(self, service: str, arn: str, owner: str, region: str
                            ) -> tuple[tuple[str, str], ...]:
        loader = _RESOURCE_TAG_LOADERS.get(service)
        if loader is None:
            return ()
        try:
            found = loader(self.access.client(owner, service, region), arn)
        except ClientError as error:
            # A resource that does not exist (yet) has no tags: AWS sets no key for it.
            if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") in (400, 404):
                return ()
            raise BackendStateError(f"reading the tags of {arn}: {error}") from error
        return tuple(sorted(found.items()))

    # ------------------------------------------------------------------ KMS aliases

    def kms_aliases(self, account: str, region: str) -> Mapping[str, str]:
        """The KMS aliases of `account` in `region` (ListAliases): alias name → ID of the key it
        points to. A key named by alias is authorised as that key, and kms:ResourceAliases are
        the aliases of a key; only the backend knows either.
        https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html"""
        return self._cached(("kms-aliases", account, region),
                            lambda: self._load_kms_aliases(account, region))

    def _key_aliases_note(self, key_arn: str, owner: str) -> str:
        """" (alias alias/NAME, …)": a key policy is named by the key's ARN, whose id the backend
        chose, and by its aliases, which the landscape chose: what the reports and `mutate`
        find the landscape's key policy file by (`harness.report.policy_map`)."""
        parts = key_arn.split(":")
        key_id = parts[5].removeprefix("key/")
        names = sorted(alias for alias, target in self.kms_aliases(owner, parts[3]).items()
                       if target == key_id)
        return f" (alias {', '.join(names)})" if names else ""

    def _load_kms_aliases(self, account: str, region: str) -> dict[str, str]:
        kms = self.access.client(account, "kms", region)
        listed = _call(f"listing the KMS aliases of {account} in {region}",
                       lambda: paginated(kms, "list_aliases", "Aliases"))
        # "The response might also include aliases that have no TargetKeyId field. These are
        # predefined aliases that AWS has created but has not yet associated with a KMS key."
        # https://docs.aws.amazon.com/kms/latest/APIReference/API_ListAliases.html
        return {alias["AliasName"]: alias["TargetKeyId"] for alias in listed
                if alias.get("TargetKeyId")}

    # ------------------------------------------------------------------ parsing

    @staticmethod
    def _parse(document: Any, policy_type: PolicyType, name: str) -> Policy:
        try:
            # Size quotas bind when a policy is created, and AWS managed policies are exempt
            # (ReadOnlyAccess is ~95 KB); what the backend holds is evaluated whatever its size.
            return parse_policy(_document_text(document), policy_type, name=name,
                                max_size=MAX_DOCUMENT_CHARS)
        except PolicyValidationError as error:
            raise UnreadablePolicy(error) from error


# ------------------------------------------------------------------ unreadable resource policies

# The calls that replace or delete a resource's policy, or remove a statement of it: the ways
# out of a policy the engine cannot read. SetTopicAttributes and SetQueueAttributes are named by
# their action, which the engine sees; the attribute they set is not part of the decision.
# https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
POLICY_REPLACING_ACTIONS: dict[str, tuple[str, ...]] = {
    "s3": ("s3:PutBucketPolicy", "s3:DeleteBucketPolicy"),
    "sns": ("sns:SetTopicAttributes", "sns:RemovePermission"),
    "sqs": ("sqs:SetQueueAttributes", "sqs:RemovePermission"),
    "lambda": ("lambda:RemovePermission",),
    "kms": ("kms:PutKeyPolicy",),
}
SET_ASIDE_SID = "UnreadablePolicySetAside"
FAILS_CLOSED_SID = "UnreadablePolicyFailsClosed"


def unreadable_stand_in(service: str, arn: str, owner: str, problem: str) -> Policy:
    """What a resource policy the engine cannot read is taken to say.

    AWS never holds such a policy (it refuses the write: `harness.gateway.policy_writes`), but
    a backend can (moto stores `{bad`). Failing closed on every request would lock the owner
    out of replacing it, so the stand-in is:

    - `UnreadablePolicyFailsClosed`: every other action on the resource, by anyone, is denied
      explicitly: the decision names the unreadable policy and its problem.
    - `UnreadablePolicySetAside`: the calls that replace or delete the policy are decided
      without it. The statement names the owner's account, which grants nothing by itself: in
      the owner's account the caller's identity policies decide, as in an account without a
      resource policy; a caller of another account finds no grant of the resource's and is
      denied. For KMS, whose key policy must allow every call, this is how AWS's default key
      policy delegates to IAM ("Enable IAM User Permissions").
      https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
      https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html

    An explicit deny the unreadable policy may hold for those calls cannot be seen, and does not
    apply: the owner can always replace the policy, as S3's root user always can ("the root
    user of the AWS account that owns a bucket can always use this operation, even if the
    policy explicitly denies the root user").
    https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html
    """
    replacing = list(POLICY_REPLACING_ACTIONS[service])
    set_aside = {"Sid": SET_ASIDE_SID, "Effect": "Allow",
                 "Principal": {"AWS": f"arn:aws:iam::{owner}:root"}, "Action": replacing,
                 "Resource": "*"}
    fails_closed = {"Sid": FAILS_CLOSED_SID, "Effect": "Deny", "Principal": "*",
                    "NotAction": replacing, "Resource": "*"}
    document = json.dumps({"Version": "2012-10-17", "Statement": [set_aside, fails_closed]})
    return parse_policy(document, PolicyType.RESOURCE,
                        name=f"{arn} resource policy, unreadable ({problem})")


# What a successful write to a service can change in the cache, by the key's first element.
# Kinds keyed per service (resource policies and tags, "s3" bucket owners) go with their
# service; a service not listed here changes only its own per-service kinds.
_PATHLESS_IAM_ARN = re.compile(
    r"arn:aws:iam::(?P<account>\d{12}):(?P<kind>role|user|group)/(?P<name>[\w+=,.@-]+)")
_IAM_GETTERS = {"role": ("get_role", "Role"), "user": ("get_user", "User"),
                "group": ("get_group", "Group")}
_KINDS_CHANGED_BY: dict[str, tuple[str, ...]] = {
    "iam": ("role", "trust", "user", "managed", "iam-path"),
    "organizations": ("org", "org-policies"),
    "s3": ("bucket-owner",),
    "kms": ("kms-aliases",),
}
_PER_SERVICE_KINDS = frozenset({"resource-policy", "resource-tags"})


def _document_text(document: Any) -> str:
    """boto3 hands IAM documents over decoded to dicts, or URL-encoded text from some APIs."""
    if isinstance(document, str):
        return unquote(document) if document.startswith("%") else document
    return json.dumps(document)


def inline_policy_name(owner_arn: str, name: str) -> str:
    """An inline policy's name in decisions. It has no ARN, and must not look like one: AWS
    names the denying policy by ARN only when it has one (managed policies, SCPs, boundaries).
    https://aws.amazon.com/blogs/security/enhanced-access-denied-error-messages-with-policy-arns/
    """
    return f"inline policy {name} of {owner_arn}"


def _account_and_name(arn: str) -> tuple[str, str]:
    parts = arn.split(":", 5)
    return parts[4], parts[5].rsplit("/", 1)[-1]


def _call(what: str, call: Callable[[], T]) -> T:
    try:
        return call()
    except ClientError as error:
        raise BackendStateError(f"{what}: {error}") from error


def _ignore_missing(call: Callable[[], str | None], *codes: str) -> str | None:
    try:
        return call()
    except ClientError as error:
        if error.response["Error"]["Code"] in codes:
            return None
        raise BackendStateError(str(error)) from error


def _s3_policy(client: Any, arn: str) -> str | None:
    bucket = arn.split(":::", 1)[1].split("/", 1)[0]
    return _ignore_missing(lambda: client.get_bucket_policy(Bucket=bucket)["Policy"],
                           "NoSuchBucketPolicy", "NoSuchBucket")


def _sns_policy(client: Any, arn: str) -> str | None:
    return _ignore_missing(
        lambda: client.get_topic_attributes(TopicArn=arn)["Attributes"].get("Policy"),
        "NotFound")


def _sqs_policy(client: Any, arn: str) -> str | None:
    name = arn.rsplit(":", 1)[1]

    def load() -> str | None:
        url = client.get_queue_url(QueueName=name)["QueueUrl"]
        attributes = client.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
        policy: str | None = attributes.get("Attributes", {}).get("Policy")
        return policy

    return _ignore_missing(load, "AWS.SimpleQueueService.NonExistentQueue",
                           "QueueDoesNotExist")


def _lambda_policy(client: Any, arn: str) -> str | None:
    return _ignore_missing(lambda: client.get_policy(FunctionName=arn)["Policy"],
                           "ResourceNotFoundException")


def _kms_policy(client: Any, arn: str) -> str | None:
    return _ignore_missing(
        lambda: client.get_key_policy(KeyId=arn, PolicyName="default")["Policy"],
        "NotFoundException")


_RESOURCE_POLICY_LOADERS: dict[str, Callable[[Any, str], str | None]] = {
    "s3": _s3_policy,
    "sns": _sns_policy,
    "sqs": _sqs_policy,
    "lambda": _lambda_policy,
    "kms": _kms_policy,
}


def _sqs_tags(client: Any, arn: str) -> dict[str, str]:
    url = client.get_queue_url(QueueName=arn.rsplit(":", 1)[1])["QueueUrl"]
    tags: dict[str, str] = client.list_queue_tags(QueueUrl=url).get("Tags", {})
    return tags


def _sns_tags(client: Any, arn: str) -> dict[str, str]:
    listed = client.list_tags_for_resource(ResourceArn=arn).get("Tags", [])
    return {t["Key"]: t["Value"] for t in listed}


def _dynamodb_tags(client: Any, arn: str) -> dict[str, str]:
    table = "/".join(arn.split("/")[:2])  # a table's streams and indexes carry its tags
    listed = client.list_tags_of_resource(ResourceArn=table).get("Tags", [])
    return {t["Key"]: t["Value"] for t in listed}


def _iam_tags(client: Any, arn: str) -> dict[str, str]:
    kind, name = arn.split(":", 5)[5].split("/", 1)[0], arn.rsplit("/", 1)[1]
    if kind == "role":
        listed = client.list_role_tags(RoleName=name).get("Tags", [])
    elif kind == "user":
        listed = client.list_user_tags(UserName=name).get("Tags", [])
    else:
        return {}
    return {t["Key"]: t["Value"] for t in listed}


def _lambda_tags(client: Any, arn: str) -> dict[str, str]:
    function = ":".join(arn.split(":")[:7])
    tags: dict[str, str] = client.list_tags(Resource=function).get("Tags", {})
    return tags


def _kms_tags(client: Any, arn: str) -> dict[str, str]:
    listed = client.list_resource_tags(KeyId=arn).get("Tags", [])
    return {t["TagKey"]: t["TagValue"] for t in listed}


_RESOURCE_TAG_LOADERS: dict[str, Callable[[Any, str], dict[str, str]]] = {
    "sqs": _sqs_tags,
    "sns": _sns_tags,
    "dynamodb": _dynamodb_tags,
    "iam": _iam_tags,
    "lambda": _lambda_tags,
    "kms": _kms_tags,
}
