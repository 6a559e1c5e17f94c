@vendor @resource-policy @cross-account @use-case-vendor-publishes
Feature: The vendor account publishes order events, and nothing else
  A third-party service publishes messages to an SNS topic: the topic's resource policy allows
  only the vendor's AWS account to publish from outside SecureCart. The topic delivers the
  events to the order queue, whose policy lets only that topic send. The vendor's support staff
  get temporary, scoped access through a role that needs an external id and lasts an hour:
  they read SecureCart's support cases and the orders services' logs.

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

  Scenario: The order-events topic delivers the events to the order queue
    Given the AWS service "sns.amazonaws.com" acting for the topic "order-events" of the "prod" account
    When it sends an order event to the "order-queue" queue of the "prod" account
    Then the request is allowed

  Scenario Outline: No other topic may deliver to the order queue
    Given the AWS service "sns.amazonaws.com" acting for the topic "<topic>" of the "<account>" account
    When it sends an order event to the "order-queue" queue of the "prod" account
    Then the request is denied because no resource-based policy allows it

    Examples:
      | topic        | account |
      | price-alerts | prod    |
      | order-events | dev     |

  Scenario: The vendor's support staff read SecureCart's support cases, and change none
    Given the vendor's integration role is in use
    And it has assumed the "VendorSupportRole" role in the "prod" account with the external id "securecart-vendor-support-7f3a9c"
    When it reads the account's support cases
    Then the request is allowed
    When it calls support CreateCase with:
      | subject           | Vendor-opened case |
      | communicationBody | Opened by the vendor |
    Then the request is denied because no identity-based policy allows it

  Scenario Outline: The vendor's support staff read the orders services' logs
    Given the "<log group>" log group in the "prod" account holds the log stream "<stream>"
    And the vendor's integration role is in use
    And it has assumed the "VendorSupportRole" role in the "prod" account with the external id "securecart-vendor-support-7f3a9c"
    When it reads the "<stream>" stream of the "<log group>" log group
    Then the request is allowed
    When it searches the "<log group>" log group for "o-1001"
    Then the request is allowed

    Examples:
      | log group                     | stream                   |
      | /aws/lambda/orders-processor  | 2026/11/01/[$LATEST]0001 |
      | /ecs/orders-api               | ecs/orders-api/0001      |

  Scenario: The vendor's support staff read no other logs
    Given the "/aws/codebuild/securecart-build" log group in the "prod" account holds the log stream "build-0042"
    And the vendor's integration role is in use
    And it has assumed the "VendorSupportRole" role in the "prod" account with the external id "securecart-vendor-support-7f3a9c"
    When it reads the "build-0042" stream of the "/aws/codebuild/securecart-build" log group
    Then the request is denied because no identity-based policy allows it
