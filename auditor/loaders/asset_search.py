"""`gcloud asset search-all-iam-policies --format=json` and `gcloud asset search-all-resources
--read-mask='*' --format=json` exports read into the resources the live collector's Cloud
Asset Inventory reads produce, through the same normaliser (auditor.gcp.assets).

All export files of a scan are normalised together: a function's public invokers, a table's
dataset labels, the roles of a service account somebody may act as span files.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.gcp.asset_results import (
    AssetPolicy,
    AssetResource,
    looks_like_policy_results,
    looks_like_resource_results,
    parse_policy_result,
    parse_resource_result,
)
from auditor.gcp.assets import AssetFormatError, normalise_assets
from auditor.gcp.fields import ListingFormatError
from auditor.gcp.policy import dotted
from auditor.loaders.json_lines import JsonLocator
from auditor.loaders.result import LoadResult
from auditor.model import PiiLabel
from auditor.textfiles import read_input_text

SOURCE = "cloud-asset"


def looks_like_asset_search(document: Any) -> bool:
    """True for the JSON list either `gcloud asset search-all-*` command prints."""
    return looks_like_policy_results(document) or looks_like_resource_results(document)


def load_asset_search(
    paths: Sequence[str | Path], *, pii: PiiLabel | None = None, source: str = SOURCE
) -> LoadResult:
    """Every export under `paths`, normalised together. Each resource carries the line of its
    search result; a malformed result raises InputError naming the file, line and field."""
    policies: list[AssetPolicy] = []
    resources: list[AssetResource] = []
    for path in paths:
        _read(Path(path), policies, resources)
    try:
        normalised = normalise_assets(policies, resources, source=source, pii=pii)
    except AssetFormatError as exc:
        where = exc.where
        raise InputError(
            f"{dotted(exc.path)}: {exc.detail}",
            path=where.file if where else "",
            line=where.line if where else None,
        ) from None
    return LoadResult(resources=normalised.resources, warnings=normalised.warnings)


def _read(file: Path, policies: list[AssetPolicy], resources: list[AssetResource]) -> None:
    display = str(file)
    text = read_input_text(file)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg} (column {exc.colno})", path=display, line=exc.lineno
        ) from None
    if not looks_like_asset_search(document):
        raise InputError(
            "not Cloud Asset Inventory search output: expected the list `gcloud asset "
            "search-all-iam-policies` or `search-all-resources` prints",
            path=display,
            line=1,
        )
    locator = JsonLocator(text, display)
    policy_file = looks_like_policy_results(document)
    for index, raw in enumerate(document):
        path = (index,)
        try:
            if policy_file:
                policies.append(parse_policy_result(raw, path, locator.locate(path)))
            else:
                resources.append(parse_resource_result(raw, path, locator.locate(path)))
        except ListingFormatError as exc:
            command = "search-all-iam-policies" if policy_file else "search-all-resources"
            raise InputError(
                f"{dotted(exc.path)}: {exc.detail} (reading gcloud asset {command} output)",
                path=display,
                line=locator.line_of(exc.path),
            ) from None
