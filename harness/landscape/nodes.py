"""`Node`: a YAML value with the file and the place it was read from, and where its errors go;
with the typed readers of its fields and the check that names are not repeated."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from harness.landscape.errors import ErrorSink
from harness.landscape.model import Tags
from harness.landscape.wording import describe, suggest


@dataclass(frozen=True)
class Node:
    """A YAML value with the file and the path it was read from, and where errors go."""

    value: object
    file: str
    path: str
    sink: ErrorSink = field(repr=False, compare=False)

    def error(self, problem: str) -> None:
        self.sink.add(self.file, self.path, problem)

    def at(self, key: str) -> Node:
        value = self.value.get(key) if isinstance(self.value, dict) else None
        return Node(value, self.file, f"{self.path}.{key}" if self.path else key, self.sink)

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and self.value.get(key) is not None

    def fields(self, required: Sequence[str], optional: Sequence[str] = ()) -> bool:
        """Check that this is a mapping with the required keys and no others."""
        if not isinstance(self.value, dict):
            self.error(
                f"expected a mapping with {', '.join(required or optional)}, "
                f"got {describe(self.value)}"
            )
            return False
        allowed = (*required, *optional)
        for key in self.value:
            if key not in allowed:
                child = self.at(str(key))
                child.error(
                    f"unknown key '{key}' (expected one of: {', '.join(allowed)})"
                    f"{suggest(str(key), allowed)}"
                )
        for key in required:
            if self.value.get(key) is None:
                self.error(f"missing required field '{key}'")
        return True

    def items(self, key: str) -> list[Node]:
        """The elements of a list field (absent → [])."""
        node = self.at(key)
        if node.value is None:
            return []
        if not isinstance(node.value, list):
            node.error(f"expected a list, got {describe(node.value)}")
            return []
        return [
            Node(item, self.file, f"{node.path}[{index}]", self.sink)
            for index, item in enumerate(node.value)
        ]

    def text(self, key: str, default: str | None = None) -> str | None:
        node = self.at(key)
        if node.value is None:
            return default
        if not isinstance(node.value, str) or not node.value.strip():
            node.error(f"expected a non-empty string, got {describe(node.value)}")
            return default
        return node.value

    def flag(self, key: str, default: bool) -> bool:
        node = self.at(key)
        if node.value is None:
            return default
        if not isinstance(node.value, bool):
            node.error(f"expected true or false, got {describe(node.value)}")
            return default
        return node.value

    def number(self, key: str, default: int, low: int, high: int) -> int:
        node = self.at(key)
        if node.value is None:
            return default
        if isinstance(node.value, bool) or not isinstance(node.value, int):
            node.error(f"expected a whole number, got {describe(node.value)}")
            return default
        if not low <= node.value <= high:
            node.error(f"{node.value} is out of range ({low}–{high})")
            return default
        return node.value

    def texts(self, key: str) -> list[tuple[Node, str]]:
        """A list of strings, each with its node (for errors about one element)."""
        result = []
        for item in self.items(key):
            if isinstance(item.value, str) and item.value.strip():
                result.append((item, item.value))
            else:
                item.error(f"expected a non-empty string, got {describe(item.value)}")
        return result

    def tags(self, key: str) -> Tags:
        node = self.at(key)
        if node.value is None:
            return ()
        if not isinstance(node.value, dict):
            node.error(f"expected a mapping of tag keys to values, got {describe(node.value)}")
            return ()
        pairs = []
        for tag, value in node.value.items():
            if not isinstance(tag, str) or not isinstance(value, str):
                node.at(str(tag)).error(f"tag keys and values are strings, got {describe(value)}")
                continue
            pairs.append((tag, value))
        return tuple(pairs)


def unique(named: Sequence[tuple[Node, str]], what: str) -> None:
    """Report every name after its first use, at the node that repeats it."""
    first: dict[str, Node] = {}
    for node, name in named:
        if name in first:
            node.error(f"duplicate {what} '{name}' (first at {first[name].path})")
        else:
            first[name] = node


def unique_field(items: Sequence[Node], key: str, what: str) -> None:
    """`unique` over the string field `key` of mapping items (the others are reported by the
    item's own reader)."""
    unique(
        [
            (item.at(key), item.value[key])
            for item in items
            if isinstance(item.value, dict) and isinstance(item.value.get(key), str)
        ],
        what,
    )
