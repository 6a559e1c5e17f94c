@workloads @least-privilege @use-case-application-services
Feature: The orders services reach their own resources and nothing else
  Application services get controlled access: the ECS task role of the orders API may use the
  orders DynamoDB table, and nothing else. The orders-processor Lambda function takes the order
  events from the order queue, records the orders in the orders table, reads and lists the
  customer data, and writes its own logs.

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

  Scenario: The orders function takes the order events from its queue
    Given an order event waits in the "order-queue" queue of the "prod" account
    And the "orders-processor" Lambda function is running in the "prod" account
    When it takes the next order event from the "order-queue" queue of the "prod" account
    Then the request is allowed

  Scenario: The orders API does not take the orders function's events
    Given an order event waits in the "order-queue" queue of the "prod" account
    And the "orders-api" ECS task is running in the "prod" account
    When it takes the next order event from the "order-queue" queue of the "prod" account
    Then the request is denied because no identity-based policy allows it

  Scenario: The orders function records the orders in the orders table
    Given the "orders-processor" Lambda function is running in the "prod" account
    When it puts the item {"order_id": {"S": "o-1002"}, "created_at": {"S": "2026-11-01T10:05:00Z"}} into the "orders" table
    Then the request is allowed

  Scenario: The orders function lists the customer data
    Given the "orders-processor" Lambda function is running in the "prod" account
    When it lists the objects in the "securecart-prod-customer-data" bucket
    Then the request is allowed

  Scenario: The orders function writes its own logs
    Given the "/aws/lambda/orders-processor" log group exists in the "prod" account
    And the "orders-processor" Lambda function is running in the "prod" account
    When it writes a line to the "2026/11/01/[$LATEST]0001" stream of the "/aws/lambda/orders-processor" log group
    Then the request is allowed

  Scenario: The orders function writes no other function's logs
    Given the "/aws/lambda/payments-processor" log group exists in the "prod" account
    And the "orders-processor" Lambda function is running in the "prod" account
    When it writes a line to the "2026/11/01/[$LATEST]0001" stream of the "/aws/lambda/payments-processor" log group
    Then the request is denied because no identity-based policy allows it
