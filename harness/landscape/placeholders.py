"""`{{…}}` placeholders in policy files: `{{account.<name>}}`, `{{account.self}}`,
`{{region.home}}` (strings) and `{{regions.allowed}}`, `{{accounts.organization}}` (lists).
IAM's own `${…}` policy variables are left alone."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from harness.landscape.wording import known, suggest

_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}")
_LIST_PLACEHOLDERS = ("regions.allowed", "accounts.organization")


@dataclass(frozen=True)
class PlaceholderValues:
    """What placeholders resolve to."""

    account_ids: Mapping[str, str]  # every account, members and external
    member_ids: tuple[str, ...]
    home_region: str
    allowed_regions: tuple[str, ...]


def resolve(
    value: Any,
    where: str,
    names: PlaceholderValues,
    self_account: str | None,
    problems: list[tuple[str, str]],
) -> Any:
    """The document with `{{…}}` placeholders replaced; (place, problem) of each that cannot be
    are appended to `problems`. A list placeholder as a whole string value becomes the list; as
    an element of a list, its items are spliced into that list."""
    if isinstance(value, dict):
        resolved = {}
        for key, item in value.items():
            if _PLACEHOLDER.search(key):
                problems.append(
                    (
                        _json_child(where, key),
                        "placeholders are resolved in values only, not in keys",
                    )
                )
            resolved[key] = resolve(item, _json_child(where, key), names, self_account, problems)
        return resolved
    if isinstance(value, list):
        items: list[Any] = []
        for index, item in enumerate(value):
            here = f"{where}[{index}]"
            whole = _PLACEHOLDER.fullmatch(item.strip()) if isinstance(item, str) else None
            spliced = _resolve_list(whole.group(1).strip(), names) if whole else None
            if spliced is not None:
                items.extend(spliced)
            else:
                items.append(resolve(item, here, names, self_account, problems))
        return items
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value.strip())
        if whole:
            listed = _resolve_list(whole.group(1).strip(), names)
            if listed is not None:
                return listed

        def substitute(match: re.Match[str]) -> str:
            try:
                return _resolve_scalar(match.group(1).strip(), names, self_account)
            except ValueError as error:
                problems.append((where, str(error)))
                return match.group(0)

        return _PLACEHOLDER.sub(substitute, value)
    return value


def _resolve_list(body: str, names: PlaceholderValues) -> list[str] | None:
    if body == "regions.allowed":
        return list(names.allowed_regions)
    if body == "accounts.organization":
        return list(names.member_ids)
    return None


def _resolve_scalar(body: str, names: PlaceholderValues, self_account: str | None) -> str:
    """The value of a scalar placeholder, or ValueError saying why there is none."""
    if body == "region.home":
        return names.home_region
    if body.startswith("account."):
        account = body[len("account.") :]
        if account == "self":
            if self_account is None:
                raise ValueError(
                    "{{account.self}} is only available in policies that belong to an account "
                    "(files referenced from accounts/<name>.yaml)"
                )
            account = self_account
        if account not in names.account_ids:
            raise ValueError(
                f"unknown account '{account}' in {{{{{body}}}}} "
                f"{known(names.account_ids)}{suggest(account, names.account_ids)}"
            )
        return names.account_ids[account]
    if body in _LIST_PLACEHOLDERS:
        raise ValueError(f"{{{{{body}}}}} is a list: it must be a whole JSON string value, alone")
    raise ValueError(
        f"unknown placeholder {{{{{body}}}}} (supported: {{{{account.<name>}}}}, "
        "{{account.self}}, {{region.home}}, {{regions.allowed}}, {{accounts.organization}})"
    )


def _json_child(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
