"""Landscape → backend, through the AWS APIs.

    seeded = seed(load_landscape("fixtures/securecart"), "http://127.0.0.1:5000")
    seeded.client("prod", "s3").list_buckets()

Order: the organisation (which yields credentials in every member account), credentials in
accounts outside it, IAM in every account, Identity Center (and the roles it provisions, which
may use the accounts' customer managed policies), then resources (functions need their roles).
Seeding is idempotent, and all-or-nothing: on any failure the backend is reset to empty and
`SeedError` says what was being seeded. The parts are this package's other modules.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable

from harness.landscape.model import Landscape
from harness.seeding.context import Clients, SeededLandscape, SeedError
from harness.seeding.iam import seed_iam
from harness.seeding.identity_center import seed_identity_center
from harness.seeding.organizations import seed_organization
from harness.seeding.resources import seed_resources


def seed(
    landscape: Landscape,
    endpoint_url: str,
    *,
    reset_backend: Callable[[], None] | None = None,
) -> SeededLandscape:
    """Seed `landscape` into the backend at `endpoint_url`. On failure, `reset_backend` (by
    default moto's `POST /moto-api/reset` at the endpoint) empties the backend before
    `SeedError` is raised."""
    try:
        return _seed(landscape, endpoint_url)
    except Exception as error:
        _reset_after_failure(reset_backend or (lambda: reset_moto(endpoint_url)), error)
        if isinstance(error, SeedError):
            raise
        raise SeedError(f"seeding landscape {landscape.name}: {error}") from error


def _seed(landscape: Landscape, endpoint_url: str) -> SeededLandscape:
    clients = Clients(landscape, endpoint_url)
    organization = seed_organization(clients)
    for account in landscape.accounts:
        if account.external:
            clients.assume(account.name, via=None)
    iam = seed_iam(clients)
    center = seed_identity_center(clients, iam)
    seed_resources(clients)
    return SeededLandscape(
        landscape=landscape,
        endpoint_url=endpoint_url,
        organization_id=organization.organization_id,
        root_id=organization.root_id,
        ou_ids=organization.ou_ids,
        account_ids={account.name: account.account_id for account in landscape.accounts},
        scp_ids=organization.scp_ids,
        sso_instance_arn=center.instance_arn,
        identity_store_id=center.identity_store_id,
        user_ids=center.user_ids,
        group_ids=center.group_ids,
        permission_set_arns=center.permission_set_arns,
        provisioned_roles=center.provisioned_roles,
        saml_provider_arns=center.saml_provider_arns,
        credentials=dict(clients.credentials),
        clients=clients,
    )


def reset_moto(endpoint_url: str) -> None:
    """Empty a moto backend through its own API."""
    request = urllib.request.Request(f"{endpoint_url.rstrip('/')}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def _reset_after_failure(reset: Callable[[], None], error: Exception) -> None:
    try:
        reset()
    except Exception as reset_error:
        # The seeding error stays the one raised; the failed reset is noted on it.
        error.add_note(f"and resetting the backend failed too: {reset_error}")
