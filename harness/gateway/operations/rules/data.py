"""Amazon DynamoDB and Amazon RDS.

DynamoDB: batch calls are authorised per table, transactions per item as the single-item action
(TransactWriteItems' Put → dynamodb:PutItem …), PartiQL statements as dynamodb:PartiQL<Verb> on
the table they name; a Query or Scan of an index is authorised on the index's ARN.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-iam.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html

RDS: identifiers are names (DBInstanceIdentifier → arn:…:db:<id>); creating with Tags needs
rds:AddTagsToResource; a monitoring role or a feature role is passed (iam:PassRole).
https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/security_iam_id-based-policy-examples-create-and-tag.html
https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from harness.gateway.operations import default_rule
from harness.gateway.operations.params import ParameterError, name, values_at
from harness.gateway.operations.results import AuthorizationRequest
from harness.gateway.operations.rules.common import action, pass_role, plus, same, when
from harness.gateway.operations.spec import Call, Rule, ServiceSpec, Source

_TABLE_ARN = re.compile(r"arn:[^:]+:dynamodb:[^:]+:\d{12}:table/[^/]+")


def _table_arn(call: Call, table: str) -> str:
    if table.startswith("arn:"):
        if not _TABLE_ARN.match(table):
            raise ParameterError(f"not a DynamoDB table ARN: {table!r}")
        return table
    if not table or "/" in table:
        raise ParameterError(f"not a table name: {table!r}")
    env = call.env
    return f"arn:{env.partition}:dynamodb:{env.region}:{env.account}:table/{table}"


def _table(call: Call) -> list[str] | None:
    table = name(call.params, "TableName")
    if table is None:
        return None
    arn = _table_arn(call, table)
    index = name(call.params, "IndexName")
    if index and call.operation in ("Query", "Scan"):
        return [f"{arn}/index/{index}"]
    return [arn]


def _stream(call: Call) -> list[str] | None:
    """Streams are named by ARN only; a call on a table does not involve its streams."""
    arns = [
        value
        for value in call.params.values()
        if isinstance(value, str) and value.startswith("arn:") and "/stream/" in value
    ]
    return arns


def _per_table(action_name: str) -> Rule:
    """BatchGetItem / BatchWriteItem: the action on each table of RequestItems."""

    def rule(call: Call) -> list[AuthorizationRequest]:
        items = call.params.get("RequestItems")
        if not isinstance(items, Mapping) or not items:
            raise ParameterError("the required parameter RequestItems is missing")
        made: list[AuthorizationRequest] = []
        for table in items:
            made += default_rule.requests(call, action_name, params={"TableName": str(table)})
        return made

    return rule


_TRANSACT_ACTIONS = {
    "Get": "GetItem",
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def _transact(call: Call) -> list[AuthorizationRequest]:
    """TransactGetItems / TransactWriteItems: each item's single-item action on its table,
    with dynamodb:EnclosingOperation naming the transaction."""
    items = values_at(call.params, "TransactItems[]")
    if not items:
        raise ParameterError("the required parameter TransactItems is missing")
    made: list[AuthorizationRequest] = []
    keys = [("dynamodb:EnclosingOperation", (call.operation,))]
    for item in items:
        if not isinstance(item, Mapping) or len(item) != 1:
            raise ParameterError("TransactItems: an item is not one operation")
        ((kind, body),) = item.items()
        if kind not in _TRANSACT_ACTIONS or not isinstance(body, Mapping):
            raise ParameterError(f"TransactItems: unknown item {kind!r}")
        for request in default_rule.requests(call, _TRANSACT_ACTIONS[kind], params=body, keys=keys):
            if request not in made:
                made.append(request)
    return made


# A PartiQL statement's verb and table: SELECT … FROM "t"."index", INSERT INTO "t", UPDATE "t",
# DELETE FROM "t".
_STATEMENT = re.compile(
    r"""\s*(?P<verb>select|insert|update|delete|exists)\b.*?
        (?:\bfrom|\binto|(?<=update))\s+"?(?P<table>[A-Za-z0-9_.-]+?)"?(?:\."?(?P<index>[A-Za-z0-9_.-]+)"?)?(?:\s|$|\[)""",
    re.IGNORECASE | re.DOTALL | re.VERBOSE,
)
_PARTIQL = {
    "select": "PartiQLSelect",
    "insert": "PartiQLInsert",
    "update": "PartiQLUpdate",
    "delete": "PartiQLDelete",
    "exists": "PartiQLSelect",
}


def _statement_requests(call: Call, statement: Any) -> list[AuthorizationRequest]:
    if not isinstance(statement, str):
        raise ParameterError("Statement is not a string")
    found = _STATEMENT.match(statement + " ")
    if found is None:
        raise ParameterError(f"cannot read the PartiQL statement {statement[:60]!r}")
    table = _table_arn(call, found["table"])
    if found["index"]:
        table += f"/index/{found['index']}"
    return [default_rule.on(call, _PARTIQL[found["verb"].lower()], table, resource_type="table")]


def _partiql(call: Call) -> list[AuthorizationRequest]:
    """ExecuteStatement / BatchExecuteStatement / ExecuteTransaction."""
    statements = (
        values_at(call.params, "Statement")
        + values_at(call.params, "Statements[].Statement")
        + values_at(call.params, "TransactStatements[].Statement")
    )
    if not statements:
        raise ParameterError("no PartiQL statement")
    made: list[AuthorizationRequest] = []
    for statement in statements:
        for request in _statement_requests(call, statement):
            if request not in made:
                made.append(request)
    return made


DYNAMODB_RULES: dict[str, Rule] = {
    "BatchGetItem": _per_table("BatchGetItem"),
    "BatchWriteItem": _per_table("BatchWriteItem"),
    "TransactGetItems": _transact,
    "TransactWriteItems": _transact,
    "ExecuteStatement": _partiql,
    "BatchExecuteStatement": _partiql,
    "ExecuteTransaction": _partiql,
    "CreateTable": plus(same, when("Tags", action("TagResource"))),
}

DYNAMODB_UNSUPPORTED: dict[str, str] = {
    # Bulk operations are newer than the Service Authorization Reference the harness reads.
    name: "not in the Service Authorization Reference"
    for name in (
        "CancelBulkOperation",
        "DescribeBulkOperation",
        "ListBulkOperations",
        "StartBulkPutItems",
    )
}

DYNAMODB = ServiceSpec(
    botocore="dynamodb",
    prefix="dynamodb",
    binders={"table": _table, "stream": _stream},
    variables={
        "TableName": (Source("TableName"),),
        "GlobalTableName": (Source("GlobalTableName"),),
    },
    # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html#amazondynamodb-policy-keys
    keys={
        "dynamodb:Select": (Source("Select"),),
        "dynamodb:ReturnValues": (Source("ReturnValues"),),
        "dynamodb:ReturnConsumedCapacity": (Source("ReturnConsumedCapacity"),),
        "dynamodb:Attributes": (Source("AttributesToGet"),),
    },
    rules=DYNAMODB_RULES,
    unsupported=DYNAMODB_UNSUPPORTED,
)


def _tag_on_create(call: Call) -> list[AuthorizationRequest]:
    """rds:AddTagsToResource on what a call creates with Tags."""
    if call.operation == "AddTagsToResource" or not values_at(call.params, "Tags"):
        return []
    return default_rule.requests(call, "AddTagsToResource")


def _monitoring_role(call: Call) -> list[AuthorizationRequest]:
    return pass_role("MonitoringRoleArn", "monitoring.rds.amazonaws.com")(call)


RDS_RULES: dict[str, Rule] = {
    "CreateDBInstance": plus(same, _monitoring_role),
    "CreateDBInstanceReadReplica": plus(same, _monitoring_role),
    "ModifyDBInstance": plus(same, _monitoring_role),
    "CreateDBCluster": plus(same, _monitoring_role),
    "ModifyDBCluster": plus(same, _monitoring_role),
    "RestoreDBInstanceFromDBSnapshot": same,
    "AddRoleToDBInstance": plus(same, pass_role("RoleArn", "rds.amazonaws.com")),
    "AddRoleToDBCluster": plus(same, pass_role("RoleArn", "rds.amazonaws.com")),
}

RDS = ServiceSpec(
    botocore="rds",
    prefix="rds",
    variables={
        "DbInstanceName": (Source("DBInstanceIdentifier"), Source("DBInstanceIdentifiers")),
        "DbClusterInstanceName": (Source("DBClusterIdentifier"), Source("DBClusterIdentifiers")),
        "ClusterParameterGroupName": (Source("DBClusterParameterGroupName"),),
        "ClusterSnapshotName": (Source("DBClusterSnapshotIdentifier"),),
        "SnapshotName": (Source("DBSnapshotIdentifier"),),
        "ParameterGroupName": (Source("DBParameterGroupName"),),
        "OptionGroupName": (Source("OptionGroupName"),),
        "SubnetGroupName": (Source("DBSubnetGroupName"),),
        "SecurityGroupName": (Source("DBSecurityGroupName"),),
        "GlobalCluster": (Source("GlobalClusterIdentifier"),),
        "DbClusterEndpoint": (Source("DBClusterEndpointIdentifier"),),
        "SubscriptionName": (Source("SubscriptionName"),),
    },
    # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html#amazonrds-policy-keys
    keys={
        "rds:StorageEncrypted": (Source("StorageEncrypted"),),
        "rds:DatabaseEngine": (Source("Engine"),),
        "rds:DatabaseClass": (Source("DBInstanceClass"), Source("DBClusterInstanceClass")),
        "rds:DatabaseName": (Source("DBName"), Source("DatabaseName")),
        "rds:MultiAz": (Source("MultiAZ"),),
        "rds:Piops": (Source("Iops"),),
        "rds:StorageSize": (Source("AllocatedStorage"),),
        "rds:BackupTarget": (Source("BackupTarget"),),
        "rds:ManageMasterUserPassword": (Source("ManageMasterUserPassword"),),
        "rds:PubliclyAccessible": (Source("PubliclyAccessible"),),
    },
    rules=RDS_RULES,
    unsupported={
        "DescribeServerlessV2PlatformVersions": "not in the Service Authorization Reference",
    },
    always=(_tag_on_create,),
)
