"""Every class of landscape error, on a broken copy of the canonical landscape in tmp_path:
the message names the file, the place in it and the problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.landscape.errors import InvalidLandscape, LandscapeError
from harness.landscape.loader import load_landscape, validate_landscape

from .builders import (
    account_entry,
    copy_landscape,
    edit_json,
    edit_yaml,
    messages,
    role_entry,
    write,
)

MEMBERS = "management, security, log-archive, dev, staging, prod, shared-services, network"


@pytest.fixture
def landscape_dir(tmp_path: Path) -> Path:
    return copy_landscape(tmp_path)


def test_the_copy_is_valid(landscape_dir: Path) -> None:
    assert messages(landscape_dir) == []


# --------------------------------------------------------------------------- YAML


def test_yaml_syntax_error_names_the_line(landscape_dir: Path) -> None:
    path = landscape_dir / "identity-center.yaml"
    lines = path.read_text().splitlines()
    lines[20] = "  broken: [unclosed"
    path.write_text("\n".join(lines) + "\n")
    [message] = messages(landscape_dir)
    assert message.startswith(f"{path}: YAML syntax error at line ")
    assert "line 2" in message


def test_duplicate_yaml_key(landscape_dir: Path) -> None:
    path = write(
        landscape_dir,
        "landscape.yaml",
        "name: securecart\nname: other\nregions:\n  home: us-east-1\n  allowed: [us-east-1]\n",
    )
    assert messages(landscape_dir) == [
        f"{path}: duplicate key 'name' at line 2 (YAML would keep only the last)"
    ]


def test_unknown_top_level_key_suggests_the_right_one(landscape_dir: Path) -> None:
    def typo(data: dict[str, Any]) -> None:
        data["service_control_policy"] = data.pop("service_control_policies")

    edit_yaml(landscape_dir, "organization.yaml", typo)
    assert messages(landscape_dir) == [
        f"{landscape_dir / 'organization.yaml'}: service_control_policy: unknown key "
        "'service_control_policy' (expected one of: management_account, root, "
        "external_accounts, service_control_policies); did you mean 'service_control_policies'?"
    ]


def test_unknown_field_key(landscape_dir: Path) -> None:
    def typo(data: dict[str, Any]) -> None:
        role = role_entry(data, "orders-api")
        role["trusts"] = role["trust"]

    edit_yaml(landscape_dir, "accounts/prod.yaml", typo)
    [message] = messages(landscape_dir)
    assert message.startswith(
        f"{landscape_dir / 'accounts/prod.yaml'}: roles[1].trusts: unknown key 'trusts'"
    )
    assert message.endswith("did you mean 'trust'?")


def test_wrong_type(landscape_dir: Path) -> None:
    def wrong(data: dict[str, Any]) -> None:
        role_entry(data, "VendorSupportRole")["max_session_duration"] = "one hour"
        data["resources"]["s3_buckets"][0]["versioning"] = "yes please"

    edit_yaml(landscape_dir, "accounts/prod.yaml", wrong)
    prod = landscape_dir / "accounts/prod.yaml"
    assert messages(landscape_dir) == [
        f"{prod}: resources.s3_buckets[0].versioning: expected true or false, "
        "got a string ('yes please')",
        f"{prod}: roles[3].max_session_duration: expected a whole number, "
        "got a string ('one hour')",
    ]


def test_list_expected(landscape_dir: Path) -> None:
    edit_yaml(
        landscape_dir,
        "identity-center.yaml",
        lambda data: data["users"][0].update(groups="Developers"),
    )
    assert messages(landscape_dir) == [
        f"{landscape_dir / 'identity-center.yaml'}: users[0].groups: expected a list, "
        "got a string ('Developers')"
    ]


def test_missing_required_field(landscape_dir: Path) -> None:
    edit_yaml(
        landscape_dir, "accounts/prod.yaml", lambda d: role_entry(d, "orders-api").pop("trust")
    )
    assert messages(landscape_dir) == [
        f"{landscape_dir / 'accounts/prod.yaml'}: roles[1]: missing required field 'trust'"
    ]


@pytest.mark.parametrize("file", ["landscape.yaml", "organization.yaml"])
def test_missing_file(landscape_dir: Path, file: str) -> None:
    (landscape_dir / file).unlink()
    assert messages(landscape_dir) == [f"{landscape_dir / file}: file is missing"]


def test_without_identity_center_yaml_the_organisation_has_no_identity_center(
        landscape_dir: Path) -> None:
    (landscape_dir / "identity-center.yaml").unlink()
    center = load_landscape(landscape_dir).identity_center
    assert center.identity_provider is None
    assert (center.users, center.permission_sets, center.assignments) == ((), (), ())
    with pytest.raises(LookupError, match="the landscape has no Identity Center"):
        center.provider()


def test_without_identity_center_no_policy_may_trust_its_saml_provider(
        landscape_dir: Path) -> None:
    (landscape_dir / "identity-center.yaml").unlink()
    edit_json(landscape_dir, "policies/trust/lambda.json", lambda document: document[
        "Statement"][0].update(Principal={
            "Federated": "arn:aws:iam::{{account.self}}:saml-provider/AWSSSO_securecart"}))
    assert any("the landscape has no Identity Center, hence no SAML provider" in message
               for message in messages(landscape_dir))


# --------------------------------------------------------------------------- references


def test_unknown_account_in_an_assignment(landscape_dir: Path) -> None:
    edit_yaml(
        landscape_dir,
        "identity-center.yaml",
        lambda data: data["assignments"][2]["accounts"].append("qa"),
    )
    assert messages(landscape_dir) == [
        f"{landscape_dir / 'identity-center.yaml'}: assignments[2].accounts[8]: "
        f"unknown account 'qa' (known: {MEMBERS})"
    ]


def test_external_account_cannot_be_assigned(landscape_dir: Path) -> None:
    edit_yaml(
        landscape_dir,
        "identity-center.yaml",
        lambda data: data["assignments"][0]["accounts"].append("vendor"),
    )
    assert messages(landscape_dir) == [
        f"{landscape_dir / 'identity-center.yaml'}: assignments[0].accounts[2]: account 'vendor' "
        "is outside the organisation: Identity Center assigns only member accounts"
    ]


def test_unknown_permission_set_group_and_user_group(landscape_dir: Path) -> None:
    def break_references(data: dict[str, Any]) -> None:
        data["assignments"][0]["permission_set"] = "DeveloperReadOnyl"
        data["assignments"][1]["group"] = "Devs"
        data["users"][1]["groups"] = ["Developers", "Contractors"]

    edit_yaml(landscape_dir, "identity-center.yaml", break_references)
    file = landscape_dir / "identity-center.yaml"
    assert messages(landscape_dir) == [
        f"{file}: assignments[0].permission_set: unknown permission set 'DeveloperReadOnyl' "
        "(known: DeveloperReadOnly, DeveloperPowerUser, SecurityAudit, Admin); "
        "did you mean 'DeveloperReadOnly'?",
        f"{file}: assignments[1].group: unknown group 'Devs' "
        "(known: Developers, SecurityTeam, PlatformAdmins)",
        f"{file}: users[1].groups[1]: unknown group 'Contractors' "
        "(known: Developers, SecurityTeam, PlatformAdmins)",
    ]


def test_scp_attached_to_unknown_target(landscape_dir: Path) -> None:
    def attach(data: dict[str, Any]) -> None:
        data["service_control_policies"][5]["attach_to"] = ["Production", "vendor"]

    edit_yaml(landscape_dir, "organization.yaml", attach)
    file = landscape_dir / "organization.yaml"
    assert messages(landscape_dir) == [
        f"{file}: service_control_policies[5].attach_to[0]: SCP attached to unknown target "
        "'Production' (known: Root, SecurityOU, WorkloadsOU, NonProd, Prod, SharedServicesOU, "
        f"{MEMBERS})",
        f"{file}: service_control_policies[5].attach_to[1]: account 'vendor' is outside the "
        "organisation: SCPs do not apply to it",
    ]


def test_every_level_needs_an_scp(landscape_dir: Path) -> None:
    def detach(data: dict[str, Any]) -> None:
        targets = data["service_control_policies"][0]["attach_to"]
        targets.remove("NonProd")
        targets.remove("network")

    edit_yaml(landscape_dir, "organization.yaml", detach)
    file = landscape_dir / "organization.yaml"
    rule = (
        "AWS requires at least one on the root, every OU and every account (it attaches "
        "FullAWSAccess to each)"
    )
    assert messages(landscape_dir) == [
        f"{file}: root.ous[1].ous[0]: no SCP is attached to 'NonProd': {rule}",
        f"{file}: root.ous[2].accounts[1]: no SCP is attached to 'network': {rule}",
    ]


def test_unknown_managed_policy_and_function_role(landscape_dir: Path) -> None:
    def break_references(data: dict[str, Any]) -> None:
        role_entry(data, "DeployRole")["permissions_boundary"] = "developer-boundary"
        data["resources"]["lambda_functions"][0]["role"] = "orders-processer"
        data["resources"]["sqs_queues"][0]["subscriptions"] = ["order-event"]

    edit_yaml(landscape_dir, "accounts/prod.yaml", break_references)
    prod = landscape_dir / "accounts/prod.yaml"
    assert messages(landscape_dir) == [
        f"{prod}: resources.lambda_functions[0].role: unknown role 'orders-processer' in "
        "account 'prod' (known: orders-processor, orders-api, DeployRole, VendorSupportRole)",
        f"{prod}: resources.sqs_queues[0].subscriptions[0]: unknown topic 'order-event' in "
        "account 'prod' (known: order-events)",
        f"{prod}: roles[2].permissions_boundary: unknown managed policy 'developer-boundary' in "
        "this account (known: deploy-permissions, deploy-boundary); "
        "did you mean 'deploy-boundary'?",
    ]


def test_permission_set_boundary_must_exist_where_it_is_assigned(landscape_dir: Path) -> None:
    edit_yaml(
        landscape_dir,
        "identity-center.yaml",
        lambda data: data["assignments"][1]["accounts"].append("staging"),
    )
    assert messages(landscape_dir) == [
        f"{landscape_dir / 'identity-center.yaml'}: assignments[1].accounts[1]: permission set "
        "'DeveloperPowerUser' needs the customer managed policy '/developer-boundary' in account "
        "'staging', which does not define it (accounts/staging.yaml managed_policies)"
    ]


def test_account_file_for_an_unknown_account(landscape_dir: Path) -> None:
    write(landscape_dir, "accounts/qa.yaml", "roles: []\n")
    [message] = messages(landscape_dir)
    assert message.startswith(f"{landscape_dir / 'accounts/qa.yaml'}: unknown account 'qa'")


def test_an_account_file_may_be_empty(landscape_dir: Path) -> None:
    write(landscape_dir, "accounts/network.yaml", "# nothing here yet\n")
    assert messages(landscape_dir) == []


def test_policy_file_outside_the_landscape(landscape_dir: Path) -> None:
    write(landscape_dir.parent, "elsewhere.json", "{}")
    edit_yaml(
        landscape_dir,
        "accounts/prod.yaml",
        lambda data: role_entry(data, "orders-api").update(trust="../elsewhere.json"),
    )
    assert messages(landscape_dir) == [
        f"{landscape_dir / 'accounts/prod.yaml'}: roles[1].trust: policy file "
        "'../elsewhere.json' is outside the landscape directory"
    ]


def test_region_outside_the_allow_list(landscape_dir: Path) -> None:
    edit_yaml(
        landscape_dir,
        "accounts/dev.yaml",
        lambda data: data["resources"]["s3_buckets"][0].update(region="ap-south-1"),
    )
    assert messages(landscape_dir) == [
        f"{landscape_dir / 'accounts/dev.yaml'}: resources.s3_buckets[0].region: region "
        "'ap-south-1' is not in regions.allowed (us-east-1, eu-west-1)"
    ]


# --------------------------------------------------------------------------- duplicates


def test_duplicate_account_and_ou_names(landscape_dir: Path) -> None:
    def duplicate(data: dict[str, Any]) -> None:
        account_entry(data, "staging")["name"] = "dev"
        data["root"]["ous"][2]["name"] = "SecurityOU"

    edit_yaml(landscape_dir, "organization.yaml", duplicate)
    file = landscape_dir / "organization.yaml"
    errors = messages(landscape_dir)
    assert (
        f"{file}: root.ous[1].ous[0].accounts[1].name: duplicate account 'dev' (first at "
        "root.ous[1].ous[0].accounts[0].name)" in errors
    )
    assert f"{file}: root.ous[2].name: duplicate OU 'SecurityOU' (first at root.ous[0].name)" in (
        errors
    )


def test_duplicate_roles_and_buckets(landscape_dir: Path) -> None:
    def duplicate(data: dict[str, Any]) -> None:
        role_entry(data, "orders-api")["name"] = "orders-processor"
        data["resources"]["s3_buckets"].append({"name": "securecart-dev-artifacts"})

    edit_yaml(landscape_dir, "accounts/prod.yaml", duplicate)
    prod = landscape_dir / "accounts/prod.yaml"
    assert messages(landscape_dir) == [
        f"{prod}: resources.s3_buckets[1].name: duplicate bucket name 'securecart-dev-artifacts' "
        "(also in account 'dev'; S3 bucket names are global)",
        f"{prod}: roles[1].name: duplicate role 'orders-processor' (first at roles[0].name)",
    ]


def test_duplicate_bucket_in_one_account(landscape_dir: Path) -> None:
    edit_yaml(
        landscape_dir,
        "accounts/dev.yaml",
        lambda data: data["resources"]["s3_buckets"].append({"name": "securecart-dev-artifacts"}),
    )
    assert messages(landscape_dir) == [
        f"{landscape_dir / 'accounts/dev.yaml'}: resources.s3_buckets[1].name: duplicate bucket "
        "'securecart-dev-artifacts' (first at resources.s3_buckets[0].name)"
    ]


# --------------------------------------------------------------------------- KMS keys


def _prod_keys(landscape_dir: Path, *keys: dict[str, Any]) -> Path:
    """Replace the prod account's KMS keys with `keys`; the prod account file."""

    def change(data: dict[str, Any]) -> None:
        data["resources"]["kms_keys"] = list(keys)

    edit_yaml(landscape_dir, "accounts/prod.yaml", change)
    return landscape_dir / "accounts/prod.yaml"


def test_a_key_without_a_policy_holds_aws_default_key_policy(landscape_dir: Path) -> None:
    _prod_keys(landscape_dir, {"name": "scratch", "region": "eu-west-1"})
    (key,) = load_landscape(landscape_dir).account("prod").resources.keys
    assert key.policy is None
    assert key.arn == "arn:aws:kms:eu-west-1:666666666666:alias/scratch"
    assert key.description == "" and key.tags == ()
    (statement,) = key.key_policy.statements
    assert statement.sid == "Enable IAM User Permissions"
    assert json.loads(key.policy_json()) == {
        "Version": "2012-10-17",
        "Id": "key-default-1",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::666666666666:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }


def test_key_names_aws_reserves_or_kms_refuses(landscape_dir: Path) -> None:
    prod = _prod_keys(
        landscape_dir,
        {"name": "aws/s3"},
        {"name": "alias/aws/ebs"},
        {"name": "alias/orders"},
        {"name": "orders key!"},
        {"name": "ok", "description": "x" * 8193, "tags": {"aws:owner": "me"}},
        {"name": "ok", "multi_region": True},
    )
    assert messages(landscape_dir) == [
        f"{prod}: resources.kms_keys[0].name: the alias 'alias/aws/s3' is reserved: alias/aws/ "
        "names AWS managed keys, never a customer managed key",
        f"{prod}: resources.kms_keys[1].name: the alias 'alias/aws/ebs' is reserved: alias/aws/ "
        "names AWS managed keys, never a customer managed key",
        f"{prod}: resources.kms_keys[2].name: write the name without 'alias/': the key's alias "
        "is alias/<name> ('alias/orders')",
        f"{prod}: resources.kms_keys[3].name: 'orders key!' is not a KMS alias name (1–250 "
        "letters, digits, '/', '_', '-')",
        f"{prod}: resources.kms_keys[4].description: a key description has at most 8192 "
        "characters, not 8193",
        f"{prod}: resources.kms_keys[4].tags.aws:owner: tag key 'aws:owner': the prefix 'aws:' "
        "is AWS's own",
        f"{prod}: resources.kms_keys[5].multi_region: unknown key 'multi_region' (expected one "
        "of: name, region, description, policy, tags); did you mean 'region'?",
        f"{prod}: resources.kms_keys[5].name: duplicate KMS key 'ok' (first at "
        "resources.kms_keys[4].name)",
    ]


def test_a_key_policy_naming_a_missing_role(landscape_dir: Path) -> None:
    def typo(data: dict[str, Any]) -> None:
        principal = data["Statement"][1]["Principal"]
        principal["AWS"] = "arn:aws:iam::{{account.prod}}:role/orders-processer"

    edit_json(landscape_dir, "policies/resources/kms/securecart-prod-customer-data.json", typo)
    [message] = messages(landscape_dir)
    assert message.startswith(
        f"{landscape_dir / 'accounts/prod.yaml'}: resources.kms_keys[0].policy: "
        "policies/resources/kms/securecart-prod-customer-data.json Statement[1].Principal.AWS: "
        "role 'orders-processer' (path /) does not exist in account 'prod'"
    ), message


# --------------------------------------------------------------------------- account ids


def test_account_id_must_be_12_digits(landscape_dir: Path) -> None:
    def bad_ids(data: dict[str, Any]) -> None:
        account_entry(data, "dev")["id"] = "4444"
        account_entry(data, "staging")["id"] = 555555555555
        account_entry(data, "prod")["id"] = "66666666666x"

    edit_yaml(landscape_dir, "organization.yaml", bad_ids)
    file = landscape_dir / "organization.yaml"
    errors = messages(landscape_dir)
    assert f"{file}: root.ous[1].ous[0].accounts[0].id: account id '4444' is not 12 digits" in (
        errors
    )
    assert (
        f"{file}: root.ous[1].ous[0].accounts[1].id: account id 555555555555 must be a quoted "
        "string of 12 digits (YAML reads unquoted digits as a number and drops leading zeros)"
    ) in errors
    assert (
        f"{file}: root.ous[1].ous[1].accounts[0].id: account id '66666666666x' is not 12 digits"
    ) in errors


def test_duplicate_account_id(landscape_dir: Path) -> None:
    edit_yaml(
        landscape_dir,
        "organization.yaml",
        lambda data: account_entry(data, "vendor").update(id="666666666666"),
    )
    assert messages(landscape_dir) == [
        f"{landscape_dir / 'organization.yaml'}: external_accounts[0].id: duplicate account id "
        "'666666666666' (also used by 'prod')"
    ]


# --------------------------------------------------------------------------- policy files


def test_policy_file_missing(landscape_dir: Path) -> None:
    (landscape_dir / "policies/scp/deny-root-user.json").unlink()
    assert messages(landscape_dir) == [
        f"{landscape_dir / 'organization.yaml'}: service_control_policies[1].file: policy file "
        f"'policies/scp/deny-root-user.json' does not exist (under {landscape_dir})"
    ]


def test_policy_that_does_not_parse_gives_the_engines_message(landscape_dir: Path) -> None:
    def malformed(data: dict[str, Any]) -> None:
        data["Statement"][0]["Effect"] = "Allowed"

    edit_json(landscape_dir, "policies/scp/deny-root-user.json", malformed)
    [error] = validate_landscape(landscape_dir)
    assert error.file == str(landscape_dir / "policies/scp/deny-root-user.json")
    assert error.path.startswith("Statement[0]")
    assert error.problem.startswith("MalformedPolicyDocument: ")
    assert "Allowed" in error.problem
    assert error.problem.endswith("(read as a service control policy)")


def test_policy_that_is_not_json(landscape_dir: Path) -> None:
    path = write(landscape_dir, "policies/iam/orders-api.json", '{"Version": "2012-10-17",\n}')
    [message] = messages(landscape_dir)
    assert message.startswith(f"{path}: line 2 column 1: MalformedPolicyDocument: not JSON: ")


def test_policy_shared_by_accounts_reports_once(landscape_dir: Path) -> None:
    edit_json(
        landscape_dir,
        "policies/iam/deploy-permissions.json",
        lambda data: data["Statement"][0].update(Action="cloudformation CreateStack"),
    )
    errors = validate_landscape(landscape_dir)
    assert len(errors) == 1
    assert errors[0].file == str(landscape_dir / "policies/iam/deploy-permissions.json")


# --------------------------------------------------------------------------- principals


def test_role_trusting_a_role_that_does_not_exist(landscape_dir: Path) -> None:
    edit_json(
        landscape_dir,
        "policies/trust/vendor-support.json",
        lambda data: data["Statement"][0]["Principal"].update(
            AWS="arn:aws:iam::{{account.vendor}}:role/support-engineer"
        ),
    )
    assert messages(landscape_dir) == [
        f"{landscape_dir / 'accounts/prod.yaml'}: roles[3].trust: policies/trust/"
        "vendor-support.json Statement[0].Principal.AWS: role 'support-engineer' (path /) does "
        "not exist in account 'vendor' (known: vendor-integration)"
    ]


def test_role_trusting_an_unknown_account_name(landscape_dir: Path) -> None:
    edit_json(
        landscape_dir,
        "policies/trust/vendor-support.json",
        lambda data: data["Statement"][0]["Principal"].update(
            AWS="arn:aws:iam::{{account.vendr}}:root"
        ),
    )
    assert messages(landscape_dir) == [
        f"{landscape_dir / 'policies/trust/vendor-support.json'}: Statement[0].Principal.AWS: "
        f"unknown account 'vendr' in {{{{account.vendr}}}} (known: {MEMBERS}, vendor); "
        "did you mean 'vendor'?"
    ]


def test_role_trusting_an_unknown_account_id(landscape_dir: Path) -> None:
    edit_json(
        landscape_dir,
        "policies/trust/vendor-support.json",
        lambda data: data["Statement"][0]["Principal"].update(AWS="123456789012"),
    )
    assert messages(landscape_dir) == [
        f"{landscape_dir / 'accounts/prod.yaml'}: roles[3].trust: policies/trust/"
        "vendor-support.json Statement[0].Principal.AWS: account id '123456789012' is not an "
        "account of the landscape"
    ]


def test_role_trusting_an_unknown_service(landscape_dir: Path) -> None:
    edit_json(
        landscape_dir,
        "policies/trust/lambda.json",
        lambda data: data["Statement"][0]["Principal"].update(Service="lamda.amazonaws.com"),
    )
    assert messages(landscape_dir) == [
        f"{landscape_dir / 'accounts/prod.yaml'}: roles[0].trust: policies/trust/lambda.json "
        "Statement[0].Principal.Service: unknown service principal 'lamda.amazonaws.com' (not in "
        "the allow-list of known service principals; landscape.yaml service_principals extends "
        "it); did you mean 'lambda.amazonaws.com'?"
    ]


def test_service_principals_can_be_extended(landscape_dir: Path) -> None:
    edit_json(
        landscape_dir,
        "policies/trust/lambda.json",
        lambda data: data["Statement"][0]["Principal"].update(Service="pipes.amazonaws.com"),
    )
    assert len(messages(landscape_dir)) == 1
    edit_yaml(
        landscape_dir,
        "landscape.yaml",
        lambda data: data.update(service_principals=["pipes.amazonaws.com"]),
    )
    assert messages(landscape_dir) == []


def test_resource_policy_naming_a_missing_role(landscape_dir: Path) -> None:
    edit_json(
        landscape_dir,
        "policies/resources/s3/securecart-prod-customer-data.json",
        lambda data: data["Statement"][3]["Principal"].update(
            AWS="arn:aws:iam::{{account.prod}}:role/orders-reader"
        ),
    )
    [message] = messages(landscape_dir)
    assert message.startswith(
        f"{landscape_dir / 'accounts/prod.yaml'}: resources.s3_buckets[0].policy: "
        "policies/resources/s3/securecart-prod-customer-data.json Statement[3].Principal.AWS: "
        "role 'orders-reader' (path /) does not exist in account 'prod'"
    )


# --------------------------------------------------------------------------- all at once


def test_every_error_is_reported_sorted(landscape_dir: Path) -> None:
    edit_yaml(
        landscape_dir,
        "identity-center.yaml",
        lambda data: data["assignments"][3]["accounts"].extend(["qa", "uat"]),
    )
    edit_yaml(
        landscape_dir,
        "organization.yaml",
        lambda data: data["service_control_policies"][0]["attach_to"].append("Sandbox"),
    )
    (landscape_dir / "policies/iam/orders-api.json").unlink()
    with pytest.raises(InvalidLandscape) as raised:
        load_landscape(landscape_dir)
    errors = raised.value.errors
    assert [(e.file.rsplit("/", 1)[-1], e.path) for e in errors] == [
        ("prod.yaml", "roles[1].inline_policies[0].file"),
        ("identity-center.yaml", "assignments[3].accounts[8]"),
        ("identity-center.yaml", "assignments[3].accounts[9]"),
        ("organization.yaml", "service_control_policies[0].attach_to[14]"),
    ]
    assert str(raised.value).startswith("4 errors in the landscape:\n")


def test_error_text_and_order() -> None:
    first = LandscapeError("a.yaml", "roles[2].trust", "x")
    second = LandscapeError("a.yaml", "roles[10].trust", "x")
    assert str(first) == "a.yaml: roles[2].trust: x"
    assert str(LandscapeError("a.yaml", "", "file is missing")) == "a.yaml: file is missing"
    assert InvalidLandscape([second, first, first]).errors == (first, second)
