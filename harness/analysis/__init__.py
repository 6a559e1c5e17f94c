"""Analyses of a landscape's access-control design.

- `findings` — the shape every analysis of files reports in (`Finding`, `Rule`, `Severity`),
  accepted findings (`<landscape>/analysis/accepted.yaml`), and the outputs: text, JSON and
  SARIF 2.1.0.
- `lint` — `securecart lint`: checks of every policy beyond the grammar, in the spirit of IAM
  Access Analyzer's policy checks (unknown actions and condition keys, resource types, operator
  types, admin wildcards, public principals, the MFA deny, redundant statements).
- `offline` — requests decided by the policy engine over the landscape's own policies, with no
  backend.
- `external` — external access findings: who outside the organisation a resource or trust
  policy lets in.
- `privesc` — privilege-escalation paths through the known escalation patterns.
- `credentials` — a credential report of the seeded backend, like IAM's GetCredentialReport.
- `analyze` — `securecart analyze`: the last three over a landscape; `analyze_formats` its
  text and JSON.
- `diff` — `securecart diff`: the access a change adds and removes (`requests`, the request
  space; `waivers`); `diff_base` the landscape at a git revision; `diff_formats` text, JSON and
  SARIF.
- `mutate` — `securecart mutate`: mutation testing of the policies; `survivors` the reviewed
  survivors.

Their command lines are harness.commands'.
"""
