"""Cloud Asset Inventory search results of one scan normalised together: resource-level IAM
(gcp.iam_binding, gcp.iam_member, gcp.impersonation_path) and resource facts (datasets,
tables, buckets, topics, subscriptions, functions, Dataflow jobs, Bigtable instances).

The one normaliser the live collector (auditor/collectors/gcp/assets.py) and the static loader
of `gcloud asset search-all-*` exports (auditor/loaders/asset_search.py) share. Policies set
on projects, folders and organizations are read for what they say about service accounts
(the roles an impersonation target holds) but become no bindings here: the Resource Manager
reads and `get-iam-policy` files, which know the hierarchy, make those.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from auditor.gcp.asset_context import AssetContext, KnownProject, ParsedPolicy
from auditor.gcp.asset_results import RESOURCE_MANAGER_ASSETS, AssetPolicy, AssetResource
from auditor.gcp.policy import PolicyFormatError, dotted, parse_policy
from auditor.gcp.resource_facts import resource_fact
from auditor.gcp.resource_iam import Locator, ResourceIam
from auditor.model import Location, PiiLabel, Resource


class AssetFormatError(ValueError):
    """A search result whose policy does not have the IAM API's shape; `where` is its place
    in a file (static inputs), `path` the field (`[3].policy.bindings[0].role`)."""

    def __init__(self, message: str, where: Location | None, path: tuple[str | int, ...]) -> None:
        self.where = where
        self.path = path
        self.detail = message
        super().__init__(f"{dotted(path)}: {message}" if path else message)


@dataclass(slots=True)
class NormalisedAssets:
    """The resources made from one scan's search results."""

    resources: list[Resource] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_asset_policy(result: AssetPolicy) -> ParsedPolicy:
    """The result with its policy parsed; AssetFormatError naming the field otherwise."""
    try:
        return ParsedPolicy(result, parse_policy(result.policy))
    except PolicyFormatError as exc:
        path = (*result.path, "policy", *exc.path)
        raise AssetFormatError(
            f"{exc.detail} (policy of {result.resource})", result.where, path
        ) from None


def normalise_assets(
    policies: Sequence[AssetPolicy],
    resources: Sequence[AssetResource],
    *,
    source: str,
    pii: PiiLabel | None = None,
    projects: Iterable[KnownProject] = (),
    observed_at: datetime | None = None,
    locate_policy: Locator | None = None,
) -> NormalisedAssets:
    """Every resource the search results of one scan make (see the module docstring).

    `projects` maps project numbers (search results name projects by number) to ids and
    labels, beside what Project results in `resources` say. Raises AssetFormatError for a
    malformed policy.
    """
    parsed = [parse_asset_policy(result) for result in policies]
    ctx = AssetContext(parsed, resources, projects, pii or PiiLabel())
    iam = ResourceIam(ctx, locate_policy)
    out = NormalisedAssets()
    for one in parsed:
        for warning in one.policy.warnings:
            out.warnings.append(f"{one.result.resource} {dotted(warning.path)}: {warning.message}")
        iam.impersonation(one)
        if one.result.asset_type in RESOURCE_MANAGER_ASSETS:
            continue
        iam.bindings(one)
        iam.members(one)
    for kind, rid, scope, data, where in iam.made.items:
        out.resources.append(Resource(kind, rid, source, scope, data, observed_at, where))
    seen: set[str] = set()
    for asset in resources:
        fact = resource_fact(asset, ctx)
        if fact is None or fact.id in seen:
            continue
        seen.add(fact.id)
        out.resources.append(
            Resource(fact.kind, fact.id, source, fact.scope, fact.data, observed_at, asset.where)
        )
    return out
