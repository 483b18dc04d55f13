"""Inputs the fuzzers found that escaped as tracebacks or unlocated errors, each now refused
with the documented error naming file, line and field. One test per finding, minimal input."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.config import load_config
from auditor.engine.loader import load_rule_file
from auditor.errors import ConfigError, InputError, RuleError
from auditor.loaders.manifests import load_manifests


def test_control_character_in_config_names_its_line(tmp_path: Path) -> None:
    """A control character (PyYAML's ReaderError, which has no mark) is located by position."""
    path = tmp_path / "auditor.yaml"
    path.write_text("scan:\n  cluster: a\x1f\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert (caught.value.path, caught.value.line) == (str(path), 2)


def test_control_character_in_rule_names_its_line(tmp_path: Path) -> None:
    """The rule loader reports the same reader error at its line."""
    path = tmp_path / "r.yaml"
    path.write_text("id: r\n\x1f\n", encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        load_rule_file(path)
    assert (caught.value.path, caught.value.line) == (str(path), 2)


def test_control_character_in_manifest_is_one_located_line(tmp_path: Path) -> None:
    """A manifest's reader error is one line, at the character's line."""
    path = tmp_path / "m.yaml"
    path.write_text("kind: Pod\nmetadata: {name: \x1f}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_manifests([path])
    assert (caught.value.path, caught.value.line) == (str(path), 2)
    assert "\n" not in str(caught.value)


def test_duplicate_source_name_names_the_second_entry_line(tmp_path: Path) -> None:
    """Two sources with one name: the error points at the second entry's name."""
    path = tmp_path / "auditor.yaml"
    path.write_text(
        "sources:\n"
        "  - {name: a, type: files, paths: [x]}\n"
        "  - name: a\n"
        "    type: files\n"
        "    paths: [y]\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="two sources are named 'a'") as caught:
        load_config(path, environ={})
    assert (caught.value.path, caught.value.line) == (str(path), 3)
