"""Backends: the emulated AWS the harness seeds and, later, puts its gateway in front of.

`harness.backends.moto` serves moto in-process (the default backend); `state` records where a
running `securecart up` listens (the command is harness.commands.up).

This module stays free of moto imports (importing moto costs half a second): it holds only the
small protocol between the seeder and a backend.

Reserved tags. AWS gives a new member account an id of its choosing and the management account
the name and e-mail it was opened with; a landscape fixes all three. The seeder asks for them
with these tag keys (on CreateAccount, and TagResource on the management account); the moto
backend applies them and drops the tags, so they never appear in ListTagsForResource. A backend
that does not understand them keeps them as ordinary tags, and the seeder then fails, because the
account ids it was given differ from the landscape's.
"""

from __future__ import annotations

ACCOUNT_ID_TAG = "securecart:account-id"
ACCOUNT_NAME_TAG = "securecart:account-name"
ACCOUNT_EMAIL_TAG = "securecart:account-email"

RESERVED_TAGS = (ACCOUNT_ID_TAG, ACCOUNT_NAME_TAG, ACCOUNT_EMAIL_TAG)

BACKENDS = ("moto", "localstack")
"""moto embedded (the default); LocalStack, with embedded moto for the services it lacks
(harness.backends.composite)."""

AUTHORISED_OPERATION = "securecart.operation"
"""WSGI environ key: the operation the gateway authorised, on a request it forwards in-process.
A client cannot set it (its headers arrive as HTTP_*); the moto backend executes that operation
and no other (harness.backends.moto_changes, harness.gateway.forwarding)."""
AUTHORISED_SERVICE = "securecart.service"
"""WSGI environ key: the authorised operation's service (botocore's name)."""
