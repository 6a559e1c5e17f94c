@guardrails @scp @use-case-no-destructive-actions-in-prod
Feature: Destructive actions are blocked in production, even for administrators
  To prevent accidental deletion of production resources, a service control policy on the
  Prod OU denies destructive actions there — whatever the identity's own permissions.

  Background:
    Given the SecureCart organisation
    And carol has signed in with MFA as "Admin" in the "prod" account

  Scenario Outline: An administrator cannot destroy production resources
    When she calls <service> <operation> with:
      | <parameter> | <value> |
    Then the request is denied by a service control policy
    And the denial names the statement "<statement>"

    Examples:
      | service    | operation        | parameter            | value                         | statement |
      | s3         | DeleteBucket     | Bucket               | securecart-prod-customer-data | DenyDestructiveActionsInProd |
      | dynamodb   | DeleteTable      | TableName            | orders                        | DenyDestructiveActionsInProd |
      | rds        | DeleteDBInstance | DBInstanceIdentifier | orders-db                     | DenyDestructiveActionsInProd |
      | lambda     | DeleteFunction   | FunctionName         | orders-processor              | DenyDestructiveActionsInProd |
      | sns        | DeleteTopic      | TopicArn             | arn:aws:sns:us-east-1:666666666666:order-events | DenyDestructiveActionsInProd |

  Scenario: The production table survives the attempt
    When she calls dynamodb DeleteTable with:
      | TableName | orders |
    Then the request is denied by a service control policy
    And the "orders" table still exists in the "prod" account

  Scenario: The same administrator may delete in dev
    Given carol has signed in with MFA as "Admin" in the "dev" account
    When she creates the bucket "securecart-dev-scratch" in the "dev" account
    And she calls s3 DeleteBucket with:
      | Bucket | securecart-dev-scratch |
    Then the request is allowed
