"""A Terraform plan as `terraform show -json PLANFILE` prints it, read into the resources the plan
leaves in place: their values, which of them Terraform cannot know before apply, what they refer
to, and which AWS account's provider they go through.
https://developer.hashicorp.com/terraform/internals/json-format

    plan = Plan.load(Path("plan.json"))              # raises PlanError naming file and place
    for resource in plan.of_type("aws_iam_role"):
        resource.value("name")                       # UnknownValue if known only after apply
        plan.referenced(resource, "role")            # the resources an attribute refers to
        plan.account_id(resource)                    # from its provider's assume_role, or None

Values unknown at plan time are absent from `planned_values` and marked in
`resource_changes[].change.after_unknown`; a link between two resources created by the same plan
(a role policy's `role`, an OU's `parent_id`) is then only in the configuration, as a reference
to another resource's address: `referenced` resolves it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

SUPPORTED_MAJOR = "1"
"""The format_version major version this reader understands (the format's own rule: reject
another major version, ignore unknown keys)."""

_ROLE_ARN = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):role/")
_INDEX = re.compile(r"\[[^\]]*\]$")


class PlanError(ValueError):
    """A plan that cannot be read: the file, the place in it (a JSON path or a resource
    address and field), and why."""

    def __init__(self, file: Path, where: str, why: str) -> None:
        super().__init__(f"{file}: {where}: {why}" if where else f"{file}: {why}")
        self.file = file
        self.where = where
        self.why = why


class UnknownValue(LookupError):
    """An attribute Terraform knows only after apply: reported by an importer, never guessed."""

    def __init__(self, address: str, attribute: str) -> None:
        super().__init__(f"{address}.{attribute}: known only after apply")
        self.address = address
        self.attribute = attribute


@dataclass(frozen=True, slots=True)
class Provider:
    """One provider configuration (`aws`, `aws.prod`): its region and the role it assumes."""

    key: str
    region: str | None
    assume_role_arn: str | None

    @property
    def account_id(self) -> str | None:
        """The account the provider acts in, when its assume_role names one."""
        found = _ROLE_ARN.match(self.assume_role_arn or "")
        return found.group(1) if found else None


@dataclass(frozen=True, slots=True)
class PlannedResource:
    """A managed resource as the plan leaves it."""

    address: str
    """Terraform's address: `module.m.aws_iam_policy.p[0]`, `aws_iam_role_policy.x["a"]`."""
    type: str
    name: str
    module: str
    """The module's address ("" at the root): `module.m`."""
    index: str | int | None
    values: Mapping[str, Any] = field(hash=False)
    unknown: frozenset[str]
    """Top-level attributes whose value is known only after apply."""
    provider_key: str
    """The provider configuration it goes through (`aws.prod`), module mappings resolved."""
    references: Mapping[str, tuple[str, ...]] = field(hash=False)
    """Per attribute the configuration sets, the resource addresses its expression refers to
    (without index; none for a constant)."""

    @property
    def configured(self) -> frozenset[str]:
        """The attributes the configuration sets (the others are the provider's defaults)."""
        return frozenset(self.references)

    @property
    def configuration_address(self) -> str:
        """The address without its instance index: where the configuration declares it."""
        return _INDEX.sub("", self.address)

    def known(self, attribute: str) -> bool:
        return attribute not in self.unknown and attribute in self.values

    def value(self, attribute: str) -> Any:
        """The attribute's planned value (None when the plan leaves it unset); UnknownValue
        when Terraform knows it only after apply."""
        if attribute in self.unknown:
            raise UnknownValue(self.address, attribute)
        return self.values.get(attribute)


@dataclass(frozen=True)
class Plan:
    file: Path
    resources: tuple[PlannedResource, ...]
    providers: Mapping[str, Provider]

    @classmethod
    def load(cls, file: Path) -> Plan:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise PlanError(file, "", f"cannot read: {error}") from error
        except json.JSONDecodeError as error:
            raise PlanError(file, f"line {error.lineno}, column {error.colno}",
                            f"not JSON: {error.msg}") from error
        except RecursionError as error:
            raise PlanError(file, "", "not a Terraform plan: JSON nested too deeply") from error
        return _Reader(file).plan(data)

    def of_type(self, resource_type: str) -> Iterator[PlannedResource]:
        return (r for r in self.resources if r.type == resource_type)

    def by_address(self, address: str) -> PlannedResource | None:
        return next((r for r in self.resources if r.address == address), None)

    # Indexes, made on first use: `referenced` is asked for once per resource or so, and a scan
    # of the plan each time would grow with the square of its size.
    @cached_property
    def _declared(self) -> dict[str, list[PlannedResource]]:
        """The resources by configuration address (every instance of a count/for_each)."""
        found: dict[str, list[PlannedResource]] = {}
        for resource in self.resources:
            found.setdefault(resource.configuration_address, []).append(resource)
        return found

    def referenced(self, resource: PlannedResource, attribute: str) -> tuple[PlannedResource, ...]:
        """The resources of the plan that `resource`'s `attribute` refers to (every instance
        of a `count`/`for_each` resource), in the module of `resource`."""
        prefix = f"{resource.module}." if resource.module else ""
        targets = {prefix + reference for reference in resource.references.get(attribute, ())}
        found = [r for target in targets for r in self._declared.get(target, ())]
        return tuple(sorted(found, key=lambda r: self._position[r.address]))  # the plan's order

    @cached_property
    def _position(self) -> dict[str, int]:
        return {resource.address: number for number, resource in enumerate(self.resources)}

    def account_id(self, resource: PlannedResource) -> str | None:
        """The account id `resource` is created in, when its provider's assume_role says so."""
        provider = self.providers.get(resource.provider_key)
        return provider.account_id if provider is not None else None


class _Reader:
    def __init__(self, file: Path) -> None:
        self.file = file

    def fail(self, where: str, why: str) -> PlanError:
        return PlanError(self.file, where, why)

    def plan(self, data: Any) -> Plan:
        if not isinstance(data, dict):
            raise self.fail("", "not a Terraform plan: expected a JSON object "
                            "(the output of `terraform show -json PLANFILE`)")
        version = data.get("format_version")
        if not isinstance(version, str) or "planned_values" not in data:
            raise self.fail("", "not a Terraform plan: no format_version and planned_values "
                            "(is it `terraform show -json PLANFILE`'s output?)")
        if version.split(".")[0] != SUPPORTED_MAJOR:
            raise self.fail("format_version", f"version {version} is not supported "
                            f"(only {SUPPORTED_MAJOR}.x)")
        if data.get("errored") is True:
            raise self.fail("errored", "the plan did not complete: Terraform reported errors "
                            "while planning")
        configuration = self._object(data, "configuration", required=False)
        declared = self._declared(configuration, "configuration")
        unknown = self._unknown(data.get("resource_changes", []))
        resources = tuple(self._resources(data["planned_values"], "planned_values", declared,
                                          unknown))
        return Plan(self.file, resources, self._providers(configuration))

    def _object(self, data: Mapping[str, Any], key: str, where: str = "",
                required: bool = True) -> Mapping[str, Any]:
        value = data.get(key)
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            raise self.fail(f"{where}.{key}" if where else key, "expected an object")
        return value

    def _list(self, data: Mapping[str, Any], key: str, where: str) -> list[Any]:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise self.fail(f"{where}.{key}", "expected a list")
        return value

    def _resources(self, values: Any, where: str,
                   declared: Mapping[str, tuple[str, Mapping[str, tuple[str, ...]]]],
                   unknown: Mapping[str, frozenset[str]]) -> Iterator[PlannedResource]:
        if not isinstance(values, dict):
            raise self.fail(where, "expected an object")
        module = self._object(values, "root_module", where)
        yield from self._module(module, f"{where}.root_module", "", declared, unknown)

    def _module(self, module: Mapping[str, Any], where: str, module_address: str,
                declared: Mapping[str, tuple[str, Mapping[str, tuple[str, ...]]]],
                unknown: Mapping[str, frozenset[str]]) -> Iterator[PlannedResource]:
        for number, entry in enumerate(self._list(module, "resources", where)):
            place = f"{where}.resources[{number}]"
            if not isinstance(entry, dict):
                raise self.fail(place, "expected an object")
            if entry.get("mode", "managed") != "managed":
                continue  # data sources are read, not created
            yield self._resource(entry, place, module_address, declared, unknown)
        for number, child in enumerate(self._list(module, "child_modules", where)):
            place = f"{where}.child_modules[{number}]"
            if not isinstance(child, dict) or not isinstance(child.get("address"), str):
                raise self.fail(place, "expected an object with an address")
            yield from self._module(child, place, child["address"], declared, unknown)

    def _resource(self, entry: Mapping[str, Any], place: str, module_address: str,
                  declared: Mapping[str, tuple[str, Mapping[str, tuple[str, ...]]]],
                  unknown: Mapping[str, frozenset[str]]) -> PlannedResource:
        for key in ("address", "type", "name"):
            if not isinstance(entry.get(key), str):
                raise self.fail(f"{place}.{key}", "expected a string")
        address: str = entry["address"]
        values = entry.get("values", {})
        if not isinstance(values, dict):
            raise self.fail(f"{address}.values", "expected an object")
        index = entry.get("index")
        configuration_address = _INDEX.sub("", address)
        provider_key, references = declared.get(configuration_address, ("", {}))
        return PlannedResource(
            address=address, type=entry["type"], name=entry["name"], module=module_address,
            index=index if isinstance(index, str | int) else None, values=values,
            unknown=unknown.get(address, frozenset()), provider_key=provider_key,
            references=references,
        )

    def _unknown(self, changes: Any) -> dict[str, frozenset[str]]:
        if not isinstance(changes, list):
            raise self.fail("resource_changes", "expected a list")
        found: dict[str, frozenset[str]] = {}
        for number, change in enumerate(changes):
            place = f"resource_changes[{number}]"
            if not isinstance(change, dict) or not isinstance(change.get("address"), str):
                raise self.fail(place, "expected an object with an address")
            after_unknown = (change.get("change") or {}).get("after_unknown") or {}
            if not isinstance(after_unknown, dict):
                raise self.fail(f"{place}.change.after_unknown", "expected an object")
            found[change["address"]] = frozenset(
                attribute for attribute, flag in after_unknown.items() if flag is True)
        return found

    def _declared(self, configuration: Mapping[str, Any], where: str
                  ) -> dict[str, tuple[str, Mapping[str, tuple[str, ...]]]]:
        """Per configuration address (module-qualified): its provider key and references."""
        declared: dict[str, tuple[str, Mapping[str, tuple[str, ...]]]] = {}
        if configuration:
            root = self._object(configuration, "root_module", where)
            self._declared_in(root, f"{where}.root_module", "", declared)
        return declared

    def _declared_in(self, module: Mapping[str, Any], where: str, prefix: str,
                     declared: dict[str, tuple[str, Mapping[str, tuple[str, ...]]]]) -> None:
        for number, entry in enumerate(self._list(module, "resources", where)):
            if not isinstance(entry, dict) or not isinstance(entry.get("address"), str):
                raise self.fail(f"{where}.resources[{number}]", "expected an object with an "
                                "address")
            expressions = entry.get("expressions") or {}
            references = {
                attribute: tuple(r for r in expression.get("references", ())
                                 if isinstance(r, str))
                for attribute, expression in expressions.items()
                if isinstance(expression, dict)
            }
            declared[prefix + entry["address"]] = (str(entry.get("provider_config_key", "")),
                                                   references)
        calls = module.get("module_calls") or {}
        if not isinstance(calls, dict):
            raise self.fail(f"{where}.module_calls", "expected an object")
        for name, call in calls.items():
            child = call.get("module") if isinstance(call, dict) else None
            if isinstance(child, dict):
                self._declared_in(child, f"{where}.module_calls.{name}.module",
                                  f"{prefix}module.{name}.", declared)

    def _providers(self, configuration: Mapping[str, Any]) -> dict[str, Provider]:
        providers: dict[str, Provider] = {}
        for key, entry in (configuration.get("provider_config") or {}).items():
            if not isinstance(entry, dict):
                raise self.fail(f"configuration.provider_config.{key}", "expected an object")
            expressions = entry.get("expressions") or {}
            assume = expressions.get("assume_role")
            role_arn = None
            if isinstance(assume, list) and assume and isinstance(assume[0], dict):
                role_arn = _constant(assume[0].get("role_arn"))
            region = _constant(expressions.get("region"))
            providers[key] = Provider(key, region if isinstance(region, str) else None,
                                      role_arn if isinstance(role_arn, str) else None)
        return providers


def _constant(expression: Any) -> Any:
    """An expression's value when the configuration gives it as a constant (else None)."""
    return expression.get("constant_value") if isinstance(expression, dict) else None
