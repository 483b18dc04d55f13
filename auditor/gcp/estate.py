"""Service accounts, keys, custom roles, GKE clusters and usage of one scan normalised together.

The one normaliser the static gcloud loader and the live GCP collector share: both hand it
parsed listings plus what the IAM policies of the same scan say (IamFacts), and every
cross-resource fact — the roles a service account holds, how many user-managed keys it has,
whether a key's account is disabled, when each last authenticated, whether a project holds
PII — is computed here once, so every rule reads a single resource.
See docs/resource-kinds/gcp.md for the fields of each kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from auditor.gcp.activity import ACCOUNT_ACTIVITY, LastAuthentication
from auditor.gcp.custom_roles import CustomRole
from auditor.gcp.gke_clusters import GkeCluster
from auditor.gcp.iam import BINDING_KIND, PROJECT_KIND
from auditor.gcp.roles import is_admin_role
from auditor.gcp.service_accounts import ServiceAccount, ServiceAccountKey
from auditor.model import Location, PiiLabel, Resource

SERVICE_ACCOUNT_KIND = "gcp.service_account"
KEY_KIND = "gcp.service_account_key"
CUSTOM_ROLE_KIND = "gcp.custom_role"
CLUSTER_KIND = "gcp.gke_cluster"

_BASIC_PRIVILEGED = frozenset({"roles/owner", "roles/editor"})
_Key = TypeVar("_Key", str, tuple[str, str])


class ListingConflict(ValueError):
    """The same account, key, role or cluster listed twice with different contents (two
    exports of different moments); `location` is the second. Identical copies are one."""

    def __init__(self, message: str, location: Location | None) -> None:
        self.location = location
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class UsageCoverage:
    """A usage query that answered for a project, even with no activity in it.

    An Activity Analyzer export says which projects it covers only through the activities it
    holds; a live query knows it covered the project when it succeeded, so a project where
    nobody authenticated is covered too (every account of it idle), not unknown.
    """

    activity_type: str
    project: str
    observed_until: str | None


@dataclass(slots=True)
class GcloudListings:
    """Parsed gcloud listings of one scan; each object with where it was read, if from a file."""

    service_accounts: list[tuple[ServiceAccount, Location | None]] = field(default_factory=list)
    keys: list[tuple[ServiceAccountKey, Location | None]] = field(default_factory=list)
    custom_roles: list[tuple[CustomRole, Location | None]] = field(default_factory=list)
    clusters: list[tuple[GkeCluster, Location | None]] = field(default_factory=list)
    authentications: list[LastAuthentication] = field(default_factory=list)
    usage_coverage: list[UsageCoverage] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class IamFacts:
    """What the IAM policies of the same scan say, as far as the listings need it.

    `roles_by_email` is None when no policy was read: then nobody's roles are known.
    """

    roles_by_email: Mapping[str, frozenset[str]] | None = None
    project_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @classmethod
    def from_resources(cls, resources: Iterable[Resource]) -> IamFacts:
        """Facts from the gcp.iam_binding and gcp.project resources of normalised policies."""
        roles: dict[str, set[str]] = {}
        labels: dict[str, Mapping[str, str]] = {}
        read_any = False
        for resource in resources:
            data = resource.data
            if resource.kind == PROJECT_KIND:
                read_any = True
                labels[data["project_id"]] = data["labels"]
            elif resource.kind == BINDING_KIND:
                read_any = True
                email = data["member_email"]
                if data["is_service_account"] and not data["is_deleted"] and email:
                    roles.setdefault(email, set()).add(data["role"])
        if not read_any:
            return cls(project_labels=labels)
        return cls({email: frozenset(held) for email, held in roles.items()}, labels)

    def roles_of(self, email: str) -> list[str] | None:
        """Sorted roles granted to the account in the policies read; None when none were read."""
        if self.roles_by_email is None:
            return None
        return sorted(self.roles_by_email.get(email, frozenset()))


def privileged(roles: list[str] | None) -> list[str] | None:
    """Owner, Editor and administrative roles (exact names, see auditor.gcp.roles) of `roles`."""
    if roles is None:
        return None
    return [role for role in roles if role in _BASIC_PRIVILEGED or is_admin_role(role)]


@dataclass(slots=True)
class _Usage:
    """Last authentications by account and by key, and per project covered by a query the
    latest end of an observation period (how fresh that project's usage data is)."""

    accounts: dict[str, str] = field(default_factory=dict)
    keys: dict[tuple[str, str], str] = field(default_factory=dict)
    account_projects: dict[str, str | None] = field(default_factory=dict)
    key_projects: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        found: Iterable[LastAuthentication],
        project_of: Mapping[str, str],
        coverage: Iterable[UsageCoverage] = (),
    ) -> _Usage:
        usage = cls()
        for query in coverage:
            projects = (
                usage.account_projects
                if query.activity_type == ACCOUNT_ACTIVITY
                else usage.key_projects
            )
            projects.setdefault(query.project, None)
            if query.observed_until:
                _keep_latest(projects, query.project, query.observed_until)
        for activity in found:
            # A query names projects by id, or by number: the listed account's project id
            # counts as covered too.
            covered = {activity.project, project_of.get(activity.email, activity.project)}
            if activity.activity_type == ACCOUNT_ACTIVITY:
                projects = usage.account_projects
                _keep_latest(usage.accounts, activity.email, activity.last_authenticated_at)
            elif activity.key_id is not None:
                projects = usage.key_projects
                key = (activity.email, activity.key_id)
                _keep_latest(usage.keys, key, activity.last_authenticated_at)
            else:
                continue
            for project in covered:
                projects.setdefault(project, None)
                if activity.observed_until:
                    _keep_latest(projects, project, activity.observed_until)
        return usage


def _keep_latest(seen: dict[_Key, Any], key: _Key, time: str) -> None:
    # The times share one format (fields.format_time), so text order is time order.
    if seen.get(key) is None or seen[key] < time:
        seen[key] = time


class _Builder:
    def __init__(
        self,
        listings: GcloudListings,
        iam: IamFacts,
        source: str,
        pii: PiiLabel,
        at: datetime | None,
    ) -> None:
        self.listings = listings
        self.iam = iam
        self.source = source
        self.pii = pii
        self.observed_at = at
        self.resources: list[Resource] = []
        self._ids: dict[tuple[str, str], dict[str, Any]] = {}
        self.accounts = {account.email: account for account, _ in listings.service_accounts}
        self.usage = _Usage.of(
            listings.authentications,
            {a.email: a.project_id for a in self.accounts.values()},
            listings.usage_coverage,
        )

    def add(
        self, kind: str, resource_id: str, scope: str, data: dict[str, Any], where: Location | None
    ) -> None:
        seen = self._ids.get((kind, resource_id))
        if seen is not None:
            if seen == data:
                return  # the same object exported twice (list and describe): one resource
            raise ListingConflict(f"{resource_id} is listed twice, differently", where)
        self._ids[(kind, resource_id)] = data
        self.resources.append(
            Resource(kind, resource_id, self.source, scope, data, self.observed_at, where)
        )

    def project_pii(self, project_id: str | None) -> bool:
        labels = self.iam.project_labels.get(project_id or "")
        return labels is not None and self.pii.matches(labels)

    def service_accounts(self) -> None:
        keys_by_account: dict[str, list[ServiceAccountKey]] = {}
        for key, _ in self.listings.keys:
            keys_by_account.setdefault(key.service_account_email, []).append(key)
        for account, where in self.listings.service_accounts:
            listed = keys_by_account.get(account.email)
            user_keys = sorted(k.key_id for k in listed or [] if k.user_managed)
            roles = self.iam.roles_of(account.email)
            usage_known = account.project_id in self.usage.account_projects
            observed = self.usage.account_projects.get(account.project_id)
            data = {
                "project_id": account.project_id,
                "email": account.email,
                "unique_id": account.unique_id,
                "display_name": account.display_name,
                "description": account.description,
                "disabled": account.disabled,
                "is_default_compute_sa": account.member.is_default_compute_sa,
                "is_default_appspot_sa": account.member.is_default_appspot_sa,
                "pii": self.project_pii(account.project_id),
                "roles": roles,
                "privileged_roles": privileged(roles),
                "user_managed_key_count": len(user_keys) if listed is not None else None,
                "user_managed_key_ids": user_keys if listed is not None else None,
                "last_authenticated_at": self.usage.accounts.get(account.email),
                "usage_known": usage_known,
                "usage_observed_at": observed,
            }
            scope = f"projects/{account.project_id}"
            self.add(
                SERVICE_ACCOUNT_KIND, f"{scope}/serviceAccounts/{account.email}", scope, data, where
            )

    def keys(self) -> None:
        for key, where in self.listings.keys:
            account = self.accounts.get(key.service_account_email)
            project = key.project_id or (account.project_id if account else None)
            roles = self.iam.roles_of(key.service_account_email)
            data = {
                "key_id": key.key_id,
                "service_account_email": key.service_account_email,
                "project_id": project,
                "key_type": key.key_type,
                "user_managed": key.user_managed,
                "key_origin": key.key_origin,
                "key_algorithm": key.key_algorithm,
                "disabled": key.disabled,
                "created_at": key.created_at,
                "expires_at": key.expires_at,
                "pii": self.project_pii(project),
                "service_account_disabled": account.disabled if account else None,
                "service_account_privileged_roles": privileged(roles),
                "last_authenticated_at": self.usage.keys.get(
                    (key.service_account_email, key.key_id)
                ),
                "usage_known": project is not None and project in self.usage.key_projects,
                "usage_observed_at": self.usage.key_projects.get(project or ""),
            }
            scope = f"projects/{project or '-'}"
            resource_id = f"{scope}/serviceAccounts/{key.service_account_email}/keys/{key.key_id}"
            self.add(KEY_KIND, resource_id, scope, data, where)

    def custom_roles(self) -> None:
        # `roles list` omits permissions that `roles describe` of the same role prints: where
        # both were read, the described one stands.
        described = {
            role.role for role, _ in self.listings.custom_roles if role.permissions is not None
        }
        for role, where in self.listings.custom_roles:
            if role.permissions is None and role.role in described:
                continue
            self.add(CUSTOM_ROLE_KIND, role.role, role.scope, role.facts(), where)

    def clusters(self) -> None:
        for cluster, where in self.listings.clusters:
            pii = self.pii.matches(cluster.labels) or self.project_pii(cluster.project_id)
            data = {**cluster.facts(), "pii": pii}
            self.add(CLUSTER_KIND, cluster.id, f"projects/{cluster.project_id}", data, where)


def normalise_listings(
    listings: GcloudListings,
    *,
    source: str,
    iam: IamFacts | None = None,
    pii: PiiLabel | None = None,
    observed_at: datetime | None = None,
) -> list[Resource]:
    """A gcp.service_account, gcp.service_account_key, gcp.custom_role and gcp.gke_cluster per
    listed object, enriched with each other, with usage and with `iam` (policies of the scan).

    Raises ListingConflict for an object listed twice.
    """
    builder = _Builder(listings, iam or IamFacts(), source, pii or PiiLabel(), observed_at)
    builder.service_accounts()
    builder.keys()
    builder.custom_roles()
    builder.clusters()
    return builder.resources
