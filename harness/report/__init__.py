"""Reports of a run of the features, for CI and for auditors.

- `pytest_collect`: the pytest plugin that records every scenario (xdist-safe) → `records`;
- `decisions`: the gateway's decision log read back, calls placed into steps;
- `policy_map`: a logged statement → the landscape's policy file and the statement as written;
- `cucumber`, `junit`: the CI formats; `html` (+ `html_features`): the auditors' page, with the
  access `matrix`, statement `coverage` and the run's `provenance`;
- `summary`: what `securecart run` prints; `build`: all of it from one run's files.
"""
