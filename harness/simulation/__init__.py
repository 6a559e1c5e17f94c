"""The offline simulator: AWS's SimulateCustomPolicy with the policy types AWS's simulator leaves
out (`custom_policy`), the requests it reads from files, streams and batches (`inputs`), and case
files, requests with the answer AWS's documentation gives (`cases`). `securecart simulate` and
the gateway's IAM simulator API both use it."""
