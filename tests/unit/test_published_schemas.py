"""The published JSON Schemas match the models they are generated from."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from auditor.config import config_json_schema
from auditor.engine.spec import rule_json_schema
from auditor.paths import bundled_rules_dir

REPO = Path(__file__).resolve().parents[2]
REGENERATE = "regenerate with `auditor rules schema > rules/rule.schema.json`"


def test_rule_schema_file_is_in_sync() -> None:
    """rules/rule.schema.json is exactly what the rule model generates."""
    published = json.loads((REPO / "rules" / "rule.schema.json").read_text())
    assert published == rule_json_schema(), REGENERATE


def test_config_schema_file_is_in_sync() -> None:
    """docs/config.schema.json is exactly what the config model generates."""
    published = json.loads((REPO / "docs" / "config.schema.json").read_text())
    assert published == config_json_schema(), "regenerate with `auditor config schema`"


def test_every_bundled_rule_validates_against_the_published_schema() -> None:
    """An editor using the schema accepts every rule the library ships."""
    schema = rule_json_schema()
    files = sorted(bundled_rules_dir().rglob("*.yaml"))
    assert files, "the bundled rule library is empty"
    for path in files:
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)
