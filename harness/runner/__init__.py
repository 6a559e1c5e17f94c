"""Running the Gherkin suite: pytest in a subprocess, with the step library's plugin, for
`securecart run`, `securecart mutate` and the control tests (tests/controls).

- `repository` — this repository's root, features and canonical landscape; where a landscape
  project's features are.
- `tags` — a cucumber tag expression as pytest's marker expression.
- `report_folder` — the files a run writes into its report folder.
- `pytest_command` — the pytest command line of a run: the step plugin, the collector, options.
- `plan` — one backend's run: what it runs, where, and how.
- `pytest_process` — that command in a subprocess, a line printed per finished scenario.
- `backend_run` — the suite on one backend, its summary and its reports.
- `suite` — the suite on one backend, or on several in turn and compared.
- `selection` — which scenarios a run selects: features and a -k expression, or node ids.
- `scenario_runs` — a selection run against a landscape, and each scenario's outcome.
"""
