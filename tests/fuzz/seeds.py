"""Real documents from the repository that the fuzz tests mutate: rules, manifests, configs,
IAM policies, gcloud listings, Cloud Asset results and a Terraform plan.

Read once per process; nothing here is generated or committed.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from auditor.engine.loader import load_rules
from auditor.engine.rule import Rule
from auditor.paths import bundled_rules_dir

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "auditor" / "demo"
ESTATE = DEMO / "estate"
_YAML_BLOCK = re.compile(r"```yaml\n(.*?)```", re.DOTALL)
_CONFIG_SECTIONS = {"rules", "scan", "waivers", "pii", "logging", "state", "daemon", "sources"}


def _texts(paths: list[Path]) -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(paths)]


@cache
def rule_files() -> list[Path]:
    """Every bundled rule file."""
    return sorted((REPO / "rules").rglob("*.yaml"))


@cache
def rule_texts() -> list[str]:
    """A spread of bundled rule files (every fifth: all domains, quick to sample)."""
    return _texts(rule_files()[::5])


@cache
def rule_documents() -> list[dict[str, Any]]:
    """The same rules parsed, for structural mutation."""
    return [yaml.safe_load(text) for text in rule_texts()]


@cache
def manifest_texts() -> list[str]:
    """The demo estate's manifests and the test fixtures' (multi-document, List, nested)."""
    paths = [*(ESTATE / "k8s").glob("*.yaml"), *(REPO / "tests/fixtures/k8s").rglob("*.yaml")]
    return _texts([p for p in paths if "templates" not in p.parts and "chart" not in p.parts])


@cache
def manifest_documents() -> list[Any]:
    """Every document of those manifests, one per seed."""
    documents: list[Any] = []
    for text in manifest_texts():
        try:
            documents.extend(d for d in yaml.safe_load_all(text) if d is not None)
        except yaml.YAMLError:
            continue  # tests/fixtures/k8s/broken is broken on purpose
    return documents


@cache
def config_texts() -> list[str]:
    """The demo config and every auditor.yaml example in docs/ (blocks of config sections)."""
    texts = [(DEMO / "auditor.yaml").read_text(encoding="utf-8")]
    for doc in sorted((REPO / "docs").rglob("*.md")):
        for block in _YAML_BLOCK.findall(doc.read_text(encoding="utf-8")):
            try:
                data = yaml.safe_load(block)
            except yaml.YAMLError:
                continue
            if isinstance(data, dict) and data and set(data) <= _CONFIG_SECTIONS:
                texts.append(block)
    return texts


@cache
def config_documents() -> list[dict[str, Any]]:
    """Those configs parsed (dates stay text, as the config loader reads them)."""
    return [_yaml_text_dates(text) for text in config_texts()]


def _yaml_text_dates(text: str) -> Any:
    from auditor.yaml_lines import SafeTextLoader

    return yaml.load(text, Loader=SafeTextLoader)


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def policy_files() -> list[Path]:
    """IAM policy files (gcloud get-iam-policy output) of the demo estate and fixtures."""
    names = [*(ESTATE / "gcp").glob("projects.*.json"), *(REPO / "tests/fixtures/gcp").glob("*")]
    return sorted(
        p
        for p in names
        if p.suffix == ".json"
        and not p.name.endswith(".labels.json")
        and re.match(r"(projects|folders|organizations)[._]", p.name)
    )


@cache
def policy_documents() -> list[Any]:
    """Those policies parsed."""
    return [_json(p) for p in policy_files()]


@cache
def listing_documents() -> list[Any]:
    """gcloud listings: service accounts, keys, custom roles, GKE clusters, activity."""
    prefixes = ("service-accounts.", "keys.", "role.", "roles.", "gke.", "activity.")
    paths = [*(ESTATE / "gcp").glob("*.json"), *(REPO / "tests/fixtures/gcp").glob("*.json")]
    return [_json(p) for p in sorted(paths) if p.name.startswith(prefixes)]


@cache
def asset_documents() -> tuple[list[Any], list[Any]]:
    """Cloud Asset search results: (IAM policy results, resource results)."""
    policies = ESTATE / "gcp" / "assets.iam-policies.json"
    resources = ESTATE / "gcp" / "assets.resources.json"
    return (
        _json(policies) if policies.is_file() else [],
        _json(resources) if resources.is_file() else [],
    )


@cache
def terraform_plan() -> Any:
    """The fixture Terraform plan (`terraform show -json`)."""
    return _json(REPO / "tests" / "fixtures" / "terraform" / "plan.json")


@cache
def airflow_snapshot() -> Any:
    """The demo estate's Airflow snapshot (resources as the collector produced them)."""
    return _json(ESTATE / "airflow" / "snapshot.json")


@cache
def bundled_rules() -> list[Rule]:
    """The bundled rule library, loaded once per process (every fuzz file judges with it)."""
    loaded = load_rules([bundled_rules_dir()])
    assert loaded.ok, loaded.problems
    return loaded.rules
