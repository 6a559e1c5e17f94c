"""An IAM user's, group's or role's policy documents as the backend holds them: the text as it
was written (the positions AWS reports are counted in that text), which BackendState's parsed
policies no longer carry."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from harness.gateway.backend import BackendAccess, paginated
from harness.gateway.simulator.errors import SimulationRequestError


@dataclass(frozen=True, slots=True)
class Document:
    """A policy the backend holds for the principal, with what an exclusion may name of it."""

    text: str
    policy_id: str
    kind: str  # inline | aws-managed | user-managed
    arn: str | None = None
    inline: tuple[str, str, str] | None = None  # (policy name, attachment type, entity name)


class Reader:
    """Reads an entity's documents through an IAM client of its account that leaves them as
    IAM sent them (`raw_iam`: BackendAccess.client's `raw_policies`)."""

    def __init__(self, iam: Any) -> None:
        self.iam = iam
        self._managed: dict[str, Document] = {}

    def entity(self, kind: str, name: str) -> tuple[list[Document], Document | None]:
        """The policies of the user, group or role `name` (a user's groups' too), and its
        permissions boundary. Raises SimulationRequestError NoSuchEntity, ClientError."""
        if kind == "group":
            self._get(lambda: self.iam.get_group(GroupName=name), "group", name)
            return self._group(name), None
        if kind == "role":
            entity = self._get(lambda: self.iam.get_role(RoleName=name), "role", name)["Role"]
            documents = self._inline("role", name)
        else:
            entity = self._get(lambda: self.iam.get_user(UserName=name), "user", name)["User"]
            documents = self._inline("user", name)
        documents += self._attached(kind, name)
        if kind == "user":
            for group in paginated(self.iam, "list_groups_for_user", "Groups", UserName=name):
                documents += self._group(group["GroupName"])
        boundary_arn = entity.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
        boundary = self._managed_document(boundary_arn) if boundary_arn else None
        # A managed policy attached to the user and to one of its groups is one policy.
        return list({id(d): d for d in documents}.values()), boundary

    def _group(self, name: str) -> list[Document]:
        return self._inline("group", name) + self._attached("group", name)

    def _inline(self, kind: str, name: str) -> list[Document]:
        documents = []
        title = kind.capitalize()
        for policy in paginated(self.iam, f"list_{kind}_policies", "PolicyNames",
                                **{f"{title}Name": name}):
            got = getattr(self.iam, f"get_{kind}_policy")(
                **{f"{title}Name": name, "PolicyName": policy})
            documents.append(Document(_document_text(got["PolicyDocument"]),
                                      f"{kind}_{name}_{policy}", "inline",
                                      inline=(policy, kind, name)))
        return documents

    def _attached(self, kind: str, name: str) -> list[Document]:
        title = kind.capitalize()
        return [self._managed_document(attached["PolicyArn"]) for attached in paginated(
            self.iam, f"list_attached_{kind}_policies", "AttachedPolicies",
            **{f"{title}Name": name})]

    def _managed_document(self, arn: str) -> Document:
        if arn not in self._managed:
            policy = self.iam.get_policy(PolicyArn=arn)["Policy"]
            version = self.iam.get_policy_version(PolicyArn=arn,
                                                  VersionId=policy["DefaultVersionId"])
            kind = "aws-managed" if arn.split(":")[4] == "aws" else "user-managed"
            self._managed[arn] = Document(
                _document_text(version["PolicyVersion"]["Document"]), policy["PolicyName"],
                kind, arn=arn)
        return self._managed[arn]

    def _get(self, call: Callable[[], dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
        try:
            return call()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "NoSuchEntity":
                raise SimulationRequestError(
                    "NoSuchEntity", f"The {kind} with name {name} cannot be found.", 404
                ) from error
            raise


def _document_text(document: Any) -> str:
    """IAM hands documents over URL-encoded (RFC 3986); a client that decodes them to objects
    has lost the text the positions are counted in."""
    if isinstance(document, str):
        return unquote(document)
    return json.dumps(document)


def raw_iam(access: BackendAccess, account: str) -> Any:
    """An administrator IAM client of `account` that leaves policy documents as IAM sent them."""
    return access.client(account, "iam", raw_policies=True)
