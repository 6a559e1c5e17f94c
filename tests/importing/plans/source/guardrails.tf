terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
provider "aws" {
  alias                       = "prod"
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    sts = "http://127.0.0.1:45999"
  }
  assume_role {
    role_arn = "arn:aws:iam::666666666666:role/OrganizationAccountAccessRole"
  }
}
resource "aws_organizations_organization" "org" {
  feature_set          = "ALL"
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}
resource "aws_organizations_organizational_unit" "prod" {
  name      = "Prod"
  parent_id = aws_organizations_organization.org.roots[0].id
}
resource "aws_organizations_account" "prod" {
  name      = "prod"
  email     = "aws-prod@securecart.example"
  parent_id = aws_organizations_organizational_unit.prod.id
}
resource "aws_organizations_policy" "deny_leave" {
  name        = "deny-leave-organization"
  description = "No member account may leave."
  content     = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}
resource "aws_organizations_policy_attachment" "deny_leave_prod" {
  policy_id = aws_organizations_policy.deny_leave.id
  target_id = aws_organizations_organizational_unit.prod.id
}
resource "aws_organizations_policy_attachment" "deny_leave_root" {
  policy_id = aws_organizations_policy.deny_leave.id
  target_id = aws_organizations_organization.org.roots[0].id
}
resource "aws_iam_policy" "boundary" {
  provider = aws.prod
  name     = "deploy-boundary"
  policy   = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:*", "lambda:*"], Resource = "*" }] })
}
resource "aws_iam_policy" "deploy" {
  provider = aws.prod
  name     = "deploy-permissions"
  policy   = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "lambda:UpdateFunctionCode", Resource = "*" }] })
}
resource "aws_iam_role" "deploy" {
  provider             = aws.prod
  name                 = "DeployRole"
  max_session_duration = 7200
  permissions_boundary = aws_iam_policy.boundary.arn
  assume_role_policy   = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::777777777777:root" }, Action = "sts:AssumeRole" }] })
  tags                 = { team = "platform" }
}
resource "aws_iam_role_policy_attachment" "deploy" {
  provider   = aws.prod
  role       = aws_iam_role.deploy.name
  policy_arn = aws_iam_policy.deploy.arn
}
resource "aws_iam_role_policy_attachment" "deploy_read" {
  provider   = aws.prod
  role       = aws_iam_role.deploy.name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
resource "aws_iam_role" "trusts_new_role" {
  provider           = aws.prod
  name               = "trusts-deploy"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { AWS = aws_iam_role.deploy.arn }, Action = "sts:AssumeRole" }] })
}
resource "aws_s3_bucket" "artifacts" {
  provider = aws.prod
  bucket   = "securecart-prod-artifacts"
}
