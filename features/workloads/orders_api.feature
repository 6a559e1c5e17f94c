@workloads @least-privilege @use-case-application-services
Feature: The orders API reaches the orders table and nothing else
  Application services get controlled access: the ECS task role of the orders API may use the
  orders DynamoDB table, and nothing else.

  Background:
    Given the SecureCart organisation

  Scenario: The orders API writes and reads orders
    Given the "orders-api" ECS task is running in the "prod" account
    When it puts the item {"order_id": {"S": "o-1001"}, "created_at": {"S": "2026-11-01T10:00:00Z"}} into the "orders" table
    Then the request is allowed
    When it gets the item {"order_id": {"S": "o-1001"}, "created_at": {"S": "2026-11-01T10:00:00Z"}} from the "orders" table
    Then the request is allowed

  Scenario Outline: The orders API can do nothing else
    Given the "orders-api" ECS task is running in the "prod" account
    When it calls <service> <operation> with:
      | <parameter> | <value> |
    Then the request is denied because no identity-based policy allows it

    Examples:
      | service  | operation       | parameter | value                    |
      | dynamodb | UpdateTable     | TableName | orders                   |
      | dynamodb | Scan            | TableName | orders                   |
      | s3       | ListObjectsV2   | Bucket    | securecart-dev-artifacts |
      | sqs      | ListQueues      | QueueNamePrefix | order              |

  Scenario: Not even the orders API may delete the orders table in production
    Given the "orders-api" ECS task is running in the "prod" account
    When it calls dynamodb DeleteTable with:
      | TableName | orders |
    Then the request is denied by a service control policy
    And the "orders" table still exists in the "prod" account

  Scenario: ECS tasks of another account cannot take the orders API's role
    Given the AWS service "ecs-tasks.amazonaws.com" acting for the "dev" account
    When it assumes the "orders-api" role in the "prod" account
    Then the request is denied
