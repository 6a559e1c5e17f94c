@analysis @external-access @use-case-access-analyzer @use-case-vendor-publishes
Feature: No resource is shared outside the organisation except the intended vendor access
  Checked without calling AWS, the way IAM Access Analyzer does: for every bucket, topic and
  queue with a resource policy, and every role's trust policy, the policy engine decides who
  outside SecureCart's organisation it lets in, and to do what. Access that is intended is
  archived, with the reason and the owner of the decision, in analysis/archived.yaml; any other
  access from outside is an active finding. Widening an archived grant makes it active again.

  Background:
    Given the SecureCart organisation

  Scenario: The vendor's access is the only access from outside, and it is intended
    When the access analysis runs over the organisation's policies
    Then the archived external-access findings are exactly:
      | resource                                         | outside account | actions        |
      | arn:aws:sns:us-east-1:666666666666:order-events  | vendor          | sns:Publish    |
      | arn:aws:iam::666666666666:role/VendorSupportRole | vendor          | sts:AssumeRole |
    And no external-access finding is active

  Scenario: Nothing is open to the public
    When the access analysis runs over the organisation's policies
    Then no resource is open to the public
