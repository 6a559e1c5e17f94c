@analysis @privilege-escalation @use-case-boundaries
Feature: No privilege-escalation path exists from the developer roles
  Checked without calling AWS: from every role, the policy engine follows each chain of
  requests the role's policies allow — assuming another role, passing a role to a service and
  running its compute, changing a function's code, rewriting a role's policies, trust or
  permissions boundary — and reports any chain that ends with more IAM power in an account than
  the role had (creating users and keys, granting administrator access, rewriting policies or
  trust, passing roles). Service control policies, permission boundaries and trust policies
  apply at every step.

  Background:
    Given the SecureCart organisation

  Scenario Outline: A developer role cannot gain more power than it was given
    When the access analysis runs over the organisation's policies
    Then the "<permission set>" role in the "<account>" account has no path to more privileges

    Examples:
      | permission set     | account |
      | DeveloperReadOnly  | dev     |
      | DeveloperReadOnly  | staging |
      | DeveloperPowerUser | dev     |

  @use-case-ci-cd
  Scenario: The pipeline's role cannot be taken over by developers
    When the access analysis runs over the organisation's policies
    Then no role of the "Developers" group can take over a "DeployRole" role

  Scenario: No role of the organisation can escalate its privileges
    When the access analysis runs over the organisation's policies
    Then no privilege-escalation path exists
