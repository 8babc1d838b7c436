"""Read YAML while keeping the source line of every key and value, within limits a hostile file cannot break.

PyYAML's safe loader still lets a 1 KB file expand to gigabytes through aliases, recurse until
Python gives up on deep nesting, build a 5,000-digit number Python cannot print, and keep the last
of two equal keys without a word. Here all four are refused, with the line: documents are read by
libyaml when PyYAML has it (fast); one with an alias or nested too deep is read again by the
checking pure-Python loader below, which stops at the offending line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from builder.limits import NUMBER_DIGITS, YAML_DEPTH
from builder.problems import Problems

Key = tuple[str | int, ...]


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


class Refused(yaml.YAMLError):
    """YAML that is well-formed but refused: why, how to fix it, and where."""

    def __init__(self, message: str, hint: str, mark: yaml.Mark) -> None:
        super().__init__(message)
        self.message, self.hint, self.problem_mark = message, hint, mark


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    if len(node.value) > NUMBER_DIGITS:
        raise Refused(f"a number of {len(node.value)} characters", "write a number of at most "
                      f"{NUMBER_DIGITS} digits, or quote it if it is text", node.start_mark)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


class FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml when PyYAML has it (about 10x faster); what it reads is checked by `_plain` afterwards."""


class Loader(yaml.SafeLoader):
    """The pure-Python safe loader, refusing aliases and nesting past YAML_DEPTH where they are written."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise Refused(f"YAML aliases (*{event.anchor}) are not allowed",
                          "write the value out in full where it is needed", event.start_mark)
        if self.depth >= YAML_DEPTH:
            raise Refused(f"nested more than {YAML_DEPTH} levels deep", "nothing in this file nests so deep; "
                          "check the indentation and the brackets", event.start_mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


for _loader in (FastLoader, Loader):
    _loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


class _Recheck(Exception):
    """libyaml read an alias or deep nesting: the checking loader says where."""


def parse_yaml(text: str, path: Path, problems: Problems, first_line: int = 1) -> YamlDoc | None:
    """Parse a YAML mapping; syntax errors and refused YAML become problems with line and column."""
    try:
        try:
            node, data = _compose(text, FastLoader)
            if node is not None and not _plain(node):
                raise _Recheck
        except (yaml.YAMLError, _Recheck):
            node, data = _compose(text, Loader)  # for its message, or in case it reads what libyaml did not
    except Refused as e:
        problems.error(path, e.problem_mark.line + first_line, e.message, e.hint)
        return None
    except yaml.reader.ReaderError as e:
        problems.error(path, text.count("\n", 0, e.position) + first_line,
                       f"control character U+{e.character:04X} is not allowed in YAML",
                       "remove it (most editors do not show it)")
        return None
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
        _record(node, (), doc, first_line, problems)
    return doc


_clean: dict[tuple[Path, str], YamlDoc] = {}  # documents parsed without a problem in this process
_CLEAN_KEPT = 512


def parse_yaml_once(text: str, path: Path, problems: Problems) -> YamlDoc | None:
    """parse_yaml, without parsing again a text this process already parsed without a problem: a build reads
    course.yaml for its id (builder.schedule) and then loads it. The document is shared: do not change it."""
    key = (path, text)
    if key in _clean:
        return _clean[key]
    doc = parse_yaml(text, path, found := Problems())
    if found.items:  # rare: parsed again into the caller's problems, so they are recorded as it records them
        return parse_yaml(text, path, problems)
    if len(_clean) >= _CLEAN_KEPT:
        _clean.clear()
    _clean[key] = doc
    return doc


def _plain(root: yaml.Node) -> bool:
    """No node reached twice (an alias) and none nested deeper than YAML_DEPTH; walked without recursion."""
    seen, todo = set(), [(root, 1)]
    while todo:
        node, depth = todo.pop()
        if id(node) in seen or depth > YAML_DEPTH:
            return False
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            todo.extend((child, depth + 1) for pair in node.value for child in pair)
        elif isinstance(node, yaml.SequenceNode):
            todo.extend((child, depth + 1) for child in node.value)
    return True


def _compose(text: str, loader_class: type) -> tuple[yaml.Node | None, Any]:
    """The node tree (for lines) and the data of one YAML document."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def _record(node: yaml.Node, key: Key, doc: YamlDoc, offset: int, problems: Problems) -> None:
    doc.lines[key] = node.start_mark.line + offset
    if isinstance(node, yaml.ScalarNode):
        doc.raw[key] = node.value
    elif isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode):
                line = k.start_mark.line + offset
                if k.value in seen:
                    problems.error(doc.path, line, f"key '{k.value}' is written twice, on lines {seen[k.value]} "
                                   f"and {line}", "keep one of them (YAML would silently use the last)")
                seen[k.value] = line
                _record(v, key + (k.value,), doc, offset, problems)
                doc.lines[key + (k.value,)] = line
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _record(item, key + (i,), doc, offset, problems)


def type_name(value: Any) -> str:
    """Name a YAML value's type the way an author thinks of it."""
    if value is None:
        return "nothing"
    return {bool: "true/false", int: "a number", float: "a number", str: "text",
            list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)
