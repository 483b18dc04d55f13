"""Rule files are validated in stages, and every problem names the file and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from auditor.engine.loader import load_rule_file, load_rules
from auditor.errors import RuleError
from tests.conftest import VALID_RULE


def _error(path: Path) -> RuleError:
    with pytest.raises(RuleError) as caught:
        load_rule_file(path)
    return caught.value


def test_valid_rule_loads_with_defaults(write_rule: Callable[..., Path]) -> None:
    """A valid rule compiles and carries its params' defaults."""
    rule = load_rule_file(write_rule())
    assert rule.id == "test-min-replicas"
    assert rule.kind == "k8s.workload"
    assert rule.params == {"min_replicas": 2}


def test_yaml_syntax_error_names_line(write_rule: Callable[..., Path]) -> None:
    """A YAML syntax error is reported at its line."""
    path = write_rule(text="id: x\ntitle: [unclosed\nseverity: high\n")
    error = _error(path)
    assert error.path == str(path)
    assert error.line == 3
    assert "invalid YAML" in error.detail


def test_list_instead_of_mapping_is_a_plain_language_error(
    write_rule: Callable[..., Path],
) -> None:
    """A file that is a list gets a structural error, not a schema dump."""
    error = _error(write_rule(text="- id: x\n"))
    assert "mapping of fields" in error.detail
    assert "not a list" in error.detail


def test_unknown_field_suggests_the_right_one(write_rule: Callable[..., Path]) -> None:
    """A misspelled field names its line and suggests the known field."""
    text = VALID_RULE.format(id="test-min-replicas").replace("severity:", "severty:")
    error = _error(write_rule(text=text))
    assert error.detail == "unknown field 'severty'; did you mean 'severity'?"
    assert error.line == 3


def test_missing_required_fields_are_listed(write_rule: Callable[..., Path]) -> None:
    """Missing required fields are named together."""
    error = _error(write_rule(text="id: test-min-replicas\ntitle: t\n"))
    assert error.detail.startswith("missing required fields: severity, category, resource")


def test_bad_severity_is_a_schema_error_at_its_line(write_rule: Callable[..., Path]) -> None:
    """A value outside the allowed set names the field and its line."""
    text = VALID_RULE.format(id="test-min-replicas").replace("severity: medium", "severity: huge")
    error = _error(write_rule(text=text))
    assert error.detail.startswith("field severity:")
    assert "critical" in error.detail
    assert error.line == 3


def test_case_without_fail_cases_is_rejected(write_rule: Callable[..., Path]) -> None:
    """Every rule needs at least one fail case."""
    text = VALID_RULE.format(id="test-min-replicas").split("  fail:")[0] + "  fail: []\n"
    error = _error(write_rule(text=text))
    assert error.detail.startswith("field cases.fail:")


def test_id_must_equal_file_name(write_rule: Callable[..., Path], tmp_path: Path) -> None:
    """The id and the file name agree, so a rule is found by its id."""
    path = tmp_path / "other-name.yaml"
    path.write_text(VALID_RULE.format(id="test-min-replicas"), encoding="utf-8")
    error = _error(path)
    assert "must equal the file name 'other-name'" in error.detail
    assert error.line == 1


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("resource.replicas <", "CEL does not compile"),
        ("sise(resource.containers) > 0", "unknown function 'sise'"),
        ("resourse.replicas < 2", "unknown variable 'resourse'"),
        ("resource.containers.exits(c, c.privileged)", "unknown function 'exits'"),
        ("resource.replicas < params.min_replica", "params.min_replica is not declared"),
    ],
)
def test_cel_problems_name_the_when_line(
    write_rule: Callable[..., Path], when: str, expected: str
) -> None:
    """A CEL typo is caught at load time, with the line of `when`."""
    text = VALID_RULE.format(id="test-min-replicas").replace(
        "when: resource.replicas < params.min_replicas", f"when: {when}"
    )
    error = _error(write_rule(text=text))
    assert expected in error.detail
    assert error.line == 7


def test_macro_variables_are_allowed(write_rule: Callable[..., Path]) -> None:
    """Variables bound by exists/all/map are not unknown variables."""
    text = VALID_RULE.format(id="test-min-replicas").replace(
        "when: resource.replicas < params.min_replicas",
        "when: resource.containers.exists(c, c.privileged) && math.greatest([1, 2]) > 0",
    )
    assert load_rule_file(write_rule(text=text)).when.source.startswith("resource.containers")


def test_bad_placeholder_in_message_is_reported(write_rule: Callable[..., Path]) -> None:
    """A placeholder that does not compile fails validation."""
    text = VALID_RULE.format(id="test-min-replicas").replace(
        "{{resource.name}}", "{{resource.name +}}"
    )
    error = _error(write_rule(text=text))
    assert error.detail.startswith("message: placeholder {{resource.name +}}")


def test_benchmark_reference_needs_version(write_rule: Callable[..., Path]) -> None:
    """A benchmark reference without its version is rejected: numbering changes by version."""
    text = VALID_RULE.format(id="test-min-replicas").replace('    version: "1.5.0"\n', "")
    error = _error(write_rule(text=text))
    assert "needs its version and item" in error.detail


def test_reference_url_must_be_https(write_rule: Callable[..., Path]) -> None:
    """Reference links are https."""
    text = VALID_RULE.format(id="test-min-replicas").replace("url: https://", "url: http://")
    assert "https://" in _error(write_rule(text=text)).detail


def test_case_params_must_be_declared(write_rule: Callable[..., Path]) -> None:
    """A case overriding an undeclared param is an error naming the case."""
    text = VALID_RULE.format(id="test-min-replicas").replace(
        "resource: {name: api, replicas: 1}",
        "resource: {name: api, replicas: 1}\n      params: {max_replicas: 3}",
    )
    error = _error(write_rule(text=text))
    assert "cases.fail[0] (one replica): unknown param 'max_replicas'" in error.detail


def test_load_rules_collects_every_problem(tmp_path: Path) -> None:
    """Loading a folder reports every bad file and duplicate ids, and keeps the good ones."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for folder in ("a", "b"):
        (tmp_path / folder / "dup-rule.yaml").write_text(VALID_RULE.format(id="dup-rule"))
    (tmp_path / "a" / "broken.yaml").write_text("id: [\n")
    loaded = load_rules([tmp_path])
    assert [r.id for r in loaded.rules] == ["dup-rule"]
    details = sorted(p.detail for p in loaded.problems)
    assert len(details) == 2
    assert details[0].startswith("duplicate rule id 'dup-rule'")
    assert details[1].startswith("invalid YAML")
