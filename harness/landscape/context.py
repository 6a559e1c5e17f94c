"""What the files after organization.yaml are read against: the accounts and OUs it defines,
the regions of landscape.yaml, the policy reader and the error sink."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from harness.landscape.errors import ErrorSink
from harness.landscape.model import Regions
from harness.landscape.nodes import Node
from harness.landscape.policies import Policies


@dataclass
class AccountEntry:
    """An account of organization.yaml; `parent` is None for an external account."""

    name: str
    account_id: str
    email: str
    parent: str | None
    description: str
    node: Node


@dataclass
class OuEntry:
    name: str
    parent: str
    description: str
    ous: list[str]
    accounts: list[str]
    node: Node


@dataclass(frozen=True)
class Context:
    directory: Path
    sink: ErrorSink
    policies: Policies
    regions: Regions
    accounts: Mapping[str, AccountEntry]
    ous: Mapping[str, OuEntry]
    service_principals: frozenset[str]

    def member_names(self) -> list[str]:
        """The accounts inside the organisation (not external)."""
        return [name for name, entry in self.accounts.items() if entry.parent is not None]
