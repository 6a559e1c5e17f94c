@guardrails @scp
Feature: Destructive actions are blocked in production
  A service control policy on the Prod OU denies destructive actions there,
  whatever the identity's own permissions.

  An administrator is no exception.

  Background:
    Given carol has signed in as "Admin" in the "prod" account

  Scenario Outline: An administrator cannot destroy production resources
    When she calls <action> on "<resource>"
    Then the request is denied by the statement "DenyDestructiveActionsInProd"

    Examples:
      | action              | resource                               |
      | s3:DeleteBucket     | arn:aws:s3:::securecart-prod-customer-data |
      | dynamodb:DeleteTable | arn:aws:dynamodb:us-east-1:666666666666:table/orders |
