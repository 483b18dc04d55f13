"""gcloud JSON output of one scan — IAM policies, service accounts, keys, custom roles, GKE
clusters, Activity Analyzer usage — read into the resources the live GCP collector produces.

All files of a scan are normalised together (auditor.gcp.estate), so facts that span them are
computed once: the roles a service account holds come from the policies, its key count from
the key listings, its last authentication from the usage listings.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.gcp.activity import parse_activity
from auditor.gcp.custom_roles import parse_custom_role
from auditor.gcp.estate import GcloudListings, IamFacts, ListingConflict, normalise_listings
from auditor.gcp.fields import ListingFormatError
from auditor.gcp.gke_clusters import parse_cluster
from auditor.gcp.listings import EXPECTED_LISTINGS, ListingKind, listing_items, listing_kind
from auditor.gcp.policy import FieldPath, dotted
from auditor.gcp.service_accounts import parse_key, parse_service_account

# The policy loader's locator maps a JSON path to its line; one implementation for both.
from auditor.loaders.iam_policy import load_iam_policies
from auditor.loaders.json_lines import JsonLocator
from auditor.loaders.result import LoadResult
from auditor.model import Location, PiiLabel
from auditor.textfiles import read_input_text


def looks_like_gcloud_listing(document: Any) -> bool:
    """True for JSON shaped like gcloud output auditor reads (see auditor.gcp.listings)."""
    return listing_kind(document) is not None


@dataclass(slots=True)
class GcloudEstate:
    """What a scan's gcloud files yielded: policy resources and listing resources apart, so
    each keeps its own source (`iam-policy`, `gcloud`) and health entry."""

    policies: LoadResult | None = None
    listings: LoadResult | None = None


def load_gcloud_estate(
    policies: Sequence[str | Path],
    listings: Sequence[str | Path],
    *,
    pii: PiiLabel | None = None,
    policy_source: str = "iam-policy",
    source: str = "gcloud",
) -> GcloudEstate:
    """Policy files and listing files of one scan, normalised together.

    Every problem raises InputError naming the file, the line and the field
    (`[2].keyType: …`). Each resource carries the line of its object in its file.
    """
    estate = GcloudEstate()
    iam = IamFacts()
    if policies:
        estate.policies = load_iam_policies(policies, source=policy_source, pii=pii)
        iam = IamFacts.from_resources(estate.policies.resources)
    if listings:
        parsed = GcloudListings()
        for path in listings:
            _read_listing(Path(path), parsed)
        try:
            resources = normalise_listings(parsed, source=source, iam=iam, pii=pii)
        except ListingConflict as exc:
            where = exc.location
            raise InputError(
                str(exc), path=where.file if where else "", line=where.line if where else None
            ) from None
        estate.listings = LoadResult(resources=resources, warnings=_unknown_permissions(parsed))
    return estate


def _unknown_permissions(listings: GcloudListings) -> list[str]:
    """A warning per file listing roles whose permissions no file of the scan gives."""
    described = {role.role for role, _ in listings.custom_roles if role.permissions is not None}
    files = {
        where.file
        for role, where in listings.custom_roles
        if role.permissions is None and role.role not in described and where is not None
    }
    return [
        f"{file}: roles without includedPermissions (`gcloud iam roles list` prints none): "
        "their permissions are unknown and not judged; export each with `gcloud iam roles "
        "describe ROLE_ID --project=PROJECT_ID --format=json`"
        for file in sorted(files)
    ]


def _read_listing(file: Path, into: GcloudListings) -> None:
    display = str(file)
    text = read_input_text(file)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg} (column {exc.colno})", path=display, line=exc.lineno
        ) from None
    kind = listing_kind(document)
    items = listing_items(document)
    if kind is None or items is None:
        raise InputError(
            f"not gcloud output auditor reads: expected {EXPECTED_LISTINGS}", path=display, line=1
        )
    locator = JsonLocator(text, display)
    single = not isinstance(document, list)
    for index, raw in enumerate(items):
        path: FieldPath = () if single else (index,)
        try:
            _parse_into(kind, raw, path, locator.locate(path), into)
        except ListingFormatError as exc:
            where = f"{dotted(exc.path)}: " if exc.path else ""
            raise InputError(
                f"{where}{exc.detail} (reading {kind.value} output)",
                path=display,
                line=locator.line_of(exc.path),
            ) from None


def _parse_into(
    kind: ListingKind, raw: Any, path: FieldPath, where: Location | None, into: GcloudListings
) -> None:
    if kind is ListingKind.SERVICE_ACCOUNTS:
        into.service_accounts.append((parse_service_account(raw, path), where))
    elif kind is ListingKind.KEYS:
        into.keys.append((parse_key(raw, path), where))
    elif kind is ListingKind.CUSTOM_ROLES:
        into.custom_roles.append((parse_custom_role(raw, path), where))
    elif kind is ListingKind.CLUSTERS:
        into.clusters.append((parse_cluster(raw, path), where))
    else:
        into.authentications.append(parse_activity(raw, path))
