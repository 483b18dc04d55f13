"""The `gcp` collector: discovery, then policies (Resource Manager), accounts, keys and roles
(IAM admin) and time series (Monitoring) read concurrently, one pool per API; then predefined
roles' permissions; then the shared normalisers.

A part that fails is a problem naming the scope and, for a denial, the permission; only a
collection that could not find a single project to read fails the source.
"""

from __future__ import annotations

import time
from datetime import datetime

from auditor.collectors.base import Collection, CollectorContext, SourceError
from auditor.collectors.gcp.assemble import UsageAssembler, monitoring_resources, usage_kinds
from auditor.collectors.gcp.assets import AssetReader
from auditor.collectors.gcp.calls import Api, ApiCaller, CallStats
from auditor.collectors.gcp.clients import GcpClients, build_clients
from auditor.collectors.gcp.discovery import Discovery, Hierarchy
from auditor.collectors.gcp.gc_pause import gc_paused
from auditor.collectors.gcp.iam_reads import IamReader
from auditor.collectors.gcp.monitoring import MonitoringReader
from auditor.collectors.gcp.policies import PolicyReader
from auditor.collectors.gcp.predefined_roles import RoleCache, refresh, role_resources
from auditor.collectors.gcp.problems import SOURCE_KINDS, summarise
from auditor.collectors.gcp.settings import GcpSettings
from auditor.collectors.gcp.tasks import Tasks
from auditor.gcp.estate import IamFacts, ListingConflict, normalise_listings
from auditor.gcp.iam import BINDING_KIND, normalise_policies
from auditor.gcp.policy import PolicyFormatError
from auditor.model import PiiLabel, Resource

# Share of the source's timeout spent calling APIs; the rest is for normalising and for the
# runner, so a slow organization yields a partial collection rather than a timed-out one.
CALL_BUDGET = 0.9


class GcpCollector:
    """Collects one organization, set of folders or list of projects per source."""

    settings_model = GcpSettings

    def __init__(self, settings: GcpSettings) -> None:
        self.settings = settings
        self._clients: GcpClients | None = None
        self.roles = RoleCache(settings.role_cache_ttl_hours * 3600)
        self.last_stats: CallStats | None = None

    def collect(self, context: CollectorContext) -> Collection:
        """Read the estate; SourceError when no project at all could be read."""
        if self._clients is None:
            self._clients = build_clients(self.settings)
        deadline = time.monotonic() + self.settings.timeout_seconds * CALL_BUDGET
        caller = ApiCaller(self.settings, deadline)
        try:
            with gc_paused():
                return _Run(self.settings, self._clients, caller, self.roles, context).collect()
        finally:
            self.last_stats = caller.stats()

    def close(self) -> None:
        """Close the API clients."""
        if self._clients is not None:
            self._clients.close()
            self._clients = None


class _Run:
    """One collection."""

    def __init__(
        self,
        settings: GcpSettings,
        clients: GcpClients,
        caller: ApiCaller,
        roles: RoleCache,
        context: CollectorContext,
    ) -> None:
        self.settings = settings
        self.clients = clients
        self.caller = caller
        self.roles = roles
        self.context = context
        self.now: datetime = context.now()
        self.collection = Collection()
        limits = settings.api
        self.tasks = Tasks(
            {
                Api.RESOURCE_MANAGER: limits.resource_manager.concurrency,
                Api.IAM: limits.iam.concurrency,
                Api.MONITORING: limits.monitoring.concurrency,
                Api.ASSET: limits.asset.concurrency,
            },
            settings.name,
        )

    def collect(self) -> Collection:
        try:
            return self._collect()
        finally:
            self.tasks.close()

    def _collect(self) -> Collection:
        settings, parts = self.settings, self.settings.collect
        hierarchy = Discovery(settings, self.clients, self.caller, self.tasks).run()
        if not hierarchy.projects:
            self._nothing_found(hierarchy)
        policies = PolicyReader(self.clients, self.caller, self.tasks)
        iam = IamReader(settings, self.clients, self.caller, self.tasks)
        monitoring = MonitoringReader(settings, self.clients, self.caller, self.tasks)
        if parts.policies:
            policies.start(hierarchy)
        iam.start(hierarchy.projects, _organization(hierarchy))
        monitoring.start(hierarchy.projects, self.now)
        assets = AssetReader(settings, self.clients, self.caller, self.tasks)
        if settings.assets.enabled:
            assets.start(hierarchy)
        # Policies come back first: normalise them, and ask for the predefined roles they
        # grant, while IAM and Monitoring are still answering.
        self.tasks.wait(Api.RESOURCE_MANAGER)
        policy_resources = self._policy_resources(policies, hierarchy)
        granted = {
            r.data["role"]
            for r in policy_resources
            if r.kind == BINDING_KIND and r.data["role_type"] != "custom"
        }
        if parts.predefined_roles:
            refresh(self.roles, granted, self.clients, self.caller, self.tasks)
        self.tasks.wait()

        usage = UsageAssembler(
            settings.name, self.context.history, settings.usage.min_history_days, self._problem
        )
        if parts.usage:
            usage.add(iam, monitoring, usage_kinds(parts.keys))
        resources = list(policy_resources)
        # Labels from discovery: a project whose policy was denied still marks its PII.
        facts = IamFacts(
            IamFacts.from_resources(policy_resources).roles_by_email,
            {project.project_id: project.labels for project in hierarchy.projects},
        )
        try:
            resources.extend(
                normalise_listings(
                    iam.listings,
                    source=settings.name,
                    iam=facts,
                    pii=self._pii(),
                    observed_at=self.now,
                )
            )
        except ListingConflict as exc:
            self._problem(f"service accounts, keys and roles not judged: {exc}")
        if parts.predefined_roles:
            resources.extend(role_resources(self.roles, granted, settings.name, self.now))
        windows = (settings.pubsub.window_minutes * 60, settings.composer.window_minutes * 60)
        resources.extend(
            monitoring_resources(
                hierarchy, monitoring, settings.name, self.now, windows, self._problem
            )
        )
        if settings.assets.enabled:
            resources.extend(assets.normalised(hierarchy, self._pii(), self.now, self._problem))
        self.collection.resources = resources
        self.collection.problems[:0] = self._failures()
        self.collection.warnings.extend(_skipped(hierarchy))
        waiting = usage.warning()
        if waiting:
            self.collection.warnings.append(waiting)
        return self.collection

    def _pii(self) -> PiiLabel:
        own = self.settings.pii
        return PiiLabel(own.label, tuple(own.values)) if own else self.context.pii

    def _problem(self, text: str) -> None:
        self.collection.problems.append(text)

    def _failures(self) -> list[str]:
        lines = summarise(self.tasks.failures)
        for name in sorted(set(self.tasks.internal_errors)):
            lines.append(f"a part of the collection failed with {name} (a bug: please report it)")
        return lines

    def _nothing_found(self, hierarchy: Hierarchy) -> None:
        """No project to scan: a down source when something failed, else an empty one."""
        failures = self.tasks.failures
        if failures:
            kind = SOURCE_KINDS[failures[0].kind]
            raise SourceError(kind, "; ".join(summarise(failures)))
        if hierarchy.filtered_out or hierarchy.not_active:
            self.collection.warnings.append("no ACTIVE project matched include/exclude")

    def _policy_resources(self, policies: PolicyReader, hierarchy: Hierarchy) -> list[Resource]:
        """Normalised policies; a malformed one is dropped (named) and the rest normalised."""
        while True:
            try:
                normalised = normalise_policies(
                    policies.snapshots(hierarchy),
                    source=self.settings.name,
                    pii=self._pii(),
                    observed_at=self.now,
                )
            except PolicyFormatError as exc:
                if exc.scope not in policies.policies:
                    self._problem(f"IAM policies not judged: {exc}")
                    return []
                self.tasks.fail(policies.drop_malformed(exc))
                continue
            self.collection.warnings.extend(normalised.warnings)
            return normalised.resources


def _organization(hierarchy: Hierarchy) -> str | None:
    return next((c for c in sorted(hierarchy.containers) if c.startswith("organizations/")), None)


def _skipped(hierarchy: Hierarchy) -> list[str]:
    """What discovery left out on purpose, counted (never silent)."""
    notes = []
    if hierarchy.not_active:
        notes.append(f"{hierarchy.not_active} project(s) not ACTIVE (delete requested): skipped")
    if hierarchy.filtered_out:
        notes.append(f"{hierarchy.filtered_out} project(s) left out by include/exclude")
    return notes
