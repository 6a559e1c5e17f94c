@analysis @credential-report @no-long-lived-credentials @use-case-no-iam-users @use-case-credential-reports
Feature: No IAM users and no long-lived keys, by the credential report
  IAM's credential report lists, per account, every IAM user with its console password, MFA
  devices and access keys and their age. SecureCart's people sign in through the identity
  provider and its workloads run under roles: the report of the seeded organisation is empty.

  Background:
    Given the SecureCart organisation

  Scenario: The credential report lists no IAM user in any account
    When the credential report is read from every account
    Then no account has an IAM user, a password or an access key
