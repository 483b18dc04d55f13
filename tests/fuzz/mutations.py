"""Near-valid inputs: real documents with a few structural or textual mutations.

Random text rarely gets past a parser's first check; a real rule, manifest or policy with one
field deleted, retyped or replaced reaches the code behind it. Strategies here take a seed
document (plain JSON-like data) and return a mutated deep copy, or take seed text and damage it
line by line.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Sequence
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

Path_ = tuple[str | int, ...]

# HYPOTHESIS_PROFILE=long multiplies every test's example count.
SCALE = 25 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 1


def fuzz_settings(examples: int) -> settings:
    """Per-test settings: `examples` in CI, SCALE times that in the long profile."""
    return settings(max_examples=examples * SCALE, deadline=None)


# Values that break assumptions: wrong types, empties, extremes, odd text.
AWKWARD_SCALARS: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1,
    2**31,
    2**63,
    -(2**63) - 1,
    10**30,
    0.5,
    -0.0,
    1e308,
    float("inf"),
    "",
    " ",
    "0",
    "-1",
    "null",
    "true",
    "None",
    "x" * 300,
    "é",
    "\u202e",
    "\x00",
    "a\nb",
    "{{",
    "}}",
    "{{resource.name}}",
    "[",
    "*",
    ".*",
    "(",
    "$",
    "2026-13-01",
    "2026-01-01T00:00:00Z",
    "1970-01-01",
    "-1 day, 0:00:00",
    "@daily",
    "projects/",
    "user:",
    "roles/",
]

# Keys a YAML mapping may have besides text (`~: a`, `1.5: b`, `true: c`), and common names.
ODD_KEYS: list[Any] = ["x", "", "kind", "name", "id", "type", "items", None, 0, 1.5, True]

json_scalars = st.one_of(
    st.sampled_from(AWKWARD_SCALARS),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=40),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=12), children, max_size=4),
    ),
    max_leaves=12,
)


def all_paths(node: Any, prefix: Path_ = ()) -> list[Path_]:
    """Every path in a JSON-like tree, the root included, parents before children."""
    paths = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            paths.extend(all_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            paths.extend(all_paths(value, (*prefix, index)))
    return paths


def _get(node: Any, path: Path_) -> Any:
    for part in path:
        node = node[part]
    return node


def _retyped(value: Any) -> list[Any]:
    """The same value in the wrong shape: what a hand edit or an API change produces."""
    options: list[Any] = [str(value), [value], {"value": value}, None]
    if isinstance(value, str):
        options += [value * 3, value[: len(value) // 2], value.upper(), f" {value} ", value + "é"]
    if isinstance(value, bool):
        options.append(int(value))
    elif isinstance(value, int | float):
        options += [-value, value * 1000, str(value), bool(value)]
    if isinstance(value, list) and value:
        options += [value[0], value * 2, value[::-1], []]
    if isinstance(value, dict):
        options += [list(value), list(value.values()), {}]
    return options


@st.composite
def mutate_once(draw: st.DrawFn, document: Any) -> Any:
    """`document` (modified in place when possible) with one mutation at a random path."""
    path = draw(st.sampled_from(all_paths(document)))
    if not path:
        return draw(st.one_of(st.sampled_from(_retyped(document)), json_values))
    parent = _get(document, path[:-1])
    key = path[-1]
    value = parent[key]
    operation = draw(st.sampled_from(["replace", "retype", "delete", "add", "duplicate"]))
    if operation == "replace":
        parent[key] = draw(json_values)
    elif operation == "retype":
        parent[key] = draw(st.sampled_from(_retyped(value)))
    elif operation == "delete":
        del parent[key]
    elif operation == "add" and isinstance(value, dict):
        value[draw(st.sampled_from(ODD_KEYS))] = draw(json_values)
    elif operation == "duplicate" and isinstance(parent, list):
        parent.insert(int(key), copy.deepcopy(value))
    else:
        parent[key] = draw(st.sampled_from(AWKWARD_SCALARS))
    return document


@st.composite
def mutated(draw: st.DrawFn, seeds: Sequence[Any], max_mutations: int = 3) -> Any:
    """A deep copy of one of `seeds` with 0..max_mutations structural mutations."""
    document = copy.deepcopy(draw(st.sampled_from(list(seeds))))
    for _ in range(draw(st.integers(min_value=0, max_value=max_mutations))):
        document = draw(mutate_once(document))
    return document


@st.composite
def damaged_text(draw: st.DrawFn, seeds: Sequence[str], max_edits: int = 3) -> str:
    """One of `seeds` with a few line-level edits: lines dropped, repeated, re-indented, cut,
    or given a stray character — what a bad merge or a hand edit leaves."""
    lines = draw(st.sampled_from(list(seeds))).splitlines(keepends=True) or [""]
    for _ in range(draw(st.integers(min_value=1, max_value=max_edits))):
        index = draw(st.integers(min_value=0, max_value=max(len(lines) - 1, 0)))
        line = lines[index] if lines else ""
        edit = draw(st.sampled_from(["drop", "repeat", "indent", "dedent", "cut", "insert"]))
        if edit == "drop" and lines:
            del lines[index]
        elif edit == "repeat":
            lines.insert(index, line)
        elif edit == "indent":
            lines[index : index + 1] = ["  " + line]
        elif edit == "dedent":
            lines[index : index + 1] = [line.lstrip(" ")]
        elif edit == "cut":
            lines[index : index + 1] = [line[: draw(st.integers(0, len(line)))]]
        else:
            stray = draw(
                st.sampled_from([":", "- ", "{", "[", '"', "'", "&a ", "*a", "!!x ", "\t"])
            )
            at = draw(st.integers(0, len(line)))
            lines[index : index + 1] = [line[:at] + stray + line[at:]]
    return "".join(lines)
