"""Read YAML while keeping the source line of every key and value."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from builder.problems import Problems

Key = tuple[str | int, ...]
# libyaml when PyYAML has it (about 10x faster); a syntax error is parsed again by the pure-Python loader,
# whose messages authors see
FastLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class YamlDoc:
    """Parsed YAML plus where each value came from, so errors can name a line."""

    path: Path
    data: dict[str, Any]
    lines: dict[Key, int] = field(default_factory=dict)
    raw: dict[Key, str] = field(default_factory=dict)
    first_line: int = 1

    def line(self, key: Key) -> int:
        """Line of a value, or of its nearest parent that has one."""
        while key and key not in self.lines:
            key = key[:-1]
        return self.lines.get(key, self.first_line)


def read_text(path: Path, problems: Problems) -> str | None:
    """Read a UTF-8 source file; a problem (not a traceback) when it is not UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as e:
        problems.error(path, 0, f"cannot read file: {e.strerror}", "check the file exists and is readable")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        problems.error(path, line, "file is not UTF-8 text", "save it as UTF-8 in your editor")
        return None
    return text.removeprefix("\ufeff")


def parse_yaml(text: str, path: Path, problems: Problems, first_line: int = 1) -> YamlDoc | None:
    """Parse a YAML mapping; syntax errors become problems with line and column."""
    try:
        try:
            node, data = _compose(text, FastLoader)
        except yaml.YAMLError:
            node, data = _compose(text, yaml.SafeLoader)  # for its message, or in case it reads what libyaml did not
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + first_line if mark else first_line
        where = f" (column {mark.column + 1})" if mark else ""
        reason = getattr(e, "problem", None) or str(e)
        problems.error(path, line, f"YAML syntax error: {reason}{where}",
                       "check indentation and quote values that contain ': ' or start with a special character")
        return None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.error(path, first_line, f"expected a mapping of keys to values, got {type_name(data)}",
                       "write one 'key: value' per line")
        return None
    doc = YamlDoc(path, data, first_line=first_line)
    if node is not None:
        _record(node, (), doc, first_line)
    return doc


def _compose(text: str, loader_class: type) -> tuple[yaml.Node | None, Any]:
    """The node tree (for lines) and the data of one YAML document."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def _record(node: yaml.Node, key: Key, doc: YamlDoc, offset: int) -> None:
    doc.lines[key] = node.start_mark.line + offset
    if isinstance(node, yaml.ScalarNode):
        doc.raw[key] = node.value
    elif isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                doc.lines[key + (k.value,)] = k.start_mark.line + offset
                _record(v, key + (k.value,), doc, offset)
                doc.lines[key + (k.value,)] = k.start_mark.line + offset
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _record(item, key + (i,), doc, offset)


def type_name(value: Any) -> str:
    """Name a YAML value's type the way an author thinks of it."""
    if value is None:
        return "nothing"
    return {bool: "true/false", int: "a number", float: "a number", str: "text",
            list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)
