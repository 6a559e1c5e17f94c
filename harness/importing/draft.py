"""A landscape being imported, as the files it will be: the YAML of landscape.yaml,
organization.yaml, identity-center.yaml and accounts/<name>.yaml, and one JSON file per policy
(docs/landscape.md). `write` makes it a landscape directory only when the loader accepts it whole:
an import never leaves a half-written or invalid landscape behind."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.importing.report import REPORT_FILE, ImportReport
from harness.landscape.layout import (
    ACCOUNTS_DIR,
    IDENTITY_CENTER_FILE,
    LANDSCAPE_FILE,
    ORGANIZATION_FILE,
)
from harness.landscape.loader import validate_landscape

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class ImportFailed(RuntimeError):
    """The imported landscape is not one the loader accepts, or cannot be written."""

    def __init__(self, why: str, errors: tuple[str, ...] = ()) -> None:
        super().__init__("\n".join([why, *(f"  {error}" for error in errors)]))
        self.errors = errors


@dataclass
class Account:
    name: str
    account_id: str
    email: str
    description: str = ""


@dataclass
class Draft:
    name: str
    home_region: str
    allowed_regions: list[str]
    description: str = ""
    management_account: str | None = None
    root_accounts: list[str] = field(default_factory=list)
    ous: dict[str, dict[str, Any]] = field(default_factory=dict)
    """OU name -> {"parent": "Root" | OU name, "description": …}."""
    account_parents: dict[str, str] = field(default_factory=dict)
    """Member account name -> "Root" or its OU's name."""
    accounts: dict[str, Account] = field(default_factory=dict)
    external_accounts: list[str] = field(default_factory=list)
    scps: list[dict[str, Any]] = field(default_factory=list)
    identity_center: dict[str, Any] | None = None
    account_files: dict[str, dict[str, Any]] = field(default_factory=dict)
    policies: dict[str, Any] = field(default_factory=dict)
    report: ImportReport = field(default_factory=ImportReport)

    def policy_file(self, folder: str, name: str, document: Any) -> str:
        """Keep `document` as a policy file under policies/<folder>/, named after `name`;
        returns its path relative to the landscape (unique: a second `name` gets a suffix)."""
        stem = _UNSAFE.sub("-", name).strip("-") or "policy"
        relative = f"policies/{folder}/{stem}.json"
        number = 2
        while relative in self.policies:
            relative = f"policies/{folder}/{stem}-{number}.json"
            number += 1
        self.policies[relative] = document
        return relative

    def section(self, account: str, name: str) -> list[dict[str, Any]]:
        """The list `name` (roles, managed_policies) of accounts/<account>.yaml."""
        sections = self.account_files.setdefault(account, {})
        found: list[dict[str, Any]] = sections.setdefault(name, [])
        return found

    def resources(self, account: str, kind: str) -> list[dict[str, Any]]:
        """The list `kind` (s3_buckets, sns_topics, …) of accounts/<account>.yaml resources."""
        sections = self.account_files.setdefault(account, {})
        found: list[dict[str, Any]] = sections.setdefault("resources", {}).setdefault(kind, [])
        return found

    # ------------------------------------------------------------------ the files

    def files(self) -> dict[str, str]:
        """Every file of the landscape, by relative path, as text."""
        files = {
            LANDSCAPE_FILE: _yaml(self._landscape()),
            ORGANIZATION_FILE: _yaml(self._organization()),
            REPORT_FILE: self.report.markdown(),
        }
        if self.identity_center is not None:
            files[IDENTITY_CENTER_FILE] = _yaml(self.identity_center)
        for account, sections in sorted(self.account_files.items()):
            files[f"{ACCOUNTS_DIR}/{account}.yaml"] = _yaml(sections)
        for relative, document in sorted(self.policies.items()):
            files[relative] = json.dumps(document, indent=2) + "\n"
        return files

    def _landscape(self) -> dict[str, Any]:
        top: dict[str, Any] = {"name": self.name}
        if self.description:
            top["description"] = self.description
        top["regions"] = {"home": self.home_region, "allowed": list(self.allowed_regions)}
        return top

    def _organization(self) -> dict[str, Any]:
        def account_entry(name: str) -> dict[str, Any]:
            account = self.accounts[name]
            entry = {"name": name, "id": account.account_id, "email": account.email}
            if account.description:
                entry["description"] = account.description
            return entry

        def level(parent: str) -> dict[str, Any]:
            found: dict[str, Any] = {}
            accounts = [account_entry(name) for name, at in self.account_parents.items()
                        if at == parent]
            if accounts:
                found["accounts"] = accounts
            ous = []
            for name, ou in self.ous.items():
                if ou["parent"] == parent:
                    entry = {"name": name}
                    if ou.get("description"):
                        entry["description"] = ou["description"]
                    ous.append({**entry, **level(name)})
            if ous:
                found["ous"] = ous
            return found

        organization: dict[str, Any] = {"management_account": self.management_account,
                                        "root": level("Root")}
        if self.external_accounts:
            organization["external_accounts"] = [account_entry(name)
                                                 for name in self.external_accounts]
        if self.scps:
            organization["service_control_policies"] = self.scps
        return organization

    def write(self, out: Path) -> Path:
        """Write the landscape to `out` (which must not exist, or be an empty directory), only
        if the loader accepts it; raises ImportFailed with the loader's errors otherwise."""
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise ImportFailed(f"{out}: exists and is not an empty directory; "
                               "give a new directory with --out")
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.importing-", dir=out.parent))
        try:
            inside = staging.resolve()
            for relative, text in self.files().items():
                path = staging / relative
                # Names come from the source (an account's name): none may lead outside.
                if not path.resolve().is_relative_to(inside):
                    raise ImportFailed(f"{relative}: a name from the source would write outside "
                                       "the landscape directory")
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            errors = validate_landscape(staging)
            if errors:  # named where the landscape would have been
                raise ImportFailed("the imported landscape is not valid:", tuple(
                    str(error).replace(str(staging), str(out)) for error in errors))
            if out.exists():
                out.rmdir()
            staging.rename(out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return out


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
