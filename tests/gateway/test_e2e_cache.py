"""What a write through the endpoint makes the gateway read afresh — and what it does not.

A write to a service drops what that service can change (its resource policies and tags; IAM:
identities and managed policies; Organizations: the tree and its policies); writing data
(publishing, putting items or objects) changes nothing a decision reads and keeps the cache.
"""

from __future__ import annotations

import json

import pytest

from tests.gateway.conftest import PROD, World, arn_role

pytestmark = pytest.mark.slow


def cached_kinds(world: World) -> set[str]:
    return {key[0] for key in world.gateway.backend_state._cache}


def test_writing_data_keeps_what_decisions_read(world: World) -> None:
    admin = world.session_of(arn_role(PROD, "admin"))
    s3 = world.client(admin, "s3")
    s3.list_buckets()
    before = dict(world.gateway.backend_state._cache)
    assert before, "the gateway read nothing to decide"
    s3.put_object(Bucket="prod-app-data", Key="cache/probe.txt", Body=b"x",
                  ServerSideEncryption="AES256")
    assert {k for k in before if k in world.gateway.backend_state._cache} == set(before)


def test_an_iam_write_drops_identities_but_not_the_organisation(world: World) -> None:
    admin = world.session_of(arn_role(PROD, "admin"))
    iam = world.client(admin, "iam")
    iam.list_roles()
    assert {"role", "org"} <= cached_kinds(world)
    iam.tag_role(RoleName="admin", Tags=[{"Key": "probe", "Value": json.dumps(1)}])
    kinds = cached_kinds(world)
    assert "role" not in kinds
    assert "org" in kinds
