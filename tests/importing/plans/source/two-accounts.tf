terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}
locals {
  common = {
    region                      = "us-east-1"
    access_key                  = "test"
    secret_key                  = "test"
    skip_credentials_validation = true
    skip_requesting_account_id  = true
    skip_metadata_api_check     = true
  }
}
provider "aws" {
  region = "us-east-1"
  access_key = "test"
  secret_key = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    sts = "http://127.0.0.1:45999"
  }
}
provider "aws" {
  alias  = "prod"
  region = "us-east-1"
  access_key = "test"
  secret_key = "test"
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
  feature_set = "ALL"
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}
resource "aws_organizations_organizational_unit" "workloads" {
  name      = "WorkloadsOU"
  parent_id = aws_organizations_organization.org.roots[0].id
}
resource "aws_organizations_account" "prod" {
  name      = "prod"
  email     = "aws-prod@securecart.example"
  parent_id = aws_organizations_organizational_unit.workloads.id
}
resource "aws_iam_role" "orders" {
  provider = aws.prod
  name = "orders-processor"
  assume_role_policy = jsonencode({Version="2012-10-17", Statement=[{Effect="Allow", Principal={Service="lambda.amazonaws.com"}, Action="sts:AssumeRole"}]})
}
resource "aws_iam_role_policy" "orders" {
  provider = aws.prod
  for_each = toset(["a", "b"])
  name = "orders-${each.key}"
  role = aws_iam_role.orders.id
  policy = jsonencode({Version="2012-10-17", Statement=[{Effect="Allow", Action="s3:GetObject", Resource="arn:aws:s3:::b/*"}]})
}
module "m" {
  source = "./m"
  providers = { aws = aws.prod }
}
