"""What the harness changes in moto, each because no API offers it; applied once per process
(`prepare_moto`, which MotoServer calls before it serves), and each change says why:

- moto's own S3 bucket-policy check is switched off (`_disable_bucket_policy_check`): the
  harness owns access decisions, and moto's check denies everyone on any matching Deny (and
  unsigned reads that the gateway allowed).
- moto executes the operation the gateway authorised, named in the WSGI environ, not the one
  it would read from a URL `Action`, a form or JSON body, or a header
  (`_execute_the_authorised_operation`; harness.gateway.forwarding).
- member accounts get the landscape's ids, and the management account its name and e-mail
  (`_honour_reserved_account_tags`): moto's CreateAccount picks random ids.
- AWS managed policies are loaded into IAM, as every AWS account has them; moto leaves them out
  unless configured, and then AttachRolePolicy of e.g. ReadOnlyAccess fails. sso-admin finds
  those outside "/" (job-function/ViewOnlyAccess), which moto 5.2.5 misses.
- moto is spared work it repeats: a directory listing and a method listing per request, a
  region computation per account.
"""

from __future__ import annotations

import functools
import json
import threading
from datetime import datetime
from typing import Any, cast

from harness.backends import (
    ACCOUNT_EMAIL_TAG,
    ACCOUNT_ID_TAG,
    ACCOUNT_NAME_TAG,
    AUTHORISED_OPERATION,
    RESERVED_TAGS,
)
from harness.backends.moto_snapshots import gc_paused
from harness.reference import aws_managed_table

_prepared = threading.Lock()
_done = False


def prepare_moto() -> None:
    """Apply this module's changes to moto, once per process."""
    global _done
    with _prepared:
        if _done:
            return
        _load_aws_managed_policies()
        _find_sso_managed_policies_by_path()
        _disable_bucket_policy_check()
        _execute_the_authorised_operation()
        _honour_reserved_account_tags()
        _route_without_listing_moto()
        _cache_regions_per_service()
        _cache_method_names()
        _done = True


def _replace(owner: object, name: str, value: Any) -> None:
    """Replace a function of moto's (every change here is one of these, applied once)."""
    setattr(owner, name, value)


def _disable_bucket_policy_check() -> None:
    """moto 5.2.5 evaluates a bucket's policy on object requests by itself (s3/responses.py
    calls `FakeBucket.get_permission`), ignoring Principal and Condition: a "deny unless the
    caller is orders-processor" policy denies everyone with a bare 403, and an unsigned read is
    refused unless the policy allows it. The harness decides access in its gateway, and moto
    must carry out what the gateway let through: every bucket answers PERMITTED."""
    from moto.iam.access_control import PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(self: Any, action: str, resource: str) -> Any:
        return PermissionResult.PERMITTED

    _replace(FakeBucket, "get_permission", get_permission)


def _execute_the_authorised_operation() -> None:
    """moto reads a request's operation its own way: a URL `Action` first, then a form body,
    then a JSON body parsed as a query string, then the headers, then X-Amz-Target, then the
    path. The gateway authorised one operation, read LocalStack's way; a request that reads
    otherwise to moto (`?Action=DeleteTable` on a GetItem) would run what nobody authorised.
    So moto executes the operation the gateway names in the WSGI environ, where no client can
    write (AUTHORISED_OPERATION); requests without it (the harness's own clients) are read as
    moto reads them."""
    from moto.core.responses import BaseResponse

    read_by_moto = BaseResponse._get_action

    def _get_action(self: Any) -> str:
        request = getattr(self, "normalized_request", None)
        environ = getattr(request, "environ", None) or {}
        authorised = environ.get(AUTHORISED_OPERATION)
        return str(authorised) if authorised else str(read_by_moto(self))

    _replace(BaseResponse, "_get_action", _get_action)


@functools.cache
def _aws_managed_policy_templates() -> tuple[Any, ...]:
    """Each AWS managed policy built once by moto's own constructor (as its `from_data` does),
    to be cloned into every account's IAM."""
    from moto.iam import models as iam_models

    return tuple(
        cast(Any, iam_models.AWSManagedPolicy)(
            name,
            account_id="000000000000",  # replaced in every clone
            region="aws",
            default_version_id=data.get("DefaultVersionId"),
            path=data.get("Path"),
            document=json.dumps(data.get("Document")),
            create_date=datetime.fromisoformat(data["CreateDate"]),
            update_date=datetime.fromisoformat(data["UpdateDate"]),
        )
        for name, data in aws_managed_table().items()
    )


def _clone(template: Any, **changes: Any) -> Any:
    """A copy of a moto model object (one level deep), without running its constructor."""
    clone = object.__new__(type(template))
    clone.__dict__.update(vars(template), **changes)
    return clone


def _load_aws_managed_policies() -> None:
    """Every AWS account has the AWS managed policies (arn:aws:iam::aws:policy/...); moto
    loads them only when configured to, and then parses its table and builds 1,500 objects
    again for every account (0.1 s each). Load them always, as clones of objects built once:
    the clones share the immutable parts (document strings, dates; and the policy id, which
    AWS too gives an AWS managed policy in every account), which also keeps snapshots small
    (pickle stores a shared object once), and own the mutable ones (attachment count, tags,
    versions). Only in the commercial partition: moto builds an IAM backend for every
    partition of an account as soon as it looks up an access key, and no landscape uses
    arn:aws-cn:... policies."""
    from moto.iam import models as iam_models

    def init_aws_policies(self: Any) -> list[Any]:
        if self.region_name != "aws":  # IAM backends are keyed by partition
            return []
        with gc_paused():
            return [
                _clone(
                    template,
                    account_id=self.account_id,
                    tags={},
                    versions=[_clone(version) for version in template.versions],
                )
                for template in _aws_managed_policy_templates()
            ]

    _replace(iam_models.IAMBackend, "_init_aws_policies", init_aws_policies)


def _cache_method_names() -> None:
    """moto lists a response class's methods (inspect.getmembers) on every request to check
    the action exists, a tenth of a request's cost; classes do not change, so once per class."""
    from moto.core import responses, utils

    _replace(responses, "method_names_from_class", functools.cache(utils.method_names_from_class))


def _cache_regions_per_service() -> None:
    """moto computes a service's region list (from botocore's endpoint data, 2 ms) for every
    new (account, service) pair: its cache is keyed by the backend object. Key it by service."""
    from moto.core.base_backend import AccountSpecificBackend

    compute = AccountSpecificBackend._generate_regions.__wrapped__
    regions: dict[str, list[str]] = {}

    def generate_regions(self: Any, service_name: str) -> list[str]:
        if service_name not in regions:
            regions[service_name] = compute(self, service_name)
        return regions[service_name]

    _replace(AccountSpecificBackend, "_generate_regions", generate_regions)


def _find_sso_managed_policies_by_path() -> None:
    """moto's sso-admin looks an AWS managed policy's path up under the key "path" where its
    table says "Path", so every policy outside "/" (job-function/ViewOnlyAccess,
    service-role/...) is "not found" when attached to a permission set. Same check, right key."""
    from moto.ssoadmin import models as sso_models
    from moto.ssoadmin.exceptions import ResourceNotFoundException

    def find_managed_policy(self: Any, managed_policy_arn: str) -> Any:
        name = managed_policy_arn.split("/")[-1]
        data = aws_managed_table().get(name)
        if data is not None:
            expected = f"arn:{self.partition}:iam::aws:policy{data.get('Path', '/')}{name}"
            if managed_policy_arn == expected:
                return sso_models.ManagedPolicy(managed_policy_arn, name)
        raise ResourceNotFoundException(f"Policy does not exist with ARN: {managed_policy_arn}")

    _replace(sso_models.SSOAdminBackend, "_find_managed_policy", find_managed_policy)


def _route_without_listing_moto() -> None:
    """moto's server lists its own package directory (and stats each entry) on every request
    to route it, about 2 ms a request, a third of its cost; the directory does not change
    while we run."""
    from moto import backends

    modules = tuple(backends.list_of_moto_modules())
    _replace(backends, "list_of_moto_modules", lambda: iter(modules))


_requested = threading.local()
"""The account id asked for by the CreateAccount being handled in this thread (werkzeug serves
each request in its own thread)."""


def _honour_reserved_account_tags() -> None:
    """Give accounts the ids, names and e-mails the seeder asks for through the reserved tags.

    moto's `FakeAccount.__init__` draws `utils.make_random_account_id()` and then creates the
    account's OrganizationAccountAccessRole under that id, so the id must be chosen before the
    constructor runs, not patched in afterwards."""
    from moto.organizations import models as org_models
    from moto.organizations import utils as org_utils
    from moto.organizations.exceptions import OrganizationsClientError

    random_account_id = org_utils.make_random_account_id

    def make_account_id() -> str:
        requested: str | None = getattr(_requested, "account_id", None)
        return requested if requested else random_account_id()

    original_init = org_models.FakeAccount.__init__

    def account_init(self: Any, organization: Any, **kwargs: Any) -> None:
        reserved, kwargs["Tags"] = _split_tags(kwargs.get("Tags") or [])
        _requested.account_id = reserved.get(ACCOUNT_ID_TAG)
        try:
            original_init(self, organization, **kwargs)
        finally:
            _requested.account_id = None

    original_create = org_models.OrganizationsBackend.create_account

    def create_account(self: Any, **kwargs: Any) -> dict[str, Any]:
        reserved, _ = _split_tags(kwargs.get("Tags") or [])
        wanted = reserved.get(ACCOUNT_ID_TAG)
        if wanted and any(account.id == wanted for account in self.accounts):
            raise OrganizationsClientError(
                "DuplicateAccountException", f"An account with id {wanted} already exists."
            )
        result: dict[str, Any] = original_create(self, **kwargs)
        return result

    original_tag = org_models.OrganizationsBackend.tag_resource

    def tag_resource(self: Any, **kwargs: Any) -> None:
        reserved, kwargs["Tags"] = _split_tags(kwargs["Tags"])
        if reserved:
            _rename_account(self, self.get_account_by_id(kwargs["ResourceId"]), reserved)
        if kwargs["Tags"]:
            original_tag(self, **kwargs)

    _replace(org_utils, "make_random_account_id", make_account_id)
    _replace(org_models.FakeAccount, "__init__", account_init)
    _replace(org_models.OrganizationsBackend, "create_account", create_account)
    _replace(org_models.OrganizationsBackend, "tag_resource", tag_resource)


def _split_tags(tags: list[dict[str, str]]) -> tuple[dict[str, str], list[dict[str, str]]]:
    reserved = {tag["Key"]: tag["Value"] for tag in tags if tag["Key"] in RESERVED_TAGS}
    return reserved, [tag for tag in tags if tag["Key"] not in RESERVED_TAGS]


def _rename_account(backend: Any, account: Any, reserved: dict[str, str]) -> None:
    account.name = reserved.get(ACCOUNT_NAME_TAG, account.name)
    account.email = reserved.get(ACCOUNT_EMAIL_TAG, account.email)
    if backend.org is not None and account.id == backend.org.master_account_id:
        backend.org.master_account_email = account.email
