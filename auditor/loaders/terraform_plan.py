"""`auditor scan plan.json`: a Terraform plan (`terraform show -json PLAN > plan.json`) judged
before release by the rules that judge the live estate.

The grants, service accounts, keys and custom roles the plan leaves are normalised by the same
code as gcloud exports and the live collector; every resource points at the plan file, the
line of its change and its Terraform address (SARIF logical location).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.gcp.assets import AssetFormatError, normalise_assets
from auditor.gcp.estate import IamFacts, ListingConflict, normalise_listings
from auditor.gcp.iam import PROJECT_KIND, normalise_policies
from auditor.gcp.policy import PolicyFormatError, dotted
from auditor.loaders.json_lines import JsonLocator
from auditor.loaders.result import LoadResult
from auditor.model import PiiLabel
from auditor.terraform.accounts import plan_listings
from auditor.terraform.assets import plan_assets
from auditor.terraform.iam import grant_members, plan_policies
from auditor.terraform.plan import PlanFormatError, read_plan
from auditor.textfiles import read_input_text

SOURCE = "terraform-plan"


def load_terraform_plan(
    path: Path, document: Any, *, pii: PiiLabel | None = None, source: str = SOURCE
) -> LoadResult:
    """The resources `document` (the plan read from `path`) leaves after apply.

    Raises InputError naming the file, the line and the field of a malformed plan.
    """
    display = str(path)
    locator = JsonLocator(read_input_text(path), display)
    try:
        plan = read_plan(document, locator.line_of, display)
    except PlanFormatError as exc:
        raise InputError(
            f"{dotted(exc.path)}: {exc.detail} (reading a Terraform plan)",
            path=display,
            line=locator.line_of(exc.path),
        ) from None
    iam = plan_policies(plan)
    result = LoadResult(warnings=[*plan.warnings, *iam.warnings])
    try:
        normalised = normalise_policies(iam.snapshots, source=source, pii=pii)
    except PolicyFormatError as exc:
        snapshot = next((s for s in iam.snapshots if s.scope == exc.scope), None)
        where = snapshot.locate(exc.path) if snapshot and snapshot.locate else None
        raise InputError(
            f"{exc.scope}: {exc} (from the plan's IAM resources)",
            path=display,
            line=where.line if where else None,
        ) from None
    # Projects whose audit logging the plan does not declare are set up outside Terraform:
    # judging them from the plan alone would call every project's Data Access logs off.
    result.resources.extend(
        resource
        for resource in normalised.resources
        if resource.kind != PROJECT_KIND or resource.scope in iam.audit_declared
    )
    result.warnings.extend(normalised.warnings)
    assets = plan_assets(plan, lambda r: grant_members(r, plan), iam.snapshots)
    result.warnings.extend(assets.warnings)
    try:
        resource_level = normalise_assets(
            assets.policies,
            assets.resources,
            source=source,
            pii=pii,
            projects=assets.projects,
            locate_policy=assets.locate,
        )
    except AssetFormatError as exc:
        line = exc.where.line if exc.where else None
        raise InputError(
            f"{exc.detail} (from the plan's IAM resources)", path=display, line=line
        ) from None
    result.resources.extend(resource_level.resources)
    result.warnings.extend(resource_level.warnings)
    listings, warnings = plan_listings(plan)
    result.warnings.extend(warnings)
    try:
        result.resources.extend(
            normalise_listings(
                listings,
                source=source,
                iam=IamFacts.from_resources(normalised.resources),
                pii=pii,
            )
        )
    except ListingConflict as exc:
        line = exc.location.line if exc.location else None
        raise InputError(str(exc), path=display, line=line) from None
    return result
