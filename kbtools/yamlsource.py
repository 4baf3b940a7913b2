"""YAML loading that remembers the line of every key, so errors can name file, line and key."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:  # libyaml is about ten times faster; marks (line numbers) work the same
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

from kbtools.errors import ContentError

KeyPath = tuple[str, ...]


@dataclass
class YamlSource:
    """Parsed YAML plus the 1-based file line of each key (nested keys as paths)."""

    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)
    duplicate_keys: list[tuple[KeyPath, int]] = field(default_factory=list)
    first_line: int = 1

    def line_of(self, *path: str) -> int:
        """Line of the deepest known prefix of `path`, or of the document's start."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return self.first_line


def load_yaml(text: str, path: Path | str, first_line: int = 1) -> YamlSource:
    """Parse `text` (which starts at `first_line` of `path`), raising ContentError on bad YAML."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark else first_line
        problem = exc.problem or exc.context or "invalid YAML"
        raise ContentError(path, f"YAML syntax error: {problem}", line=line) from None
    except yaml.YAMLError as exc:
        raise ContentError(path, f"YAML syntax error: {exc}", line=first_line) from None
    except ValueError:  # PyYAML reads 2026-02-30 as a date and fails without saying where
        bad = _impossible_date(node, ())
        if bad is None:
            raise
        key_path, line, value = bad
        raise ContentError(
            path, f"{value!r} is not a date that exists", line=first_line + line, key=".".join(key_path) or None
        ) from None
    finally:
        loader.dispose()
    source = YamlSource(data=data, first_line=first_line)
    if node is not None:
        _record_lines(node, (), source, first_line)
    return source


def _impossible_date(node: yaml.Node, prefix: KeyPath) -> tuple[KeyPath, int, str] | None:
    """The first date-shaped scalar that is no calendar date: its key path, 0-based line and text."""
    if isinstance(node, yaml.ScalarNode):
        if node.tag == "tag:yaml.org,2002:timestamp":
            try:
                yaml.SafeLoader("").construct_yaml_timestamp(node)
            except ValueError:
                return prefix, node.start_mark.line, str(node.value)
        return None
    if isinstance(node, yaml.MappingNode):
        # A date can be a key too ({2026-02-30: x}): check keys as well as values
        children = [
            (path, child)
            for key, value in node.value
            for path, child in (((*prefix, str(key.value)), key), ((*prefix, str(key.value)), value))
        ]
    elif isinstance(node, yaml.SequenceNode):
        children = [((*prefix, str(index)), item) for index, item in enumerate(node.value)]
    else:
        return None
    for child_prefix, child in children:
        found = _impossible_date(child, child_prefix)
        if found is not None:
            return found
    return None


def _record_lines(node: yaml.Node, prefix: KeyPath, source: YamlSource, first_line: int) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            path = (*prefix, key)
            line = first_line + key_node.start_mark.line
            if key in seen:
                source.duplicate_keys.append((path, line))
            seen.add(key)
            source.lines[path] = line
            _record_lines(value_node, path, source, first_line)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = (*prefix, str(index))
            source.lines[path] = first_line + item.start_mark.line
            _record_lines(item, path, source, first_line)


def read_yaml_file(path: Path) -> YamlSource:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(path, "file not found") from None
    except UnicodeDecodeError as exc:
        raise ContentError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return load_yaml(text, path)
