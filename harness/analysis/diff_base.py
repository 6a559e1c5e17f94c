"""The base of `securecart diff`: the landscape directory as it is at a git revision
(default: `git merge-base HEAD main`), materialised with `git archive REF <dir> | tar -x`; and
the diff of the working tree's landscape against it (`harness.analysis.diff`), waivers applied.
"""

from __future__ import annotations

import subprocess
import tempfile
from datetime import date
from pathlib import Path

from harness.analysis.diff import diff
from harness.analysis.diff_result import DiffResult
from harness.analysis.offline import OfflineError
from harness.analysis.waivers import WaiverError, load_waivers
from harness.landscape.errors import InvalidLandscape
from harness.landscape.loader import load_landscape
from harness.landscape.model import Landscape

WAIVERS_FILE = Path("analysis") / "waivers.yaml"


class DiffError(Exception):
    """What keeps a diff from being made — a bad revision, a landscape that does not load on
    either side, a malformed waiver file; the message says what and where."""


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DiffError(f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
    return done.stdout.strip()


def default_base(directory: Path) -> str:
    """The merge base of HEAD with main."""
    try:
        return _git(directory, "merge-base", "HEAD", "main")
    except DiffError as error:
        raise DiffError(f"no default base (merge base of HEAD and main): {error}; "
                        "give --base REF") from error


def materialise(directory: Path, ref: str, into: Path) -> Path:
    """The landscape `directory` as it is at `ref`, extracted under `into`; its path there."""
    directory = directory.resolve()
    root = Path(_git(directory, "rev-parse", "--show-toplevel")).resolve()
    relative = directory.relative_to(root).as_posix()
    check = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
                           cwd=root, capture_output=True, text=True, check=False)
    if check.returncode != 0:
        raise DiffError(f"bad revision {ref!r}: not a commit of {root}")
    archive = subprocess.run(["git", "archive", ref, relative], cwd=root, capture_output=True,
                             check=False)
    if archive.returncode != 0:
        message = archive.stderr.decode(errors="replace").strip()
        raise DiffError(f"no landscape {relative} at {ref}: {message}")
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into / relative


def _load(directory: Path, side: str) -> Landscape:
    try:
        return load_landscape(directory)
    except InvalidLandscape as invalid:
        lines = "\n".join(f"  {error}" for error in invalid.errors)
        raise DiffError(f"{side} landscape invalid ({directory}):\n{lines}") from invalid


def compare(
    directory: Path, ref: str | None, waivers_file: Path | None, today: date | None = None
) -> tuple[DiffResult, str]:
    """The diff of `directory` against itself at `ref`; raises DiffError."""
    directory = directory.resolve()
    if not directory.is_dir():
        raise DiffError(f"no landscape directory {directory}")
    ref = ref or default_base(directory)
    waivers_path = waivers_file
    if waivers_path is None and (directory / WAIVERS_FILE).is_file():
        waivers_path = directory / WAIVERS_FILE
    try:
        waivers = load_waivers(waivers_path) if waivers_path is not None else ()
    except WaiverError as error:
        raise DiffError(str(error)) from error
    head = _load(directory, "working-tree")
    with tempfile.TemporaryDirectory(prefix="securecart-diff-") as temporary:
        base = _load(materialise(directory, ref, Path(temporary)), f"base ({ref})")
        try:
            return diff(base, head, waivers, today), ref
        except OfflineError as error:
            raise DiffError(str(error)) from error
