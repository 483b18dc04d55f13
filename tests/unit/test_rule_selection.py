"""Which rules a scan runs: bundled and extra paths, disabled globs, param overrides."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from auditor.config import AuditorConfig
from auditor.errors import ConfigError
from auditor.scan import RuleLoadFailed, select_rules


def _config(**rules: object) -> AuditorConfig:
    return AuditorConfig.model_validate({"rules": rules})


def test_extra_rules_join_the_bundled_library(write_rule: Callable[..., Path]) -> None:
    """A user's rule folder adds to the bundled rules."""
    path = write_rule()
    bundled = select_rules(_config())
    combined = select_rules(_config(paths=[str(path.parent)]))
    assert len(combined) == len(bundled) + 1
    assert "test-min-replicas" in {r.id for r in combined}


def test_disabled_globs_remove_rules(write_rule: Callable[..., Path]) -> None:
    """rules.disabled takes ids and globs."""
    path = write_rule()
    selected = select_rules(_config(bundled=False, paths=[str(path.parent)], disabled=["test-*"]))
    assert selected == []


def test_param_override_reaches_the_rule(write_rule: Callable[..., Path]) -> None:
    """rules.params overrides a default and keeps the others."""
    path = write_rule()
    [rule] = select_rules(
        _config(
            bundled=False,
            paths=[str(path.parent)],
            params={"test-min-replicas": {"min_replicas": 5}},
        )
    )
    assert rule.params == {"min_replicas": 5}


def test_override_of_unknown_rule_or_param_is_a_config_error(
    write_rule: Callable[..., Path],
) -> None:
    """A typo in rules.params names the rule or param and what exists."""
    path = write_rule()
    with pytest.raises(ConfigError, match=r"rules\.params\.nope: no rule with this id"):
        select_rules(_config(bundled=False, paths=[str(path.parent)], params={"nope": {}}))
    with pytest.raises(
        ConfigError, match=r"min_replica: the rule has no such param \(it has: min_replicas\)"
    ):
        select_rules(
            _config(
                bundled=False,
                paths=[str(path.parent)],
                params={"test-min-replicas": {"min_replica": 1}},
            )
        )


def test_invalid_rule_fails_the_whole_selection(write_rule: Callable[..., Path]) -> None:
    """One broken rule file stops the scan with every problem listed, never a partial scan."""
    path = write_rule()
    write_rule("broken-rule", text="id: broken-rule\n")
    with pytest.raises(RuleLoadFailed) as caught:
        select_rules(_config(bundled=False, paths=[str(path.parent)]))
    assert len(caught.value.problems) == 1
    assert "missing required fields" in caught.value.problems[0].detail


def test_no_rules_at_all_is_a_config_error() -> None:
    """Turning off the bundled rules without giving any is an error, not an empty pass."""
    with pytest.raises(ConfigError, match="no rules to run"):
        select_rules(_config(bundled=False))
