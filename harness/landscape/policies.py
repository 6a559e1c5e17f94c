"""Policy files: read once each, placeholders resolved, validated by the engine
(`harness.iam.json_reader.loads_strict` reads the JSON, `harness.iam.parse.parse_policy`
validates the resolved document for its policy type)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from harness.iam.errors import PolicyValidationError
from harness.iam.json_reader import loads_strict
from harness.iam.parse import parse_policy
from harness.iam.policy import PolicyType
from harness.landscape.errors import ErrorSink
from harness.landscape.model import PolicyDocument
from harness.landscape.nodes import Node
from harness.landscape.placeholders import PlaceholderValues, resolve
from harness.landscape.wording import article, describe, display

# Size quotas the engine does not default to (it defaults to IAM's and S3's).
PERMISSION_SET_INLINE_MAX = 32768  # Identity Center: inline policy of a permission set
ROLE_INLINE_MAX = 10240  # IAM: inline policies of a role, together
SNS_POLICY_MAX = 30720
SQS_POLICY_MAX = 8192
# A key policy: https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html
KMS_POLICY_MAX = 32768


@dataclass(frozen=True)
class PolicyUse:
    """Where a policy document is used: the YAML place that names it (for principal checks,
    whose errors point at the use, since one file can serve several accounts)."""

    document: PolicyDocument
    reference: Node


class Policies:
    """Reads policy files (once each), resolves placeholders, has the engine parse them."""

    def __init__(self, directory: Path, sink: ErrorSink, names: PlaceholderValues) -> None:
        self.directory = directory
        self.sink = sink
        self.names = names
        self._raw: dict[Path, object] = {}
        self.uses: list[PolicyUse] = []

    def load(
        self,
        reference: Node,
        policy_type: PolicyType,
        name: str,
        account: str | None,
        max_size: int | None = None,
    ) -> PolicyDocument | None:
        """The policy named by the string at `reference`, or None (errors recorded)."""
        path = self._path(reference)
        if path is None:
            return None
        raw = self._read(path)
        if raw is None:
            return None
        file = display(path)
        problems: list[tuple[str, str]] = []
        resolved = resolve(raw, "", self.names, account, problems)
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
                f"{error.code}: {error.problem} (read as {article(policy_type.value)})",
            )
            return None
        document = PolicyDocument(
            name=name,
            policy_type=policy_type,
            file=path,
            document=cast(dict[str, Any], resolved),
            policy=policy,
        )
        self.uses.append(PolicyUse(document, reference))
        return document

    def _path(self, reference: Node) -> Path | None:
        """The policy file named at `reference`: a .json file inside the directory."""
        relative = reference.value
        if relative is None:
            return None
        if not isinstance(relative, str) or not relative.strip():
            reference.error(f"expected the path of a policy file, got {describe(relative)}")
            return None
        path = self.directory / relative
        if not path.resolve().is_relative_to(self.directory.resolve()):
            reference.error(f"policy file '{relative}' is outside the landscape directory")
            return None
        if not path.is_file():
            reference.error(
                f"policy file '{relative}' does not exist (under {display(self.directory)})"
            )
            return None
        if path.suffix != ".json":
            reference.error(f"policy file '{relative}' must be a .json file")
            return None
        return path

    def _read(self, path: Path) -> object | None:
        if path not in self._raw:
            try:
                self._raw[path] = loads_strict(path.read_bytes())
            except PolicyValidationError as error:
                self.sink.add(display(path), error.location, f"{error.code}: {error.problem}")
                self._raw[path] = None
            except OSError as error:
                self.sink.add(display(path), "", f"cannot read: {error.strerror}")
                self._raw[path] = None
        return self._raw[path]
