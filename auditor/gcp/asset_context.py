"""What the search results of one scan say about each other, computed once: which project a
resource lives in, which labels mark it as PII, the roles every service account holds, who is
granted what on each resource. Resource facts and IAM bindings both ask it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from auditor.gcp.asset_results import (
    FOLDER_ASSET,
    ORGANIZATION_ASSET,
    PROJECT_ASSET,
    AssetPolicy,
    AssetResource,
    project_in_name,
    relative_name,
)
from auditor.gcp.members import Member
from auditor.gcp.policy import IamPolicy
from auditor.model import PiiLabel

SERVICE_ACCOUNT_ASSET = "iam.googleapis.com/ServiceAccount"


@dataclass(frozen=True, slots=True)
class KnownProject:
    """A project as discovery (or a describe export) knows it."""

    project_id: str
    number: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ParsedPolicy:
    """A search result with its policy parsed."""

    result: AssetPolicy
    policy: IamPolicy

    @property
    def key(self) -> str:
        """'projects/123', 'folders/4', 'organizations/5' or the resource's relative name."""
        return relative_name(self.result.resource)

    def grants(self) -> Iterable[tuple[str, Member]]:
        """(role, member) of every binding."""
        for binding in self.policy.bindings:
            for _, member in binding.members:
                yield binding.role.role, member


@dataclass(frozen=True, slots=True)
class ServiceAccountAsset:
    """A service account the scan knows, by email and full name."""

    email: str
    name: str
    project: str | None  # projects/NUMBER
    folders: tuple[str, ...]
    organization: str | None


class AssetContext:
    """Cross-resource facts of one scan's search results."""

    def __init__(
        self,
        policies: Sequence[ParsedPolicy],
        resources: Sequence[AssetResource],
        projects: Iterable[KnownProject],
        pii: PiiLabel,
    ) -> None:
        self.pii = pii
        self.read_policies = bool(policies)
        self.by_name = {resource.name: resource for resource in resources}
        self.policies = policies
        self._project_ids: dict[str, str] = {}  # projects/NUMBER → id
        self._project_labels: dict[str, Mapping[str, str]] = {}  # id → labels
        for known in projects:
            self._add_project(known.project_id, known.number, known.labels)
        for resource in resources:
            if resource.asset_type == PROJECT_ASSET:
                project_id = resource.attributes.get("projectId") or project_in_name(resource.name)
                if isinstance(project_id, str):
                    number = (
                        resource.project.removeprefix("projects/") if resource.project else None
                    )
                    self._add_project(project_id, number, resource.labels)
        self._roles: dict[str, set[str]] = {}
        self._public: dict[str, set[tuple[str, str]]] = {}
        self._by_key: dict[str, list[ParsedPolicy]] = {}
        for parsed in policies:
            self._by_key.setdefault(parsed.key, []).append(parsed)
            number = parsed.result.project
            if parsed.result.asset_type == PROJECT_ASSET and number and number != parsed.key:
                self._by_key.setdefault(number, []).append(parsed)
            for role, member in parsed.grants():
                if member.is_service_account and member.member_email and not member.is_deleted:
                    self._roles.setdefault(member.member_email, set()).add(role)
                if member.is_public:
                    self._public.setdefault(parsed.result.resource, set()).add(
                        (member.member, role)
                    )
        self.service_accounts = self._service_accounts(resources)

    def _add_project(self, project_id: str, number: str | None, labels: Mapping[str, str]) -> None:
        if number:
            self._project_ids[f"projects/{number}"] = project_id
        if labels or project_id not in self._project_labels:
            self._project_labels[project_id] = labels

    def _service_accounts(self, resources: Sequence[AssetResource]) -> list[ServiceAccountAsset]:
        found: dict[str, ServiceAccountAsset] = {}
        for resource in resources:
            if resource.asset_type != SERVICE_ACCOUNT_ASSET:
                continue
            email = self.account_email(resource.name)
            if email:
                found[email] = ServiceAccountAsset(
                    email,
                    resource.name,
                    resource.project,
                    resource.folders,
                    resource.organization,
                )
        return sorted(found.values(), key=lambda account: account.email)

    def account_email(self, name: str) -> str | None:
        """The email of the service account named `name` (its full name ends in the email or
        in its unique id, which the resource search result's attributes resolve)."""
        last = name.rsplit("/", 1)[-1]
        if "@" in last:
            return last.lower()
        resource = self.by_name.get(name)
        if resource is None:
            return None
        email = resource.attributes.get("email")
        return email.lower() if isinstance(email, str) and "@" in email else None

    def project_id(self, resource: AssetResource) -> str | None:
        """The project id of a resource: spelled in its name, else from its project number."""
        return self.project_of(resource.name, resource.project)

    def project_of(self, name: str, project: str | None) -> str | None:
        """The project id of `name` whose search result says `project` (projects/NUMBER)."""
        spelled = project_in_name(name)
        if spelled:
            return spelled
        return self._project_ids.get(project or "")

    def labels_of(self, name: str) -> Mapping[str, str]:
        """A resource's labels, {} when its search result was not read."""
        resource = self.by_name.get(name)
        return resource.labels if resource else {}

    def pii_source(self, resource: AssetResource, parent: str | None) -> str | None:
        """The name whose labels mark `resource` as PII: itself, its parent, its project."""
        return self.pii_of(resource.name, resource.labels, parent, self.project_id(resource))

    def pii_of(
        self, name: str, labels: Mapping[str, str], parent: str | None, project_id: str | None
    ) -> str | None:
        """As pii_source, for a resource known by name and labels only.

        The nearest classification wins: a bucket labelled `data-classification: public` in
        a PII project is not PII; an unlabelled table in a PII dataset is."""
        chain = [(name, labels)]
        if parent:
            chain.append((parent, self.labels_of(parent)))
        if project_id:
            chain.append((f"projects/{project_id}", self._project_labels.get(project_id, {})))
        for holder, held in chain:
            if self.pii.key in held:
                return holder if self.pii.matches(held) else None
        return None

    def account_roles(self, email: str | None) -> list[str] | None:
        """Sorted roles the account holds anywhere in the policies read; None when none was."""
        if not self.read_policies or email is None:
            return None
        return sorted(self._roles.get(email.lower(), set()))

    def public_grants(self, name: str) -> list[tuple[str, str]]:
        """(member, role) of public members granted anything on `name`, sorted."""
        return sorted(self._public.get(name, set()))

    def ancestor_policies(self, result: AssetPolicy) -> list[ParsedPolicy]:
        """The policies of the resource's project, folders and organization that were read."""
        keys = [result.project, *result.folders, result.organization]
        return [found for key in keys if key for found in self._by_key.get(key, [])]

    def accounts_under(self, result: AssetPolicy) -> list[ServiceAccountAsset]:
        """The service accounts a project-, folder- or organization-level grant reaches."""
        key = relative_name(result.resource)
        if result.asset_type == PROJECT_ASSET:
            number = result.project or key
            project_id = project_in_name(result.resource)
            return [
                a
                for a in self.service_accounts
                if a.project == number or (project_id and project_in_name(a.name) == project_id)
            ]
        if result.asset_type == FOLDER_ASSET:
            return [a for a in self.service_accounts if key in a.folders]
        if result.asset_type == ORGANIZATION_ASSET:
            return [a for a in self.service_accounts if a.organization == key]
        return []
