"""Label selectors, matched the way the API server matches them.

Two shapes exist: the set-based `LabelSelector` (matchLabels + matchExpressions) of
PodDisruptionBudgets, NetworkPolicies and workloads, and the plain equality map of Services.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from auditor.k8s.objects import mapping, sequence


def is_empty_selector(selector: Any) -> bool:
    """True for `{}` (or one with empty matchLabels and matchExpressions): it selects everything."""
    if not isinstance(selector, Mapping):
        return False
    return not mapping(selector.get("matchLabels")) and not sequence(
        selector.get("matchExpressions")
    )


def selector_matches(selector: Any, labels: Mapping[str, str]) -> bool:
    """Whether a LabelSelector selects an object with `labels`.

    A null selector selects nothing; an empty one selects everything; every matchLabels pair
    and every matchExpression must hold. An expression with an unknown operator selects
    nothing, as the API server would reject it.
    """
    if not isinstance(selector, Mapping):
        return False
    for key, value in mapping(selector.get("matchLabels")).items():
        if labels.get(str(key)) != _text(value):
            return False
    return all(
        _expression_holds(mapping(e), labels) for e in sequence(selector.get("matchExpressions"))
    )


def map_selector_matches(selector: Any, labels: Mapping[str, str]) -> bool:
    """Whether a Service-style equality map selects `labels`; an empty map selects nothing."""
    if not isinstance(selector, Mapping) or not selector:
        return False
    return all(labels.get(str(k)) == _text(v) for k, v in selector.items())


def _expression_holds(expression: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    key = str(expression.get("key", ""))
    operator = expression.get("operator")
    values = {_text(v) for v in sequence(expression.get("values"))}
    if operator == "In":
        return key in labels and labels[key] in values
    if operator == "NotIn":
        return key not in labels or labels[key] not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    return False


def _text(value: Any) -> str:
    # YAML turns `version: 2` or `enabled: true` into non-strings; labels are strings.
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
