"""The published JSON Schemas match the models they are generated from."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import yaml

from auditor.config import config_json_schema
from auditor.engine.spec import rule_json_schema
from auditor.paths import bundled_rules_dir
from auditor.yaml_lines import SafeTextLoader

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


def _documented_configs() -> list[tuple[str, str]]:
    """Every ```yaml block of docs/sources/*.md that configures sources."""
    found = []
    for page in sorted((REPO / "docs" / "sources").glob("*.md")):
        for block in re.findall(r"```yaml\n(.*?)```", page.read_text(), flags=re.DOTALL):
            if block.lstrip().startswith("sources:"):
                found.append((page.name, block))
    return found


def test_the_documented_source_configs_validate_against_the_published_schema() -> None:
    """An editor using docs/config.schema.json accepts each source type as documented."""
    examples = _documented_configs()
    assert {name for name, _ in examples} >= {
        "airflow.md",
        "gcp.md",
        "gke.md",
        "kafka.md",
        "mysql.md",
    }
    schema = config_json_schema()
    for name, block in examples:
        document = yaml.load(block, Loader=SafeTextLoader)  # a safe loader keeping dates as text
        errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(document)]
        assert errors == [], f"{name}: {errors}"


def test_the_published_schema_refuses_a_key_the_source_type_lacks() -> None:
    schema = config_json_schema()
    document = {
        "sources": [
            {
                "name": "db",
                "type": "mysql",
                "instances": [{"name": "p", "host": "127.0.0.1", "user": "auditor"}],
                "replicas_lag_max": 30,
            }
        ]
    }
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(document))
    assert errors, "a misspelt mysql key passed the schema"
    document["sources"][0].pop("replicas_lag_max")
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(document)) == []
