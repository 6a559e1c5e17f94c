"""The seeder's parts, one module per area; `harness.seed.seed` runs them in order.

context        clients per account, the error wrapper, what seeding produced
organizations  the organisation, OUs, member accounts, SCPs and their attachments
iam            SAML providers, customer managed policies, roles (landscape and provisioned)
identity_center  users, groups, permission sets, assignments, provisioning
resources      buckets, topics, queues, tables, DB instances, volumes, functions, trails,
               GuardDuty detectors, Config recorders
"""
