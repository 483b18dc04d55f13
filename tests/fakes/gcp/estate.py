"""The organization the GCP fakes serve, held in the APIs' own REST JSON shapes.

Projects, folders, policies, service accounts, keys and roles are stored exactly as the REST
APIs (and gcloud) print them; the gRPC fakes convert them to the proto messages with
`json_format.ParseDict`, so what the real clients receive is the published shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EMPTY_POLICY: dict[str, Any] = {"version": 1, "etag": "BwXhAAAAAAA="}


@dataclass
class FakeFolder:
    """A folder: `number`, its `parent` scope, its policy."""

    number: str
    parent: str
    display_name: str
    state: str = "ACTIVE"
    policy: dict[str, Any] = field(default_factory=lambda: dict(EMPTY_POLICY))

    def as_json(self) -> dict[str, Any]:
        """The v3 Folder."""
        return {
            "name": f"folders/{self.number}",
            "parent": self.parent,
            "displayName": self.display_name,
            "state": self.state,
            "createTime": "2022-11-08T10:02:51.204Z",
            "etag": f'W/"{self.number}"',
        }


@dataclass
class FakeProject:
    """A project with everything the collector reads of it."""

    project_id: str
    number: str
    parent: str
    labels: dict[str, str] = field(default_factory=dict)
    state: str = "ACTIVE"
    policy: dict[str, Any] = field(default_factory=lambda: dict(EMPTY_POLICY))
    service_accounts: list[dict[str, Any]] = field(default_factory=list)
    keys: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # email → keys
    roles: list[dict[str, Any]] = field(default_factory=list)

    @property
    def scope(self) -> str:
        """projects/PROJECT_ID."""
        return f"projects/{self.project_id}"

    def as_json(self) -> dict[str, Any]:
        """The v3 Project."""
        project = {
            "name": f"projects/{self.number}",
            "parent": self.parent,
            "projectId": self.project_id,
            "state": self.state,
            "displayName": self.project_id,
            "createTime": "2023-05-02T14:20:11.532Z",
            "etag": f'W/"{self.number}"',
        }
        if self.labels:
            project["labels"] = dict(self.labels)
        return project

    def add_account(self, name: str, **fields: Any) -> dict[str, Any]:
        """Add a service account NAME@PROJECT.iam.gserviceaccount.com; returns its JSON."""
        email = f"{name}@{self.project_id}.iam.gserviceaccount.com"
        unique_id = fields.pop("uniqueId", None) or str(
            100000000000000000000 + len(self.service_accounts) + int(self.number) % 100000 * 1000
        )
        account = {
            "name": f"projects/{self.project_id}/serviceAccounts/{email}",
            "projectId": self.project_id,
            "uniqueId": unique_id,
            "email": email,
            "oauth2ClientId": unique_id,
            "etag": "MDEwMjE5MjA=",
            **fields,
        }
        self.service_accounts.append(account)
        self.keys.setdefault(email, [])
        return account

    def add_key(self, email: str, key_id: str, **fields: Any) -> dict[str, Any]:
        """Add a key to an account; returns its JSON."""
        key = {
            "name": f"projects/{self.project_id}/serviceAccounts/{email}/keys/{key_id}",
            "keyAlgorithm": "KEY_ALG_RSA_2048",
            "keyOrigin": "GOOGLE_PROVIDED",
            "keyType": "USER_MANAGED",
            "validAfterTime": "2025-01-01T00:00:00Z",
            "validBeforeTime": "9999-12-31T23:59:59Z",
            **fields,
        }
        self.keys.setdefault(email, []).append(key)
        return key


@dataclass
class FakeOrganization:
    """An organization, what sits below it, its predefined roles and Monitoring data."""

    number: str
    policy: dict[str, Any] = field(default_factory=lambda: dict(EMPTY_POLICY))
    roles: list[dict[str, Any]] = field(default_factory=list)
    folders: dict[str, FakeFolder] = field(default_factory=dict)
    projects: dict[str, FakeProject] = field(default_factory=dict)
    predefined_roles: dict[str, dict[str, Any]] = field(default_factory=dict)
    time_series: list[dict[str, Any]] = field(default_factory=list)

    @property
    def scope(self) -> str:
        """organizations/NUMBER."""
        return f"organizations/{self.number}"

    def add_folder(self, number: str, parent: str, name: str, **fields: Any) -> FakeFolder:
        """Add a folder."""
        folder = FakeFolder(number, parent, name, **fields)
        self.folders[number] = folder
        return folder

    def add_project(self, project_id: str, number: str, parent: str, **fields: Any) -> FakeProject:
        """Add a project."""
        project = FakeProject(project_id, number, parent, **fields)
        self.projects[project_id] = project
        return project

    def project(self, key: str) -> FakeProject | None:
        """A project by id or number."""
        found = self.projects.get(key)
        if found is not None:
            return found
        return next((p for p in self.projects.values() if p.number == key), None)

    def policy_of(self, scope: str) -> dict[str, Any] | None:
        """The policy of organizations/N, folders/N or projects/ID; None when unknown."""
        collection, _, key = scope.partition("/")
        if collection == "organizations":
            return self.policy if key == self.number else None
        if collection == "folders":
            folder = self.folders.get(key)
            return folder.policy if folder else None
        project = self.project(key)
        return project.policy if project else None

    def custom_roles(self, parent: str) -> list[dict[str, Any]] | None:
        """Custom roles of projects/ID or organizations/N; None when the parent is unknown."""
        collection, _, key = parent.partition("/")
        if collection == "organizations":
            return self.roles if key == self.number else None
        project = self.project(key)
        return project.roles if project else None

    def role(self, name: str) -> dict[str, Any] | None:
        """A predefined or custom role by name."""
        if name.startswith("roles/"):
            return self.predefined_roles.get(name)
        parent = name.rsplit("/roles/", 1)[0]
        return next((r for r in self.custom_roles(parent) or [] if r["name"] == name), None)
