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
provider "aws" {
  alias                       = "dev"
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
    role_arn = "arn:aws:iam::444444444444:role/OrganizationAccountAccessRole"
  }
}
resource "aws_organizations_organization" "org" {
  feature_set          = "ALL"
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}
resource "aws_organizations_account" "dev" {
  name      = "dev"
  email     = "aws-dev@securecart.example"
  parent_id = aws_organizations_organization.org.roots[0].id
}
resource "aws_organizations_account" "prod" {
  name      = "prod"
  email     = "aws-prod@securecart.example"
  parent_id = aws_organizations_organization.org.roots[0].id
}
resource "aws_sns_topic" "dev_events" {
  provider = aws.dev
  name     = "order-events"
}
resource "aws_sns_topic" "prod_events" {
  provider = aws.prod
  name     = "order-events"
}
resource "aws_sns_topic_policy" "prod_events" {
  provider = aws.prod
  arn      = "arn:aws:sns:us-east-1:666666666666:order-events"
  policy   = jsonencode({ Version = "2012-10-17", Statement = [{ Sid = "ProdOnly", Effect = "Allow", Principal = { AWS = "arn:aws:iam::666666666666:root" }, Action = "sns:Publish", Resource = "arn:aws:sns:us-east-1:666666666666:order-events" }] })
}
resource "aws_s3_bucket" "logs" {
  provider = aws.prod
  for_each = toset(["alpha", "beta"])
  bucket   = "securecart-logs-${each.key}"
}
resource "aws_s3_bucket_policy" "logs" {
  provider = aws.prod
  for_each = aws_s3_bucket.logs
  bucket   = each.value.id
  policy   = jsonencode({ Version = "2012-10-17", Statement = [{ Sid = "Only${each.key}", Effect = "Deny", Principal = "*", Action = "s3:DeleteBucket", Resource = "arn:aws:s3:::securecart-logs-${each.key}" }] })
}
resource "aws_kms_key" "default_policy" {
  provider    = aws.prod
  description = "A key with AWS's default key policy"
}
resource "aws_kms_alias" "default_policy" {
  provider      = aws.prod
  name          = "alias/default-policy"
  target_key_id = aws_kms_key.default_policy.key_id
}
