"""`securecart landscape import PLAN.json --out DIR`: a landscape from a Terraform plan
(`terraform show -json PLANFILE`), with import-report.md beside it (docs/importing.md).

Exit 0 when the landscape is written and nothing it needs was unknown; 1 when it is written but
values Terraform knows only after apply are missing from it (listed in the report;
`--allow-unknown` accepts that); 2 when the plan or the options cannot be read, or the landscape
would not load (nothing is written then).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.importing.draft import Account, ImportFailed
from harness.importing.from_terraform import Options, import_plan
from harness.importing.report import REPORT_FILE
from harness.importing.terraform_plan import Plan, PlanError

EXIT_OK = 0
EXIT_UNKNOWN = 1
EXIT_INVALID = 2

EXAMPLES = """examples:
  terraform plan -out plan.bin && terraform show -json plan.bin > plan.json
  securecart landscape import plan.json --out landscape \\
      --management management=111111111111,aws-management@example.com
  securecart landscape import plan.json --out landscape --account-id prod=666666666666
  securecart landscape show landscape
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "import",
        help="make a landscape from a Terraform plan (terraform show -json)",
        description="Read a Terraform plan's JSON (terraform show -json PLANFILE) and write a "
        "landscape directory: the organisation (OUs, accounts, SCPs and attachments) and each "
        "account's IAM roles and managed policies, with import-report.md listing what was "
        "read, skipped and unknown until apply. Exit 0 written, 1 written with values "
        "unknown until apply (see the report), 2 unreadable input (nothing written).",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("plan", type=Path, metavar="PLAN.json",
                        help="the output of `terraform show -json PLANFILE`")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="the landscape directory to write (must not exist, or be empty)")
    parser.add_argument("--name", help="the landscape's name (default: DIR's name)")
    parser.add_argument("--home-region", metavar="REGION",
                        help="regions.home (default: the region of the plan's default provider)")
    parser.add_argument("--allowed-regions", nargs="+", metavar="REGION",
                        help="regions.allowed (default: every region of the plan's providers)")
    parser.add_argument("--management", metavar="NAME=ID,EMAIL",
                        help="the management account, when the plan does not say it (a new "
                        "organisation's is the account that runs Terraform)")
    parser.add_argument("--account-id", action="append", default=[], metavar="NAME=ID",
                        help="the id of an account the plan creates (known only after apply); "
                        "repeat for each")
    parser.add_argument("--default-account", metavar="NAME",
                        help="the account of resources whose provider assumes no role "
                        "(default: the management account)")
    parser.add_argument("--allow-unknown", action="store_true",
                        help="exit 0 even when values known only after apply are missing")
    parser.set_defaults(func=run_import)


class _BadOption(ValueError):
    pass


def _management(text: str | None) -> Account | None:
    if text is None:
        return None
    name, _, rest = text.partition("=")
    account_id, _, email = rest.partition(",")
    if not name or not account_id.isdigit() or len(account_id) != 12 or "@" not in email:
        raise _BadOption(f"--management {text}: expected NAME=ID,EMAIL with a 12-digit id")
    return Account(name, account_id, email)


def _account_ids(entries: list[str]) -> dict[str, str]:
    found = {}
    for entry in entries:
        name, _, account_id = entry.partition("=")
        if not name or not account_id.isdigit() or len(account_id) != 12:
            raise _BadOption(f"--account-id {entry}: expected NAME=ID with a 12-digit id")
        found[name] = account_id
    return found


def _options(args: argparse.Namespace, plan: Plan) -> Options:
    regions = sorted({p.region for p in plan.providers.values() if p.region})
    default = plan.providers.get("aws")
    home = args.home_region or (default.region if default and default.region else None) or (
        regions[0] if regions else None)
    if home is None:
        raise _BadOption("the plan's providers name no region: give --home-region")
    allowed = args.allowed_regions or regions or [home]
    if home not in allowed:
        allowed = [home, *allowed]
    return Options(
        name=args.name or args.out.name,
        home_region=home,
        allowed_regions=tuple(allowed),
        management=_management(args.management),
        account_ids=_account_ids(args.account_id),
        default_account=args.default_account,
    )


def run_import(args: argparse.Namespace) -> int:
    try:
        plan = Plan.load(args.plan)
        draft = import_plan(plan, _options(args, plan))
        out = draft.write(args.out)
    except (PlanError, ImportFailed, _BadOption) as error:
        print(f"securecart landscape import: {error}", file=sys.stderr)
        return EXIT_INVALID
    report = draft.report
    roles = sum(len(sections.get("roles", [])) for sections in draft.account_files.values())
    print(f"imported {args.plan} into {out}: {len(draft.accounts)} accounts, {roles} roles, "
          f"{len(draft.scps)} SCPs; {len(report.read)} read, {len(report.skipped)} skipped, "
          f"{len(report.unknown)} unknown until apply ({out / REPORT_FILE})")
    if report.unknown and not args.allow_unknown:
        count = len(report.unknown)
        print(f"securecart landscape import: {count} value{'s are' if count != 1 else ' is'} "
              f"known only after apply, and the landscape lacks what needs "
              f"{'them' if count != 1 else 'it'} (see {out / REPORT_FILE}); --allow-unknown "
              "accepts that", file=sys.stderr)
        return EXIT_UNKNOWN
    return EXIT_OK
