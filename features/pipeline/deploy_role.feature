@pipeline @least-privilege @use-case-ci-cd
Feature: The CI/CD pipeline deploys through a role with limited deployment access
  A CI/CD pipeline requires temporary permissions to deploy an application, so it assumes an
  IAM role with limited deployment access: the pipeline's ci-deployer role in shared-services
  may assume DeployRole in dev, staging and prod, which can publish artifacts and update
  functions — and nothing beyond its permissions boundary.

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

  Scenario: DeployRole publishes artifacts but reads no customer data
    Given the pipeline has assumed the "DeployRole" role in the "prod" account
    When it uploads "release.zip" to the "securecart-dev-artifacts" bucket with encryption
    Then the request is denied
    When it reads "customers/0001.json" from the "securecart-prod-customer-data" bucket
    Then the request is denied

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
