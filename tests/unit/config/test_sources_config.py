"""`sources:` entries are validated against their own type, with file:line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.collectors.files import FilesSettings
from auditor.collectors.secrets import SecretRef
from auditor.config import load_config
from auditor.errors import ConfigError


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "auditor.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_source_entries_become_typed_settings(tmp_path: Path) -> None:
    """Each entry is parsed by its type's settings model."""
    path = _write(tmp_path, "sources:\n  - {name: gitops, type: files, paths: [k8s]}\n")
    [source] = load_config(path, environ={}).sources
    assert isinstance(source, FilesSettings)
    assert source.paths == [Path("k8s")]
    assert source.timeout_seconds == 30.0


def test_unknown_source_type_names_the_line(tmp_path: Path) -> None:
    """An unknown type lists the known ones at the type's line."""
    path = _write(tmp_path, "sources:\n  - name: x\n    type: oracle\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert caught.value.line == 3
    assert "unknown source type 'oracle'; expected one of:" in caught.value.detail


def test_unknown_key_in_a_source_names_its_path(tmp_path: Path) -> None:
    """A misspelled source field is an error at its line."""
    path = _write(
        tmp_path, "sources:\n  - name: x\n    type: files\n    paths: [a]\n    pahts: [b]\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert caught.value.one_line() == f"{path}:5: sources.0.pahts: unknown key"


def test_duplicate_source_names(tmp_path: Path) -> None:
    """Two sources cannot share a name: it keys their health and findings."""
    path = _write(
        tmp_path,
        "sources:\n  - {name: a, type: files, paths: [x]}\n  - {name: a, type: files, paths: [y]}\n",
    )
    with pytest.raises(ConfigError, match="two sources are named 'a'"):
        load_config(path, environ={})


def test_secret_ref_reads_env_or_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A secret comes from exactly one of env or file, and a missing one says where it looked."""
    secret_file = tmp_path / "password"
    secret_file.write_text("s3cret\n")
    assert SecretRef(file=secret_file).read() == "s3cret"
    monkeypatch.setenv("AUDITOR_TEST_PASSWORD", "from-env")
    assert SecretRef(env="AUDITOR_TEST_PASSWORD").read() == "from-env"
    with pytest.raises(ValueError, match="exactly one of env or file"):
        SecretRef(env="A", file=secret_file)
    with pytest.raises(Exception, match="secret not set: environment variable NOPE") as caught:
        SecretRef(env="NOPE").read()
    assert "s3cret" not in str(caught.value)
