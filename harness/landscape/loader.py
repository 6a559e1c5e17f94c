"""A landscape directory (YAML + policy JSON) → the validated model of `harness.landscape.model`.

    landscape = load_landscape("fixtures/securecart")     # or raises InvalidLandscape
    errors = validate_landscape("fixtures/securecart")    # () when valid

The loader reads every file, collects every problem it finds — with file, place and words —
and raises them together, sorted. The format is described in docs/landscape.md; the reading of
YAML is in `_yaml`-named helpers, placeholders in `_resolve*`, the policy files in `_Policies`,
cross-references and principals in `_check_*`.

Policies are validated by the engine (`harness.iam.parse`): `loads_strict` reads the JSON,
`parse_policy` validates the resolved document for its policy type.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, cast

import yaml

from harness.iam.errors import PolicyValidationError
from harness.iam.parse import loads_strict, parse_policy
from harness.iam.policy import PolicyType
from harness.landscape.errors import ErrorSink, InvalidLandscape, LandscapeError
from harness.landscape.model import (
    ROOT,
    SSO_ROLE_PATH,
    Account,
    Assignment,
    Bucket,
    ConfigRecorder,
    CustomerManagedPolicyRef,
    DbInstance,
    Function,
    Group,
    GuardDutyDetector,
    IdentityCenter,
    IdentityProvider,
    KeyAttribute,
    Landscape,
    ManagedPolicy,
    Organization,
    OrganizationalUnit,
    PermissionSet,
    PolicyDocument,
    Queue,
    Regions,
    Resources,
    Role,
    ServiceControlPolicy,
    Table,
    Tags,
    Topic,
    Trail,
    User,
    Volume,
    iso8601_seconds,
)

__all__ = ["DEFAULT_DIRECTORY", "KNOWN_SERVICE_PRINCIPALS", "load_landscape", "validate_landscape"]

LANDSCAPE_FILE = "landscape.yaml"
ORGANIZATION_FILE = "organization.yaml"
IDENTITY_CENTER_FILE = "identity-center.yaml"
ACCOUNTS_DIR = "accounts"


def _default_directory() -> Path:
    """The checked-in SecureCart landscape: beside the package in a checkout, else under the
    working directory."""
    beside_package = Path(__file__).resolve().parents[2] / "fixtures" / "securecart"
    if beside_package.is_dir():
        return beside_package
    return Path("fixtures") / "securecart"


DEFAULT_DIRECTORY = _default_directory()

# Service principals a trust or resource policy may name. A principal outside this list is most
# likely a typo (`lamda.amazonaws.com`); extend the list when the landscape needs another.
KNOWN_SERVICE_PRINCIPALS = frozenset(
    {
        "apigateway.amazonaws.com",
        "cloudformation.amazonaws.com",
        "cloudtrail.amazonaws.com",
        "codebuild.amazonaws.com",
        "codedeploy.amazonaws.com",
        "codepipeline.amazonaws.com",
        "config.amazonaws.com",
        "delivery.logs.amazonaws.com",
        "dynamodb.amazonaws.com",
        "ec2.amazonaws.com",
        "ecs-tasks.amazonaws.com",
        "ecs.amazonaws.com",
        "edgelambda.amazonaws.com",
        "events.amazonaws.com",
        "guardduty.amazonaws.com",
        "lambda.amazonaws.com",
        "logs.amazonaws.com",
        "monitoring.rds.amazonaws.com",
        "rds.amazonaws.com",
        "s3.amazonaws.com",
        "scheduler.amazonaws.com",
        "sns.amazonaws.com",
        "sqs.amazonaws.com",
        "sso.amazonaws.com",
        "states.amazonaws.com",
    }
)

# Web identity providers AWS knows without an IAM OIDC provider.
_BUILTIN_FEDERATED = frozenset(
    {
        "cognito-identity.amazonaws.com",
        "www.amazon.com",
        "graph.facebook.com",
        "accounts.google.com",
    }
)

_ACCOUNT_ID = re.compile(r"\d{12}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
_IAM_NAME = re.compile(r"[\w+=,.@-]{1,64}")
_IAM_PATH = re.compile(r"/([\x21-\x7e]*/)?")
_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_RESOURCE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,256}")
_PERMISSION_SET_NAME = re.compile(r"[\w+=,.@-]{1,32}")
_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}")
AWS_MANAGED_POLICY_PREFIX = "arn:aws:iam::aws:policy/"
_SSO_ROLE_PREFIX = "AWSReservedSSO_"

# Size quotas the engine does not default to (it defaults to IAM's and S3's).
_PERMISSION_SET_INLINE_MAX = 32768  # Identity Center: inline policy of a permission set
_ROLE_INLINE_MAX = 10240  # IAM: inline policies of a role, together
_SNS_POLICY_MAX = 30720
_SQS_POLICY_MAX = 8192


# =========================================================================== entry points


def load_landscape(directory: str | os.PathLike[str] | None = None) -> Landscape:
    """Read and validate a landscape; raise `InvalidLandscape` with every error found."""
    loader = _Loader(Path(directory) if directory is not None else DEFAULT_DIRECTORY)
    landscape = loader.load()
    if len(loader.sink) or landscape is None:
        raise InvalidLandscape(loader.sink.errors)
    return landscape


def validate_landscape(
    directory: str | os.PathLike[str] | None = None,
) -> tuple[LandscapeError, ...]:
    """Every error of a landscape, sorted; () when it is valid."""
    try:
        load_landscape(directory)
    except InvalidLandscape as invalid:
        return invalid.errors
    return ()


# =========================================================================== YAML nodes


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that notes duplicate mapping keys (PyYAML silently keeps the last one, which
    would let a reviewer read one value while the loader uses another)."""

    duplicates: list[tuple[str, int]]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                continue  # PyYAML itself refuses unhashable keys
            if key in seen:
                self.duplicates.append((key, key_node.start_mark.line + 1))
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _describe(value: object) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"a number ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _known(names: Iterable[str]) -> str:
    listed = list(names)
    return f"(known: {', '.join(listed)})" if listed else "(none are defined)"


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


@dataclass(frozen=True)
class _Node:
    """A YAML value with the file and the path it was read from, and where errors go."""

    value: object
    file: str
    path: str
    sink: ErrorSink = field(repr=False, compare=False)

    def error(self, problem: str) -> None:
        self.sink.add(self.file, self.path, problem)

    def at(self, key: str) -> _Node:
        value = self.value.get(key) if isinstance(self.value, dict) else None
        return _Node(value, self.file, f"{self.path}.{key}" if self.path else key, self.sink)

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and self.value.get(key) is not None

    def fields(self, required: Sequence[str], optional: Sequence[str] = ()) -> bool:
        """Check that this is a mapping with the required keys and no others."""
        if not isinstance(self.value, dict):
            self.error(
                f"expected a mapping with {', '.join(required or optional)}, "
                f"got {_describe(self.value)}"
            )
            return False
        allowed = (*required, *optional)
        for key in self.value:
            if key not in allowed:
                child = self.at(str(key))
                child.error(
                    f"unknown key '{key}' (expected one of: {', '.join(allowed)})"
                    f"{_suggest(str(key), allowed)}"
                )
        for key in required:
            if self.value.get(key) is None:
                self.error(f"missing required field '{key}'")
        return True

    def items(self, key: str) -> list[_Node]:
        """The elements of a list field (absent → [])."""
        node = self.at(key)
        if node.value is None:
            return []
        if not isinstance(node.value, list):
            node.error(f"expected a list, got {_describe(node.value)}")
            return []
        return [
            _Node(item, self.file, f"{node.path}[{index}]", self.sink)
            for index, item in enumerate(node.value)
        ]

    def text(self, key: str, default: str | None = None) -> str | None:
        node = self.at(key)
        if node.value is None:
            return default
        if not isinstance(node.value, str) or not node.value.strip():
            node.error(f"expected a non-empty string, got {_describe(node.value)}")
            return default
        return node.value

    def flag(self, key: str, default: bool) -> bool:
        node = self.at(key)
        if node.value is None:
            return default
        if not isinstance(node.value, bool):
            node.error(f"expected true or false, got {_describe(node.value)}")
            return default
        return node.value

    def number(self, key: str, default: int, low: int, high: int) -> int:
        node = self.at(key)
        if node.value is None:
            return default
        if isinstance(node.value, bool) or not isinstance(node.value, int):
            node.error(f"expected a whole number, got {_describe(node.value)}")
            return default
        if not low <= node.value <= high:
            node.error(f"{node.value} is out of range ({low}–{high})")
            return default
        return node.value

    def texts(self, key: str) -> list[tuple[_Node, str]]:
        """A list of strings, each with its node (for errors about one element)."""
        result = []
        for item in self.items(key):
            if isinstance(item.value, str) and item.value.strip():
                result.append((item, item.value))
            else:
                item.error(f"expected a non-empty string, got {_describe(item.value)}")
        return result

    def tags(self, key: str) -> Tags:
        node = self.at(key)
        if node.value is None:
            return ()
        if not isinstance(node.value, dict):
            node.error(f"expected a mapping of tag keys to values, got {_describe(node.value)}")
            return ()
        pairs = []
        for tag, value in node.value.items():
            if not isinstance(tag, str) or not isinstance(value, str):
                node.at(str(tag)).error(f"tag keys and values are strings, got {_describe(value)}")
                continue
            pairs.append((tag, value))
        return tuple(pairs)


def _display(path: Path) -> str:
    """A path as errors show it: relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# =========================================================================== placeholders


@dataclass(frozen=True)
class _Names:
    """What placeholders resolve to."""

    account_ids: Mapping[str, str]  # every account, members and external
    member_ids: tuple[str, ...]
    home_region: str
    allowed_regions: tuple[str, ...]


_LIST_PLACEHOLDERS = ("regions.allowed", "accounts.organization")


def _resolve_scalar(body: str, names: _Names, self_account: str | None) -> str:
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
                f"{_known(names.account_ids)}{_suggest(account, names.account_ids)}"
            )
        return names.account_ids[account]
    if body in _LIST_PLACEHOLDERS:
        raise ValueError(f"{{{{{body}}}}} is a list: it must be a whole JSON string value, alone")
    raise ValueError(
        f"unknown placeholder {{{{{body}}}}} (supported: {{{{account.<name>}}}}, "
        "{{account.self}}, {{region.home}}, {{regions.allowed}}, {{accounts.organization}})"
    )


def _resolve_list(body: str, names: _Names) -> list[str] | None:
    if body == "regions.allowed":
        return list(names.allowed_regions)
    if body == "accounts.organization":
        return list(names.member_ids)
    return None


def _resolve(
    value: Any,
    where: str,
    names: _Names,
    self_account: str | None,
    problems: list[tuple[str, str]],
) -> Any:
    """The document with `{{…}}` placeholders replaced. IAM's own `${…}` policy variables are
    not touched. A list placeholder as a whole string value becomes the list; as an element of a
    list, its items are spliced into that list."""
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
            resolved[key] = _resolve(item, _json_child(where, key), names, self_account, problems)
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
                items.append(_resolve(item, here, names, self_account, problems))
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


def _article(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def _json_child(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


# =========================================================================== policy files


@dataclass(frozen=True)
class _PolicyUse:
    """Where a policy document is used: the YAML place that names it (for principal checks,
    whose errors point at the use, since one file can serve several accounts)."""

    document: PolicyDocument
    reference: _Node


class _Policies:
    """Reads policy files (once each), resolves placeholders, has the engine parse them."""

    def __init__(self, directory: Path, sink: ErrorSink, names: _Names) -> None:
        self.directory = directory
        self.sink = sink
        self.names = names
        self._raw: dict[Path, object] = {}
        self.uses: list[_PolicyUse] = []

    def load(
        self,
        reference: _Node,
        policy_type: PolicyType,
        name: str,
        account: str | None,
        max_size: int | None = None,
    ) -> PolicyDocument | None:
        """The policy named by the string at `reference`, or None (errors recorded)."""
        relative = reference.value
        if relative is None:
            return None
        if not isinstance(relative, str) or not relative.strip():
            reference.error(f"expected the path of a policy file, got {_describe(relative)}")
            return None
        path = self.directory / relative
        if not path.resolve().is_relative_to(self.directory.resolve()):
            reference.error(f"policy file '{relative}' is outside the landscape directory")
            return None
        if not path.is_file():
            reference.error(
                f"policy file '{relative}' does not exist (under {_display(self.directory)})"
            )
            return None
        if path.suffix != ".json":
            reference.error(f"policy file '{relative}' must be a .json file")
            return None
        raw = self._read(path)
        if raw is None:
            return None
        file = _display(path)
        problems: list[tuple[str, str]] = []
        resolved = _resolve(raw, "", self.names, account, problems)
        for where, problem in problems:
            self.sink.add(file, where, problem)
        if problems:
            return None
        try:
            policy = parse_policy(resolved, policy_type, name, max_size=max_size, source=file)
        except PolicyValidationError as error:
            self.sink.add(
                file,
                error.location,
                f"{error.code}: {error.problem} (read as {_article(policy_type.value)})",
            )
            return None
        document = PolicyDocument(
            name=name,
            policy_type=policy_type,
            file=path,
            document=cast(dict[str, Any], resolved),
            policy=policy,
        )
        self.uses.append(_PolicyUse(document, reference))
        return document

    def _read(self, path: Path) -> object | None:
        if path not in self._raw:
            try:
                self._raw[path] = loads_strict(path.read_bytes())
            except PolicyValidationError as error:
                self.sink.add(_display(path), error.location, f"{error.code}: {error.problem}")
                self._raw[path] = None
            except OSError as error:
                self.sink.add(_display(path), "", f"cannot read: {error.strerror}")
                self._raw[path] = None
        return self._raw[path]


# =========================================================================== the loader


@dataclass
class _AccountEntry:
    name: str
    account_id: str
    email: str
    parent: str | None
    description: str
    node: _Node


@dataclass
class _OuEntry:
    name: str
    parent: str
    description: str
    ous: list[str]
    accounts: list[str]
    node: _Node


@dataclass
class _ManagedEntry:
    node: _Node
    name: str
    path: str
    description: str
    file_node: _Node
    account: str


@dataclass
class _AccountContent:
    managed: list[_ManagedEntry] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    resources: Resources = field(default_factory=Resources)
    node: _Node | None = None


class _Loader:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.sink = ErrorSink()
        self.policies: _Policies | None = None
        self.regions = Regions(home="us-east-1", allowed=("us-east-1",))
        self.accounts: dict[str, _AccountEntry] = {}
        self.ous: dict[str, _OuEntry] = {}
        self.service_principals = KNOWN_SERVICE_PRINCIPALS

    # --------------------------------------------------------------------- orchestration

    def load(self) -> Landscape | None:
        if not self.directory.is_dir():
            self.sink.add(_display(self.directory), "", "not a directory")
            return None
        top = self._yaml(LANDSCAPE_FILE)
        org = self._yaml(ORGANIZATION_FILE)
        ic = self._yaml(IDENTITY_CENTER_FILE)
        if top is None or org is None or ic is None:
            return None

        name, description, regions = self._read_top(top)
        accounts, ous, management = self._read_tree(org)
        names = _Names(
            account_ids={entry.name: entry.account_id for entry in accounts},
            member_ids=tuple(entry.account_id for entry in accounts if entry.parent is not None),
            home_region=regions.home,
            allowed_regions=regions.allowed,
        )
        self.policies = _Policies(self.directory, self.sink, names)
        self.regions = regions
        self.accounts = {entry.name: entry for entry in accounts}
        self.ous = {entry.name: entry for entry in ous}

        scps = self._read_scps(org)
        contents = self._read_account_files()
        identity_center = self._read_identity_center(ic)
        self._check_resources(contents)
        boundaries = self._boundary_uses(contents, identity_center)
        managed = self._load_managed_policies(contents, boundaries)
        self._check_identity_center_policies(ic, identity_center, managed)
        self._check_principals(contents, identity_center)

        if len(self.sink):
            return None
        organization = Organization(
            management_account=management,
            ous=tuple(
                OrganizationalUnit(
                    ou.name, ou.parent, tuple(ou.ous), tuple(ou.accounts), ou.description
                )
                for ou in ous
            ),
            root_accounts=tuple(a.name for a in accounts if a.parent == ROOT),
            root_ous=tuple(ou.name for ou in ous if ou.parent == ROOT),
        )
        built_accounts = tuple(
            Account(
                name=entry.name,
                account_id=entry.account_id,
                email=entry.email,
                parent=entry.parent,
                external=entry.parent is None,
                description=entry.description,
                managed_policies=managed.get(entry.name, ()),
                roles=tuple(contents[entry.name].roles) if entry.name in contents else (),
                resources=contents[entry.name].resources if entry.name in contents else Resources(),
            )
            for entry in accounts
        )
        return Landscape(
            name=name,
            description=description,
            directory=self.directory,
            regions=regions,
            organization=organization,
            accounts=built_accounts,
            scps=scps,
            identity_center=identity_center,
        )

    def _yaml(self, relative: str, *, empty_ok: bool = False) -> _Node | None:
        path = self.directory / relative
        file = _display(path)
        if not path.is_file():
            self.sink.add(file, "", "file is missing")
            return None
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            self.sink.add(file, "", f"cannot read: {error}")
            return None
        loader = _UniqueKeyLoader(text)
        loader.duplicates = []
        try:
            value = loader.get_single_data()
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = error.problem or error.context or "cannot parse"
            self.sink.add(file, "", f"YAML syntax error{where}: {problem}")
            return None
        except yaml.YAMLError as error:
            self.sink.add(file, "", f"YAML error: {error}")
            return None
        finally:
            loader.dispose()
        for key, line in loader.duplicates:
            self.sink.add(
                file, "", f"duplicate key '{key}' at line {line} (YAML would keep only the last)"
            )
        if value is None and empty_ok:
            value = {}
        node = _Node(value, file, "", self.sink)
        if not isinstance(value, dict):
            node.error(f"expected a mapping at the top of the file, got {_describe(value)}")
            return None
        return node

    def _policy(
        self,
        reference: _Node,
        policy_type: PolicyType,
        name: str,
        account: str | None,
        max_size: int | None = None,
    ) -> PolicyDocument | None:
        assert self.policies is not None
        return self.policies.load(reference, policy_type, name, account, max_size)

    # --------------------------------------------------------------------- landscape.yaml

    def _read_top(self, top: _Node) -> tuple[str, str, Regions]:
        top.fields(required=("name", "regions"), optional=("description", "service_principals"))
        name = top.text("name", "landscape") or "landscape"
        self.service_principals = KNOWN_SERVICE_PRINCIPALS | {
            value for _, value in top.texts("service_principals")
        }
        description = top.text("description", "") or ""
        node = top.at("regions")
        home = "us-east-1"
        allowed: tuple[str, ...] = (home,)
        if node.value is not None and node.fields(required=("home", "allowed")):
            home = node.text("home", home) or home
            listed = node.texts("allowed")
            if node.has("allowed") and not listed:
                node.at("allowed").error("the region allow-list is empty")
            self._unique(listed, "region")
            allowed = tuple(value for _, value in listed) or allowed
            if node.has("home") and home not in allowed:
                node.at("home").error(
                    f"home region '{home}' is not in regions.allowed ({', '.join(allowed)})"
                )
        return name, description, Regions(home=home, allowed=allowed)

    # --------------------------------------------------------------------- organization.yaml

    def _read_tree(self, org: _Node) -> tuple[list[_AccountEntry], list[_OuEntry], str]:
        org.fields(
            required=("management_account", "root"),
            optional=("external_accounts", "service_control_policies"),
        )
        accounts: list[_AccountEntry] = []
        ous: list[_OuEntry] = []
        root = org.at("root")
        if root.value is not None and root.fields(required=(), optional=("accounts", "ous")):
            self._read_level(root, ROOT, accounts, ous)
        for node in org.items("external_accounts"):
            entry = self._read_account(node, None)
            if entry is not None:
                accounts.append(entry)

        self._unique([(a.node.at("name"), a.name) for a in accounts], "account")
        self._unique([(o.node.at("name"), o.name) for o in ous], "OU")
        ids: dict[str, str] = {}
        for entry in accounts:
            other = ids.setdefault(entry.account_id, entry.name)
            if other != entry.name and entry.account_id:
                entry.node.at("id").error(
                    f"duplicate account id '{entry.account_id}' (also used by '{other}')"
                )
        account_names = {a.name for a in accounts}
        for ou in ous:
            if ou.name in account_names:
                ou.node.at("name").error(
                    f"'{ou.name}' is both an OU and an account: SCP targets would be ambiguous"
                )
            if ou.name == ROOT:
                ou.node.at("name").error(f"'{ROOT}' is the name of the organisation root")
        for entry in accounts:
            if entry.name == ROOT:
                entry.node.at("name").error(f"'{ROOT}' is the name of the organisation root")

        management = org.text("management_account", "") or ""
        if management:
            found = next((a for a in accounts if a.name == management), None)
            where = org.at("management_account")
            if found is None:
                where.error(f"unknown account '{management}' {_known(a.name for a in accounts)}")
            elif found.parent != ROOT:
                where.error(
                    f"the management account '{management}' must sit directly under root.accounts"
                )
        return accounts, ous, management

    def _read_level(
        self, node: _Node, parent: str, accounts: list[_AccountEntry], ous: list[_OuEntry]
    ) -> tuple[list[str], list[str]]:
        child_accounts = []
        for item in node.items("accounts"):
            entry = self._read_account(item, parent)
            if entry is not None:
                accounts.append(entry)
                child_accounts.append(entry.name)
        child_ous = []
        for item in node.items("ous"):
            if not item.fields(required=("name",), optional=("description", "accounts", "ous")):
                continue
            name = item.text("name")
            if name is None:
                continue
            self._check_name(item.at("name"), name, _NAME, "an OU name (letters, digits, '-')")
            ou = _OuEntry(name, parent, item.text("description", "") or "", [], [], item)
            ous.append(ou)
            ou.accounts, ou.ous = self._read_level(item, name, accounts, ous)
            child_ous.append(name)
        return child_accounts, child_ous

    def _read_account(self, node: _Node, parent: str | None) -> _AccountEntry | None:
        if not node.fields(required=("name", "id", "email"), optional=("description",)):
            return None
        name = node.text("name")
        if name is None:
            return None
        self._check_name(node.at("name"), name, _NAME, "an account name (letters, digits, '-')")
        if name == "self":
            node.at("name").error(
                "'self' is reserved ({{account.self}} means the policy's own account)"
            )
        id_node = node.at("id")
        account_id = ""
        if isinstance(id_node.value, str) and _ACCOUNT_ID.fullmatch(id_node.value):
            account_id = id_node.value
        elif isinstance(id_node.value, int) and not isinstance(id_node.value, bool):
            id_node.error(
                f"account id {id_node.value} must be a quoted string of 12 digits "
                "(YAML reads unquoted digits as a number and drops leading zeros)"
            )
        elif id_node.value is not None:
            id_node.error(f"account id {id_node.value!r} is not 12 digits")
        return _AccountEntry(
            name=name,
            account_id=account_id,
            email=node.text("email", "") or "",
            parent=parent,
            description=node.text("description", "") or "",
            node=node,
        )

    def _read_scps(self, org: _Node) -> tuple[ServiceControlPolicy, ...]:
        scps = []
        attached: set[str] = set()
        items = org.items("service_control_policies")
        self._unique(
            [
                (n.at("name"), n.value["name"])
                for n in items
                if isinstance(n.value, dict) and isinstance(n.value.get("name"), str)
            ],
            "SCP",
        )
        for node in items:
            if not node.fields(
                required=("name", "file", "attach_to"), optional=("description", "aws_managed")
            ):
                continue
            name = node.text("name") or ""
            targets = []
            for target_node, target in node.texts("attach_to"):
                if self._check_target(target_node, target):
                    targets.append(target)
            attached.update(targets)
            if node.has("attach_to") and not targets and not node.at("attach_to").value:
                node.at("attach_to").error(
                    "an SCP must be attached somewhere (Root, an OU or an account)"
                )
            self._unique(node.texts("attach_to"), "attachment")
            document = self._policy(node.at("file"), PolicyType.SCP, name, None)
            if document is not None:
                scps.append(
                    ServiceControlPolicy(
                        name=name,
                        description=node.text("description", "") or "",
                        document=document,
                        targets=tuple(targets),
                        aws_managed=node.flag("aws_managed", False),
                    )
                )
        if items:
            self._check_every_level_has_an_scp(org, attached)
        return tuple(scps)

    def _check_every_level_has_an_scp(self, org: _Node, attached: set[str]) -> None:
        """AWS: "You must have at least one SCP attached to every root, OU, and account at all
        times" (orgs_manage_policies_scps_attach) — which is why it attaches FullAWSAccess to
        each. With SCPs enabled, a level without one would deny everything below it."""
        levels = [(ROOT, org.at("root"))]
        levels += [(name, ou.node) for name, ou in self.ous.items()]
        levels += [(name, a.node) for name, a in self.accounts.items() if a.parent is not None]
        for name, node in levels:
            if name not in attached:
                node.error(
                    f"no SCP is attached to '{name}': AWS requires at least one on the root, "
                    "every OU and every account (it attaches FullAWSAccess to each)"
                )

    def _check_target(self, node: _Node, target: str) -> bool:
        if target == ROOT or target in self.ous:
            return True
        account = self.accounts.get(target)
        if account is not None and account.parent is not None:
            return True
        if account is not None:
            node.error(f"account '{target}' is outside the organisation: SCPs do not apply to it")
            return False
        known = [ROOT, *self.ous, *(a for a, e in self.accounts.items() if e.parent is not None)]
        node.error(
            f"SCP attached to unknown target '{target}' {_known(known)}{_suggest(target, known)}"
        )
        return False

    # --------------------------------------------------------------------- accounts/*.yaml

    def _read_account_files(self) -> dict[str, _AccountContent]:
        contents: dict[str, _AccountContent] = {}
        folder = self.directory / ACCOUNTS_DIR
        if not folder.is_dir():
            return contents
        for path in sorted(folder.iterdir()):
            if path.suffix not in (".yaml", ".yml"):
                continue
            node = self._yaml(f"{ACCOUNTS_DIR}/{path.name}", empty_ok=True)
            if node is None:
                continue
            account = path.stem
            if account not in self.accounts:
                node.error(
                    f"unknown account '{account}': files in {ACCOUNTS_DIR}/ are named after "
                    f"accounts of {ORGANIZATION_FILE} {_known(self.accounts)}"
                    f"{_suggest(account, self.accounts)}"
                )
                continue
            if account in contents:
                node.error(f"account '{account}' has two files in {ACCOUNTS_DIR}/")
                continue
            contents[account] = self._read_account_content(node, account)
        return contents

    def _read_account_content(self, node: _Node, account: str) -> _AccountContent:
        node.fields(required=(), optional=("managed_policies", "roles", "resources"))
        content = _AccountContent(node=node)
        account_id = self.accounts[account].account_id
        for item in node.items("managed_policies"):
            if not item.fields(required=("name", "file"), optional=("path", "description")):
                continue
            name = item.text("name") or ""
            self._check_name(item.at("name"), name, _IAM_NAME, "an IAM policy name")
            content.managed.append(
                _ManagedEntry(
                    node=item,
                    name=name,
                    path=self._iam_path(item),
                    description=item.text("description", "") or "",
                    file_node=item.at("file"),
                    account=account,
                )
            )
        self._unique([(m.node.at("name"), m.name) for m in content.managed], "managed policy")
        managed_arns = {
            m.name: f"arn:aws:iam::{account_id}:policy{m.path}{m.name}" for m in content.managed
        }
        role_items = node.items("roles")
        self._unique(
            [
                (n.at("name"), n.value["name"])
                for n in role_items
                if isinstance(n.value, dict) and isinstance(n.value.get("name"), str)
            ],
            "role",
        )
        for item in role_items:
            role = self._read_role(item, account, account_id, managed_arns)
            if role is not None:
                content.roles.append(role)
        resources = node.at("resources")
        if resources.value is not None:
            content.resources = self._read_resources(resources, account, account_id)
        return content

    def _iam_path(self, node: _Node) -> str:
        path = node.text("path", "/") or "/"
        if not _IAM_PATH.fullmatch(path) or len(path) > 512:
            node.at("path").error(f"path {path!r} must begin and end with '/'")
            return "/"
        return path

    def _managed_ref(
        self, node: _Node, value: str, account_id: str, managed_arns: Mapping[str, str]
    ) -> str | None:
        """A managed policy named in a role: an AWS managed ARN, or a policy of the account."""
        if value.startswith(AWS_MANAGED_POLICY_PREFIX):
            return value
        if value.startswith("arn:"):
            if value in managed_arns.values():
                return value
            node.error(
                f"'{value}' is neither an AWS managed policy ({AWS_MANAGED_POLICY_PREFIX}…) "
                f"nor a managed policy of this account {_known(managed_arns)}"
            )
            return None
        if value in managed_arns:
            return managed_arns[value]
        node.error(
            f"unknown managed policy '{value}' in this account {_known(managed_arns)}"
            f"{_suggest(value, managed_arns)}"
        )
        return None

    def _read_role(
        self, node: _Node, account: str, account_id: str, managed_arns: Mapping[str, str]
    ) -> Role | None:
        if not node.fields(
            required=("name", "trust"),
            optional=(
                "path",
                "description",
                "managed_policies",
                "inline_policies",
                "permissions_boundary",
                "max_session_duration",
                "tags",
            ),
        ):
            return None
        name = node.text("name") or ""
        self._check_name(node.at("name"), name, _IAM_NAME, "an IAM role name")
        path = self._iam_path(node)
        if path.startswith("/aws-reserved/") or path.startswith("/aws-service-role/"):
            node.at("path").error(f"path {path!r} is reserved for roles AWS creates")
        arn = f"arn:aws:iam::{account_id}:role{path}{name}"
        trust = self._policy(node.at("trust"), PolicyType.TRUST, arn, account)
        managed = [
            ref
            for item, value in node.texts("managed_policies")
            if (ref := self._managed_ref(item, value, account_id, managed_arns)) is not None
        ]
        inline = []
        inline_items = node.items("inline_policies")
        self._unique(
            [
                (n.at("name"), n.value["name"])
                for n in inline_items
                if isinstance(n.value, dict) and isinstance(n.value.get("name"), str)
            ],
            "inline policy",
        )
        for item in inline_items:
            if not item.fields(required=("name", "file")):
                continue
            policy_name = item.text("name") or ""
            self._check_name(item.at("name"), policy_name, _IAM_NAME, "an IAM policy name")
            document = self._policy(
                item.at("file"),
                PolicyType.IDENTITY,
                f"{arn}/{policy_name}",
                account,
                _ROLE_INLINE_MAX,
            )
            if document is not None:
                inline.append(document)
        boundary = None
        boundary_name = node.text("permissions_boundary")
        if boundary_name is not None:
            boundary = self._managed_ref(
                node.at("permissions_boundary"), boundary_name, account_id, managed_arns
            )
        duration = node.number("max_session_duration", 3600, 3600, 43200)
        if trust is None:
            return None
        return Role(
            name=name,
            path=path,
            arn=arn,
            description=node.text("description", "") or "",
            trust=trust,
            managed_policies=tuple(managed),
            inline_policies=tuple(inline),
            permissions_boundary=boundary,
            max_session_duration=duration,
            tags=node.tags("tags"),
        )

    # --------------------------------------------------------------------- resources

    def _region(self, node: _Node) -> str:
        region = node.text("region", self.regions.home) or self.regions.home
        if region not in self.regions.allowed:
            node.at("region").error(
                f"region '{region}' is not in regions.allowed ({', '.join(self.regions.allowed)})"
            )
        return region

    def _read_resources(self, node: _Node, account: str, account_id: str) -> Resources:
        # YAML key → (reader, the Resources field, what must be unique, how errors name it)
        kinds: dict[str, tuple[Callable[[_Node, str, str], Any], str, str, str]] = {
            "s3_buckets": (self._bucket, "buckets", "name", "bucket"),
            "sns_topics": (self._topic, "topics", "name", "topic"),
            "sqs_queues": (self._queue, "queues", "name", "queue"),
            "dynamodb_tables": (self._table, "tables", "name", "table"),
            "rds_instances": (self._db_instance, "db_instances", "identifier", "DB instance"),
            "ebs_volumes": (self._volume, "volumes", "name", "volume"),
            "lambda_functions": (self._function, "functions", "name", "function"),
            "cloudtrail_trails": (self._trail, "trails", "name", "trail"),
            "guardduty_detectors": (
                self._detector,
                "guardduty_detectors",
                "region",
                "GuardDuty detector in region",
            ),
            "config_recorders": (
                self._recorder,
                "config_recorders",
                "region",
                "Config recorder in region",
            ),
        }
        node.fields(required=(), optional=tuple(kinds))
        fields: dict[str, tuple[Any, ...]] = {}
        for key, (reader, field_name, identity, what) in kinds.items():
            read = [(item, reader(item, account, account_id)) for item in node.items(key)]
            built = [(item, value) for item, value in read if value is not None]
            self._unique(
                [(item.at(identity), getattr(value, identity)) for item, value in built], what
            )
            fields[field_name] = tuple(value for _, value in built)
        return Resources(**fields)

    def _bucket(self, node: _Node, account: str, account_id: str) -> Bucket | None:
        if not node.fields(
            required=("name",),
            optional=(
                "region",
                "policy",
                "encryption",
                "versioning",
                "block_public_access",
                "tags",
            ),
        ):
            return None
        name = node.text("name") or ""
        self._check_name(
            node.at("name"),
            name,
            _BUCKET_NAME,
            "an S3 bucket name (3–63 lower-case letters, digits, '.', '-')",
        )
        arn = f"arn:aws:s3:::{name}"
        encryption = node.text("encryption")
        if encryption is not None and encryption not in ("AES256", "aws:kms"):
            node.at("encryption").error(f"encryption {encryption!r} is not AES256 or aws:kms")
            encryption = None
        policy = None
        if node.has("policy"):
            policy = self._policy(node.at("policy"), PolicyType.RESOURCE, arn, account)
        return Bucket(
            name=name,
            arn=arn,
            region=self._region(node),
            policy=policy,
            encryption=cast(Literal["AES256", "aws:kms"] | None, encryption),
            versioning=node.flag("versioning", False),
            block_public_access=node.flag("block_public_access", True),
            tags=node.tags("tags"),
        )

    def _topic(self, node: _Node, account: str, account_id: str) -> Topic | None:
        if not node.fields(required=("name",), optional=("region", "policy")):
            return None
        name = node.text("name") or ""
        self._check_name(node.at("name"), name, _RESOURCE_NAME, "an SNS topic name")
        region = self._region(node)
        arn = f"arn:aws:sns:{region}:{account_id}:{name}"
        policy = None
        if node.has("policy"):
            policy = self._policy(
                node.at("policy"), PolicyType.RESOURCE, arn, account, _SNS_POLICY_MAX
            )
        return Topic(name=name, arn=arn, region=region, policy=policy)

    def _queue(self, node: _Node, account: str, account_id: str) -> Queue | None:
        if not node.fields(required=("name",), optional=("region", "policy", "subscriptions")):
            return None
        name = node.text("name") or ""
        self._check_name(node.at("name"), name, _RESOURCE_NAME, "an SQS queue name")
        region = self._region(node)
        arn = f"arn:aws:sqs:{region}:{account_id}:{name}"
        policy = None
        if node.has("policy"):
            policy = self._policy(
                node.at("policy"), PolicyType.RESOURCE, arn, account, _SQS_POLICY_MAX
            )
        subscriptions = tuple(value for _, value in node.texts("subscriptions"))
        return Queue(name=name, arn=arn, region=region, policy=policy, subscriptions=subscriptions)

    def _key(self, node: _Node) -> KeyAttribute | None:
        if not node.fields(required=("name", "type")):
            return None
        key_type = node.text("type", "S") or "S"
        if key_type not in ("S", "N", "B"):
            node.at("type").error(f"key type {key_type!r} is not S, N or B")
            key_type = "S"
        return KeyAttribute(node.text("name", "") or "", cast(Literal["S", "N", "B"], key_type))

    def _table(self, node: _Node, account: str, account_id: str) -> Table | None:
        if not node.fields(required=("name", "partition_key"), optional=("region", "sort_key")):
            return None
        name = node.text("name") or ""
        self._check_name(node.at("name"), name, _RESOURCE_NAME, "a DynamoDB table name")
        region = self._region(node)
        partition = self._key(node.at("partition_key"))
        sort = self._key(node.at("sort_key")) if node.has("sort_key") else None
        if partition is None:
            return None
        return Table(
            name=name,
            arn=f"arn:aws:dynamodb:{region}:{account_id}:table/{name}",
            region=region,
            partition_key=partition,
            sort_key=sort,
        )

    def _db_instance(self, node: _Node, account: str, account_id: str) -> DbInstance | None:
        if not node.fields(
            required=("identifier", "engine", "instance_class", "storage_encrypted"),
            optional=("region", "allocated_storage"),
        ):
            return None
        identifier = node.text("identifier") or ""
        self._check_name(node.at("identifier"), identifier, _NAME, "a DB instance identifier")
        region = self._region(node)
        return DbInstance(
            identifier=identifier,
            arn=f"arn:aws:rds:{region}:{account_id}:db:{identifier}",
            region=region,
            engine=node.text("engine", "") or "",
            instance_class=node.text("instance_class", "") or "",
            allocated_storage=node.number("allocated_storage", 20, 5, 65536),
            storage_encrypted=node.flag("storage_encrypted", False),
        )

    def _volume(self, node: _Node, account: str, account_id: str) -> Volume | None:
        if not node.fields(
            required=("name", "availability_zone", "size", "encrypted"), optional=("volume_type",)
        ):
            return None
        zone = node.text("availability_zone", "") or ""
        region = zone[:-1]
        if zone and region not in self.regions.allowed:
            node.at("availability_zone").error(
                f"availability zone '{zone}' is not in an allowed region "
                f"({', '.join(self.regions.allowed)})"
            )
        return Volume(
            name=node.text("name", "") or "",
            region=region,
            availability_zone=zone,
            size=node.number("size", 8, 1, 65536),
            volume_type=node.text("volume_type", "gp3") or "gp3",
            encrypted=node.flag("encrypted", False),
        )

    def _function(self, node: _Node, account: str, account_id: str) -> Function | None:
        if not node.fields(required=("name", "role", "runtime", "handler"), optional=("region",)):
            return None
        name = node.text("name") or ""
        self._check_name(node.at("name"), name, _RESOURCE_NAME, "a Lambda function name")
        region = self._region(node)
        return Function(
            name=name,
            arn=f"arn:aws:lambda:{region}:{account_id}:function:{name}",
            region=region,
            role=node.text("role", "") or "",
            runtime=node.text("runtime", "") or "",
            handler=node.text("handler", "") or "",
        )

    def _trail(self, node: _Node, account: str, account_id: str) -> Trail | None:
        if not node.fields(
            required=("name", "bucket"), optional=("region", "organization_trail", "multi_region")
        ):
            return None
        name = node.text("name") or ""
        self._check_name(node.at("name"), name, _RESOURCE_NAME, "a CloudTrail trail name")
        region = self._region(node)
        organization_trail = node.flag("organization_trail", False)
        if organization_trail and self.accounts[account].parent != ROOT:
            node.at("organization_trail").error(
                "an organisation trail is created in the management account"
            )
        return Trail(
            name=name,
            arn=f"arn:aws:cloudtrail:{region}:{account_id}:trail/{name}",
            region=region,
            bucket_account="",  # found in _check_resources, once every bucket is known
            bucket=node.text("bucket", "") or "",
            organization_trail=organization_trail,
            multi_region=node.flag("multi_region", True),
        )

    def _detector(self, node: _Node, account: str, account_id: str) -> GuardDutyDetector | None:
        if not node.fields(required=(), optional=("region", "enabled")):
            return None
        return GuardDutyDetector(region=self._region(node), enabled=node.flag("enabled", True))

    def _recorder(self, node: _Node, account: str, account_id: str) -> ConfigRecorder | None:
        if not node.fields(required=(), optional=("name", "region", "role", "all_supported")):
            return None
        return ConfigRecorder(
            name=node.text("name", "default") or "default",
            region=self._region(node),
            role=node.text("role"),
            all_supported=node.flag("all_supported", True),
        )

    def _check_resources(self, contents: dict[str, _AccountContent]) -> None:
        """References between resources: function roles, queue subscriptions, trail buckets,
        recorder roles; bucket names unique across accounts (S3 names are global)."""
        bucket_owner: dict[str, str] = {}
        for account, content in contents.items():
            for index, bucket in enumerate(content.resources.buckets):
                other = bucket_owner.setdefault(bucket.name, account)
                if other != account:
                    assert content.node is not None
                    content.node.at(f"resources.s3_buckets[{index}].name").error(
                        f"duplicate bucket name '{bucket.name}' (also in account "
                        f"'{other}'; S3 bucket names are global)"
                    )
        for account, content in contents.items():
            assert content.node is not None
            resources = content.node.at("resources")
            roles = [role.name for role in content.roles]
            topics = [topic.name for topic in content.resources.topics]
            for index, function in enumerate(content.resources.functions):
                if function.role and function.role not in roles:
                    resources.at(f"lambda_functions[{index}]").at("role").error(
                        f"unknown role '{function.role}' in account '{account}' {_known(roles)}"
                    )
            for index, queue in enumerate(content.resources.queues):
                for position, topic in enumerate(queue.subscriptions):
                    if topic not in topics:
                        resources.at(f"sqs_queues[{index}]").at(f"subscriptions[{position}]").error(
                            f"unknown topic '{topic}' in account '{account}' {_known(topics)}"
                        )
            for index, recorder in enumerate(content.resources.config_recorders):
                if recorder.role is not None and recorder.role not in roles:
                    resources.at(f"config_recorders[{index}]").at("role").error(
                        f"unknown role '{recorder.role}' in account '{account}' {_known(roles)}"
                    )
            trails = list(content.resources.trails)
            for index, trail in enumerate(trails):
                owner = bucket_owner.get(trail.bucket)
                if owner is None:
                    if trail.bucket:
                        resources.at(f"cloudtrail_trails[{index}]").at("bucket").error(
                            f"unknown bucket '{trail.bucket}' {_known(bucket_owner)}"
                        )
                    continue
                trails[index] = replace(trail, bucket_account=owner)
            content.resources = replace(content.resources, trails=tuple(trails))

    # --------------------------------------------------------------------- identity-center.yaml

    def _read_identity_center(self, ic: _Node) -> IdentityCenter:
        ic.fields(
            required=("identity_provider", "users", "groups", "permission_sets", "assignments")
        )
        provider = self._read_idp(ic.at("identity_provider"))

        group_items = ic.items("groups")
        self._unique(
            [
                (n.at("name"), n.value["name"])
                for n in group_items
                if isinstance(n.value, dict) and isinstance(n.value.get("name"), str)
            ],
            "group",
        )
        group_entries = []
        for node in group_items:
            if node.fields(required=("name",), optional=("description",)):
                group_entries.append((node.text("name") or "", node.text("description", "") or ""))
        group_names = [name for name, _ in group_entries]

        user_items = ic.items("users")
        self._unique(
            [
                (n.at("user_name"), n.value["user_name"])
                for n in user_items
                if isinstance(n.value, dict) and isinstance(n.value.get("user_name"), str)
            ],
            "user",
        )
        users = []
        for node in user_items:
            if not node.fields(
                required=("user_name", "email", "groups", "mfa"), optional=("display_name",)
            ):
                continue
            user_name = node.text("user_name") or ""
            groups = []
            for item, group in node.texts("groups"):
                if group in group_names:
                    groups.append(group)
                else:
                    item.error(
                        f"unknown group '{group}' {_known(group_names)}"
                        f"{_suggest(group, group_names)}"
                    )
            users.append(
                User(
                    user_name=user_name,
                    display_name=node.text("display_name", user_name) or user_name,
                    email=node.text("email", "") or "",
                    groups=tuple(groups),
                    mfa=node.flag("mfa", False),
                )
            )
        groups_built = tuple(
            Group(name, description, tuple(user.user_name for user in users if name in user.groups))
            for name, description in group_entries
        )

        set_items = ic.items("permission_sets")
        self._unique(
            [
                (n.at("name"), n.value["name"])
                for n in set_items
                if isinstance(n.value, dict) and isinstance(n.value.get("name"), str)
            ],
            "permission set",
        )
        permission_sets = [p for node in set_items if (p := self._read_permission_set(node))]

        assignments = self._read_assignments(ic, permission_sets, users, groups_built)
        return IdentityCenter(
            identity_provider=provider,
            users=tuple(users),
            groups=groups_built,
            permission_sets=tuple(permission_sets),
            assignments=tuple(assignments),
        )

    def _read_idp(self, node: _Node) -> IdentityProvider:
        fallback = IdentityProvider("idp", "SAML", "", "AWSSSO_DO_NOT_DELETE")
        if not node.fields(required=("name", "protocol", "issuer", "saml_provider_name")):
            return fallback
        protocol = node.text("protocol", "SAML") or "SAML"
        if protocol not in ("SAML", "OIDC"):
            node.at("protocol").error(f"protocol {protocol!r} is not SAML or OIDC")
            protocol = "SAML"
        saml_name = node.text("saml_provider_name", "") or ""
        if saml_name and not re.fullmatch(r"[\w._-]{1,128}", saml_name):
            node.at("saml_provider_name").error(f"{saml_name!r} is not a valid SAML provider name")
        return IdentityProvider(
            name=node.text("name", "") or "",
            protocol=cast(Literal["SAML", "OIDC"], protocol),
            issuer=node.text("issuer", "") or "",
            saml_provider_name=saml_name,
        )

    def _customer_ref(self, node: _Node) -> CustomerManagedPolicyRef | None:
        if not node.fields(required=("name",), optional=("path",)):
            return None
        return CustomerManagedPolicyRef(node.text("name", "") or "", self._iam_path(node))

    def _read_permission_set(self, node: _Node) -> PermissionSet | None:
        if not node.fields(
            required=("name", "session_duration"),
            optional=(
                "description",
                "managed_policies",
                "customer_managed_policies",
                "inline_policy",
                "permissions_boundary",
            ),
        ):
            return None
        name = node.text("name") or ""
        self._check_name(
            node.at("name"),
            name,
            _PERMISSION_SET_NAME,
            "a permission set name (at most 32 of letters, digits, +=,.@_-)",
        )
        duration = node.text("session_duration", "PT1H") or "PT1H"
        try:
            seconds = iso8601_seconds(duration)
            if not 3600 <= seconds <= 43200:
                node.at("session_duration").error(f"{duration} is outside PT1H–PT12H")
        except ValueError as error:
            node.at("session_duration").error(str(error))
            duration = "PT1H"
        managed = []
        for item, arn in node.texts("managed_policies"):
            if arn.startswith(AWS_MANAGED_POLICY_PREFIX):
                managed.append(arn)
            else:
                item.error(
                    f"'{arn}' is not an AWS managed policy ARN ({AWS_MANAGED_POLICY_PREFIX}…);"
                    " name customer managed policies under customer_managed_policies"
                )
        customer = [
            r
            for item in node.items("customer_managed_policies")
            if (r := self._customer_ref(item)) is not None
        ]
        boundary = None
        if node.has("permissions_boundary"):
            boundary = self._customer_ref(node.at("permissions_boundary"))
        inline = None
        if node.has("inline_policy"):
            inline = self._policy(
                node.at("inline_policy"),
                PolicyType.IDENTITY,
                f"{name} (permission set inline policy)",
                None,
                _PERMISSION_SET_INLINE_MAX,
            )
        return PermissionSet(
            name=name,
            description=node.text("description", "") or "",
            session_duration=duration,
            managed_policies=tuple(managed),
            customer_managed_policies=tuple(customer),
            inline_policy=inline,
            permissions_boundary=boundary,
        )

    def _read_assignments(
        self,
        ic: _Node,
        permission_sets: list[PermissionSet],
        users: list[User],
        groups: tuple[Group, ...],
    ) -> list[Assignment]:
        set_names = [p.name for p in permission_sets]
        group_names = [g.name for g in groups]
        user_names = [u.user_name for u in users]
        members = [name for name, entry in self.accounts.items() if entry.parent is not None]
        assignments: list[Assignment] = []
        seen: set[tuple[str, str, str, str]] = set()
        for node in ic.items("assignments"):
            if not node.fields(required=("permission_set", "accounts"), optional=("group", "user")):
                continue
            permission_set = node.text("permission_set") or ""
            ok = True
            if permission_set and permission_set not in set_names:
                node.at("permission_set").error(
                    f"unknown permission set '{permission_set}' {_known(set_names)}"
                    f"{_suggest(permission_set, set_names)}"
                )
                ok = False
            has_group, has_user = node.has("group"), node.has("user")
            if has_group == has_user:
                node.error("an assignment names exactly one of 'group' or 'user'")
                continue
            kind: Literal["GROUP", "USER"] = "GROUP" if has_group else "USER"
            key = "group" if has_group else "user"
            principal = node.text(key) or ""
            known = group_names if has_group else user_names
            if principal not in known:
                node.at(key).error(
                    f"unknown {key} '{principal}' {_known(known)}{_suggest(principal, known)}"
                )
                ok = False
            for item, account in node.texts("accounts"):
                if account not in self.accounts:
                    item.error(
                        f"unknown account '{account}' {_known(members)}{_suggest(account, members)}"
                    )
                    continue
                if self.accounts[account].parent is None:
                    item.error(
                        f"account '{account}' is outside the organisation: "
                        "Identity Center assigns only member accounts"
                    )
                    continue
                identity = (permission_set, kind, principal, account)
                if identity in seen:
                    item.error(
                        f"duplicate assignment of '{permission_set}' to {key} "
                        f"'{principal}' in '{account}'"
                    )
                    continue
                seen.add(identity)
                if ok:
                    assignments.append(Assignment(permission_set, kind, principal, account))
        return assignments

    # --------------------------------------------------------------------- managed policies

    def _boundary_uses(
        self, contents: dict[str, _AccountContent], identity_center: IdentityCenter
    ) -> set[tuple[str, str]]:
        """(account, policy name) of the managed policies used as permissions boundaries."""
        uses: set[tuple[str, str]] = set()
        for account, content in contents.items():
            for role in content.roles:
                if role.permissions_boundary is not None:
                    uses.add((account, role.permissions_boundary.rsplit("/", 1)[-1]))
        by_name = {p.name: p for p in identity_center.permission_sets}
        for assignment in identity_center.assignments:
            permission_set = by_name.get(assignment.permission_set)
            if permission_set is not None and permission_set.permissions_boundary is not None:
                uses.add((assignment.account, permission_set.permissions_boundary.name))
        return uses

    def _load_managed_policies(
        self, contents: dict[str, _AccountContent], boundaries: set[tuple[str, str]]
    ) -> dict[str, tuple[ManagedPolicy, ...]]:
        managed: dict[str, tuple[ManagedPolicy, ...]] = {}
        for account, content in contents.items():
            account_id = self.accounts[account].account_id
            policies = []
            for entry in content.managed:
                arn = f"arn:aws:iam::{account_id}:policy{entry.path}{entry.name}"
                policy_type = (
                    PolicyType.BOUNDARY
                    if (account, entry.name) in boundaries
                    else PolicyType.IDENTITY
                )
                document = self._policy(entry.file_node, policy_type, arn, account)
                if document is not None:
                    policies.append(
                        ManagedPolicy(entry.name, entry.path, arn, entry.description, document)
                    )
            managed[account] = tuple(policies)
        return managed

    def _check_identity_center_policies(
        self,
        ic: _Node,
        identity_center: IdentityCenter,
        managed: dict[str, tuple[ManagedPolicy, ...]],
    ) -> None:
        """Identity Center attaches customer managed policies (and boundaries) by name and
        path: they must exist in every account the permission set is assigned in."""
        by_name = {p.name: p for p in identity_center.permission_sets}
        for node in ic.items("assignments"):
            if not isinstance(node.value, dict):
                continue
            permission_set = by_name.get(str(node.value.get("permission_set")))
            if permission_set is None:
                continue
            refs = list(permission_set.customer_managed_policies)
            if permission_set.permissions_boundary is not None:
                refs.append(permission_set.permissions_boundary)
            for item, account in node.texts("accounts"):
                if account not in self.accounts or self.accounts[account].parent is None:
                    continue
                present = {(m.name, m.path) for m in managed.get(account, ())}
                for ref in refs:
                    if (ref.name, ref.path) not in present:
                        item.error(
                            f"permission set '{permission_set.name}' needs the customer managed "
                            f"policy '{ref.path}{ref.name}' in account '{account}', which does "
                            f"not define it (accounts/{account}.yaml managed_policies)"
                        )

    # --------------------------------------------------------------------- principals

    def _check_principals(
        self, contents: dict[str, _AccountContent], identity_center: IdentityCenter
    ) -> None:
        """Every principal a trust or resource policy names must exist in the landscape."""
        assert self.policies is not None
        by_id: dict[str, str] = {}
        for name, entry in self.accounts.items():
            if entry.account_id:
                by_id.setdefault(entry.account_id, name)  # a duplicate id is reported elsewhere
        roles = {
            account: {(role.path, role.name) for role in content.roles}
            for account, content in contents.items()
        }
        assigned = {(a.account, a.permission_set) for a in identity_center.assignments}
        saml_name = identity_center.identity_provider.saml_provider_name
        for use in self.policies.uses:
            if use.document.policy_type not in (PolicyType.TRUST, PolicyType.RESOURCE):
                continue
            relative = use.document.file.relative_to(self.directory).as_posix()
            for where, kind, value in _principal_values(use.document.document):
                problem = _principal_problem(
                    kind, value, by_id, roles, assigned, saml_name, self.service_principals
                )
                if problem:
                    use.reference.error(f"{relative} {where}: {problem}")

    # --------------------------------------------------------------------- helpers

    @staticmethod
    def _unique(named: Sequence[tuple[_Node, str]], what: str) -> None:
        first: dict[str, _Node] = {}
        for node, name in named:
            if name in first:
                node.error(f"duplicate {what} '{name}' (first at {first[name].path})")
            else:
                first[name] = node

    @staticmethod
    def _check_name(node: _Node, name: str, pattern: re.Pattern[str], what: str) -> None:
        if name and not pattern.fullmatch(name):
            node.error(f"{name!r} is not {what}")


def _principal_values(document: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(place, kind, value) of every principal named in a document."""
    statements = document.get("Statement")
    listed = statements if isinstance(statements, list) else [statements]
    for index, statement in enumerate(listed):
        if not isinstance(statement, dict):
            continue
        for element in ("Principal", "NotPrincipal"):
            principal = statement.get(element)
            if not isinstance(principal, dict):
                continue
            for kind, values in principal.items():
                items = values if isinstance(values, list) else [values]
                for position, value in enumerate(items):
                    where = f"Statement[{index}].{element}.{kind}"
                    if isinstance(values, list):
                        where += f"[{position}]"
                    if isinstance(value, str):
                        yield where, kind, value


def _principal_problem(
    kind: str,
    value: str,
    by_id: Mapping[str, str],
    roles: Mapping[str, set[tuple[str, str]]],
    assigned: set[tuple[str, str]],
    saml_name: str,
    services: frozenset[str],
) -> str | None:
    if value == "*":
        return None
    if kind == "Service":
        if value in services:
            return None
        return (
            f"unknown service principal '{value}' (not in the allow-list of known service "
            f"principals; landscape.yaml service_principals extends it){_suggest(value, services)}"
        )
    if kind == "CanonicalUser":
        return None
    if kind == "Federated" and value in _BUILTIN_FEDERATED:
        return None
    if kind == "AWS" and _ACCOUNT_ID.fullmatch(value):
        return (
            None if value in by_id else f"account id '{value}' is not an account of the landscape"
        )
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] not in ("iam", "sts"):
        return f"'{value}' is not a principal this landscape defines"
    account = by_id.get(parts[4])
    if account is None:
        return f"account id '{parts[4]}' in '{value}' is not an account of the landscape"
    resource = parts[5]
    if kind == "Federated":
        if resource == f"saml-provider/{saml_name}":
            return None
        return (
            f"'{value}' is not the Identity Center SAML provider "
            f"'saml-provider/{saml_name}' of account '{account}'"
        )
    if parts[2] == "iam" and resource == "root":
        return None
    if parts[2] == "iam" and resource.startswith("role/"):
        full = resource[len("role") :]
        path, name = full.rsplit("/", 1)[0] + "/", full.rsplit("/", 1)[1]
        if path == SSO_ROLE_PATH and name.startswith(_SSO_ROLE_PREFIX):
            permission_set = name[len(_SSO_ROLE_PREFIX) :].rsplit("_", 1)[0]
            if (account, permission_set) in assigned:
                return None
            return (
                f"no Identity Center role: permission set '{permission_set}' is not "
                f"assigned in account '{account}'"
            )
        if (path, name) in roles.get(account, set()):
            return None
        known = sorted(n for _, n in roles.get(account, set()))
        return (
            f"role '{name}' (path {path}) does not exist in account '{account}' "
            f"{_known(known)}{_suggest(name, known)}"
        )
    if parts[2] == "sts" and resource.startswith("assumed-role/"):
        name = resource.split("/")[1] if resource.count("/") >= 2 else ""
        if any(n == name for _, n in roles.get(account, set())):
            return None
        return f"role '{name}' does not exist in account '{account}'"
    if parts[2] == "iam" and resource.startswith("user/"):
        return f"IAM user '{value}': the landscape defines no IAM users (seed: 'No IAM users')"
    return f"'{value}' is not a principal this landscape defines"
