@guardrails @scp @use-case-organisation-guardrails
Feature: Organisation-wide guardrails hold in every member account
  Service control policies enforce security boundaries across the accounts: the root user is
  blocked, Internet Gateways are created only in the network account, storage must be
  encrypted, only the allowed regions can be used, the security tooling cannot be switched
  off, and no account can leave the organisation. The management account is not bound by
  SCPs, as in AWS.

  Background:
    Given the SecureCart organisation

  @use-case-no-root-user
  Scenario Outline: The root user of a member account can do nothing
    Given the root user of the "<account>" account
    When they list the buckets of the account
    Then the request is denied by a service control policy
    And the denial names the statement "DenyRootUser"

    Examples:
      | account         |
      | dev             |
      | prod            |
      | security        |
      | shared-services |

  @use-case-management-exempt
  Scenario: The management account's root user is not bound by SCPs
    Given the root user of the "management" account
    When they list the buckets of the account
    Then the request is allowed

  @use-case-internet-gateways
  Scenario Outline: Internet Gateways are created only in the network account
    Given carol has signed in with MFA as "Admin" in the "<account>" account
    When she calls ec2 CreateInternetGateway
    Then the request is <outcome>

    Examples:
      | account         | outcome                              |
      | network         | allowed                              |
      | dev             | denied by a service control policy   |
      | prod            | denied by a service control policy   |
      | shared-services | denied by a service control policy   |

  @use-case-encryption
  Scenario: Objects must be uploaded encrypted
    Given carol has signed in with MFA as "Admin" in the "dev" account
    When she uploads "plain.txt" to the "securecart-dev-artifacts" bucket without encryption
    Then the request is denied by a service control policy
    And the denial names the statement "DenyS3PutWithoutEncryptionHeader"
    When she uploads "sealed.txt" to the "securecart-dev-artifacts" bucket with encryption
    Then the request is allowed

  @use-case-encryption
  Scenario: Objects are encrypted only with an approved method
    Given carol has signed in with MFA as "Admin" in the "dev" account
    When she uploads "on-fsx.txt" to the "securecart-dev-artifacts" bucket encrypted with "aws:fsx"
    Then the request is denied by a service control policy
    And the denial names the statement "DenyS3PutWithUnknownEncryption"
    When she uploads "with-sse-s3.txt" to the "securecart-dev-artifacts" bucket encrypted with "AES256"
    Then the request is allowed

  @use-case-encryption
  Scenario: Databases and volumes must be created encrypted
    Given carol has signed in with MFA as "Admin" in the "dev" account
    When she creates an unencrypted 8 GiB volume
    Then the request is denied by a service control policy
    And the denial names the statement "DenyUnencryptedEbsVolumes"
    When she creates an encrypted 8 GiB volume
    Then the request is allowed
    When she creates an unencrypted database "scratch-db"
    Then the request is denied by a service control policy
    And the denial names the statement "DenyUnencryptedRdsInstances"
    When she creates an encrypted database "orders-db"
    Then the request is allowed

  @use-case-data-residency
  Scenario Outline: Only the allowed regions can be used; global services still work
    Given carol has signed in with MFA as "Admin" in the "dev" account
    When she lists the tables of the account in "<region>"
    Then the request is <outcome>

    Examples:
      | region         | outcome                            |
      | us-east-1      | allowed                            |
      | eu-west-1      | allowed                            |
      | ap-southeast-2 | denied by a service control policy |
      | sa-east-1      | denied by a service control policy |

  @use-case-data-residency
  Scenario: Global services answer from any region
    Given carol has signed in with MFA as "Admin" in the "dev" account
    When she calls iam ListRoles in "ap-southeast-2"
    Then the request is allowed

  @use-case-security-tooling
  Scenario Outline: The security tooling cannot be switched off, even by administrators
    Given carol has signed in with MFA as "Admin" in the "<account>" account
    When she <action>
    Then the request is denied by a service control policy
    And the denial names the statement "<statement>"

    Examples:
      | account  | action                                          | statement        |
      | security | deletes the GuardDuty detector                  | ProtectGuardDuty |
      | security | stops the Config recorder                       | ProtectConfig    |
      | dev      | stops the Config recorder                       | ProtectConfig    |

  @use-case-security-tooling
  Scenario: The organisation trail cannot be stopped from a member account
    Given carol has signed in with MFA as "Admin" in the "security" account
    When she calls cloudtrail StopLogging with:
      | Name | arn:aws:cloudtrail:us-east-1:111111111111:trail/securecart-org-trail |
    Then the request is denied by a service control policy
    And the denial names the statement "ProtectCloudTrail"

  @use-case-stay-in-the-organisation
  Scenario Outline: No member account can leave the organisation
    Given carol has signed in with MFA as "Admin" in the "<account>" account
    When she calls organizations LeaveOrganization
    Then the request is denied by a service control policy
    And the denial names the statement "DenyLeavingTheOrganization"

    Examples:
      | account |
      | dev     |
      | prod    |
