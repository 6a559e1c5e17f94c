@developer-access @identity-center @use-case-developer-read-only
Feature: Developers sign in through the identity provider and read non-production
  A developer logs in via Okta (the emulated IdP), assumes a role through AWS Identity
  Center, and gets read-only access to the non-production environments — and none to
  production.

  Background:
    Given the SecureCart organisation

  Scenario Outline: Read-only developers can look but not change, and only outside production
    Given alice has signed in with MFA as "DeveloperReadOnly" in the "<account>" account
    When she lists the objects in the "<bucket>" bucket
    Then the request is allowed
    When she uploads "notes.txt" to the "<bucket>" bucket with encryption
    Then the request is denied because no identity-based policy allows it

    Examples:
      | account | bucket                       |
      | dev     | securecart-dev-artifacts     |
      | staging | securecart-staging-artifacts |

  Scenario: Developers have no assignment in production
    When alice tries to sign in as "DeveloperReadOnly" in the "prod" account
    Then the sign-in is refused because she has no assignment in "prod"

  Scenario Outline: Read-only developers cannot read secrets even in dev
    Given alice has signed in with MFA as "DeveloperReadOnly" in the "dev" account
    When she calls <service> <operation> with:
      | <parameter> | <secret> |
    Then the request is denied by an explicit deny in an identity-based policy
    And the denial names the statement "NoReadingSecretValues"

    Examples:
      | service        | operation           | parameter | secret                            |
      | secretsmanager | GetSecretValue      | SecretId  | securecart/dev/database           |
      | ssm            | GetParameter        | Name      | /securecart/dev/database-password |
      | ssm            | GetParametersByPath | Path      | /securecart/dev                   |

  Scenario: The power-user set builds in dev within the developer boundary
    Given alice has signed in with MFA as "DeveloperPowerUser" in the "dev" account
    When she uploads "build.zip" to the "securecart-dev-artifacts" bucket with encryption
    Then the request is allowed
    When she calls iam CreateUser with:
      | UserName | shadow-admin |
    Then the request is denied because no identity-based policy allows it
