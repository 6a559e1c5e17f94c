"""Given steps: who acts, and the state of the world before the calls under test."""

from __future__ import annotations

from steps import personas
from steps.actions import (
    BODY,
    CUSTOMER_RECORD,
    CUSTOMER_RECORD_NOTE,
    act_as_assumed,
    create_role,
    require,
)
from steps.calls import call
from steps.catalog import given
from steps.lookup import bucket_owner, kms_key
from steps.world import World


@given("the SecureCart organisation", example="Given the SecureCart organisation")
def the_organisation(world: World) -> None:
    """The seeded landscape: every scenario starts from it (the plugin resets the emulated AWS
    before each one), so this step states the starting point and does nothing more."""
    assert world.stack.seeded is not None


@given('the "{bucket}" bucket holds "{key}"',
      example='Given the "securecart-prod-customer-data" bucket holds "customers/0001.json"')
def bucket_holds(world: World, bucket: str, key: str) -> None:
    """Puts an (encrypted) object into the bucket as the world's author, on the backend,
    where no policy is decided: the scenario is about who may read it."""
    owner = bucket_owner(world.stack.landscape, bucket)
    world.stack.backend(owner.name, "s3").put_object(
        Bucket=bucket, Key=key, Body=BODY, ServerSideEncryption="AES256")


@given('a customer record has been encrypted with the "{key}" key',
       example='Given a customer record has been encrypted with the '
               '"securecart-prod-customer-data" key')
def record_encrypted(world: World, key: str) -> None:
    """KMS Encrypt of a customer record under the key (named by its alias), as the world's
    author on the backend, where no policy is decided: the scenario is about who may decrypt
    it. The ciphertext is kept for the When steps that decrypt."""
    owner, found = kms_key(world.stack.landscape, key)
    kms = world.stack.backend(owner.name, "kms", found.region)
    encrypted = kms.encrypt(KeyId=found.alias, Plaintext=CUSTOMER_RECORD)
    world.notes[CUSTOMER_RECORD_NOTE] = encrypted["CiphertextBlob"]


@given('{person} has signed in (with|without) MFA as "{permission_set}" in the "{account}" account',
      example='Given alice has signed in with MFA as "DeveloperReadOnly" in the "dev" account')
def signed_in(world: World, person: str, choice: str, permission_set: str, account: str) -> None:
    """The person signs in through the emulated IdP (with or without a second factor) and
    Identity Center's role for the permission set in the account (SAML, through the
    gateway). They act from now on."""
    world.actor = personas.person(world.stack, person, permission_set, account,
                                  mfa=choice == "with")


@given('the "{function}" Lambda function is running in the "{account}" account',
      example='Given the "orders-processor" Lambda function is running in the "prod" account')
def lambda_running(world: World, function: str, account: str) -> None:
    """The session Lambda obtains for the function's execution role; the function acts."""
    world.actor = personas.lambda_function(world.stack, function, account)


@given('the "{role}" ECS task is running in the "{account}" account',
      example='Given the "orders-api" ECS task is running in the "prod" account')
def ecs_task_running(world: World, role: str, account: str) -> None:
    """The session ECS obtains for the task role; the task acts. A role the scenario created
    is not in the landscape: ECS's AssumeRole call for it goes through the gateway."""
    try:
        world.stack.landscape.account(account).role(role)
    except KeyError:
        world.actor = personas.aws_service(world.stack, personas.ECS_TASKS, account)
        act_as_assumed(world, f"the {role} task", role, account)
        return
    world.actor = personas.ecs_task(world.stack, role, account)


@given('the AWS service "{service}" acting for the "{account}" account',
      example='Given the AWS service "lambda.amazonaws.com" acting for the "dev" account')
def service_acting(world: World, service: str, account: str) -> None:
    """An AWS service (its principal name) acting for a resource of the account: its
    requests carry aws:SourceAccount, which role trust policies check against the confused
    deputy. It acts from now on."""
    world.actor = personas.aws_service(world.stack, service, account)


_SOURCE_ARNS = {
    "trail": "arn:aws:cloudtrail:{region}:{account}:trail/{name}",
    "topic": "arn:aws:sns:{region}:{account}:{name}",
}


@given('the AWS service "{service}" acting for the (trail|topic) "{name}" of the "{account}" '
       "account",
       example='Given the AWS service "cloudtrail.amazonaws.com" acting for the trail '
               '"securecart-org-trail" of the "management" account')
def service_acting_for(world: World, service: str, choice: str, name: str, account: str
                       ) -> None:
    """An AWS service acting for one resource (in the home region) of the account: its requests
    carry aws:SourceArn and aws:SourceAccount, which resource policies check against the
    confused deputy. It acts from now on."""
    arn = _SOURCE_ARNS[choice].format(region=world.stack.landscape.regions.home,
                                     account=world.account_id(account), name=name)
    world.actor = personas.aws_service(world.stack, service, account, arn)


@given("the vendor's integration role is in use",
      example="Given the vendor's integration role is in use")
def vendor_role(world: World) -> None:
    """The vendor (an account outside the organisation) acts with a session of its own
    vendor-integration role."""
    world.actor = personas.vendor(world.stack)


@given('the root user of the "{account}" account',
      example='Given the root user of the "dev" account')
def root_user(world: World, account: str) -> None:
    """The root user of a landscape account acts (long-term keys)."""
    world.actor = personas.root(world.stack, account)


@given('the root user of an outside account "{account_id}"',
      example='Given the root user of an outside account "123456789012"')
def outside_root(world: World, account_id: str) -> None:
    """The root user of an AWS account that is neither in the organisation nor the vendor's."""
    world.actor = personas.root(world.stack, account_id)


@given("the pipeline's \"{role}\" role is running in the \"{account}\" account",
      example="Given the pipeline's \"ci-deployer\" role is running in the "
              "\"shared-services\" account")
def pipeline_running(world: World, role: str, account: str) -> None:
    """The session CodeBuild obtains for the pipeline's build role; the pipeline acts."""
    world.actor = personas.pipeline(world.stack, role, account)


@given('the pipeline has assumed the "{role}" role in the "{account}" account',
      example='Given the pipeline has assumed the "DeployRole" role in the "prod" account')
def pipeline_assumed(world: World, role: str, account: str) -> None:
    """The pipeline (the current actor) calls STS AssumeRole, which must succeed; the new
    session acts from now on."""
    act_as_assumed(world, f"the pipeline as {role}", role, account)


@given('{actor} has created the role "{role}" with the "{boundary}" permissions boundary',
      example='Given she has created the role "orders-worker" with the "developer-boundary" '
              "permissions boundary")
def created_role(world: World, actor: str, role: str, boundary: str) -> None:
    """The actor creates a role carrying the boundary (IAM CreateRole, which must succeed)."""
    require(create_role(world, role, boundary))


@given('{actor} has given the role "{role}" every IAM permission',
       example='Given she has given the role "orders-worker" every IAM permission')
def granted_all_of_iam(world: World, actor: str, role: str) -> None:
    """The actor puts an inline policy allowing iam:* on everything on the role (IAM
    PutRolePolicy, which must succeed): what the role may then do is its boundary's say."""
    document = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:*", '
                '"Resource": "*"}]}')
    require(call(world, "iam", "PutRolePolicy", {"RoleName": role, "PolicyName": "all-of-iam",
                                                 "PolicyDocument": document}))
