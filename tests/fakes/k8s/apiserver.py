"""kmock's Kubernetes emulator, with the shim a list-based collector needs.

kmock serves discovery, single objects and errors the official client understands. Its gaps,
filled here (see /work/shared/components.md): lists ignore `limit`/`continue` and leave out
`kind`; `GET /api/v1/namespaces` returns 500 (its path parser takes `namespaces` for a
namespace prefix); discovery with a trailing slash (`/version/`, which the client's VersionApi
calls) is a 404. This shim serves every list itself — paged, sorted by namespace and name as
etcd keys are, typed (`PodList`), items without kind/apiVersion as a real server sends them —
plus Namespace gets, discovery (kmock names the core group "/v1", which kubectl rejects) and
the version, and can require a bearer token and inject faults (403,
429 with Retry-After, 5xx, 410 on an expired continue token). Everything else goes to kmock.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp.web
import attrs
import kmock

from tests.fakes.k8s.discovery import discovery
from tests.fakes.k8s.faults import (
    Fault,
    decode_continue,
    encode_continue,
    fault_response,
    status_response,
)
from tests.fakes.k8s.resources import SERVED, ServedResource, resource_of

GKE_VERSION = {
    "major": "1",
    "minor": "30",
    "gitVersion": "v1.30.5-gke.1014001",
    "gitCommit": "0b7b4c3b5f4e6a2f4cdb2a2b0a1a4b2e1b3c5d6e",
    "gitTreeState": "clean",
    "buildDate": "2024-10-01T09:13:41Z",
    "goVersion": "go1.22.7 X:boringcrypto",
    "compiler": "gc",
    "platform": "linux/amd64",
}
_LIST_PATH = re.compile(
    r"^/(?:api/(?P<core>v1)|apis/(?P<group>[^/]+)/(?P<version>[^/]+))"
    r"(?:/namespaces/(?P<namespace>[^/]+))?/(?P<plural>[^/]+)/?$"
)
_NAMESPACE_PATH = re.compile(r"^/api/v1/namespaces/(?P<name>[^/]+)/?$")


@dataclass(frozen=True, slots=True)
class Call:
    """One request the server received: what tests assert on (and when, for Retry-After)."""

    method: str
    path: str
    query: Mapping[str, str]
    at: float


@dataclass(slots=True)
class _Stored:
    body: dict[str, Any]
    item: bytes  # the list item as served: JSON without kind and apiVersion


@attrs.define(kw_only=True)
class ApiServerEmulator(kmock.KubernetesEmulator):
    """A Kubernetes API server for tests: objects in memory, paged lists, injectable faults."""

    server_version: dict[str, str] = attrs.field(factory=lambda: dict(GKE_VERSION))
    token: str | None = None
    faults: list[Fault] = attrs.field(factory=list)
    calls: list[Call] = attrs.field(factory=list)
    _store: dict[str, dict[tuple[str, str], _Stored]] = attrs.field(factory=dict, init=False)
    _order: dict[str, list[tuple[str, str]]] = attrs.field(factory=dict, init=False)
    _state_lock: threading.Lock = attrs.field(factory=threading.Lock, init=False)
    _revision: int = attrs.field(default=1000, init=False)

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        for served in SERVED:
            # Declared to kmock too, so its own handlers know the kinds.
            self.resources[served.key] = kmock.ResourceInfo(
                kind=served.kind, namespaced=served.namespaced, verbs={"get", "list", "watch"}
            )
            self._store[served.key] = {}

    # -- objects ---------------------------------------------------------------------------

    def put(self, body: Mapping[str, Any]) -> None:
        """Store (or replace) an object, as served: give it `as_served(...)` output."""
        served = resource_of(str(body["apiVersion"]), str(body["kind"]))
        meta = body["metadata"]
        key = (str(meta.get("namespace") or "") if served.namespaced else "", str(meta["name"]))
        item = {k: v for k, v in body.items() if k not in ("kind", "apiVersion")}
        stored = _Stored(dict(body), json.dumps(item, separators=(",", ":")).encode())
        with self._state_lock:
            self._revision += 1
            self._store[served.key][key] = stored
            self._order.pop(served.key, None)

    def put_all(self, bodies: list[dict[str, Any]]) -> None:
        """Store many objects."""
        for body in bodies:
            self.put(body)

    def remove(self, api_version: str, kind: str, namespace: str | None, name: str) -> None:
        """Delete an object."""
        served = resource_of(api_version, kind)
        with self._state_lock:
            self._revision += 1
            self._store[served.key].pop((namespace or "", name), None)
            self._order.pop(served.key, None)

    def clear(self) -> None:
        """Forget every object, fault and recorded call."""
        with self._state_lock:
            for objects in self._store.values():
                objects.clear()
            self._order.clear()
            self.faults.clear()
            self.calls.clear()

    # -- faults ----------------------------------------------------------------------------

    def forbid(self, plural: str, namespace: str | None = None) -> None:
        """Every list of `plural` (in `namespace`, '' = cluster-wide, None = anywhere) → 403."""
        self.faults.append(Fault(plural, 403, times=None, namespace=namespace))

    def throttle(self, plural: str, *, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` lists of `plural` → 429 Too Many Requests with Retry-After."""
        self.faults.append(Fault(plural, 429, times=times, retry_after=retry_after))

    def fail(self, plural: str, *, status: int = 503, times: int | None = 1) -> None:
        """The next `times` lists of `plural` → a 5xx."""
        self.faults.append(Fault(plural, status, times=times))

    def stall(self, plural: str, seconds: float, *, times: int | None = 1) -> None:
        """The next `times` lists of `plural` answer only after `seconds`."""
        self.faults.append(Fault(plural, 0, stall_seconds=seconds, times=times))

    def expire_continue(
        self, plural: str, *, times: int | None = 1, then: Callable[[], None] | None = None
    ) -> None:
        """The next `times` continued lists of `plural` → 410 Expired; `then` runs first."""
        self.faults.append(Fault(plural, 410, times=times, on_continue=True, then=then))

    # -- HTTP ------------------------------------------------------------------------------

    async def __call__(self, raw_request: aiohttp.web.BaseRequest) -> aiohttp.web.StreamResponse:
        """Serve lists, namespaces and the version here; everything else through kmock."""
        path = raw_request.path
        query = dict(raw_request.query)
        self.calls.append(Call(raw_request.method, path, query, time.monotonic()))
        authorization = raw_request.headers.get("Authorization")
        if self.token is not None and authorization != f"Bearer {self.token}":
            return status_response(401, "Unauthorized", "Unauthorized")
        if raw_request.method != "GET" or query.get("watch") in ("true", "1"):
            return await super().__call__(raw_request)
        if path.rstrip("/") == "/version":
            return aiohttp.web.json_response(self.server_version)
        document = discovery(path)
        if document is not None:
            return aiohttp.web.json_response(document)
        named = _NAMESPACE_PATH.match(path)
        if named:
            return self._get_namespace(named["name"])
        listed = _LIST_PATH.match(path)
        if listed:
            served = self._served(
                listed["core"] or listed["version"], listed["group"] or "", listed["plural"]
            )
            if served is not None:
                return await self._list(served, listed["namespace"] or "", query)
        return await super().__call__(raw_request)

    def _served(self, version: str, group: str, plural: str) -> ServedResource | None:
        for served in SERVED:
            if (served.group, served.version, served.plural) == (group, version, plural):
                return served
        return None

    def _get_namespace(self, name: str) -> aiohttp.web.StreamResponse:
        stored = self._store["v1/namespaces"].get(("", name))
        if stored is None:
            return status_response(
                404,
                "NotFound",
                f'namespaces "{name}" not found',
                details={"name": name, "kind": "namespaces"},
            )
        return aiohttp.web.json_response(stored.body)

    async def _list(
        self, served: ServedResource, namespace: str, query: Mapping[str, str]
    ) -> aiohttp.web.StreamResponse:
        token = query.get("continue", "")
        for fault in self.faults:
            if fault.matches(served.plural, namespace, continued=bool(token)):
                fault.fire()
                if fault.status == 0:
                    await asyncio.sleep(fault.stall_seconds)
                    break
                position = decode_continue(token) if token else None
                renewed = encode_continue(self._revision, position or ("", ""))
                return fault_response(fault, served.group, namespace, renewed)
        after: tuple[str, str] | None = None
        if token:
            after = decode_continue(token)
            if after is None:
                return status_response(400, "BadRequest", "continue key is not valid")
        limit = int(query.get("limit") or 0)
        with self._state_lock:
            page, more, remaining, revision = self._page(served, namespace, after, limit)
        metadata: dict[str, Any] = {"resourceVersion": str(revision)}
        if more is not None:
            metadata["continue"] = encode_continue(revision, more)
            metadata["remainingItemCount"] = remaining
        head = json.dumps(
            {"kind": f"{served.kind}List", "apiVersion": served.api_version, "metadata": metadata}
        )
        body = head[:-1].encode() + b',"items":[' + b",".join(page) + b"]}"
        return aiohttp.web.Response(body=body, content_type="application/json")

    def _page(
        self,
        served: ServedResource,
        namespace: str,
        after: tuple[str, str] | None,
        limit: int,
    ) -> tuple[list[bytes], tuple[str, str] | None, int, int]:
        objects = self._store[served.key]
        order = self._order.get(served.key)
        if order is None:
            order = self._order[served.key] = sorted(objects)
        keys = [k for k in order if k[0] == namespace] if namespace else order
        first = 0 if after is None else bisect_right(keys, after)
        chosen = keys[first : first + limit] if limit > 0 else keys[first:]
        last = first + len(chosen)
        more = chosen[-1] if limit > 0 and last < len(keys) else None
        return [objects[k].item for k in chosen], more, len(keys) - last, self._revision
