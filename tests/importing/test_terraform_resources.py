"""Resources with policies from a Terraform plan (harness.importing.terraform_resources).

plans/resources.json (source in plans/source/resources.tf): in prod, a bucket with its policy
(deny plain HTTP), versioning, default encryption and public access block; a topic with its
policy (the vendor account publishes); a queue with its policy, subscribed to the topic; an
e-mail subscription; a KMS key in eu-west-1 with an alias; a DynamoDB table."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from harness.importing.draft import Account
from harness.importing.from_terraform import Options, import_plan
from harness.importing.terraform_plan import Plan
from harness.landscape.loader import load_landscape
from harness.landscape.model import Landscape
from harness.stack import Stack

PLAN = Path(__file__).parent / "plans" / "resources.json"
OPTIONS = Options("imported", "us-east-1", ("us-east-1", "eu-west-1"),
                  management=Account("management", "111111111111", "m@example.com"),
                  account_ids={"prod": "666666666666"})


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return import_plan(Plan.load(PLAN), OPTIONS).write(tmp_path_factory.mktemp("i") / "out")


@pytest.fixture(scope="module")
def landscape(imported: Path) -> Landscape:
    return load_landscape(imported)


def test_the_bucket_has_its_policy_versioning_encryption_and_public_access_block(
        landscape: Landscape) -> None:
    [bucket] = landscape.account("prod").resources.buckets
    assert bucket.name == "securecart-prod-customer-data"
    assert (bucket.encryption, bucket.versioning, bucket.block_public_access) == (
        "AES256", True, True)
    assert bucket.policy is not None
    assert bucket.policy.document["Statement"][0]["Sid"] == "DenyPlainHttp"
    assert dict(bucket.tags) == {"data-classification": "confidential"}


def test_the_queue_is_subscribed_to_the_topic_and_both_keep_their_policies(
        landscape: Landscape) -> None:
    resources = landscape.account("prod").resources
    [topic], [queue] = resources.topics, resources.queues
    assert topic.policy is not None and queue.policy is not None
    assert topic.policy.document["Statement"][0]["Sid"] == "VendorPublishes"
    assert queue.subscriptions == ("order-events",)


def test_a_key_is_named_by_its_alias_in_its_providers_region(landscape: Landscape) -> None:
    [key] = landscape.account("prod").resources.keys
    assert (key.name, key.region, key.description) == (
        "securecart-prod-customer-data", "eu-west-1", "Customer data")


def test_the_vendor_a_policy_names_is_an_external_account(landscape: Landscape) -> None:
    assert landscape.account("external-999999999999").external


def test_what_the_format_cannot_hold_is_reported(imported: Path) -> None:
    report = (imported / "import-report.md").read_text(encoding="utf-8")
    assert ("| `aws_sns_topic_subscription.mail` | `aws_sns_topic_subscription` | only SQS "
            "subscriptions are in the landscape format |") in report
    assert "| `aws_dynamodb_table.orders` | `aws_dynamodb_table` |" in report
    assert "## Unknown until applied (0)" in report


def test_the_imported_bucket_policy_denies_plain_http(landscape: Landscape) -> None:
    with Stack(landscape, tls_port=None) as stack:
        s3 = stack.client("s3", stack.administrator("prod"), secure=False)
        with pytest.raises(ClientError, match="explicit deny in a resource-based policy"):
            s3.get_object(Bucket="securecart-prod-customer-data", Key="any")


# --------------------------------------------------------------------------- instances.json
# dev and prod each have a topic "order-events"; prod's topic policy names its topic by a literal
# ARN. Two buckets from one for_each, with bucket policies from a for_each over them
# (`bucket = each.value.id`). A KMS key the configuration gives no policy (AWS's default).

INSTANCES = Path(__file__).parent / "plans" / "instances.json"


@pytest.fixture(scope="module")
def instances(tmp_path_factory: pytest.TempPathFactory) -> Path:
    options = Options("imported", "us-east-1", ("us-east-1",),
                      management=Account("management", "111111111111", "m@example.com"),
                      account_ids={"prod": "666666666666", "dev": "444444444444"})
    return import_plan(Plan.load(INSTANCES), options).write(tmp_path_factory.mktemp("i") / "out")


def test_a_policy_named_by_arn_is_set_on_the_resource_of_its_own_account(instances: Path) -> None:
    landscape = load_landscape(instances)
    [prod_topic] = landscape.account("prod").resources.topics
    [dev_topic] = landscape.account("dev").resources.topics
    assert prod_topic.policy is not None
    assert prod_topic.policy.document["Statement"][0]["Sid"] == "ProdOnly"
    assert dev_topic.policy is None


def test_a_key_with_the_default_policy_is_imported_without_one(instances: Path) -> None:
    [key] = load_landscape(instances).account("prod").resources.keys
    assert (key.name, key.policy) == ("default-policy", None)


def test_policies_that_cannot_be_matched_to_one_instance_are_reported_not_guessed(
        instances: Path) -> None:
    buckets = load_landscape(instances).account("prod").resources.buckets
    assert [b.policy for b in buckets] == [None, None]
    report = (instances / "import-report.md").read_text(encoding="utf-8")
    for key in ("alpha", "beta"):
        assert (f'| `aws_s3_bucket_policy.logs["{key}"]` | `bucket` | the bucket policy is not '
                "imported |") in report
