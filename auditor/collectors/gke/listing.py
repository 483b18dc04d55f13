"""Listing one kind, page by page (limit/continue), into the normaliser's input.

Each page is parsed, its items made into the objects their manifests describe (served.py) and
filtered by namespace, then dropped: only the kept objects outlive their page. An expired
continue token (410) restarts that kind's list; a kind the credentials may not read (403), or
that the server does not serve (404), becomes a problem naming the kind and verb while the
other kinds still arrive.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, cast

from kubernetes import client

from auditor.collectors.base import SourceError
from auditor.collectors.gke.calls import (
    CallPolicy,
    ContinueExpired,
    Forbidden,
    NotServed,
    RawResponse,
    Request,
    call_json,
)
from auditor.collectors.gke.kinds import ListedKind
from auditor.collectors.gke.served import manifest_view
from auditor.collectors.gke.settings import NamespaceFilter
from auditor.k8s import RawObject

MAX_RESTARTS = 3
GRANTS_HINT = "grant get/list as deploy/rbac/auditor-gke-reader.yaml does"


@dataclass(slots=True)
class KindListing:
    """What listing one kind produced: kept objects, problems, and how many calls it took."""

    kind: ListedKind
    objects: list[RawObject] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    calls: int = 0
    restarts: int = 0


class Lister:
    """Lists kinds through one API client, within one collection's policy."""

    def __init__(
        self,
        api_client: client.ApiClient,
        policy: CallPolicy,
        *,
        page_size: int,
        namespaces: NamespaceFilter,
    ) -> None:
        self._api_client = api_client
        self._policy = policy
        self._page_size = page_size
        self._filter = namespaces
        self._named = namespaces.named()

    def list_kind(self, kind: ListedKind) -> KindListing:
        """Every wanted object of `kind`; SourceError when the server cannot be read."""
        listing = KindListing(kind)
        if kind.kind == "Namespace" and self._named is not None:
            for name in self._named:
                self._get_namespace(name, listing)
        elif kind.namespaced and self._named is not None:
            for namespace in self._named:
                self._list(kind, namespace, listing)
        else:
            self._list(kind, None, listing)
        return listing

    def wanted(self, namespace: str) -> bool:
        """Whether objects of `namespace` are read under the include/exclude filter."""
        included = not self._filter.include or any(
            fnmatchcase(namespace, p) for p in self._filter.include
        )
        return included and not any(fnmatchcase(namespace, p) for p in self._filter.exclude)

    def _list(self, kind: ListedKind, namespace: str | None, listing: KindListing) -> None:
        method = getattr(
            getattr(client, kind.api)(self._api_client), kind.list_method(bool(namespace))
        )
        where = _where(kind, namespace)
        for restart in range(MAX_RESTARTS + 1):
            try:
                listing.objects.extend(self._pages(method, kind, namespace, where, listing))
                return
            except ContinueExpired:
                # The snapshot behind the token is gone: start over for a consistent list.
                listing.restarts += 1
                if restart == MAX_RESTARTS:
                    raise SourceError(
                        "protocol",
                        f"listing {kind.resource}{where}: the continue token expired "
                        f"{restart + 1} times; raise page_size or timeouts",
                    ) from None
            except Forbidden:
                listing.problems.append(
                    f"cannot list {kind.resource}{where}: forbidden; {GRANTS_HINT}"
                )
                return
            except NotServed:
                listing.problems.append(
                    f"cannot list {kind.resource}{where}: {kind.api_version} is not served by "
                    "this API server"
                )
                return

    def _pages(
        self,
        method: Callable[..., Any],
        kind: ListedKind,
        namespace: str | None,
        where: str,
        listing: KindListing,
    ) -> list[RawObject]:
        kept: list[RawObject] = []
        token: str | None = None
        page = 0
        while True:
            page += 1
            document = call_json(
                self._page_request(method, namespace, token),
                f"listing {kind.resource}{where} (page {page})",
                self._policy,
            )
            listing.calls += 1
            for item in _items(document):
                if self._keep(item, kind):
                    view = manifest_view(item, kind)
                    if view is not None:
                        kept.append(RawObject(view))
            token = _continue_token(document)
            if token is None:
                return kept

    def _page_request(
        self, method: Callable[..., Any], namespace: str | None, token: str | None
    ) -> Request:
        args = (namespace,) if namespace else ()

        def request(timeouts: tuple[float, float]) -> RawResponse:
            # Raw JSON (_preload_content=False): no model objects are built or validated.
            return cast(
                RawResponse,
                method(
                    *args,
                    limit=self._page_size,
                    _continue=token,
                    _preload_content=False,
                    _request_timeout=timeouts,
                ),
            )

        return request

    def _keep(self, item: dict[str, Any], kind: ListedKind) -> bool:
        metadata = item.get("metadata")
        if not isinstance(metadata, dict):
            return True  # the normaliser reports it
        if kind.kind == "Namespace":
            return self.wanted(str(metadata.get("name") or ""))
        if kind.namespaced:
            return self.wanted(str(metadata.get("namespace") or ""))
        return True

    def _get_namespace(self, name: str, listing: KindListing) -> None:
        api = client.CoreV1Api(self._api_client)

        def request(timeouts: tuple[float, float]) -> RawResponse:
            raw = api.read_namespace(name, _preload_content=False, _request_timeout=timeouts)
            return cast(RawResponse, raw)

        try:
            document = call_json(request, f"getting namespace {name}", self._policy)
        except Forbidden:
            listing.problems.append(f"cannot get namespaces/{name}: forbidden; {GRANTS_HINT}")
            return
        except NotServed:
            listing.problems.append(f"namespace {name} (namespaces.include) does not exist")
            return
        listing.calls += 1
        if self.wanted(name):
            view = manifest_view(document, listing.kind)
            if view is not None:
                listing.objects.append(RawObject(view))


def _where(kind: ListedKind, namespace: str | None) -> str:
    if namespace:
        return f" in namespace {namespace}"
    return " in all namespaces" if kind.namespaced else ""


def _items(document: dict[str, Any]) -> list[dict[str, Any]]:
    items = document.get("items")
    if not isinstance(items, list):
        raise SourceError("protocol", "a list answer has no items")
    return [item for item in items if isinstance(item, dict)]


def _continue_token(document: dict[str, Any]) -> str | None:
    metadata = document.get("metadata")
    token = metadata.get("continue") if isinstance(metadata, dict) else None
    return token if isinstance(token, str) and token else None
