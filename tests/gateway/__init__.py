"""Tests of the gateway: authentication, parsing, mapping."""
