"""Reading one YAML file of a landscape into a `Node`: syntax errors with their line and
column, and duplicate keys (which PyYAML would silently drop) reported with their line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from harness.landscape.errors import ErrorSink
from harness.landscape.nodes import Node
from harness.landscape.wording import describe, display


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that notes duplicate mapping keys (PyYAML silently keeps the last one, which
    would let a reviewer read one value while the loader uses another)."""

    duplicates: list[tuple[str, int]]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                continue  # PyYAML itself refuses unhashable keys
            if key in seen:
                self.duplicates.append((key, key_node.start_mark.line + 1))
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(
    directory: Path, relative: str, sink: ErrorSink, *, empty_ok: bool = False
) -> Node | None:
    """The mapping at the top of `directory/relative`, or None (errors recorded in `sink`).
    With `empty_ok`, an empty file reads as an empty mapping."""
    path = directory / relative
    file = display(path)
    if not path.is_file():
        sink.add(file, "", "file is missing")
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        sink.add(file, "", f"cannot read: {error}")
        return None
    loader = _UniqueKeyLoader(text)
    loader.duplicates = []
    try:
        value = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = error.problem or error.context or "cannot parse"
        sink.add(file, "", f"YAML syntax error{where}: {problem}")
        return None
    except yaml.YAMLError as error:
        sink.add(file, "", f"YAML error: {error}")
        return None
    finally:
        loader.dispose()
    for key, line in loader.duplicates:
        sink.add(file, "", f"duplicate key '{key}' at line {line} (YAML would keep only the last)")
    if value is None and empty_ok:
        value = {}
    node = Node(value, file, "", sink)
    if not isinstance(value, dict):
        node.error(f"expected a mapping at the top of the file, got {describe(value)}")
        return None
    return node
