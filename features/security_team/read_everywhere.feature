@security-team @use-case-security-visibility
Feature: The security team sees everything and writes almost nothing
  The Security Team requires full visibility but limited write permissions: SecurityAudit in
  every account, read access to the log archive, and finding triage as the only writes.

  Background:
    Given the SecureCart organisation

  Scenario Outline: Bob can describe and list in every account
    Given bob has signed in with MFA as "SecurityAudit" in the "<account>" account
    When he lists the buckets of the account
    Then the request is allowed
    When he calls iam ListRoles
    Then the request is allowed

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

  Scenario: Bob reads the centralised log archive
    Given bob has signed in with MFA as "SecurityAudit" in the "log-archive" account
    When he lists the objects in the "securecart-log-archive" bucket
    Then the request is allowed

  Scenario: Bob reads the log archive from the security account
    Given the "securecart-log-archive" bucket holds "AWSLogs/111111111111/CloudTrail/trail.json.gz"
    And bob has signed in with MFA as "SecurityAudit" in the "security" account
    When he lists the objects in the "securecart-log-archive" bucket
    Then the request is allowed
    When he reads "AWSLogs/111111111111/CloudTrail/trail.json.gz" from the "securecart-log-archive" bucket
    Then the request is allowed

  Scenario: The log archive is read over TLS only
    Given the "securecart-log-archive" bucket holds "AWSLogs/111111111111/CloudTrail/trail.json.gz"
    And bob has signed in with MFA as "SecurityAudit" in the "security" account
    When he reads "AWSLogs/111111111111/CloudTrail/trail.json.gz" from the "securecart-log-archive" bucket over plain HTTP
    Then the request is denied by an explicit deny in a resource-based policy
    And the denial names the statement "DenyInsecureTransport"

  Scenario: Only the security team reads the log archive from the security account
    Given the "securecart-log-archive" bucket holds "AWSLogs/111111111111/CloudTrail/trail.json.gz"
    And carol has signed in with MFA as "Admin" in the "security" account
    When she reads "AWSLogs/111111111111/CloudTrail/trail.json.gz" from the "securecart-log-archive" bucket
    Then the request is denied because no resource-based policy allows it

  Scenario: The organisation trail delivers its logs to the archive, and only that trail
    Given the AWS service "cloudtrail.amazonaws.com" acting for the trail "securecart-org-trail" of the "management" account
    When it calls s3 GetBucketAcl with:
      | Bucket | securecart-log-archive |
    Then the request is allowed
    When it delivers "AWSLogs/111111111111/CloudTrail/trail.json.gz" to the "securecart-log-archive" bucket with the bucket owner in full control
    Then the request is allowed
    When it uploads "AWSLogs/111111111111/CloudTrail/private.json.gz" to the "securecart-log-archive" bucket with encryption
    Then the request is denied because no resource-based policy allows it

  Scenario: Another account's trail cannot write into the archive
    Given the AWS service "cloudtrail.amazonaws.com" acting for the trail "shadow-trail" of the "dev" account
    When it calls s3 GetBucketAcl with:
      | Bucket | securecart-log-archive |
    Then the request is denied because no resource-based policy allows it
    When it delivers "AWSLogs/444444444444/CloudTrail/trail.json.gz" to the "securecart-log-archive" bucket with the bucket owner in full control
    Then the request is denied because no resource-based policy allows it

  Scenario: A developer cannot read the log archive
    Given alice has signed in with MFA as "DeveloperReadOnly" in the "dev" account
    When she lists the objects in the "securecart-log-archive" bucket
    Then the request is denied

  Scenario: The logs are immutable, even for an administrator of the log archive
    Given carol has signed in with MFA as "Admin" in the "log-archive" account
    When she calls s3 DeleteObject with:
      | Bucket | securecart-log-archive             |
      | Key    | AWSLogs/111111111111/trail.json.gz |
    Then the request is denied by an explicit deny in a resource-based policy
    And the denial names the statement "LogsAreImmutable"

  # In prod, deleting a bucket or a table is also denied by the Prod OU's guardrail, and AWS
  # reports an explicit deny before a missing allow: there the denial names the SCP. UpdateTable
  # and DeleteRole show that SecurityAudit itself grants no writes.
  Scenario Outline: Bob cannot change workloads
    Given bob has signed in with MFA as "SecurityAudit" in the "prod" account
    When he calls <service> <operation> with:
      | <parameter> | <value> |
    Then the request is denied <reason>

    Examples:
      | service  | operation    | parameter | value                         | reason                                     |
      | s3       | DeleteBucket | Bucket    | securecart-prod-customer-data | by a service control policy                |
      | dynamodb | DeleteTable  | TableName | orders                        | by a service control policy                |
      | dynamodb | UpdateTable  | TableName | orders                        | because no identity-based policy allows it |
      | iam      | DeleteRole   | RoleName  | orders-api                    | because no identity-based policy allows it |

  # Neither emulator implements finding triage (GuardDuty ArchiveFindings, Security Hub
  # BatchUpdateFindings): the policy simulator shows what the security team's set allows.
  Scenario: Triaging findings is the security team's one write
    Given carol has signed in with MFA as "Admin" in the "security" account
    When she simulates the "SecurityAudit" permission set in the "security" account for "guardduty:ArchiveFindings" on "*" in "us-east-1"
    Then the simulator answers "allowed"
    When she simulates the "SecurityAudit" permission set in the "security" account for "guardduty:CreateFilter" on "*" in "us-east-1"
    Then the simulator answers "implicitDeny"

  Scenario: Bob cannot read customer data, only its metadata
    Given the "securecart-prod-customer-data" bucket holds "customers/0001.json"
    And bob has signed in with MFA as "SecurityAudit" in the "prod" account
    When he reads "customers/0001.json" from the "securecart-prod-customer-data" bucket
    Then the request is denied by an explicit deny in a resource-based policy
    And the denial names the statement "OnlyOrdersProcessorReadsCustomerData"
