"""Edits of a landscape directory: each is a function that changes a copy of the landscape in
place (never the canonical fixtures), and fails loudly when what it means to change is not
there — a mutation table that has gone stale must not pass by mutating nothing.

    edit = drop_statements("policies/scp/protect-security-tooling.json", "ProtectConfig")
    edit(copy_of_the_landscape)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

Edit = Callable[[Path], None]
"""Changes the landscape directory it is given, in place."""

Document = dict[str, Any]
"""A parsed JSON policy, a statement of one, or a parsed YAML mapping."""


class StaleMutation(LookupError):
    """The landscape no longer holds what a mutation edits."""


# --------------------------------------------------------------------------- files


def _edit_json(landscape: Path, relative: str, change: Callable[[Document], None]) -> None:
    path = landscape / relative
    document = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise StaleMutation(f"{relative}: not a JSON object")
    change(document)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def _edit_yaml(landscape: Path, relative: str, change: Callable[[Document], None]) -> None:
    # Comments are lost: only the copy is rewritten, and the loader reads plain YAML.
    path = landscape / relative
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise StaleMutation(f"{relative}: not a YAML mapping")
    change(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def edit_yaml(relative: str, change: Callable[[Document], None]) -> Edit:
    """Apply `change` to the mapping read from the YAML file `relative`."""
    return lambda landscape: _edit_yaml(landscape, relative, change)


def combine(*edits: Edit) -> Edit:
    """All of `edits`, in order."""

    def apply(landscape: Path) -> None:
        for edit in edits:
            edit(landscape)

    return apply


# --------------------------------------------------------------------------- policy statements


def _statements(document: Document, relative: str) -> list[Document]:
    statements = document.get("Statement")
    if not isinstance(statements, list):
        raise StaleMutation(f"{relative}: Statement is not a list")
    return statements


def _statement(document: Document, relative: str, sid: str) -> Document:
    found = [s for s in _statements(document, relative) if s.get("Sid") == sid]
    if len(found) != 1:
        raise StaleMutation(f"{relative}: {len(found)} statements have the Sid {sid!r}")
    return found[0]


def drop_statements(relative: str, *sids: str) -> Edit:
    """Remove the statements with these Sids from the policy file `relative` (a policy needs at
    least one statement: to remove an SCP's only statement, remove the SCP)."""

    def change(document: Document) -> None:
        for sid in sids:
            _statement(document, relative, sid)
        kept = [s for s in _statements(document, relative) if s.get("Sid") not in sids]
        if not kept:
            raise StaleMutation(f"{relative}: no statement would be left")
        document["Statement"] = kept

    return lambda landscape: _edit_json(landscape, relative, change)


def change_statement(relative: str, sid: str, change: Callable[[Document], None]) -> Edit:
    """Apply `change` to the statement with this Sid in the policy file `relative`."""
    return lambda landscape: _edit_json(
        landscape, relative, lambda document: change(_statement(document, relative, sid))
    )


def without_condition(statement: Document) -> None:
    """The statement applies unconditionally (for an Allow: to anyone its principal names)."""
    if "Condition" not in statement:
        raise StaleMutation(f"statement {statement.get('Sid')!r} has no Condition")
    del statement["Condition"]


def without_action(action: str) -> Callable[[Document], None]:
    """The statement no longer lists `action`."""

    def change(statement: Document) -> None:
        actions = statement.get("Action")
        if not isinstance(actions, list) or action not in actions:
            raise StaleMutation(f"statement {statement.get('Sid')!r} does not list {action}")
        actions.remove(action)

    return change


def set_condition(operator: str, key: str, value: object) -> Callable[[Document], None]:
    """The statement's Condition becomes exactly {operator: {key: value}}."""

    def change(statement: Document) -> None:
        if "Condition" not in statement:
            raise StaleMutation(f"statement {statement.get('Sid')!r} has no Condition")
        statement["Condition"] = {operator: {key: value}}

    return change


def set_principal(principal: object) -> Callable[[Document], None]:
    """The statement's Principal becomes `principal`."""

    def change(statement: Document) -> None:
        if "Principal" not in statement:
            raise StaleMutation(f"statement {statement.get('Sid')!r} has no Principal")
        statement["Principal"] = principal

    return change


# --------------------------------------------------------------------------- organization.yaml

ORGANIZATION = "organization.yaml"


def _scp(organization: Document, name: str) -> Document:
    found = [s for s in organization["service_control_policies"] if s["name"] == name]
    if len(found) != 1:
        raise StaleMutation(f"{ORGANIZATION}: {len(found)} SCPs are named {name!r}")
    entry: Document = found[0]
    return entry


def remove_scp(name: str) -> Edit:
    """The SCP `name` is no longer in the organisation (neither the policy nor its
    attachments)."""

    def change(organization: Document) -> None:
        entry = _scp(organization, name)
        organization["service_control_policies"].remove(entry)

    return edit_yaml(ORGANIZATION, change)


def detach_scp(name: str, target: str) -> Edit:
    """The SCP `name` is no longer attached to `target` (it stays attached elsewhere)."""

    def change(organization: Document) -> None:
        targets = _scp(organization, name)["attach_to"]
        if target not in targets:
            raise StaleMutation(f"{ORGANIZATION}: {name} is not attached to {target}")
        targets.remove(target)
        if not targets:
            raise StaleMutation(f"{ORGANIZATION}: {name} would be attached nowhere")

    return edit_yaml(ORGANIZATION, change)


def attach_scp(name: str, target: str) -> Edit:
    """The SCP `name` is also attached to `target`."""

    def change(organization: Document) -> None:
        targets = _scp(organization, name)["attach_to"]
        if target in targets:
            raise StaleMutation(f"{ORGANIZATION}: {name} is already attached to {target}")
        targets.append(target)

    return edit_yaml(ORGANIZATION, change)


# --------------------------------------------------------------------------- other YAML files


def _named(items: list[Document], name: str, where: str, key: str = "name") -> Document:
    found = [item for item in items if item.get(key) == name]
    if len(found) != 1:
        raise StaleMutation(f"{where}: {len(found)} entries have {key} {name!r}")
    return found[0]


def change_role(account: str, role: str, change: Callable[[Document], None]) -> Edit:
    """Apply `change` to the role `role` of accounts/<account>.yaml."""
    relative = f"accounts/{account}.yaml"
    return edit_yaml(
        relative, lambda document: change(_named(document["roles"], role, relative))
    )


def change_permission_set(name: str, change: Callable[[Document], None]) -> Edit:
    """Apply `change` to the permission set `name` of identity-center.yaml."""
    relative = "identity-center.yaml"
    return edit_yaml(
        relative, lambda document: change(_named(document["permission_sets"], name, relative))
    )


def set_field(field: str, value: object) -> Callable[[Document], None]:
    """The mapping's `field` (which must be there) becomes `value`."""

    def change(mapping: Document) -> None:
        if field not in mapping:
            raise StaleMutation(f"{mapping.get('name')!r} has no {field}")
        mapping[field] = value

    return change


def drop_field(field: str) -> Callable[[Document], None]:
    """The mapping no longer has `field` (which must be there)."""

    def change(mapping: Document) -> None:
        if field not in mapping:
            raise StaleMutation(f"{mapping.get('name')!r} has no {field}")
        del mapping[field]

    return change
