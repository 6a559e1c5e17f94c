@mfa @use-case-enforce-mfa
Feature: Every human session needs MFA
  SecureCart enforces MFA for all users: each permission set denies everything to a session
  that did not sign in with a second factor, whatever else it grants.

  Background:
    Given the SecureCart organisation

  Scenario: A developer without MFA can sign in but do nothing
    Given dave has signed in without MFA as "DeveloperReadOnly" in the "dev" account
    When he lists the objects in the "securecart-dev-artifacts" bucket
    Then the request is denied by an explicit deny in an identity-based policy
    And the denial names the statement "RequireMfaForHumanSessions"

  Scenario: The same developer's colleague with MFA gets through
    Given alice has signed in with MFA as "DeveloperReadOnly" in the "dev" account
    When she lists the objects in the "securecart-dev-artifacts" bucket
    Then the request is allowed

  Scenario Outline: MFA is required whatever the permission set
    Given <person> has signed in without MFA as "<permission set>" in the "<account>" account
    When they list the buckets of the account
    Then the request is denied by an explicit deny in an identity-based policy
    And the denial names the statement "RequireMfaForHumanSessions"

    Examples:
      | person | permission set     | account  |
      | alice  | DeveloperReadOnly  | staging  |
      | alice  | DeveloperPowerUser | dev      |
      | bob    | SecurityAudit      | security |
      | carol  | Admin              | prod     |

  Scenario: Asking who you are needs no permission, even without MFA
    Given dave has signed in without MFA as "DeveloperReadOnly" in the "dev" account
    When he asks who he is
    Then the request is allowed
    And the answer names the "DeveloperReadOnly" role session of dave in the "dev" account
