"""Cloud Asset Inventory: every allow policy set on a resource, and the resources themselves,
searched per scope (organization, folders or projects) and paged to the end, then normalised
by auditor.gcp.assets exactly as `gcloud asset search-all-*` exports are.

A scope whose search fails is a problem naming it and, for a denial, the permission
(cloudasset.assets.searchAllIamPolicies / searchAllResources); the other scopes still count.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from google.cloud import asset_v1
from google.protobuf import field_mask_pb2  # type: ignore[import-untyped]

from auditor.collectors.gcp.calls import Api, ApiCaller, CallFailed, Method, first_page
from auditor.collectors.gcp.clients import GcpClients
from auditor.collectors.gcp.discovery import Hierarchy
from auditor.collectors.gcp.messages import as_json
from auditor.collectors.gcp.settings import GcpSettings
from auditor.collectors.gcp.tasks import Tasks
from auditor.gcp.asset_context import KnownProject
from auditor.gcp.asset_results import (
    AssetPolicy,
    AssetResource,
    parse_policy_result,
    parse_resource_result,
)
from auditor.gcp.assets import AssetFormatError, normalise_assets, parse_asset_policy
from auditor.gcp.fields import ListingFormatError
from auditor.model import PiiLabel, Resource

# Every field of each resource, versionedResources included: the facts live there.
ALL_FIELDS = field_mask_pb2.FieldMask(paths=["*"])


class AssetReader:
    """Searches every scope for policies and resources, concurrently."""

    def __init__(
        self, settings: GcpSettings, clients: GcpClients, caller: ApiCaller, tasks: Tasks
    ) -> None:
        self.settings = settings
        self.clients = clients
        self.caller = caller
        self.tasks = tasks
        self.policies: list[dict[str, Any]] = []
        self.resources: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def scopes(self, hierarchy: Hierarchy) -> list[str]:
        """The scopes searched: configured, else the source's own selection."""
        own = self.settings.assets.scope
        if own:
            return list(own)
        if self.settings.organization:
            return [f"organizations/{self.settings.organization}"]
        if self.settings.folders:
            return [f"folders/{folder}" for folder in self.settings.folders]
        return [project.scope for project in hierarchy.projects]

    def start(self, hierarchy: Hierarchy) -> None:
        """Submit both searches of every scope."""
        for scope in self.scopes(hierarchy):
            self.tasks.submit(Api.ASSET, self._policies, scope)
            self.tasks.submit(Api.ASSET, self._resources, scope)

    def _client(self) -> asset_v1.AssetServiceClient:
        assert self.clients.asset is not None  # built whenever assets.enabled
        return self.clients.asset

    def _policies(self, scope: str) -> None:
        wanted = self.settings.assets

        def fetch(token: str, timeout: float) -> Any:
            request = asset_v1.SearchAllIamPoliciesRequest(
                scope=scope,
                asset_types=wanted.asset_types,
                page_size=wanted.page_size,
                page_token=token,
            )
            pager = self._client().search_all_iam_policies(
                request=request, retry=None, timeout=timeout
            )
            return first_page(pager)

        found: list[dict[str, Any]] = []
        try:
            for page in self.caller.pages(Api.ASSET, Method.SEARCH_IAM_POLICIES, scope, fetch):
                found.extend(as_json(result) for result in page.results)
        except CallFailed as failure:
            raise failure.so("resource-level IAM there is not judged") from None
        with self._lock:
            self.policies.extend(found)

    def _resources(self, scope: str) -> None:
        wanted = self.settings.assets

        def fetch(token: str, timeout: float) -> Any:
            request = asset_v1.SearchAllResourcesRequest(
                scope=scope,
                asset_types=wanted.asset_types,
                page_size=wanted.page_size,
                page_token=token,
                read_mask=ALL_FIELDS,
            )
            pager = self._client().search_all_resources(
                request=request, retry=None, timeout=timeout
            )
            return first_page(pager)

        found: list[dict[str, Any]] = []
        try:
            for page in self.caller.pages(Api.ASSET, Method.SEARCH_RESOURCES, scope, fetch):
                found.extend(as_json(result) for result in page.results)
        except CallFailed as failure:
            raise failure.so("its resources' facts are not judged") from None
        with self._lock:
            self.resources.extend(found)

    def normalised(
        self,
        hierarchy: Hierarchy,
        pii: PiiLabel,
        observed_at: datetime,
        problem: Callable[[str], None],
    ) -> list[Resource]:
        """The resources the searches make; a malformed result is named and left out."""
        policies = [p for p in self._parsed_policies(problem) if self._scanned(p, hierarchy)]
        resources = [r for r in self._parsed_resources(problem) if self._scanned(r, hierarchy)]
        projects = [
            KnownProject(project.project_id, project.number, project.labels)
            for project in hierarchy.projects
        ]
        normalised = normalise_assets(
            policies,
            resources,
            source=self.settings.name,
            pii=pii,
            projects=projects,
            observed_at=observed_at,
        )
        return normalised.resources

    def _scanned(self, result: AssetPolicy | AssetResource, hierarchy: Hierarchy) -> bool:
        """With include/exclude filters, only results of the projects discovery kept."""
        settings = self.settings
        if settings.assets.scope or not (settings.include or settings.exclude):
            return True
        numbers = {f"projects/{p.number}" for p in hierarchy.projects if p.number}
        return result.project is None or result.project in numbers

    def _parsed_policies(self, problem: Callable[[str], None]) -> list[AssetPolicy]:
        parsed = []
        for raw in self.policies:
            try:
                result = parse_policy_result(raw, ())
                parse_asset_policy(result)
            except (ListingFormatError, AssetFormatError) as exc:
                problem(f"{_named(raw, 'resource')}: SearchAllIamPolicies result malformed: {exc}")
                continue
            parsed.append(result)
        return parsed

    def _parsed_resources(self, problem: Callable[[str], None]) -> list[AssetResource]:
        parsed = []
        for raw in self.resources:
            try:
                parsed.append(parse_resource_result(raw, ()))
            except ListingFormatError as exc:
                problem(f"{_named(raw, 'name')}: SearchAllResources result malformed: {exc}")
        return parsed


def _named(raw: Any, key: str) -> str:
    name = raw.get(key) if isinstance(raw, dict) else None
    return name if isinstance(name, str) and name else "a result"
