@policy-simulator @use-case-policy-simulator
Feature: A team checks a proposed policy with the IAM policy simulator before applying it
  The IAM Policy Simulator tests and validates IAM policies before they are applied, to
  prevent misconfigurations: the team asks the endpoint's simulator how a proposed policy
  would decide, without changing anything.

  Background:
    Given the SecureCart organisation
    And carol has signed in with MFA as "Admin" in the "dev" account

  Scenario: A proposed policy that is too broad is caught
    When she simulates this policy for "s3:DeleteBucket" on "arn:aws:s3:::securecart-dev-artifacts":
      """
      {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
      """
    Then the simulator answers "allowed"

  Scenario: The simulator shows an explicit deny and which statement made it
    When she simulates this policy for "s3:GetObject" on "arn:aws:s3:::securecart-dev-artifacts/x":
      """
      {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Sid": "NoReads", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]}
      """
    Then the simulator answers "explicitDeny"
    And the simulator names the statement "NoReads"

  # The simulator also applies the prod account's service control policies, as AWS's does; the
  # region guardrail needs to know the region asked for (aws:RequestedRegion), so each
  # simulation says where the request would be made.
  Scenario: The simulator evaluates a role's real policies
    Given carol has signed in with MFA as "Admin" in the "prod" account
    When she simulates the "orders-processor" role in the "prod" account for "s3:GetObject" on "arn:aws:s3:::securecart-prod-customer-data/c.json" in "us-east-1"
    Then the simulator answers "allowed"
    When she simulates the "orders-processor" role in the "prod" account for "dynamodb:Scan" on "arn:aws:dynamodb:us-east-1:666666666666:table/orders" in "us-east-1"
    Then the simulator answers "implicitDeny"
    When she simulates the "orders-processor" role in the "prod" account for "dynamodb:DeleteTable" on "arn:aws:dynamodb:us-east-1:666666666666:table/orders" in "us-east-1"
    Then the simulator answers "explicitDeny"
