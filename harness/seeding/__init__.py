"""Landscape → backend, through the AWS APIs at the backend's endpoint: one module per area,
and `seeder.seed` runs them in order.

seeder         the order, and all-or-nothing: the backend emptied on any failure
context        clients per account, the error wrapper, what seeding produced
organizations  the organisation, OUs, member accounts, SCPs and their attachments
iam            SAML providers, customer managed policies, roles (landscape and provisioned)
identity_center  users, groups, permission sets, assignments, provisioning
resources      buckets, topics, queues, tables, DB instances, volumes, functions, trails,
               GuardDuty detectors, Config recorders
"""
