"""Tests of the static analyses of harness.analysis."""
