"""The resources of a Terraform plan that carry policies, into the landscape's `resources`
(docs/landscape.md): S3 buckets with their policy, encryption, versioning and public access
block; SNS topics and SQS queues with their policies and subscriptions; KMS keys by alias, with
their key policy. Each in the account and region of its provider.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from harness.importing.terraform_plan import PlannedResource, UnknownValue

if TYPE_CHECKING:
    from harness.importing.from_terraform import TerraformImport

_ALIAS_PREFIX = "alias/"
_KINDS = {"s3": "s3_buckets", "sns": "sns_topics", "sqs": "sqs_queues"}
"""The landscape's resource list of each service whose policies are separate resources."""


def import_resources(importer: TerraformImport) -> None:
    _Resources(importer).run()


class _Resources:
    def __init__(self, importer: TerraformImport) -> None:
        self.importer = importer
        self.plan = importer.plan
        self.draft = importer.draft
        # address -> (account, kind, entry), for the resources that attach to them
        self.entries: dict[str, tuple[str, str, dict[str, Any]]] = {}
        # (account, kind, name) -> the addresses of the entries of that name there
        self.named_entries: dict[tuple[str, str, str], list[str]] = {}

    def run(self) -> None:
        each = self.importer.each
        each("aws_s3_bucket", lambda r: self.named(r, "s3_buckets", "bucket"),
             "the bucket is not imported")
        each("aws_sns_topic", lambda r: self.named(r, "sns_topics", "name", "policy"),
             "the topic is not imported")
        each("aws_sqs_queue", lambda r: self.named(r, "sqs_queues", "name", "policy"),
             "the queue is not imported")
        each("aws_kms_alias", self.key, "the key is not imported")
        each("aws_s3_bucket_policy", lambda r: self.policy(r, "bucket", "s3"),
             "the bucket policy is not imported")
        each("aws_sns_topic_policy", lambda r: self.policy(r, "arn", "sns"),
             "the topic policy is not imported")
        each("aws_sqs_queue_policy", lambda r: self.policy(r, "queue_url", "sqs"),
             "the queue policy is not imported")
        each("aws_s3_bucket_versioning", self.versioning, "the versioning is not imported")
        each("aws_s3_bucket_server_side_encryption_configuration", self.encryption,
             "the default encryption is not imported")
        each("aws_s3_bucket_public_access_block", self.public_access,
             "the public access block is not imported")
        each("aws_sns_topic_subscription", self.subscription, "the subscription is not imported")

    # ------------------------------------------------------------------ the resources

    def place(self, resource: PlannedResource, account: str, kind: str,
              entry: dict[str, Any]) -> None:
        """Put `entry` in `account`'s `kind`, with its provider's region when not home."""
        region = self.importer.region_of(resource)
        if region != self.draft.home_region:
            entry["region"] = region
        self.draft.resources(account, kind).append(entry)
        self.entries[resource.address] = (account, kind, entry)
        self.named_entries.setdefault((account, kind, entry["name"]), []).append(
            resource.address)

    def named(self, resource: PlannedResource, kind: str, name_field: str,
              policy_field: str | None = None) -> None:
        entry: dict[str, Any] = {"name": str(_known(resource, name_field))}
        folder = kind.split("_")[0]
        account = self.importer.account_of(resource)
        document = self.policy_set(resource, policy_field) if policy_field else None
        if document is not None:
            entry["policy"] = self.draft.policy_file(
                f"resources/{folder}", f"{account}-{entry['name']}", document)
        if resource.value("tags"):
            entry["tags"] = dict(resource.value("tags"))
        self.place(resource, account, kind, entry)
        self.importer.read(resource, f"accounts/{account}.yaml resources.{kind}[{entry['name']}]")

    def key(self, alias: PlannedResource) -> None:
        """A KMS key is named in the landscape by its alias (alias/<name>)."""
        name = str(_known(alias, "name"))
        keys = [r for r in self.plan.referenced(alias, "target_key_id")
                if r.type == "aws_kms_key"]
        if len(keys) != 1 or not name.startswith(_ALIAS_PREFIX):
            raise UnknownValue(alias.address, "target_key_id")
        key = keys[0]
        entry: dict[str, Any] = {"name": name[len(_ALIAS_PREFIX):]}
        account = self.importer.account_of(key)
        if key.value("description"):
            entry["description"] = key.value("description")
        document = self.policy_set(key, "policy")
        if document is not None:
            entry["policy"] = self.draft.policy_file(
                "resources/kms", f"{account}-{entry['name']}", document)
        if key.value("tags"):
            entry["tags"] = dict(key.value("tags"))
        self.place(key, account, "kms_keys", entry)
        self.importer.read(key, f"accounts/{account}.yaml resources.kms_keys[{entry['name']}]")
        self.importer.read(alias, f"accounts/{account}.yaml resources.kms_keys[{entry['name']}]")

    def policy_set(self, resource: PlannedResource, attribute: str) -> Any:
        """The policy document `attribute` sets, or None. A policy the configuration does not
        set is the provider's computed default (AWS's default policy), unknown until apply and
        not an unknown of the import; one it sets from values unknown until apply is."""
        if not resource.known(attribute) and attribute not in resource.configured:
            return None
        if not resource.value(attribute):
            return None
        return self.importer.document(resource, attribute)

    # ------------------------------------------------------------------ what attaches to them

    def target(self, resource: PlannedResource, attribute: str, kind: str
               ) -> tuple[str, dict[str, Any]]:
        """The entry of the resource `attribute` names: by reference (one instance of it), or by
        its known name among the entries of `resource`'s own account and region (a policy is set
        where its resource is). Anything else cannot be told: UnknownValue."""
        candidates = [r.address for r in self.plan.referenced(resource, attribute)
                      if r.address in self.entries and self.entries[r.address][1] == kind]
        if len(candidates) > 1:  # a count/for_each resource: the instance the reference names
            named = set(resource.references.get(attribute, ()))
            candidates = [address for address in candidates
                          if address.removeprefix(f"{resource.module}.") in named]
        if not candidates and resource.known(attribute):
            value = str(resource.value(attribute))
            name = value.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
            account = self.importer.account_of(resource)
            region = self.importer.region_of(resource)
            candidates = [address for address in self.named_entries.get((account, kind, name), ())
                          if kind == "s3_buckets"  # bucket names are global
                          or self.entries[address][2].get("region", self.draft.home_region)
                          == region]
        if len(candidates) != 1:
            raise UnknownValue(resource.address, attribute)
        account, _, entry = self.entries[candidates[0]]
        return account, entry

    def policy(self, resource: PlannedResource, attribute: str, service: str) -> None:
        kind = _KINDS[service]
        account, entry = self.target(resource, attribute, kind)
        document = self.importer.document(resource, "policy")
        entry["policy"] = self.draft.policy_file(f"resources/{service}",
                                                 f"{account}-{entry['name']}", document)
        self.importer.read(resource, f"accounts/{account}.yaml {kind}[{entry['name']}] policy")

    def versioning(self, resource: PlannedResource) -> None:
        account, entry = self.target(resource, "bucket", "s3_buckets")
        configuration = resource.value("versioning_configuration") or [{}]
        entry["versioning"] = configuration[0].get("status") == "Enabled"
        self.importer.read(resource, f"accounts/{account}.yaml s3_buckets[{entry['name']}] "
                                     "versioning")

    def encryption(self, resource: PlannedResource) -> None:
        account, entry = self.target(resource, "bucket", "s3_buckets")
        rules = resource.value("rule") or [{}]
        default = (rules[0].get("apply_server_side_encryption_by_default") or [{}])[0]
        algorithm = default.get("sse_algorithm")
        if algorithm not in ("AES256", "aws:kms"):
            raise UnknownValue(resource.address, "rule")
        entry["encryption"] = algorithm
        self.importer.read(resource, f"accounts/{account}.yaml s3_buckets[{entry['name']}] "
                                     "encryption")

    def public_access(self, resource: PlannedResource) -> None:
        account, entry = self.target(resource, "bucket", "s3_buckets")
        flags = ("block_public_acls", "block_public_policy", "ignore_public_acls",
                 "restrict_public_buckets")
        entry["block_public_access"] = all(resource.value(flag) is True for flag in flags)
        self.importer.read(resource, f"accounts/{account}.yaml s3_buckets[{entry['name']}] "
                                     "block_public_access")

    def subscription(self, resource: PlannedResource) -> None:
        if resource.value("protocol") != "sqs":
            self.importer.skip(resource, "only SQS subscriptions are in the landscape format")
            return
        topic_account, topic = self.target(resource, "topic_arn", "sns_topics")
        queue_account, queue = self.target(resource, "endpoint", "sqs_queues")
        if topic_account != queue_account:
            self.importer.skip(resource, "the landscape format subscribes a queue to topics of "
                               "its own account only")
            return
        queue.setdefault("subscriptions", []).append(topic["name"])
        self.importer.read(resource, f"accounts/{queue_account}.yaml sqs_queues[{queue['name']}]"
                                     f" subscribes to {topic['name']}")


def _known(resource: PlannedResource, attribute: str) -> Any:
    value = resource.value(attribute)
    if value is None:
        raise UnknownValue(resource.address, attribute)
    return value
