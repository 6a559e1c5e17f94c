"""What a landscape lets happen, decided offline by the policy engine (`securecart analyze`):

- external access: who outside the organisation a resource or trust policy lets in, active or
  archived (`<DIR>/analysis/archived.yaml`), public access apart (`harness.analysis.external`);
- privilege-escalation paths, step by step (`harness.analysis.privesc`);
- optionally, the seeded backend's IAM users and their long-term credentials
  (`harness.analysis.credentials`; this starts a backend, about ten seconds).

Its text and JSON forms are `harness.analysis.analyze_formats`.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.analysis.credentials import CredentialReport, credential_report
from harness.analysis.external import (
    ArchiveEntry,
    ExternalFinding,
    external_access,
    load_archive,
    stale_entries,
)
from harness.analysis.offline import Offline
from harness.analysis.privesc import EscalationPath, escalation_paths
from harness.landscape.model import Landscape

EXIT_OK, EXIT_FOUND = 0, 1
"""An analysis's exit status (`securecart analyze`'s, and its JSON's `exit_status`): nothing
found; an active external-access finding or an escalation path."""


@dataclass(frozen=True, slots=True)
class Analysis:
    landscape: str
    external: tuple[ExternalFinding, ...]
    stale_archive: tuple[ArchiveEntry, ...]
    paths: tuple[EscalationPath, ...]
    credentials: CredentialReport | None = None

    @property
    def active(self) -> tuple[ExternalFinding, ...]:
        return tuple(f for f in self.external if f.archive is None)

    @property
    def exit_status(self) -> int:
        return EXIT_FOUND if self.active or self.paths else EXIT_OK


def analyze(landscape: Landscape, *, with_credentials: bool = False) -> Analysis:
    """Analyse a landscape; raises ArchiveError, OfflineError."""
    offline = Offline(landscape)
    archive = load_archive(landscape)
    external = external_access(offline, archive)
    return Analysis(
        landscape=landscape.name,
        external=external,
        stale_archive=stale_entries(external, archive),
        paths=escalation_paths(offline),
        credentials=credential_report(landscape) if with_credentials else None,
    )
