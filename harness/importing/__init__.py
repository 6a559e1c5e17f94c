"""Landscapes from what teams already have: Terraform plans, CloudFormation templates, account
exports (issue 16)."""
