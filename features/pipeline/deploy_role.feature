@pipeline @least-privilege @use-case-ci-cd
Feature: The CI/CD pipeline deploys through a role with limited deployment access
  A CI/CD pipeline requires temporary permissions to deploy an application, so it assumes an
  IAM role with limited deployment access: the pipeline's ci-deployer role in shared-services
  may assume DeployRole in dev, staging and prod, which can publish artifacts, deploy the
  application's stacks, update its functions and ECS services and hand the application's roles
  to their own services — and nothing beyond its permissions boundary. The pipeline's build
  writes its own logs.

  Background:
    Given the SecureCart organisation
    And the pipeline's "ci-deployer" role is running in the "shared-services" account

  Scenario Outline: The pipeline assumes DeployRole in each workload account
    When it assumes the "DeployRole" role in the "<account>" account
    Then the request is allowed

    Examples:
      | account |
      | dev     |
      | staging |
      | prod    |

  Scenario: The pipeline cannot assume anything else
    When it assumes the "OrganizationAccountAccessRole" role in the "prod" account
    Then the request is denied

  Scenario: Nobody else may assume DeployRole, not even a platform administrator
    Given carol has signed in with MFA as "Admin" in the "shared-services" account
    When she assumes the "DeployRole" role in the "prod" account
    Then the request is denied

  Scenario: A build of another account cannot take the pipeline's role
    Given the AWS service "codebuild.amazonaws.com" acting for the "dev" account
    When it assumes the "ci-deployer" role in the "shared-services" account
    Then the request is denied

  Scenario: DeployRole publishes release artifacts to its own account's artifact bucket
    Given the pipeline has assumed the "DeployRole" role in the "dev" account
    When it uploads "release.zip" to the "securecart-dev-artifacts" bucket with encryption
    Then the request is allowed

  Scenario: DeployRole of production reads no customer data, nor another account's artifacts
    Given the pipeline has assumed the "DeployRole" role in the "prod" account
    When it uploads "release.zip" to the "securecart-dev-artifacts" bucket with encryption
    Then the request is denied
    When it reads "customers/0001.json" from the "securecart-prod-customer-data" bucket
    Then the request is denied

  Scenario: DeployRole deploys the application's CloudFormation stacks
    Given the pipeline has assumed the "DeployRole" role in the "prod" account
    When it deploys the "securecart-orders" stack
    Then the request is allowed

  Scenario: DeployRole deploys no stack outside the application's
    Given the pipeline has assumed the "DeployRole" role in the "prod" account
    When it deploys the "vendor-tools" stack
    Then the request is denied because no identity-based policy allows it

  Scenario: DeployRole rolls out a new revision of the orders API, running as the API's own role
    Given the "orders-api" ECS service runs on the "securecart" cluster in the "prod" account
    And the pipeline has assumed the "DeployRole" role in the "prod" account
    When it registers a new revision of the "orders-api" task definition running as the "orders-api" role
    Then the request is allowed
    When it rolls the "orders-api" service on the "securecart" cluster out to the latest "orders-api" revision
    Then the request is allowed

  Scenario: DeployRole cannot hand a function a role that is not an application role
    Given the pipeline has assumed the "DeployRole" role in the "prod" account
    When it sets the "orders-processor" function to run as the "VendorSupportRole" role
    Then the request is denied because no identity-based policy allows it

  Scenario: DeployRole cannot hand an application role to another service
    Given the pipeline has assumed the "DeployRole" role in the "prod" account
    When it deploys the "securecart-orders" stack with CloudFormation acting as the "orders-processor" role
    Then the request is denied because no identity-based policy allows it

  Scenario: The pipeline writes its build logs
    Given the "/aws/codebuild/securecart-build" log group exists in the "shared-services" account
    When it writes a line to the "build-0042" stream of the "/aws/codebuild/securecart-build" log group
    Then the request is allowed

  Scenario: The pipeline writes no other log group
    Given the "/aws/codebuild/vendor-tools" log group exists in the "shared-services" account
    When it writes a line to the "build-0042" stream of the "/aws/codebuild/vendor-tools" log group
    Then the request is denied because no identity-based policy allows it

  Scenario: DeployRole updates the orders function
    Given the pipeline has assumed the "DeployRole" role in the "prod" account
    When it calls lambda GetFunction with:
      | FunctionName | orders-processor |
    Then the request is allowed

  Scenario: DeployRole cannot create IAM users or administrators
    Given the pipeline has assumed the "DeployRole" role in the "prod" account
    When it calls iam CreateUser with:
      | UserName | pipeline-backdoor |
    Then the request is denied because no identity-based policy allows it

  Scenario: DeployRole's IAM writes stop at its boundary
    Given the pipeline has assumed the "DeployRole" role in the "prod" account
    When it creates the role "securecart-app-worker" without a permissions boundary
    Then the request is denied because no permissions boundary allows it
