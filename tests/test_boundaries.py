"""The house's rooms and the arrows allowed between them (docs/architecture.md), read from the
imports of `harness/`, `steps/` and `bench/` with `ast`: every `import` and `from … import`, at
module level or inside a function (a lazy import is an arrow too).

- the engine (`harness.iam`) imports only itself (tests/iam/test_purity.py: and no I/O);
- the gateway never imports the landscape, seeding, the runner or the commands: it knows the
  backend, not the fixtures;
- backends never import the gateway, seeding, the runner or the commands: they need only an
  endpoint;
- nothing imports `harness.commands` but the commands themselves: libraries never reach up;
- no import cycle among the modules of `harness/` (imports under `if TYPE_CHECKING:` never run,
  and are left out of this one check);
- no module of `harness/` is over 700 lines.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
MAX_LINES = 700


@dataclass(frozen=True)
class Rule:
    """Modules under `room` must not import any module under `forbidden`."""

    room: str
    forbidden: tuple[str, ...]
    why: str


RULES = (
    Rule("harness.iam", ("harness.authorization", "harness.gateway", "harness.backends",
                         "harness.landscape", "harness.seeding", "harness.analysis",
                         "harness.runner", "harness.commands", "harness.reference"),
         "the engine is pure: it decides from what it is given"),
    Rule("harness.gateway", ("harness.landscape", "harness.seeding", "harness.runner",
                             "harness.commands", "harness.stack"),
         "the gateway knows the backend, not the fixtures"),
    Rule("harness.backends", ("harness.gateway", "harness.seeding", "harness.runner",
                              "harness.commands", "harness.stack"),
         "a backend needs only an endpoint"),
    Rule("harness.importing", ("harness.gateway", "harness.backends", "harness.seeding",
                               "harness.stack", "harness.runner", "harness.analysis"),
         "an import reads files and writes a landscape: no backend, no run"),
    Rule("harness", ("harness.commands",), "libraries never import the commands"),
    Rule("steps", ("harness.commands",), "the step library is a library"),
    Rule("bench", ("harness.commands",), "benchmarks measure libraries"),
)


def modules(root: Path, packages: tuple[str, ...] = ("harness", "steps", "bench")
            ) -> dict[str, Path]:
    """Dotted module name → file, for every .py file under the packages."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _typing_only(tree: ast.AST) -> set[int]:
    """The ids of the nodes under `if TYPE_CHECKING:`: imports that never run."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            found.update(id(inner) for statement in node.body for inner in ast.walk(statement))
    return found


def imports(name: str, path: Path, known: Mapping[str, Path], *, typing: bool = True
            ) -> Iterator[str]:
    """The project modules `name` imports: `from a.b import c` is a.b.c when that is a module,
    else a.b; relative imports are resolved against the importing package. `typing=False`
    leaves out the imports under `if TYPE_CHECKING:`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = set() if typing else _typing_only(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target


def graph(root: Path, *, typing: bool = True) -> dict[str, set[str]]:
    known = modules(root)
    return {name: set(imports(name, path, known, typing=typing)) for name, path in known.items()}


def _under(module: str, room: str) -> bool:
    return module == room or module.startswith(room + ".")


def violations(edges: Mapping[str, set[str]], rule: Rule) -> list[str]:
    return sorted(
        f"{source} imports {target}"
        for source, targets in edges.items() if _under(source, rule.room)
        for target in targets
        if any(_under(target, f) for f in rule.forbidden)
        and not any(_under(source, f) for f in rule.forbidden))


def cycles(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


@pytest.fixture(scope="module")
def edges() -> dict[str, set[str]]:
    return graph(ROOT)


@pytest.mark.parametrize("rule", RULES, ids=[r.room for r in RULES])
def test_no_arrow_the_architecture_forbids(edges: dict[str, set[str]], rule: Rule) -> None:
    assert violations(edges, rule) == [], rule.why


def test_no_import_cycle() -> None:
    """Among the imports that run: a type named under `if TYPE_CHECKING:` only (a Decision
    carrying the engine's PolicySet) is no arrow at run time."""
    running = graph(ROOT, typing=False)
    harness = {name: {t for t in targets if _under(t, "harness")}
               for name, targets in running.items() if _under(name, "harness")}
    assert cycles(harness) == []


def test_no_module_over_700_lines() -> None:
    long = sorted(f"{path.relative_to(ROOT)}: {lines} lines"
                  for path in (ROOT / "harness").rglob("*.py")
                  if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES)
    assert long == []


# --------------------------------------------------------------------------- the checks check


def _tree(tmp_path: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("source", "text"), [
    ("harness/gateway/app.py", "from harness.seeding import seed\n"),
    ("harness/gateway/app.py", "def f():\n    import harness.landscape.model\n"),
    ("harness/backends/moto.py", "from harness.gateway.app import Gateway\n"),
    ("harness/backends/moto.py", "from harness import seeding\n"),
    ("harness/identity/profiles.py", "from harness.commands import main\n"),
    ("harness/gateway/simulator/caller.py", "from ...commands.simulate import parse\n"),
])
def test_a_forbidden_arrow_is_found(tmp_path: Path, source: str, text: str) -> None:
    files = {"harness/__init__.py": "", "harness/gateway/__init__.py": "",
             "harness/gateway/simulator/__init__.py": "",
             "harness/gateway/app.py": "", "harness/backends/__init__.py": "",
             "harness/backends/moto.py": "", "harness/seeding/__init__.py": "seed = 1\n",
             "harness/landscape/__init__.py": "", "harness/landscape/model.py": "",
             "harness/identity/__init__.py": "", "harness/commands/__init__.py": "",
             "harness/commands/simulate.py": "", "steps/__init__.py": "",
             "bench/__init__.py": ""}
    files[source] = text
    edges = graph(_tree(tmp_path, files))
    assert any(violations(edges, rule) for rule in RULES)


def test_a_cycle_is_found(tmp_path: Path) -> None:
    edges = graph(_tree(tmp_path, {
        "harness/__init__.py": "", "harness/report/__init__.py": "",
        "harness/report/html.py": "from harness.report.mutation_coverage import table\n",
        "harness/report/mutation_coverage.py": "def f():\n    from harness.report import html\n",
        "steps/__init__.py": "", "bench/__init__.py": ""}))
    assert cycles(edges) == [["harness.report.html", "harness.report.mutation_coverage"]]


def test_a_cycle_through_a_typing_only_import_does_not_run(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "harness/__init__.py": "", "harness/iam/__init__.py": "",
        "harness/iam/evaluate.py": "from harness.iam.decision import Decision\n",
        "harness/iam/decision.py": ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                    "    from harness.iam.evaluate import PolicySet\n"),
        "steps/__init__.py": "", "bench/__init__.py": ""})
    assert cycles(graph(root)) == [["harness.iam.decision", "harness.iam.evaluate"]]
    assert cycles(graph(root, typing=False)) == []
