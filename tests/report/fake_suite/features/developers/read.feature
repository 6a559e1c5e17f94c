@developer-access
Feature: Developers read non-production
  A developer reads the non-production environments and nothing more.

  Scenario: A developer lists the artifacts bucket
    Given alice has signed in as "DeveloperReadOnly" in the "dev" account
    When she calls s3:ListBucket on "arn:aws:s3:::securecart-dev-artifacts"
    Then the request is allowed

  Scenario: A developer cannot read secrets
    Given alice has signed in as "DeveloperReadOnly" in the "dev" account
    When she calls secretsmanager:GetSecretValue with:
      | SecretId | securecart/dev/database |
    Then the request is denied by the statement "NoReadingSecretValues"

  Scenario: A developer may upload (a wrong expectation, to fail)
    Given alice has signed in as "DeveloperReadOnly" in the "dev" account
    When she calls s3:PutObject on "arn:aws:s3:::securecart-dev-artifacts/notes.txt"
    Then the request is allowed
    And nothing else happens

  @skip
  Scenario: A scenario not ready yet
    Given alice has signed in as "DeveloperReadOnly" in the "dev" account
