"""The repository's tests. The fake suite's features are run by its own tests, with its own
step plugin; the installed step plugin (a pytest11 entry point) must not collect them here."""

collect_ignore = ["report/fake_suite"]
