"""Multi-document YAML read with the line each document (and each `items` entry) starts on.

PyYAML's C loader composes a node tree (which carries line marks) and constructs plain Python
values from it; doing both steps ourselves keeps the marks at no extra cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from auditor.errors import InputError
from auditor.yaml_lines import SafeTextLoader, reader_error_line


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """One non-empty document: its value, its first line, and the lines of its `items` entries.

    `item_lines` is empty unless the document is a mapping whose `items` is a sequence
    (a `kind: List`); lines are 1-based.
    """

    value: Any
    line: int
    item_lines: tuple[int, ...] = ()


def read_documents(text: str, path: str) -> list[YamlDocument]:
    """Every non-empty document in `text`; a syntax error raises InputError at its line."""
    loader = SafeTextLoader(text)
    documents: list[YamlDocument] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            value = loader.construct_document(node)
            if value is None:
                continue
            documents.append(YamlDocument(value, node.start_mark.line + 1, _item_lines(node)))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        raise InputError(
            f"invalid YAML: {problem}", path=path, line=mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as error:
        raise InputError(
            f"invalid YAML: {str(error).splitlines()[0]}",
            path=path,
            line=reader_error_line(error, text),
        ) from None
    finally:
        loader.dispose()
    return documents


def _item_lines(node: yaml.Node) -> tuple[int, ...]:
    if not isinstance(node, yaml.MappingNode):
        return ()
    for key, value in node.value:
        is_items = isinstance(key, yaml.ScalarNode) and key.value == "items"
        if is_items and isinstance(value, yaml.SequenceNode):
            return tuple(item.start_mark.line + 1 for item in value.value)
    return ()
