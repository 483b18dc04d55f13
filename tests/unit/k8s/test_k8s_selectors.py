"""Label selector matching: matchLabels, every matchExpressions operator, empty and null."""

from __future__ import annotations

import pytest

from auditor.k8s.selectors import is_empty_selector, map_selector_matches, selector_matches

LABELS = {"app": "api", "tier": "web", "version": "2"}


def test_match_labels_must_all_hold() -> None:
    """Every matchLabels pair must equal the object's label."""
    assert selector_matches({"matchLabels": {"app": "api", "tier": "web"}}, LABELS)
    assert not selector_matches({"matchLabels": {"app": "api", "tier": "db"}}, LABELS)


def test_non_string_yaml_values_compare_as_label_text() -> None:
    """`version: 2` read by YAML as an int still matches the label "2"."""
    assert selector_matches({"matchLabels": {"version": 2}}, LABELS)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ({"key": "tier", "operator": "In", "values": ["web", "api"]}, True),
        ({"key": "tier", "operator": "In", "values": ["db"]}, False),
        ({"key": "missing", "operator": "In", "values": ["x"]}, False),
        ({"key": "tier", "operator": "NotIn", "values": ["db"]}, True),
        ({"key": "tier", "operator": "NotIn", "values": ["web"]}, False),
        ({"key": "missing", "operator": "NotIn", "values": ["web"]}, True),
        ({"key": "app", "operator": "Exists"}, True),
        ({"key": "missing", "operator": "Exists"}, False),
        ({"key": "missing", "operator": "DoesNotExist"}, True),
        ({"key": "app", "operator": "DoesNotExist"}, False),
        ({"key": "app", "operator": "Bogus", "values": ["api"]}, False),
    ],
)
def test_match_expression_operators(expression: dict[str, object], expected: bool) -> None:
    """Each operator behaves as the API server's, and an unknown one selects nothing."""
    assert selector_matches({"matchExpressions": [expression]}, LABELS) is expected


def test_labels_and_expressions_combine_with_and() -> None:
    """matchLabels and matchExpressions must both hold."""
    selector = {
        "matchLabels": {"app": "api"},
        "matchExpressions": [{"key": "tier", "operator": "In", "values": ["db"]}],
    }
    assert not selector_matches(selector, LABELS)


def test_empty_selector_selects_everything_and_null_nothing() -> None:
    """`{}` selects every object; a missing (null) selector selects none."""
    assert selector_matches({}, LABELS)
    assert selector_matches({"matchLabels": {}, "matchExpressions": []}, {})
    assert is_empty_selector({})
    assert not selector_matches(None, LABELS)
    assert not is_empty_selector(None)
    assert not is_empty_selector({"matchLabels": {"app": "api"}})


def test_service_map_selector() -> None:
    """A Service's equality map is a subset match, and an empty map selects nothing."""
    assert map_selector_matches({"app": "api"}, LABELS)
    assert not map_selector_matches({"app": "db"}, LABELS)
    assert not map_selector_matches({}, LABELS)
