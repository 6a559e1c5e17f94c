@no-long-lived-credentials @use-case-no-iam-users
Feature: People and workloads use roles with temporary credentials, never IAM users
  No IAM users: every person signs in through the identity provider and every workload runs
  under a role; all of them hold temporary credentials.

  Background:
    Given the SecureCart organisation

  Scenario Outline: No account holds IAM users
    Then the "<account>" account has no IAM users

    Examples:
      | account         |
      | management      |
      | security        |
      | log-archive     |
      | dev             |
      | staging         |
      | prod            |
      | shared-services |
      | network         |

  Scenario: A developer's session is temporary
    Given alice has signed in with MFA as "DeveloperReadOnly" in the "dev" account
    Then her credentials are temporary and expire within 8 hours

  Scenario: A workload's session is temporary
    Given the "orders-processor" Lambda function is running in the "prod" account
    Then its credentials are temporary and expire within 1 hour

  Scenario: Developers cannot mint long-lived keys
    Given alice has signed in with MFA as "DeveloperPowerUser" in the "dev" account
    When she calls iam CreateAccessKey with:
      | UserName | alice |
    Then the request is denied because no identity-based policy allows it
