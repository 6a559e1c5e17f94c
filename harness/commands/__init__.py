"""`securecart`'s subcommands: the command layer — arguments, what is printed, exit statuses —
over the library packages, which never import it.

`main` assembles the parser from one module per command (or per pair of close ones), each with
a `register(subparsers)` that adds its parser and sets `func`:

    simulate    simulate      offline decisions, like AWS's IAM policy simulator
    landscape   landscape     validate | show a landscape
    up          up            an emulated AWS behind the enforcing gateway, until interrupted
    localstack  localstack    the host-process LocalStack's virtualenv
    identity    login | assume | profiles   credentials as the landscape's people and roles
    run         run           the features against the emulated AWS, and the reports
    lint        lint          the policies checked beyond the grammar
    analyze     analyze       external access, public access, privilege-escalation paths
    diff        diff          the access a change adds and removes
    mutate      mutate        would the scenarios notice a statement gone?

`python -m harness.commands …` is `securecart …` where the script is not installed.
"""
