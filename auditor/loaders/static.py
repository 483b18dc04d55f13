"""`auditor scan PATH...`: decide what each path is and hand it to the right loader.

A directory may mix manifests, IAM policy JSON, snapshots and Helm charts; a chart directory
is rendered, never read as raw templates.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.loaders.asset_search import SOURCE as ASSET_SOURCE
from auditor.loaders.asset_search import load_asset_search, looks_like_asset_search
from auditor.loaders.gcloud_estate import load_gcloud_estate, looks_like_gcloud_listing
from auditor.loaders.helm import is_chart_dir, load_chart
from auditor.loaders.iam_policy import load_iam_policy, looks_like_iam_policy
from auditor.loaders.manifests import load_manifests
from auditor.loaders.result import LoadResult
from auditor.loaders.terraform_plan import SOURCE as PLAN_SOURCE
from auditor.loaders.terraform_plan import load_terraform_plan
from auditor.model import PiiLabel, SourceHealth
from auditor.snapshot import looks_like_snapshot, read_snapshot, read_snapshot_sources
from auditor.terraform.plan import looks_like_terraform_plan
from auditor.textfiles import read_input_text

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class StaticOptions:
    """How static inputs are read: the cluster name manifests belong to, Helm values …"""

    cluster: str = "manifests"
    values_files: tuple[Path, ...] = ()
    set_values: tuple[str, ...] = ()
    release_name: str = "release"
    namespace: str = "default"
    iam_scope: str | None = None
    pii: PiiLabel = field(default_factory=PiiLabel)


@dataclass(slots=True)
class _Plan:
    manifests: list[Path] = field(default_factory=list)
    charts: list[Path] = field(default_factory=list)
    json_files: list[Path] = field(default_factory=list)


def _plan(paths: Sequence[Path]) -> _Plan:
    plan = _Plan()
    for path in paths:
        if not path.exists():
            raise InputError("no such file or directory", path=str(path))
        if path.is_dir():
            _plan_dir(path, plan)
        elif path.suffix in YAML_SUFFIXES:
            plan.manifests.append(path)
        elif path.suffix == ".json":
            plan.json_files.append(path)
        else:
            raise InputError(
                "unsupported input: expected a .yaml/.yml manifest, a .json IAM policy or "
                "snapshot, a Helm chart directory, or a directory of these",
                path=str(path),
            )
    return plan


def _plan_dir(directory: Path, plan: _Plan) -> None:
    if is_chart_dir(directory):
        plan.charts.append(directory)
        return
    for child in sorted(directory.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir():
            _plan_dir(child, plan)
        elif child.suffix in YAML_SUFFIXES:
            plan.manifests.append(child)
        elif child.suffix == ".json" and not child.name.endswith(".labels.json"):
            plan.json_files.append(child)


def _read_json(path: Path) -> Any:
    text = read_input_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", path=str(path), line=exc.lineno) from None


def load_static(
    paths: Sequence[Path], options: StaticOptions
) -> tuple[LoadResult, list[SourceHealth]]:
    """Every resource under `paths`, warnings for what was skipped, and per-input health."""
    plan = _plan(paths)
    if options.iam_scope and len(plan.json_files) > 1:
        raise InputError(
            f"--iam-scope {options.iam_scope} names the scope of one IAM policy file, but "
            f"{len(plan.json_files)} JSON files were given; name each file after its scope "
            "(projects.ID.json) instead"
        )
    result = LoadResult()
    sources: list[SourceHealth] = []

    def record(name: str, kind: str, loaded: LoadResult) -> None:
        result.extend(loaded)
        sources.append(SourceHealth(name=name, type=kind, up=True, resources=len(loaded.resources)))

    if plan.manifests:
        loaded = load_manifests(
            plan.manifests, cluster=options.cluster, source="manifests", pii=options.pii
        )
        record("manifests", "manifests", loaded)
    for chart in plan.charts:
        loaded = load_chart(
            chart,
            values_files=list(options.values_files),
            set_values=list(options.set_values),
            release_name=options.release_name,
            namespace=options.namespace,
            cluster=options.cluster,
            source=f"helm:{chart.name}",
            pii=options.pii,
        )
        record(f"helm:{chart.name}", "helm", loaded)
    policies: list[Path] = []
    listings: list[Path] = []
    asset_exports: list[Path] = []
    for path in plan.json_files:
        document = _read_json(path)
        if looks_like_snapshot(document):
            result.extend(read_snapshot(path, document))
            sources.extend(read_snapshot_sources(path, document))
        elif looks_like_terraform_plan(document):
            name = f"{PLAN_SOURCE}:{path.name}"
            loaded = load_terraform_plan(path, document, pii=options.pii, source=name)
            record(name, PLAN_SOURCE, loaded)
        elif looks_like_asset_search(document):
            asset_exports.append(path)
        elif looks_like_iam_policy(document):
            policies.append(path)
        elif looks_like_gcloud_listing(document):
            listings.append(path)
        else:
            result.warnings.append(
                f"{path}: skipped: JSON that is neither an IAM policy, gcloud output auditor "
                "reads (service accounts, keys, roles, GKE clusters, activity), a Terraform plan "
                "(terraform show -json) nor an auditor snapshot"
            )
    if options.iam_scope and policies:
        loaded = load_iam_policy(
            policies[0], scope=options.iam_scope, source="iam-policy", pii=options.pii
        )
        record("iam-policy", "iam-policy", loaded)
    elif policies or listings:
        # Together, so an organization's or folder's grants reach the projects below it, and
        # policies, keys and usage enrich the service accounts they concern.
        estate = load_gcloud_estate(policies, listings, pii=options.pii)
        if estate.policies:
            record("iam-policy", "iam-policy", estate.policies)
        if estate.listings:
            record("gcloud", "gcloud", estate.listings)
    if asset_exports:
        loaded = load_asset_search(asset_exports, pii=options.pii)
        record(ASSET_SOURCE, ASSET_SOURCE, loaded)
    return result, sources
