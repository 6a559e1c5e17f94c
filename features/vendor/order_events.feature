@vendor @resource-policy @cross-account @use-case-vendor-publishes
Feature: The vendor account publishes order events, and nothing else
  A third-party service publishes messages to an SNS topic: the topic's resource policy allows
  only the vendor's AWS account to publish from outside SecureCart. The vendor's support staff
  get temporary, scoped access through a role that needs an external id and lasts an hour.

  Background:
    Given the SecureCart organisation

  Scenario: The vendor publishes to order-events
    Given the vendor's integration role is in use
    When it publishes a message to the "order-events" topic in the "prod" account
    Then the request is allowed

  Scenario: The vendor cannot subscribe to or read the topic
    Given the vendor's integration role is in use
    When it calls sns Subscribe with:
      | TopicArn | arn:aws:sns:us-east-1:666666666666:order-events |
      | Protocol | https                                           |
      | Endpoint | https://vendor.example/hook                     |
    Then the request is denied

  Scenario: Another outside account cannot publish
    Given the root user of an outside account "123456789012"
    When it publishes a message to the "order-events" topic in the "prod" account
    Then the request is denied by an explicit deny in a resource-based policy
    And the denial names the statement "NobodyElseOutsideTheOrganization"

  Scenario: The vendor's support role needs the external id
    Given the vendor's integration role is in use
    When it assumes the "VendorSupportRole" role in the "prod" account without an external id
    Then the request is denied
    When it assumes the "VendorSupportRole" role in the "prod" account with the external id "securecart-vendor-support-7f3a9c"
    Then the request is allowed

  Scenario: The vendor's support session lasts at most an hour
    Given the vendor's integration role is in use
    When it assumes the "VendorSupportRole" role in the "prod" account with the external id "securecart-vendor-support-7f3a9c" for 7200 seconds
    Then the request is refused with "ValidationError"
