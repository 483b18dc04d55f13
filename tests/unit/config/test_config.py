"""auditor.yaml: unknown keys and bad values name their path and line; AUDITOR_* overrides."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from auditor.config import find_config, load_config
from auditor.errors import ConfigError
from auditor.model import Severity


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "auditor.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file() -> None:
    """No config file means the documented defaults."""
    config = load_config(None, environ={})
    assert config.scan.fail_on is Severity.HIGH
    assert config.rules.bundled is True
    assert config.pii.label == "data-classification"


def test_full_config_loads(tmp_path: Path) -> None:
    """Every section parses into typed values."""
    path = _write(
        tmp_path,
        """
rules:
  disabled: [gke-*]
  params:
    gcp-iam-external-domain: {allowed_domains: [acme.com]}
scan:
  fail_on: critical
waivers:
  - rule: gke-workload-min-replicas
    resource: "*/etl/*"
    reason: batch worker, restarts are fine
    owner: data-platform@acme.com
    expires: 2027-03-31
""",
    )
    config = load_config(path, environ={})
    assert config.scan.fail_on is Severity.CRITICAL
    assert config.rules.params["gcp-iam-external-domain"] == {"allowed_domains": ["acme.com"]}
    assert config.waivers[0].expires == date(2027, 3, 31)


def test_unknown_key_names_its_path_and_line(tmp_path: Path) -> None:
    """A misspelled key is an error at its line with its dotted path."""
    path = _write(tmp_path, "scan:\n  fail_on: high\n  fial_on: low\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert caught.value.one_line() == f"{path}:3: scan.fial_on: unknown key"


def test_waiver_with_bad_date_names_the_line(tmp_path: Path) -> None:
    """An expiry that is not a date is rejected at its line."""
    path = _write(
        tmp_path,
        "waivers:\n  - rule: r\n    reason: x\n    owner: o\n    expires: next tuesday\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert caught.value.line == 5
    assert caught.value.detail.startswith("waivers.0.expires:")


def test_waiver_without_expiry_is_rejected(tmp_path: Path) -> None:
    """A waiver cannot quietly become permanent: expires is required."""
    path = _write(tmp_path, "waivers:\n  - rule: r\n    reason: x\n    owner: o\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert "waivers.0.expires: Field required" in caught.value.detail


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    """AUDITOR_SECTION__KEY overrides the file; values parse as YAML scalars and lists."""
    path = _write(tmp_path, "scan:\n  fail_on: high\n")
    config = load_config(
        path,
        environ={
            "AUDITOR_SCAN__FAIL_ON": "low",
            "AUDITOR_RULES__DISABLED": "[a, b]",
            "AUDITOR_CONFIG": "ignored.yaml",
        },
    )
    assert config.scan.fail_on is Severity.LOW
    assert config.rules.disabled == ["a", "b"]


def test_unknown_environment_override_names_the_variable() -> None:
    """A typo in an AUDITOR_ variable is an error naming the variable."""
    with pytest.raises(ConfigError) as caught:
        load_config(None, environ={"AUDITOR_SCAN__FAILON": "low"})
    assert caught.value.one_line() == (
        "scan.failon: unknown key (from environment variable AUDITOR_SCAN__FAILON)"
    )


def test_config_that_is_not_a_mapping(tmp_path: Path) -> None:
    """A list at the top level is a plain error."""
    with pytest.raises(ConfigError, match="mapping of sections"):
        load_config(_write(tmp_path, "- a\n"), environ={})


def test_find_config_prefers_explicit_then_env(tmp_path: Path) -> None:
    """--config wins over $AUDITOR_CONFIG; a missing explicit file is an error."""
    explicit = _write(tmp_path, "{}\n")
    assert find_config(explicit, environ={"AUDITOR_CONFIG": "other.yaml"}) == explicit
    with pytest.raises(ConfigError, match="config file not found"):
        find_config(tmp_path / "missing.yaml", environ={})
    assert find_config(None, environ={"AUDITOR_CONFIG": str(explicit)}) == explicit
