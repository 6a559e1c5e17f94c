@privilege-escalation @permissions-boundary @use-case-boundaries
Feature: Developers can create roles, but never more powerful than themselves
  IAM permission boundaries define the maximum permissions a role can be granted. Teams may
  create IAM roles for their workloads, but only carrying the developer boundary; they cannot
  grant admin-level permissions, nor edit or remove the boundary that holds them.

  Background:
    Given the SecureCart organisation
    And alice has signed in with MFA as "DeveloperPowerUser" in the "dev" account

  Scenario: A developer creates a workload role carrying the developer boundary
    When she creates the role "orders-worker" with the "developer-boundary" permissions boundary
    Then the request is allowed

  Scenario: A developer gives her workload role the permissions it needs
    Given she has created the role "orders-worker" with the "developer-boundary" permissions boundary
    When she calls iam PutRolePolicy with:
      | RoleName       | orders-worker |
      | PolicyName     | read-build-artifacts |
      | PolicyDocument | {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::securecart-dev-artifacts/*"}]} |
    Then the request is allowed

  Scenario: A developer attaches ordinary managed policies to her workload role
    Given she has created the role "orders-worker" with the "developer-boundary" permissions boundary
    When she attaches the "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" policy to the role "orders-worker"
    Then the request is allowed

  Scenario: A role without the boundary is refused
    When she creates the role "unbounded-worker" without a permissions boundary
    Then the request is denied by an explicit deny in an identity-based policy
    And the denial names the statement "DenyCreatingRolesWithoutTheDeveloperBoundary"

  Scenario: A role with another boundary is refused
    When she creates the role "sneaky-worker" with the "deploy-boundary" permissions boundary
    Then the request is denied by an explicit deny in an identity-based policy

  Scenario: Administrator access cannot be attached
    Given she has created the role "orders-worker" with the "developer-boundary" permissions boundary
    When she attaches the "arn:aws:iam::aws:policy/AdministratorAccess" policy to the role "orders-worker"
    Then the request is denied by an explicit deny in an identity-based policy
    And the denial names the statement "DenyGrantingAdministratorAccess"

  Scenario: The boundary cannot be removed from a role
    Given she has created the role "orders-worker" with the "developer-boundary" permissions boundary
    When she calls iam DeleteRolePermissionsBoundary with:
      | RoleName | orders-worker |
    Then the request is denied by an explicit deny in an identity-based policy
    And the role "orders-worker" still has the "developer-boundary" permissions boundary

  Scenario: The boundary policy itself cannot be edited
    When she calls iam CreatePolicyVersion with:
      | PolicyArn      | arn:aws:iam::444444444444:policy/developer-boundary |
      | PolicyDocument | {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]} |
      | SetAsDefault   | true |
    Then the request is denied by an explicit deny in an identity-based policy

  Scenario: The pipeline's boundary cannot be edited either
    When she calls iam CreatePolicyVersion with:
      | PolicyArn      | arn:aws:iam::444444444444:policy/deploy-boundary |
      | PolicyDocument | {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]} |
      | SetAsDefault   | true |
    Then the request is denied by an explicit deny in an identity-based policy
    And the denial names the statement "DenyEditingPermissionsBoundaries"

  Scenario: The roles Identity Center manages are out of a developer's reach
    When she attaches the "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" policy to the Identity Center role of "DeveloperReadOnly"
    Then the Identity Center role stays out of reach

  Scenario: A developer cannot take over the pipeline's role
    When she calls iam UpdateAssumeRolePolicy with:
      | RoleName       | DeployRole |
      | PolicyDocument | {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444444444444:root"}, "Action": "sts:AssumeRole"}]} |
    Then the request is denied by an explicit deny in an identity-based policy
    And the denial names the statement "DenyTakingOverThePipelineRole"

  # The boundary repeats the permission set's denies so that they hold for the roles developers
  # create too: whatever a developer grants her workload role, the boundary refuses it.
  Scenario: A role a developer creates is held by the same boundary, whatever she grants it
    Given she has created the role "orders-worker" with the "developer-boundary" permissions boundary
    And she has given the role "orders-worker" every IAM permission
    And the "orders-worker" ECS task is running in the "dev" account
    When it calls iam ListRoles
    Then the request is allowed
    When it creates the role "escape-worker" without a permissions boundary
    Then the request is denied by an explicit deny in a permissions boundary
    And the denial names the statement "DenyCreatingRolesWithoutThisBoundary"
    When it calls iam DeleteRolePermissionsBoundary with:
      | RoleName | orders-worker |
    Then the request is denied by an explicit deny in a permissions boundary
    And the denial names the statement "DenyRemovingPermissionsBoundaries"
    When it calls iam CreatePolicyVersion with:
      | PolicyArn      | arn:aws:iam::444444444444:policy/developer-boundary |
      | PolicyDocument | {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]} |
      | SetAsDefault   | true |
    Then the request is denied by an explicit deny in a permissions boundary
    And the denial names the statement "DenyEditingPermissionsBoundaries"
    When it attaches the "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" policy to the Identity Center role of "DeveloperReadOnly"
    Then the Identity Center role stays out of reach
    When it calls iam UpdateAssumeRolePolicy with:
      | RoleName       | DeployRole |
      | PolicyDocument | {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444444444444:root"}, "Action": "sts:AssumeRole"}]} |
    Then the request is denied by an explicit deny in a permissions boundary
    And the denial names the statement "DenyTakingOverThePipelineRole"

  Scenario: What PowerUserAccess would allow stops at the boundary: no Identity Center administration
    When she calls sso-admin CreatePermissionSet with:
      | InstanceArn | arn:aws:sso:::instance/ssoins-securecart |
      | Name        | ShadowAdmin                              |
    Then the request is denied because no permissions boundary allows it

  Scenario: The power user's own permissions stop at the boundary
    When she calls iam CreateUser with:
      | UserName | shadow-admin |
    Then the request is denied because no identity-based policy allows it
