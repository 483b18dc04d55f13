"""Where the bundled rule library and demo estate live, from a wheel or from a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled_rules_dir() -> Path:
    """The rule library shipped with this installation.

    A wheel carries it inside the package (`auditor/_bundled_rules`); a checkout has it at the
    top of the repository (`rules/`).
    """
    installed = _PACKAGE / "_bundled_rules"
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / "rules"


def demo_dir() -> Path:
    """The embedded example estate of a data platform."""
    return _PACKAGE / "demo"


def rule_schema_path() -> Path:
    """The published JSON Schema of rule files."""
    return bundled_rules_dir() / "rule.schema.json"
