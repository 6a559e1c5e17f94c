"""A landscape from a Terraform plan (harness.importing.from_terraform, .draft): what the plan
holds lands where the landscape format puts it, what it cannot hold is reported, and an import
that would not load is refused with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from harness.importing.draft import Account, Draft, ImportFailed
from harness.importing.from_terraform import Options, import_plan
from harness.importing.terraform_plan import Plan
from harness.landscape.loader import load_landscape
from harness.stack import Stack

PLANS = Path(__file__).parent / "plans"
MANAGEMENT = Account("management", "111111111111", "aws-management@securecart.example")
OPTIONS = Options("imported", "us-east-1", ("us-east-1",), management=MANAGEMENT,
                  account_ids={"prod": "666666666666"})


def imported(options: Options = OPTIONS) -> Draft:
    return import_plan(Plan.load(PLANS / "two-accounts.json"), options)


def test_the_plan_becomes_a_landscape_the_loader_accepts(tmp_path: Path) -> None:
    landscape = load_landscape(imported().write(tmp_path / "landscape"))
    assert [a.name for a in landscape.accounts] == ["management", "prod"]
    assert landscape.ancestry("prod") == ("Root", "WorkloadsOU", "prod")
    prod = landscape.account("prod")
    role = prod.role("orders-processor")
    assert role.trust.document["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert sorted(p.name.rsplit("/", 1)[-1] for p in role.inline_policies) == [
        "orders-a", "orders-b"]
    assert [p.name for p in prod.managed_policies] == ["deploy-permissions"]


def test_the_report_lists_what_was_read_and_what_was_not(tmp_path: Path) -> None:
    out = imported().write(tmp_path / "landscape")
    report = (out / "import-report.md").read_text(encoding="utf-8")
    assert "| `aws_iam_role_policy.orders[\"b\"]` | accounts/prod.yaml roles[orders-processor] |" \
        in report
    assert "## Read (8)" in report  # and FullAWSAccess, which AWS attaches
    assert "| `(AWS) FullAWSAccess` |" in report
    assert "## Skipped (0)" in report


def test_a_new_accounts_id_is_not_guessed() -> None:
    options = Options("imported", "us-east-1", ("us-east-1",), management=MANAGEMENT)
    with pytest.raises(ImportFailed, match=r"aws_organizations_account\.prod\.id: known only "
                                           r"after apply; give the account's id with "
                                           r"--account-id prod=ID"):
        imported(options)


def test_a_new_organisations_management_account_must_be_named() -> None:
    options = Options("imported", "us-east-1", ("us-east-1",), account_ids={"prod": "1" * 12})
    with pytest.raises(ImportFailed, match="the management account is not in the plan"):
        imported(options)


def test_a_policy_that_is_not_json_is_refused_naming_the_address(tmp_path: Path) -> None:
    data = json.loads((PLANS / "two-accounts.json").read_text(encoding="utf-8"))
    role = data["planned_values"]["root_module"]["resources"][0]
    for text in ("{not json", "[" * 100_000 + "]" * 100_000):
        role["values"]["assume_role_policy"] = text
        broken = tmp_path / "plan.json"
        broken.write_text(json.dumps(data), encoding="utf-8")
        with pytest.raises(ImportFailed, match=r"aws_iam_role\.orders\.assume_role_policy: "
                                               r"not a JSON policy document"):
            import_plan(Plan.load(broken), OPTIONS)


def test_an_invalid_import_writes_nothing(tmp_path: Path) -> None:
    draft = imported()
    draft.allowed_regions = ["eu-west-1"]  # the home region must be allowed
    out = tmp_path / "landscape"
    with pytest.raises(ImportFailed, match=r"landscape/landscape\.yaml: regions"):
        draft.write(out)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_landscape_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "landscape").mkdir()
    (tmp_path / "landscape" / "landscape.yaml").write_text("name: mine\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="exists and is not an empty directory"):
        imported().write(tmp_path / "landscape")
    assert (tmp_path / "landscape" / "landscape.yaml").read_text(encoding="utf-8") == \
        "name: mine\n"


def test_full_aws_access_is_attached_at_every_level_as_aws_does(tmp_path: Path) -> None:
    # The plan enables SCPs and attaches none: without AWS's own FullAWSAccess, every action
    # in the organisation would be denied.
    landscape = load_landscape(imported().write(tmp_path / "landscape"))
    [scp] = landscape.scps
    assert scp.name == "FullAWSAccess" and scp.aws_managed
    assert set(scp.targets) == {"Root", "WorkloadsOU", "management", "prod"}


def test_the_imported_landscape_is_seeded_and_its_role_exists(tmp_path: Path) -> None:
    landscape = load_landscape(imported().write(tmp_path / "landscape"))
    with Stack(landscape, tls_port=None) as stack:
        iam = stack.client("iam", stack.administrator("prod"), secure=False)
        role = iam.get_role(RoleName="orders-processor")["Role"]
        assert role["Arn"] == "arn:aws:iam::666666666666:role/orders-processor"
        assert sorted(iam.list_role_policies(RoleName="orders-processor")["PolicyNames"]) == [
            "orders-a", "orders-b"]
        with pytest.raises(LookupError, match="the landscape has no Identity Center"):
            stack.login("alice", "prod")


# --------------------------------------------------------------------------- guardrails.json
# An OU with an SCP attached to it and to the root; a role with a boundary (a policy the plan
# creates: its ARN is known only after apply), a customer and an AWS managed policy; a role
# whose trust names the first role's ARN (known only after apply); a bucket.

def guardrails() -> Draft:
    return import_plan(Plan.load(PLANS / "guardrails.json"), OPTIONS)


def test_scps_are_attached_where_the_plan_attaches_them(tmp_path: Path) -> None:
    landscape = load_landscape(guardrails().write(tmp_path / "landscape"))
    targets = {scp.name: set(scp.targets) for scp in landscape.scps}
    assert targets == {"FullAWSAccess": {"Root", "Prod", "management", "prod"},
                       "deny-leave-organization": {"Root", "Prod"}}


def test_a_roles_policies_and_boundary_follow_references_to_policies_of_the_plan(
        tmp_path: Path) -> None:
    landscape = load_landscape(guardrails().write(tmp_path / "landscape"))
    role = landscape.account("prod").role("DeployRole")
    assert role.managed_policies == ("arn:aws:iam::666666666666:policy/deploy-permissions",
                                     "arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert role.permissions_boundary == "arn:aws:iam::666666666666:policy/deploy-boundary"
    assert role.max_session_duration == 7200
    assert dict(role.tags) == {"team": "platform"}


def test_what_is_unknown_or_has_no_place_is_reported_and_left_out(tmp_path: Path) -> None:
    out = guardrails().write(tmp_path / "landscape")
    report = (out / "import-report.md").read_text(encoding="utf-8")
    assert ("| `aws_iam_role.trusts_new_role` | `assume_role_policy` | the role is not "
            "imported |") in report
    assert ("| `aws_s3_bucket.artifacts` | accounts/prod.yaml "
            "resources.s3_buckets[securecart-prod-artifacts] |") in report
    assert "## Skipped (0)" in report
    assert [r.name for r in load_landscape(out).account("prod").roles] == ["DeployRole"]


def test_an_account_a_policy_names_outside_the_plan_is_an_external_account(
        tmp_path: Path) -> None:
    landscape = load_landscape(guardrails().write(tmp_path / "landscape"))
    outside = landscape.account("external-777777777777")
    assert outside.external and outside.account_id == "777777777777"


def test_the_imported_guardrail_denies_through_the_gateway(tmp_path: Path) -> None:
    landscape = load_landscape(guardrails().write(tmp_path / "landscape"))
    with Stack(landscape, tls_port=None) as stack:
        organizations = stack.client("organizations", stack.administrator("prod"), secure=False)
        with pytest.raises(ClientError, match="with an explicit deny in a service control policy"):
            organizations.leave_organization()


def test_a_name_that_would_write_outside_the_landscape_is_refused(tmp_path: Path) -> None:
    data = json.loads((PLANS / "two-accounts.json").read_text(encoding="utf-8"))
    for resource in data["planned_values"]["root_module"]["resources"]:
        if resource["type"] == "aws_organizations_account":
            resource["values"]["name"] = "../../escaped"
    broken = tmp_path / "plan.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    options = Options("imported", "us-east-1", ("us-east-1",), management=MANAGEMENT,
                      account_ids={"../../escaped": "666666666666"})
    draft = import_plan(Plan.load(broken), options)
    out = tmp_path / "deep" / "landscape"
    with pytest.raises(ImportFailed, match="would write outside the landscape directory"):
        draft.write(out)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["deep", "plan.json"]


def test_a_default_account_that_is_not_in_the_plan_is_refused(tmp_path: Path) -> None:
    data = json.loads((PLANS / "two-accounts.json").read_text(encoding="utf-8"))
    for resource in data["configuration"]["root_module"]["resources"]:
        if resource["address"] == "aws_iam_role.orders":
            resource["provider_config_key"] = "aws"  # the provider that assumes no role
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(data), encoding="utf-8")
    options = Options("imported", "us-east-1", ("us-east-1",), management=MANAGEMENT,
                      account_ids={"prod": "666666666666"}, default_account="prd")
    with pytest.raises(ImportFailed, match=r"--default-account prd: not an account of the plan "
                                           r"\(management, prod\)"):
        import_plan(Plan.load(plan), options)
