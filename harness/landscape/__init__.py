"""SecureCart's landscape: the organisation, its identities and resources as reviewed data.

    from harness.landscape import load_landscape
    landscape = load_landscape()            # fixtures/securecart, or a directory of your own

`model` holds the typed model (frozen dataclasses), `loader` reads and validates a directory
(YAML for structure, one JSON file per policy), `render` draws `securecart landscape show`,
`commands` registers `securecart landscape validate|show`. The format: docs/landscape.md.
"""

from harness.landscape.errors import InvalidLandscape, LandscapeError
from harness.landscape.loader import DEFAULT_DIRECTORY, load_landscape, validate_landscape
from harness.landscape.model import Landscape

__all__ = [
    "DEFAULT_DIRECTORY",
    "InvalidLandscape",
    "Landscape",
    "LandscapeError",
    "load_landscape",
    "validate_landscape",
]
