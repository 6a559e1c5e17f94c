@organisation @use-case-multi-account
Feature: SecureCart's accounts are organised by environment and purpose
  SecureCart runs a multi-account organisation: a management account for governance, a
  Security OU for security and logging, a Workloads OU with separate non-production and
  production accounts, and a Shared Services OU for the pipeline and networking. Guardrails
  (service control policies) are attached where the design says.

  Background:
    Given the SecureCart organisation

  Scenario Outline: Each account sits in its organisational unit
    Then the "<account>" account is in the "<unit>" organisational unit

    Examples:
      | account         | unit             |
      | security        | SecurityOU       |
      | log-archive     | SecurityOU       |
      | dev             | NonProd          |
      | staging         | NonProd          |
      | prod            | Prod             |
      | shared-services | SharedServicesOU |
      | network         | SharedServicesOU |

  Scenario: The management account sits at the root and the vendor is outside
    Then the "management" account is directly under the organisation root
    And the "vendor" account is not a member of the organisation

  Scenario Outline: Guardrails are attached where the design says
    Then the "<guardrail>" service control policy is attached to "<target>"

    Examples:
      | guardrail                              | target |
      | deny-root-user                         | Root   |
      | deny-internet-gateway-outside-network  | Root   |
      | deny-unencrypted-storage               | Root   |
      | deny-outside-allowed-regions           | Root   |
      | protect-security-tooling               | Root   |
      | deny-leave-organization                | Root   |
      | deny-destructive-actions-in-prod       | Prod   |
