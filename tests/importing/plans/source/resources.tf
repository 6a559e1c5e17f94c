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
  alias                       = "prod_eu"
  region                      = "eu-west-1"
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
resource "aws_organizations_account" "prod" {
  name      = "prod"
  email     = "aws-prod@securecart.example"
  parent_id = aws_organizations_organization.org.roots[0].id
}
resource "aws_s3_bucket" "data" {
  provider = aws.prod
  bucket   = "securecart-prod-customer-data"
  tags     = { data-classification = "confidential" }
}
resource "aws_s3_bucket_policy" "data" {
  provider = aws.prod
  bucket   = aws_s3_bucket.data.id
  policy   = jsonencode({ Version = "2012-10-17", Statement = [{ Sid = "DenyPlainHttp", Effect = "Deny", Principal = "*", Action = "s3:*", Resource = ["arn:aws:s3:::securecart-prod-customer-data", "arn:aws:s3:::securecart-prod-customer-data/*"], Condition = { Bool = { "aws:SecureTransport" = "false" } } }] })
}
resource "aws_s3_bucket_versioning" "data" {
  provider = aws.prod
  bucket   = aws_s3_bucket.data.id
  versioning_configuration {
    status = "Enabled"
  }
}
resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  provider = aws.prod
  bucket   = aws_s3_bucket.data.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}
resource "aws_s3_bucket_public_access_block" "data" {
  provider                = aws.prod
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
resource "aws_sns_topic" "events" {
  provider = aws.prod
  name     = "order-events"
}
resource "aws_sns_topic_policy" "events" {
  provider = aws.prod
  arn      = aws_sns_topic.events.arn
  policy   = jsonencode({ Version = "2012-10-17", Statement = [{ Sid = "VendorPublishes", Effect = "Allow", Principal = { AWS = "arn:aws:iam::999999999999:root" }, Action = "sns:Publish", Resource = "arn:aws:sns:us-east-1:666666666666:order-events" }] })
}
resource "aws_sqs_queue" "orders" {
  provider = aws.prod
  name     = "order-queue"
}
resource "aws_sqs_queue_policy" "orders" {
  provider  = aws.prod
  queue_url = aws_sqs_queue.orders.id
  policy    = jsonencode({ Version = "2012-10-17", Statement = [{ Sid = "FromTheTopic", Effect = "Allow", Principal = { Service = "sns.amazonaws.com" }, Action = "sqs:SendMessage", Resource = "arn:aws:sqs:us-east-1:666666666666:order-queue", Condition = { ArnEquals = { "aws:SourceArn" = "arn:aws:sns:us-east-1:666666666666:order-events" } } }] })
}
resource "aws_sns_topic_subscription" "orders" {
  provider  = aws.prod
  topic_arn = aws_sns_topic.events.arn
  protocol  = "sqs"
  endpoint  = aws_sqs_queue.orders.arn
}
resource "aws_sns_topic_subscription" "mail" {
  provider  = aws.prod
  topic_arn = aws_sns_topic.events.arn
  protocol  = "email"
  endpoint  = "oncall@securecart.example"
}
resource "aws_kms_key" "data" {
  provider    = aws.prod_eu
  description = "Customer data"
  policy      = jsonencode({ Version = "2012-10-17", Statement = [{ Sid = "Account", Effect = "Allow", Principal = { AWS = "arn:aws:iam::666666666666:root" }, Action = "kms:*", Resource = "*" }] })
}
resource "aws_kms_alias" "data" {
  provider      = aws.prod_eu
  name          = "alias/securecart-prod-customer-data"
  target_key_id = aws_kms_key.data.key_id
}
resource "aws_dynamodb_table" "orders" {
  provider     = aws.prod
  name         = "orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "order_id"
  attribute {
    name = "order_id"
    type = "S"
  }
}
