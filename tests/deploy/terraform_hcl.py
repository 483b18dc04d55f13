"""deploy/terraform read through python-hcl2: the module's blocks, resources and variables.

Just enough of HCL for tests/deploy/test_terraform.py to check what the module grants without a
provider: blocks merged across files, and string templates rendered from variable values.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import hcl2

REPO = Path(__file__).resolve().parents[2]
MODULE = REPO / "deploy" / "terraform"
EXAMPLES = MODULE / "examples"
OPTIONS = hcl2.SerializationOptions(
    with_comments=False, explicit_blocks=False, strip_string_quotes=True
)


def parse(path: Path) -> dict[str, Any]:
    """One .tf file as python-hcl2 reads it (strings unquoted, expressions as `${...}`)."""
    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle, serialization_options=OPTIONS)


def tf_files(directory: Path) -> list[Path]:
    """The .tf files of one module directory (not its subdirectories)."""
    return sorted(directory.glob("*.tf"))


@functools.cache
def blocks(directory: Path = MODULE) -> dict[str, list[dict[str, Any]]]:
    """Every top-level block of a module, merged across its files by block type."""
    merged: dict[str, list[dict[str, Any]]] = {}
    for path in tf_files(directory):
        for block_type, entries in parse(path).items():
            merged.setdefault(block_type, []).extend(entries)
    return merged


def resources(directory: Path = MODULE) -> dict[tuple[str, str], dict[str, Any]]:
    """(type, name) → body of every resource of a module."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in blocks(directory).get("resource", []):
        for kind, named in entry.items():
            for name, body in named.items():
                found[(kind, name)] = body
    return found


def labelled(block_type: str, directory: Path = MODULE) -> dict[str, dict[str, Any]]:
    """name → body of every `variable`, `output` or `module` block of a module."""
    return {
        name: body
        for entry in blocks(directory).get(block_type, [])
        for name, body in entry.items()
    }


def module_locals(directory: Path = MODULE) -> dict[str, Any]:
    """Every local value of a module."""
    return {k: v for entry in blocks(directory).get("locals", []) for k, v in entry.items()}


def example_dirs() -> list[Path]:
    """The root modules under examples/."""
    return sorted(path.parent for path in EXAMPLES.glob("*/main.tf"))


def all_resources() -> list[tuple[Path, str, str, dict[str, Any]]]:
    """Every resource of the module and of its examples, with its directory."""
    return [
        (directory, kind, name, body)
        for directory in [MODULE, *example_dirs()]
        for (kind, name), body in resources(directory).items()
    ]


def render(template: str, values: dict[str, Any]) -> str:
    """A string template of the module with `${var.X}`, `${local.Y}` and `coalesce()` resolved.

    Just enough HCL to read the Workload Identity member the way Terraform would build it.
    """
    locals_ = module_locals()

    def evaluate(expression: str) -> Any:
        expression = expression.strip()
        if call := re.fullmatch(r"coalesce\((.*)\)", expression):
            arguments = [evaluate(part) for part in call.group(1).split(",")]
            return next(value for value in arguments if value not in (None, ""))
        if reference := re.fullmatch(r"var\.(\w+)", expression):
            return values[reference.group(1)]
        if reference := re.fullmatch(r"local\.(\w+)", expression):
            return render(locals_[reference.group(1)], values)
        raise AssertionError(f"no rendering for ${{{expression}}}")

    return re.sub(r"\$\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}", lambda m: str(evaluate(m[1])), template)


def variable_values(**overrides: Any) -> dict[str, Any]:
    """The module's variable defaults, with `overrides` for the required ones and any other."""
    values = {name: body.get("default") for name, body in labelled("variable").items()}
    values.update(overrides)
    return values
