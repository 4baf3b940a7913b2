"""YAML loading that remembers the line of every key, so errors can name file, line and key.

Every YAML file kb reads comes from a pull request, so it is untrusted: before building anything, one
streaming pass over the parser's events refuses aliases (a "billion laughs" document expands without bound
in anything that walks it) and nesting deeper than MAX_DEPTH (a list nested 2,000 deep overflows Python's
recursion). Time and memory stay proportional to the text.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:  # libyaml is about ten times faster; marks (line numbers) work the same
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

from kbtools.model.errors import ContentError

KeyPath = tuple[str, ...]

# Deepest nesting of lists and mappings kb reads: taxonomy.yml and mkdocs.yml need about 6 levels.
MAX_DEPTH = 20


_TOO_DEEP = f"lists and mappings nested more than {MAX_DEPTH} levels deep; kb reads at most {MAX_DEPTH}"


class YamlLimitError(ContentError):
    """YAML kb refuses to read: an alias, or lists and mappings nested deeper than MAX_DEPTH."""

    rule = "yaml-limit"


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


def check_shape(text: str, path: Path | str, first_line: int = 1) -> None:
    """Refuse aliases and deep nesting in one pass over the parser's events (raises YamlLimitError).

    Runs before anything composes or walks the document, so a hostile file costs no more than its length.
    YAML syntax errors are left to the caller's parse, which reports them.
    """
    loader = _Loader(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent):
                raise YamlLimitError(
                    path,
                    f"YAML alias '*{event.anchor}' refused: kb does not expand anchors and aliases "
                    "(write the value out in full)",
                    line=first_line + event.start_mark.line,  # type: ignore[union-attr]  # parser events have marks
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlLimitError(path, _TOO_DEEP, line=first_line + event.start_mark.line)  # type: ignore[union-attr]
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in str(exc.problem):  # libyaml's own limit, met while scanning ahead in flow style
            mark = exc.problem_mark or exc.context_mark
            line = first_line + (mark.line if mark else 0)
            raise YamlLimitError(path, _TOO_DEEP, line=line) from None
    except yaml.YAMLError:
        return  # a syntax error: the parse that follows names it
    finally:
        loader.dispose()


def compose(text: str, path: Path | str, first_line: int = 1) -> yaml.Node | None:
    """The node tree of `text` (no values constructed, tags kept as written), checked by check_shape."""
    check_shape(text, path, first_line)
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, path, first_line) from None
    finally:
        loader.dispose()


def _syntax_error(exc: yaml.YAMLError, path: Path | str, first_line: int) -> ContentError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark else first_line
        problem = exc.problem or exc.context or "invalid YAML"
        return ContentError(path, f"YAML syntax error: {problem}", line=line)
    return ContentError(path, f"YAML syntax error: {exc}", line=first_line)


def load_yaml(text: str, path: Path | str, first_line: int = 1) -> YamlSource:
    """Parse `text` (which starts at `first_line` of `path`), raising ContentError on bad or hostile YAML."""
    check_shape(text, path, first_line)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, path, first_line) from None
    except ValueError:  # PyYAML reads 2026-02-30 as a date and fails without saying where
        bad = _impossible_date(node, ())  # type: ignore[arg-type]  # raised by construct_document: node is set
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
    if path.is_symlink():  # never read what a link from a pull request points to (/dev/zero, a secret...)
        raise ContentError(path, f"is a symbolic link (to {os.readlink(path)}); kb reads no links: put the file here")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(path, "file not found") from None
    except UnicodeDecodeError as exc:
        raise ContentError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return load_yaml(text, path)
