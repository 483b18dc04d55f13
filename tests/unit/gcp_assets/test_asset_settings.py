"""`assets:` of a gcp source: off by default, validated at its file line like every setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.collectors.gcp import GcpSettings
from auditor.collectors.gcp.asset_settings import DEFAULT_ASSET_TYPES
from auditor.config import load_config
from auditor.errors import ConfigError

SOURCE = "sources:\n  - name: acme\n    type: gcp\n    organization: '123456789012'\n"


def _load(tmp_path: Path, assets: str) -> GcpSettings:
    path = tmp_path / "auditor.yaml"
    path.write_text(SOURCE + "    assets:\n" + assets, encoding="utf-8")
    [source] = load_config(path, environ={}).sources
    assert isinstance(source, GcpSettings)
    return source


def test_off_by_default_with_the_types_auditor_reads() -> None:
    """Without `assets`, nothing is searched; the default types are the ones normalised."""
    settings = GcpSettings.model_validate(
        {"name": "acme", "type": "gcp", "organization": "123456789012"}
    )
    assert settings.assets.enabled is False
    assert settings.assets.scope == []
    assert tuple(settings.assets.asset_types) == DEFAULT_ASSET_TYPES
    assert settings.api.asset.requests_per_minute == 200


def test_scopes_and_types_are_read(tmp_path: Path) -> None:
    """Organization, folder and project scopes and regex asset types are accepted."""
    settings = _load(
        tmp_path,
        "      enabled: true\n"
        "      scope: [organizations/1, folders/22, projects/acme-data-prod]\n"
        "      asset_types: [storage.googleapis.com/Bucket, 'bigquery.googleapis.com.*']\n",
    )
    assert settings.assets.scope == ["organizations/1", "folders/22", "projects/acme-data-prod"]
    assert settings.assets.asset_types[1] == "bigquery.googleapis.com.*"


@pytest.mark.parametrize(
    ("assets", "line", "expected"),
    [
        ("      scope: [projects]\n", 6, "is not a search scope"),
        ("      asset_types: [Bucket]\n", 6, "is not an asset type"),
        ("      page_size: 501\n", 6, "less than or equal to 500"),
        ("      enable: true\n", 6, "unknown key"),
    ],
)
def test_bad_values_name_their_line(tmp_path: Path, assets: str, line: int, expected: str) -> None:
    """A wrong scope, asset type, page size or key is a config error at its line."""
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, assets)
    assert caught.value.line == line
    assert expected in caught.value.one_line()
    assert "sources.0.assets." in caught.value.one_line()
