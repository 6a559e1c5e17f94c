"""Analyses of a landscape's access-control design.

- `findings` — the shape every analysis of files reports in (`Finding`, `Rule`, `Severity`),
  accepted findings (`<landscape>/analysis/accepted.yaml`), and the outputs: text, JSON and
  SARIF 2.1.0.
- `lint` — `securecart lint`: checks of every policy beyond the grammar, in the spirit of IAM
  Access Analyzer's policy checks (unknown actions and condition keys, resource types, operator
  types, admin wildcards, public principals, the MFA deny, redundant statements);
  `lint_command` is its command line.
- `offline` — requests decided by the policy engine over the landscape's own policies, with no
  backend.
- `external` — external access findings: who outside the organisation a resource or trust
  policy lets in.
- `privesc` — privilege-escalation paths through the known escalation patterns.
- `credentials` — a credential report of the seeded backend, like IAM's GetCredentialReport.
- `analyze_command` — `securecart analyze`, the command line of the last four.
"""
