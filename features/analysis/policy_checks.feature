@analysis @policy-checks @use-case-access-analyzer
Feature: Every policy passes the policy checks, except the accepted findings
  Checked without calling AWS, in the spirit of IAM Access Analyzer's policy checks: actions,
  resources and condition keys that AWS accepts but that never apply, grants wider than a
  design should make (NotAction, NotResource, administrator access, a public principal),
  permission sets without the MFA requirement, redundant statements. A finding that is the
  design is accepted in analysis/accepted.yaml, with the reason and who owns the decision; an
  acceptance that matches nothing any more is itself a finding.

  Background:
    Given the SecureCart organisation

  Scenario: The only findings are the accepted design decisions
    When the policy checks run over every policy
    Then the accepted findings are exactly:
      | rule                  | file                                        | owner          |
      | admin-access          | identity-center.yaml                        | PlatformAdmins |
      | allow-with-not-action | policies/boundaries/developer-boundary.json | SecurityTeam   |
    And no other finding remains

  @use-case-enforce-mfa
  Scenario: Every permission set requires MFA
    When the policy checks run over every policy
    Then every permission set requires MFA
