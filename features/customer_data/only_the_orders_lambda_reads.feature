@customer-data @resource-policy @use-case-lambda-reads-s3
Feature: Only the orders Lambda function reads the customer-data bucket
  A Lambda function needs to access an S3 bucket: its IAM policy grants it permissions, while
  the bucket's resource policy ensures only that function's role can read the data — no other
  principal, administrators included. The bucket also refuses plain-HTTP access and
  unencrypted uploads.

  Background:
    Given the SecureCart organisation
    And the "securecart-prod-customer-data" bucket holds "customers/0001.json"

  Scenario: The orders-processor function reads customer data
    Given the "orders-processor" Lambda function is running in the "prod" account
    When it reads "customers/0001.json" from the "securecart-prod-customer-data" bucket
    Then the request is allowed

  Scenario: An administrator of production cannot read customer data
    Given carol has signed in with MFA as "Admin" in the "prod" account
    When she reads "customers/0001.json" from the "securecart-prod-customer-data" bucket
    Then the request is denied by an explicit deny in a resource-based policy
    And the denial names the statement "OnlyOrdersProcessorReadsCustomerData"

  Scenario: The orders API's task role cannot read customer data
    Given the "orders-api" ECS task is running in the "prod" account
    When it reads "customers/0001.json" from the "securecart-prod-customer-data" bucket
    Then the request is denied by an explicit deny in a resource-based policy

  Scenario: Customer data is never served over plain HTTP
    Given the "orders-processor" Lambda function is running in the "prod" account
    When it reads "customers/0001.json" from the "securecart-prod-customer-data" bucket over plain HTTP
    Then the request is denied by an explicit deny in a resource-based policy
    And the denial names the statement "DenyInsecureTransport"

  Scenario: Customer data is only stored encrypted
    Given the "orders-processor" Lambda function is running in the "prod" account
    When it uploads "customers/0002.json" to the "securecart-prod-customer-data" bucket without encryption
    Then the request is denied
    And the object "customers/0002.json" does not exist in the "securecart-prod-customer-data" bucket
    When it uploads "customers/0002.json" to the "securecart-prod-customer-data" bucket with encryption
    Then the request is allowed

  Scenario: Lambda acting for another account cannot take the orders-processor role
    Given the AWS service "lambda.amazonaws.com" acting for the "dev" account
    When it assumes the "orders-processor" role in the "prod" account
    Then the request is denied
