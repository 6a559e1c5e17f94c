@customer-data @resource-policy @key-policy
Feature: Only the orders function uses the customer-data encryption key
  Customer data is encrypted under SecureCart's own KMS key in production. A KMS key answers to
  its key policy first: an IAM policy grants nothing on a key unless the key policy lets it, by
  naming the caller or by handing the decision to the account's IAM policies. The customer-data
  key's policy lets the production account administer the key but not use it, and lets only the
  orders-processor function encrypt and decrypt with it. So an administrator whose IAM policy
  allows every action still cannot read customer data.

  Background:
    Given the SecureCart organisation
    And a customer record has been encrypted with the "securecart-prod-customer-data" key

  Scenario: The orders-processor function encrypts and decrypts customer data
    Given the "orders-processor" Lambda function is running in the "prod" account
    When it encrypts a customer record with the "securecart-prod-customer-data" key
    Then the request is allowed
    When it decrypts the customer record with the "securecart-prod-customer-data" key
    Then the request is allowed
    When it generates a data key with the "securecart-prod-customer-data" key
    Then the request is allowed

  Scenario: An administrator's IAM permissions do not open the customer-data key
    Given carol has signed in with MFA as "Admin" in the "prod" account
    When she simulates the "Admin" permission set in the "prod" account for "kms:Decrypt" on "*" in "us-east-1"
    Then the simulator answers "allowed"
    When she decrypts the customer record with the "securecart-prod-customer-data" key
    Then the request is denied because no resource-based policy allows it

  Scenario: An administrator of production manages the key without being able to use it
    Given carol has signed in with MFA as "Admin" in the "prod" account
    When she turns on automatic rotation of the "securecart-prod-customer-data" key
    Then the request is allowed
    When she encrypts a customer record with the "securecart-prod-customer-data" key
    Then the request is denied because no resource-based policy allows it
