"""When steps: AWS calls made as the current actor, through the enforcing gateway. Each one
records the outcome (the answer and the gateway's decisions) for the Then steps."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from harness.seeding.identity_center import sso_role_arn, sso_role_name
from steps import simulate
from steps.actions import (
    CUSTOMER_RECORD,
    CUSTOMER_RECORD_NOTE,
    assume_role,
    create_role,
    upload,
)
from steps.calls import call
from steps.catalog import when
from steps.lookup import kms_key, topic_arn
from steps.world import World

Table = list[list[str]]


# --------------------------------------------------------------------------- S3


@when('{actor} reads "{key}" from the "{bucket}" bucket',
      example='When it reads "customers/0001.json" from the "securecart-prod-customer-data" bucket')
def reads(world: World, actor: str, key: str, bucket: str) -> None:
    """S3 GetObject over HTTPS."""
    call(world, "s3", "GetObject", {"Bucket": bucket, "Key": key})


@when('{actor} reads "{key}" from the "{bucket}" bucket over plain HTTP',
      example='When it reads "customers/0001.json" from the "securecart-prod-customer-data" '
              "bucket over plain HTTP")
def reads_over_http(world: World, actor: str, key: str, bucket: str) -> None:
    """S3 GetObject at the plain-HTTP endpoint (aws:SecureTransport is "false")."""
    call(world, "s3", "GetObject", {"Bucket": bucket, "Key": key}, secure=False)


@when('{actor} uploads "{key}" to the "{bucket}" bucket (with|without) encryption',
      example='When she uploads "notes.txt" to the "securecart-dev-artifacts" bucket with '
              "encryption")
def uploads(world: World, actor: str, key: str, bucket: str, choice: str) -> None:
    """S3 PutObject, asking for SSE-S3 (x-amz-server-side-encryption: AES256) or not."""
    upload(world, key, bucket, encryption="AES256" if choice == "with" else None)


@when('{actor} uploads "{key}" to the "{bucket}" bucket encrypted with "{method}"',
      example='When she uploads "notes.txt" to the "securecart-dev-artifacts" bucket encrypted '
              'with "aws:fsx"')
def uploads_encrypted_with(world: World, actor: str, key: str, bucket: str,
                           method: str) -> None:
    """S3 PutObject with x-amz-server-side-encryption: `method`."""
    upload(world, key, bucket, encryption=method)


@when('{actor} delivers "{key}" to the "{bucket}" bucket with the bucket owner in full control',
      example='When it delivers "AWSLogs/111111111111/CloudTrail/trail.json.gz" to the '
              '"securecart-log-archive" bucket with the bucket owner in full control')
def delivers(world: World, actor: str, key: str, bucket: str) -> None:
    """S3 PutObject with the canned ACL bucket-owner-full-control (x-amz-acl), encrypted with
    SSE-S3: how CloudTrail delivers log files."""
    upload(world, key, bucket, encryption="AES256", acl="bucket-owner-full-control")


@when('{actor} lists the objects in the "{bucket}" bucket',
      example='When she lists the objects in the "securecart-dev-artifacts" bucket')
def lists_objects(world: World, actor: str, bucket: str) -> None:
    """S3 ListObjectsV2."""
    call(world, "s3", "ListObjectsV2", {"Bucket": bucket})


@when("{actor} [lists|list] the buckets of the account",
      example="When they list the buckets of the account")
def lists_buckets(world: World, actor: str) -> None:
    """S3 ListBuckets."""
    call(world, "s3", "ListBuckets")


@when('{actor} creates the bucket "{bucket}" in the "{account}" account',
      example='When she creates the bucket "securecart-dev-scratch" in the "dev" account')
def creates_bucket(world: World, actor: str, bucket: str, account: str) -> None:
    """S3 CreateBucket, in the actor's own account (which the step names)."""
    assert world.current().account == account, (
        f"{world.current().label} acts in {world.current().account}, not {account}")
    call(world, "s3", "CreateBucket", {"Bucket": bucket})


# --------------------------------------------------------------------------- KMS
# A key is named in features by its landscape name (its alias without "alias/"). The
# cryptographic operations name it by its alias, as applications do (KMS authorises them on the
# key the alias points to); the management operations take only a key id or key ARN, the one
# seeding recorded.
# https://docs.aws.amazon.com/kms/latest/developerguide/alias-using.html


def _key_alias(world: World, key: str) -> tuple[str, str]:
    """The alias of the landscape's key of that name, and its region."""
    _, found = kms_key(world.stack.landscape, key)
    return found.alias, found.region


def _key_arn(world: World, key: str) -> tuple[str, str]:
    """The key ARN of the landscape's key of that name, and its region."""
    owner, found = kms_key(world.stack.landscape, key)
    return world.stack.seeded.key_arns[(owner.name, found.name)], found.region


@when('{actor} encrypts a customer record with the "{key}" key',
      example='When it encrypts a customer record with the "securecart-prod-customer-data" key')
def encrypts(world: World, actor: str, key: str) -> None:
    """KMS Encrypt of a customer record under the key."""
    alias, region = _key_alias(world, key)
    call(world, "kms", "Encrypt", {"KeyId": alias, "Plaintext": CUSTOMER_RECORD}, region=region)


@when('{actor} decrypts the customer record with the "{key}" key',
      example='When she decrypts the customer record with the "securecart-prod-customer-data" '
              "key")
def decrypts(world: World, actor: str, key: str) -> None:
    """KMS Decrypt of the customer record a Given step encrypted, naming the key (KeyId), as
    AWS recommends: the call fails if the ciphertext is another key's.
    https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html"""
    alias, region = _key_alias(world, key)
    assert CUSTOMER_RECORD_NOTE in world.notes, (
        "no customer record was encrypted: a Given step must encrypt one")
    call(world, "kms", "Decrypt", {"KeyId": alias,
                                   "CiphertextBlob": world.notes[CUSTOMER_RECORD_NOTE]},
         region=region)


@when('{actor} generates a data key with the "{key}" key',
      example='When it generates a data key with the "securecart-prod-customer-data" key')
def generates_data_key(world: World, actor: str, key: str) -> None:
    """KMS GenerateDataKey (AES-256) under the key: envelope encryption, how an application
    encrypts data of any size with a KMS key."""
    alias, region = _key_alias(world, key)
    call(world, "kms", "GenerateDataKey", {"KeyId": alias, "KeySpec": "AES_256"},
         region=region)


@when('{actor} turns on automatic rotation of the "{key}" key',
      example='When she turns on automatic rotation of the "securecart-prod-customer-data" key')
def enables_rotation(world: World, actor: str, key: str) -> None:
    """KMS EnableKeyRotation, a key administrator's task (it takes the key ARN, not an alias).
    https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html"""
    key_arn, region = _key_arn(world, key)
    call(world, "kms", "EnableKeyRotation", {"KeyId": key_arn}, region=region)


# --------------------------------------------------------------------------- any operation


@when("{actor} calls {service} {operation} with:",
      example="When she calls secretsmanager GetSecretValue with:\n"
              "  | SecretId | securecart/dev/database |")
def calls_with(world: World, actor: str, service: str, operation: str, datatable: Table) -> None:
    """Any API operation, by the service's name (as the AWS CLI names it) and the operation's
    API name; the table gives the parameters (name | value). Values are read by the
    parameter's type: text as written, true/false, numbers, and JSON for structures and
    lists."""
    call(world, service, operation, rows=datatable)


@when("{actor} calls {service} {operation}",
      example="When she calls ec2 CreateInternetGateway")
def calls(world: World, actor: str, service: str, operation: str) -> None:
    """Any API operation that needs no parameters."""
    call(world, service, operation)


@when('{actor} calls {service} {operation} in "{region}"',
      example='When she calls iam ListRoles in "ap-southeast-2"')
def calls_in(world: World, actor: str, service: str, operation: str, region: str) -> None:
    """Any API operation without parameters, at the service's endpoint in `region`."""
    call(world, service, operation, region=region)


# --------------------------------------------------------------------------- storage, tooling


@when('{actor} lists the tables of the account in "{region}"',
      example='When she lists the tables of the account in "eu-west-1"')
def lists_tables(world: World, actor: str, region: str) -> None:
    """DynamoDB ListTables in `region`."""
    call(world, "dynamodb", "ListTables", region=region)


@when("{actor} creates an (unencrypted|encrypted) {size:int} GiB volume",
      example="When she creates an encrypted 8 GiB volume",
      converters={"size": int})
def creates_volume(world: World, actor: str, choice: str, size: int) -> None:
    """EC2 CreateVolume (gp3) in the home region's first zone, encrypted or not."""
    zone = f"{world.stack.landscape.regions.home}a"
    call(world, "ec2", "CreateVolume", {"AvailabilityZone": zone, "Size": size,
                                        "VolumeType": "gp3", "Encrypted": choice == "encrypted"})


@when('{actor} creates an (unencrypted|encrypted) database "{name}"',
      example='When she creates an unencrypted database "scratch-db"')
def creates_database(world: World, actor: str, choice: str, name: str) -> None:
    """RDS CreateDBInstance (PostgreSQL, db.t3.micro, 20 GiB), storage encrypted or not."""
    call(world, "rds", "CreateDBInstance", {
        "DBInstanceIdentifier": name, "Engine": "postgres", "DBInstanceClass": "db.t3.micro",
        "AllocatedStorage": 20, "MasterUsername": "securecart",
        "MasterUserPassword": "not-a-real-password-1", "StorageEncrypted": choice == "encrypted",
    })


@when("{actor} deletes the GuardDuty detector",
      example="When she deletes the GuardDuty detector")
def deletes_detector(world: World, actor: str) -> None:
    """GuardDuty DeleteDetector for the account's detector (its id read on the backend)."""
    account = world.current().account
    detectors = world.stack.backend(account, "guardduty").list_detectors()["DetectorIds"]
    assert detectors, f"the {account} account has no GuardDuty detector"
    call(world, "guardduty", "DeleteDetector", {"DetectorId": detectors[0]})


@when("{actor} stops the Config recorder",
      example="When she stops the Config recorder")
def stops_recorder(world: World, actor: str) -> None:
    """AWS Config StopConfigurationRecorder for the account's recorder."""
    account = world.current().account
    recorders = world.stack.backend(account, "config").describe_configuration_recorders()
    names = [r["name"] for r in recorders["ConfigurationRecorders"]]
    assert names, f"the {account} account has no Config recorder"
    call(world, "config", "StopConfigurationRecorder", {"ConfigurationRecorderName": names[0]})


# --------------------------------------------------------------------------- identity


@when("{actor} asks who [she|he|they|it] [is|are]",
      example="When he asks who he is")
def asks_who(world: World, actor: str) -> None:
    """STS GetCallerIdentity."""
    call(world, "sts", "GetCallerIdentity")


@when('{person} tries to sign in as "{permission_set}" in the "{account}" account',
      example='When alice tries to sign in as "DeveloperReadOnly" in the "prod" account')
def tries_to_sign_in(world: World, person: str, permission_set: str, account: str) -> None:
    """Signing in through the IdP and Identity Center; a refusal is kept for the Then step."""
    from harness.identity import IdentityError

    try:
        world.stack.login(person, account, permission_set)
    except IdentityError as error:
        world.sign_in_error = str(error)
    else:
        world.sign_in_error = None


@when('{actor} assumes the "{role}" role in the "{account}" account',
      example='When it assumes the "DeployRole" role in the "prod" account')
def assumes(world: World, actor: str, role: str, account: str) -> None:
    """STS AssumeRole as the actor."""
    assume_role(world, role, account)


@when('{actor} assumes the "{role}" role in the "{account}" account without an external id',
      example='When it assumes the "VendorSupportRole" role in the "prod" account without an '
              "external id")
def assumes_without_external_id(world: World, actor: str, role: str, account: str) -> None:
    """STS AssumeRole as the actor, giving no ExternalId."""
    assume_role(world, role, account)


@when('{actor} assumes the "{role}" role in the "{account}" account with the external id '
      '"{external_id}"',
      example='When it assumes the "VendorSupportRole" role in the "prod" account with the '
              'external id "securecart-vendor-support-7f3a9c"')
def assumes_with_external_id(world: World, actor: str, role: str, account: str,
                             external_id: str) -> None:
    """STS AssumeRole as the actor, with an ExternalId."""
    assume_role(world, role, account, external_id=external_id)


@when('{actor} assumes the "{role}" role in the "{account}" account with the external id '
      '"{external_id}" for {seconds:int} seconds',
      example='When it assumes the "VendorSupportRole" role in the "prod" account with the '
              'external id "securecart-vendor-support-7f3a9c" for 7200 seconds',
      converters={"seconds": int})
def assumes_for(world: World, actor: str, role: str, account: str, external_id: str,
                seconds: int) -> None:
    """STS AssumeRole as the actor, with an ExternalId and a DurationSeconds."""
    assume_role(world, role, account, external_id=external_id, seconds=seconds)


@when('{actor} creates the role "{role}" with the "{boundary}" permissions boundary',
      example='When she creates the role "orders-worker" with the "developer-boundary" '
              "permissions boundary")
def creates_role_with_boundary(world: World, actor: str, role: str, boundary: str) -> None:
    """IAM CreateRole (an ECS task role of the actor's account) with the account's managed
    policy `boundary` as its permissions boundary."""
    create_role(world, role, boundary)


@when('{actor} creates the role "{role}" without a permissions boundary',
      example='When she creates the role "unbounded-worker" without a permissions boundary')
def creates_role_without_boundary(world: World, actor: str, role: str) -> None:
    """IAM CreateRole (an ECS task role of the actor's account) with no permissions boundary."""
    create_role(world, role, None)


@when('{actor} attaches the "{policy_arn}" policy to the role "{role}"',
      example='When she attaches the "arn:aws:iam::aws:policy/AdministratorAccess" policy to '
              'the role "orders-worker"')
def attaches_policy(world: World, actor: str, policy_arn: str, role: str) -> None:
    """IAM AttachRolePolicy."""
    call(world, "iam", "AttachRolePolicy", {"RoleName": role, "PolicyArn": policy_arn})


@when('{actor} attaches the "{policy_arn}" policy to the Identity Center role of '
      '"{permission_set}"',
      example='When she attaches the "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" policy to '
              'the Identity Center role of "DeveloperPowerUser"')
def attaches_policy_to_sso_role(world: World, actor: str, policy_arn: str,
                                permission_set: str) -> None:
    """IAM AttachRolePolicy on the role Identity Center made for the permission set in the
    actor's account (AWSReservedSSO_<set>_<suffix>)."""
    landscape = world.stack.landscape
    account = landscape.account(world.current().account)
    role = sso_role_name(account, landscape.identity_center.permission_set(permission_set))
    call(world, "iam", "AttachRolePolicy", {"RoleName": role, "PolicyArn": policy_arn})


# --------------------------------------------------------------------------- messaging, data


@when('{actor} publishes a message to the "{topic}" topic in the "{account}" account',
      example='When it publishes a message to the "order-events" topic in the "prod" account')
def publishes(world: World, actor: str, topic: str, account: str) -> None:
    """SNS Publish to the topic."""
    message = json.dumps({"order_id": "o-1001", "at": datetime.now(UTC).isoformat()})
    call(world, "sns", "Publish",
         {"TopicArn": topic_arn(world.stack.landscape, topic, account), "Message": message})


@when('{actor} puts the item {item:json} into the "{table}" table',
      example='When it puts the item {"order_id": {"S": "o-1001"}, "created_at": '
              '{"S": "2026-11-01T10:00:00Z"}} into the "orders" table')
def puts_item(world: World, actor: str, item: str, table: str) -> None:
    """DynamoDB PutItem (the item in DynamoDB's JSON)."""
    call(world, "dynamodb", "PutItem", {"TableName": table, "Item": json.loads(item)})


@when('{actor} gets the item {key:json} from the "{table}" table',
      example='When it gets the item {"order_id": {"S": "o-1001"}, "created_at": '
              '{"S": "2026-11-01T10:00:00Z"}} from the "orders" table')
def gets_item(world: World, actor: str, key: str, table: str) -> None:
    """DynamoDB GetItem (the key in DynamoDB's JSON)."""
    call(world, "dynamodb", "GetItem", {"TableName": table, "Key": json.loads(key)})


# --------------------------------------------------------------------------- the simulator


@when('{actor} simulates this policy for "{action}" on "{resource}":',
      example='When she simulates this policy for "s3:DeleteBucket" on '
              '"arn:aws:s3:::securecart-dev-artifacts":\n'
              '  """\n'
              '  {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",'
              ' "Resource": "*"}]}\n'
              '  """')
def simulates_policy(world: World, actor: str, action: str, resource: str,
                     docstring: str) -> None:
    """IAM SimulateCustomPolicy at the endpoint, with the policy in the docstring."""
    simulate.custom(world, docstring, action, resource)


@when('{actor} simulates the "{role}" role in the "{account}" account for "{action}" on '
      '"{resource}"',
      example='When she simulates the "orders-processor" role in the "prod" account for '
              '"s3:GetObject" on "arn:aws:s3:::securecart-prod-customer-data/c.json"')
def simulates_role(world: World, actor: str, role: str, account: str, action: str,
                   resource: str) -> None:
    """IAM SimulatePrincipalPolicy at the endpoint, for the role's real policies."""
    simulate.principal(world, world.stack.landscape.account(account).role(role).arn, action,
                       resource)


@when('{actor} simulates the "{role}" role in the "{account}" account for "{action}" on '
      '"{resource}" in "{region}"',
      example='When she simulates the "orders-processor" role in the "prod" account for '
              '"dynamodb:Scan" on "arn:aws:dynamodb:us-east-1:666666666666:table/orders" in '
              '"us-east-1"')
def simulates_role_in(world: World, actor: str, role: str, account: str, action: str,
                      resource: str, region: str) -> None:
    """IAM SimulatePrincipalPolicy for the role's real policies, for a request made in `region`
    (the ContextEntry aws:RequestedRegion, which the region guardrail reads)."""
    simulate.principal(world, world.stack.landscape.account(account).role(role).arn, action,
                       resource, region=region)


@when('{actor} simulates the "{permission_set}" permission set in the "{account}" account for '
      '"{action}" on "{resource}" in "{region}"',
      example='When she simulates the "SecurityAudit" permission set in the "security" account '
              'for "guardduty:ArchiveFindings" on "*" in "us-east-1"')
def simulates_permission_set(world: World, actor: str, permission_set: str, account: str,
                             action: str, resource: str, region: str) -> None:
    """IAM SimulatePrincipalPolicy for the role Identity Center made for the permission set in
    the account, as a member signed in with MFA would make the request in `region`."""
    landscape = world.stack.landscape
    role_arn = sso_role_arn(landscape.account(account),
                            landscape.identity_center.permission_set(permission_set))
    simulate.principal(world, role_arn, action, resource, region=region, mfa=True)
