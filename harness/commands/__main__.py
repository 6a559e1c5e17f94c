"""`python -m harness.commands …`: `securecart …` without the installed script (generated AWS
profiles call it so from a checkout that is not installed)."""

import sys

from harness.commands.main import main

sys.exit(main())
