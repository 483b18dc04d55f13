"""YAML reading that remembers where every value came from, so errors can name file:line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from auditor.errors import InputError
from auditor.textfiles import read_input_text

try:  # libyaml's parser is several times faster; fall back when it is not built
    _Base: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Base = yaml.SafeLoader


class SafeTextLoader(_Base):  # type: ignore[misc,valid-type]
    """Safe loading that leaves dates as text: `2026-13-01` must reach validation as a value
    with a line, not crash the constructor; Kubernetes treats such values as strings too."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _Base.yaml_implicit_resolvers.items()
    }


PathKey = tuple[str | int, ...]


@dataclass(slots=True)
class LocatedDocument:
    """A parsed YAML document and the 1-based line of every value in it, by path."""

    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: PathKey) -> int:
        """Line of the value at `path`, or of its nearest located ancestor (the document: 1)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return 1


def _walk(node: yaml.Node, path: PathKey, lines: dict[PathKey, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            _walk(value_node, (*path, key), lines)
            # A key's own line is where a user looks for a misspelled field.
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


def syntax_error(exc: yaml.YAMLError, path: str, text: str = "") -> InputError:
    """A one-line InputError for a YAML syntax error, with its line."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else reader_error_line(exc, text)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return InputError(f"invalid YAML: {problem}", path=path, line=line)


def reader_error_line(exc: yaml.YAMLError, text: str) -> int | None:
    """The line of a character the YAML reader refuses (a control character): its error
    carries a position in the text, not a mark."""
    if isinstance(exc, yaml.reader.ReaderError) and isinstance(exc.position, int):
        return text.count("\n", 0, exc.position) + 1
    return None


def load_located(text: str, path: str) -> LocatedDocument:
    """Parse one YAML document, keeping the line of every key and value.

    Raises InputError naming the file and line on a syntax error or a second document.
    """
    try:
        node = yaml.compose(text, Loader=SafeTextLoader)
    except yaml.YAMLError as exc:
        raise syntax_error(exc, path, text) from None
    if node is None:
        return LocatedDocument(data=None)
    lines: dict[PathKey, int] = {}
    _walk(node, (), lines)
    try:
        data = SafeTextLoader(text).get_single_data()
    except yaml.YAMLError as exc:
        raise syntax_error(exc, path, text) from None
    return LocatedDocument(data=data, lines=lines)


def read_located(path: Path) -> LocatedDocument:
    """Read and parse a YAML file with line information."""
    return load_located(read_input_text(path), str(path))
