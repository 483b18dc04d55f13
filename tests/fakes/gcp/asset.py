"""A fake Cloud Asset Inventory v1 gRPC service (`google.cloud.asset.v1.AssetService`):
SearchAllIamPolicies and SearchAllResources over a seeded inventory, filtered by scope and
asset type, paged as the real API pages (at most 500 per page), with versionedResources only
when the read mask asks for them — as the published API behaves."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.cloud import asset_v1

from tests.fakes.gcp import asset_seed
from tests.fakes.gcp.faults import FakeRecord, denial_message
from tests.fakes.gcp.grpc_service import GrpcFake, Rpc, RpcError

SERVICE = "google.cloud.asset.v1.AssetService"
MAX_PAGE = 500
DEFAULT_PAGE = 100
_SCOPE = re.compile(r"^(organizations|folders|projects)/([^/]+)$")


@dataclass
class AssetInventory:
    """What the fake serves: results in gcloud's JSON shape, and the scopes it may search."""

    policies: list[dict[str, Any]] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)
    # project id → number, to accept projects/ID scopes as the API does
    project_numbers: dict[str, str] = field(default_factory=dict)
    denied_scopes: set[str] = field(default_factory=set)


def data_platform() -> AssetInventory:
    """The seeded acme data platform (tests/fakes/gcp/asset_seed.py)."""
    return AssetInventory(
        asset_seed.iam_policies(),
        asset_seed.resources(),
        {"acme-data-prod": asset_seed.PROD, "acme-data-staging": asset_seed.STAGING},
    )


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"cai{offset}".encode()).decode()


def _offset(token: str) -> int:
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode()[3:])
    except (ValueError, UnicodeDecodeError):
        raise RpcError(grpc.StatusCode.INVALID_ARGUMENT, "Invalid page_token.") from None


class AssetFake:
    """Builds the GrpcFake for an inventory."""

    def __init__(self, inventory: AssetInventory, record: FakeRecord, latency: float = 0.0) -> None:
        self.inventory = inventory
        self.page_sizes: list[int] = []  # the page size each call asked for
        rpcs = {
            "SearchAllIamPolicies": Rpc(
                asset_v1.SearchAllIamPoliciesRequest,
                asset_v1.SearchAllIamPoliciesResponse,
                lambda r: r.scope,
                self.search_policies,
            ),
            "SearchAllResources": Rpc(
                asset_v1.SearchAllResourcesRequest,
                asset_v1.SearchAllResourcesResponse,
                lambda r: r.scope,
                self.search_resources,
            ),
        }
        self.grpc = GrpcFake(SERVICE, rpcs, record, latency)

    def _in_scope(self, scope: str, method: str) -> Callable[[dict[str, Any]], bool]:
        found = _SCOPE.match(scope)
        if found is None:
            raise RpcError(grpc.StatusCode.INVALID_ARGUMENT, f"Invalid scope: {scope}.")
        if scope in self.inventory.denied_scopes:
            raise RpcError(grpc.StatusCode.PERMISSION_DENIED, denial_message(method, scope))
        collection, key = found.groups()
        if collection == "projects":
            number = self.inventory.project_numbers.get(key, key)
            return lambda raw: raw.get("project") == f"projects/{number}"
        if collection == "folders":
            return lambda raw: scope in raw.get("folders", [])
        return lambda raw: raw.get("organization") == scope

    @staticmethod
    def _typed(asset_types: list[str]) -> Callable[[dict[str, Any]], bool]:
        patterns = [re.compile(t) for t in asset_types]
        return lambda raw: not patterns or any(p.fullmatch(raw["assetType"]) for p in patterns)

    def _page(self, request: Any, items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
        size = request.page_size if request.page_size > 0 else DEFAULT_PAGE
        size = min(size, MAX_PAGE)
        self.page_sizes.append(size)
        start = _offset(request.page_token)
        more = start + size < len(items)
        return items[start : start + size], _token(start + size) if more else ""

    def search_policies(self, request: Any) -> Any:
        in_scope = self._in_scope(request.scope, f"{SERVICE}.SearchAllIamPolicies")
        typed = self._typed(list(request.asset_types))
        items = [raw for raw in self.inventory.policies if in_scope(raw) and typed(raw)]
        page, token = self._page(request, items)
        return asset_v1.SearchAllIamPoliciesResponse(
            results=[_message(asset_v1.IamPolicySearchResult, raw) for raw in page],
            next_page_token=token,
        )

    def search_resources(self, request: Any) -> Any:
        in_scope = self._in_scope(request.scope, f"{SERVICE}.SearchAllResources")
        typed = self._typed(list(request.asset_types))
        items = [raw for raw in self.inventory.resources if in_scope(raw) and typed(raw)]
        page, token = self._page(request, items)
        paths = set(request.read_mask.paths) if request.read_mask else set()
        versioned = bool(paths & {"*", "versioned_resources", "versionedResources"})
        return asset_v1.SearchAllResourcesResponse(
            results=[
                _message(
                    asset_v1.ResourceSearchResult,
                    raw
                    if versioned
                    else {k: v for k, v in raw.items() if k != "versionedResources"},
                )
                for raw in page
            ],
            next_page_token=token,
        )


def _message(message_class: Any, raw: dict[str, Any]) -> Any:
    return message_class.from_json(json.dumps(raw), ignore_unknown_fields=True)
