"""The `gke` collector: list every kind the manifest loader reads, from one cluster, and hand the
objects to the same normaliser, so the cluster and its manifests give the same resources.

One collection: a fresh client from the kubeconfig (or in-cluster), the server's version,
then the kinds of kinds.py listed a few at a time, paged, and normalised together (enrichment
needs them all: PDBs, HPAs, NetworkPolicies and ServiceAccounts to workloads, roles to
bindings). A kind the credentials may not read is a problem on the source, not a failure;
an API server that cannot be read (down, refusing the credentials, still failing after the
retries, past the deadline) fails the collection, so its last good resources are kept as
stale instead of being replaced by a partial picture.
"""

from __future__ import annotations

import concurrent.futures
import time
from typing import Any, cast

import structlog
from kubernetes import client

from auditor.collectors.base import Collection, CollectorContext, SourceError
from auditor.collectors.gke.calls import (
    CallPolicy,
    Forbidden,
    NotServed,
    RawResponse,
    call_json,
)
from auditor.collectors.gke.cluster import cluster_resource
from auditor.collectors.gke.connect import Connection, connect
from auditor.collectors.gke.kinds import LISTED_KINDS
from auditor.collectors.gke.listing import KindListing, Lister
from auditor.collectors.gke.settings import GkeSettings
from auditor.k8s import normalize

log = structlog.get_logger(__name__)

# Listing must end within this share of timeout_seconds; the rest is for normalising.
LISTING_SHARE = 0.9


class GkeCollector:
    """Reads one cluster on each collection."""

    settings_model = GkeSettings

    def __init__(self, settings: GkeSettings) -> None:
        self.settings = settings

    def collect(self, context: CollectorContext) -> Collection:
        """Resources of every kind read, plus the k8s.cluster resource; problems for kinds the
        credentials may not read. Raises SourceError when the cluster cannot be read."""
        started = time.monotonic()
        policy = CallPolicy(
            connect_timeout=self.settings.connect_timeout_seconds,
            read_timeout=self.settings.request_timeout_seconds,
            attempts=self.settings.max_attempts,
            deadline=started + self.settings.timeout_seconds * LISTING_SHARE,
        )
        connection = connect(self.settings)
        try:
            version = _server_version(connection, policy)
            listings = self._list_kinds(connection, policy)
        finally:
            connection.close()
        problems = [problem for listing in listings for problem in listing.problems]
        if all(listing.problems and not listing.objects for listing in listings):
            raise SourceError("permission", f"no kind could be read: {problems[0]}")
        observed_at = context.now()
        objects = [obj for listing in listings for obj in listing.objects]
        for listing in listings:
            listing.objects.clear()  # the objects live in `objects` until normalised, no longer
        normalised = normalize(
            objects,
            cluster=self.settings.cluster_name,
            source=self.settings.name,
            observed_at=observed_at,
            pii=context.pii,
        )
        del objects
        unreadable = sorted({listing.kind.resource for listing in listings if listing.problems})
        normalised.resources.append(
            cluster_resource(
                self.settings,
                context=connection.context,
                version=version,
                kinds_read=[x.kind.resource for x in listings if x.kind.resource not in unreadable],
                kinds_unreadable=unreadable,
                observed_at=observed_at,
            )
        )
        log.info(
            "gke collected",
            source=self.settings.name,
            resources=len(normalised.resources),
            calls=sum(listing.calls for listing in listings) + 1,
            restarts=sum(listing.restarts for listing in listings),
            problems=len(problems),
            seconds=round(time.monotonic() - started, 3),
        )
        return Collection(
            resources=normalised.resources, warnings=normalised.warnings, problems=problems
        )

    def _list_kinds(self, connection: Connection, policy: CallPolicy) -> list[KindListing]:
        lister = Lister(
            connection.api_client,
            policy,
            page_size=self.settings.page_size,
            namespaces=self.settings.namespaces,
        )
        pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.settings.max_parallel_lists, thread_name_prefix="gke-list"
        )
        futures = [pool.submit(lister.list_kind, kind) for kind in LISTED_KINDS]
        try:
            for future in concurrent.futures.as_completed(futures):
                future.result()  # the first failure stops the others
        except BaseException:
            policy.cancelled.set()
            raise
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        # Results in the table's order, whatever order the kinds finished in.
        return [future.result() for future in futures]

    def close(self) -> None:
        """Nothing is kept between collections."""


def _server_version(connection: Connection, policy: CallPolicy) -> dict[str, Any] | None:
    """The /version answer; None when the credentials may not read it (not a failure)."""
    api = client.VersionApi(connection.api_client)

    def request(timeouts: tuple[float, float]) -> RawResponse:
        return cast(RawResponse, api.get_code(_preload_content=False, _request_timeout=timeouts))

    try:
        return call_json(request, "reading the server version", policy)
    except (Forbidden, NotServed):
        return None
