"""Which projects to scan, and where each sits: organization → folders → projects.

Only ACTIVE folders and projects are walked; include/exclude filters apply to discovered
projects; an explicit list is read as given. Nothing is dropped silently: a container that
could not be listed, or a listed project that could not be read, is a failure naming the
permission it lacked, and what was skipped on purpose is counted in warnings.
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from google.cloud import resourcemanager_v3

from auditor.collectors.gcp.calls import Api, ApiCaller, CallFailed, FailureKind, Method
from auditor.collectors.gcp.clients import GcpClients
from auditor.collectors.gcp.messages import as_json
from auditor.collectors.gcp.settings import GcpSettings, ProjectFilter
from auditor.collectors.gcp.tasks import Tasks

ACTIVE = "ACTIVE"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Project:
    """A project to scan."""

    project_id: str
    number: str | None
    parent: str | None  # folders/N or organizations/N
    labels: Mapping[str, str]
    state: str

    @property
    def scope(self) -> str:
        """projects/PROJECT_ID."""
        return f"projects/{self.project_id}"


def project_from_json(raw: Mapping[str, Any]) -> Project:
    """A Project from the v3 API's JSON shape (`gcloud projects describe` in v3 form)."""
    name = str(raw.get("name") or "")
    number = name.removeprefix("projects/") if name.startswith("projects/") else None
    project_id = raw.get("projectId")
    if not isinstance(project_id, str) or not project_id:
        raise ValueError(f"project {name or '?'} has no projectId")
    labels = raw.get("labels") or {}
    if not isinstance(labels, Mapping):
        raise ValueError(f"project {project_id} has labels that are not a map")
    return Project(
        project_id=project_id,
        number=number,
        parent=raw.get("parent") or None,
        labels={str(k): str(v) for k, v in sorted(labels.items())},
        state=str(raw.get("state") or "STATE_UNSPECIFIED"),
    )


def matches(selector: ProjectFilter, project: Project) -> bool:
    """Every criterion given holds: an id pattern matches, and every label matches."""
    if selector.ids and not any(fnmatch.fnmatchcase(project.project_id, p) for p in selector.ids):
        return False
    return all(
        key in project.labels and (value == "*" or project.labels[key] == value)
        for key, value in selector.labels.items()
    )


@dataclass(slots=True)
class Hierarchy:
    """What discovery found: projects to scan, and the parent of every scope seen."""

    projects: list[Project] = field(default_factory=list)
    parents: dict[str, str] = field(default_factory=dict)
    containers: set[str] = field(default_factory=set)  # folders and organizations seen
    not_active: int = 0
    filtered_out: int = 0
    explicit_unscanned: list[str] = field(default_factory=list)

    def ancestors(self, scope: str) -> tuple[str, ...]:
        """The scopes above `scope`, nearest first, as far as they are known."""
        chain: list[str] = []
        current = self.parents.get(scope)
        while current and current not in chain:
            chain.append(current)
            current = self.parents.get(current)
        return tuple(chain)


class Discovery:
    """Walks the hierarchy for one collection."""

    def __init__(
        self, settings: GcpSettings, clients: GcpClients, caller: ApiCaller, tasks: Tasks
    ) -> None:
        self.settings = settings
        self.clients = clients
        self.caller = caller
        self.tasks = tasks
        self.found = Hierarchy()
        self._lock = threading.Lock()
        self._asked_folders: set[str] = set()

    def run(self) -> Hierarchy:
        """Discover (or read the explicit list), then wait for every listing."""
        settings = self.settings
        if settings.projects:
            for project_id in settings.projects:
                self.tasks.submit(Api.RESOURCE_MANAGER, self._explicit, project_id)
        else:
            roots = [f"folders/{f}" for f in settings.folders]
            if settings.organization:
                roots.insert(0, f"organizations/{settings.organization}")
            for root in roots:
                self._walk(root)
                if root.startswith("folders/"):
                    self._ancestry_of(root)
        self.tasks.wait()
        self.found.projects.sort(key=lambda p: p.project_id)
        return self.found

    def _walk(self, container: str) -> None:
        with self._lock:
            if container in self.found.containers:
                return
            self.found.containers.add(container)
        self.tasks.submit(Api.RESOURCE_MANAGER, self._list_folders, container)
        self.tasks.submit(Api.RESOURCE_MANAGER, self._list_projects, container)

    def _list_folders(self, parent: str) -> None:
        client = self.clients.folders

        def fetch(token: str, timeout: float) -> Any:
            request = resourcemanager_v3.ListFoldersRequest(
                parent=parent, page_size=self.settings.page_size, page_token=token
            )
            return next(
                iter(client.list_folders(request=request, retry=None, timeout=timeout).pages)
            )

        pages = self.caller.pages(Api.RESOURCE_MANAGER, Method.LIST_FOLDERS, parent, fetch)
        for page in _explained(pages, "folders below it, and their projects, not discovered"):
            for folder in page.folders:
                raw = as_json(folder)
                name, state = raw.get("name"), raw.get("state")
                if not isinstance(name, str) or not name.startswith("folders/"):
                    raise CallFailed(
                        FailureKind.PROTOCOL,
                        Method.LIST_FOLDERS,
                        parent,
                        "listed a nameless folder",
                        "folders below it not all discovered",
                    )
                if state != ACTIVE:
                    continue
                with self._lock:
                    self.found.parents[name] = parent
                self._walk(name)

    def _list_projects(self, parent: str) -> None:
        client = self.clients.projects

        def fetch(token: str, timeout: float) -> Any:
            request = resourcemanager_v3.ListProjectsRequest(
                parent=parent, page_size=self.settings.page_size, page_token=token
            )
            pager = client.list_projects(request=request, retry=None, timeout=timeout)
            return next(iter(pager.pages))

        pages = self.caller.pages(Api.RESOURCE_MANAGER, Method.LIST_PROJECTS, parent, fetch)
        for page in _explained(pages, "projects directly below it not all discovered"):
            for raw in page.projects:
                try:
                    project = project_from_json(as_json(raw))
                except ValueError as exc:
                    raise CallFailed(
                        FailureKind.PROTOCOL,
                        Method.LIST_PROJECTS,
                        parent,
                        f"listed {exc}",
                        "projects directly below it not all discovered",
                    ) from None
                self._keep(project, parent)

    def _keep(self, project: Project, parent: str) -> None:
        include, exclude = self.settings.include, self.settings.exclude
        with self._lock:
            if project.state != ACTIVE:
                self.found.not_active += 1
            elif (include and not matches(include, project)) or (
                exclude and matches(exclude, project)
            ):
                self.found.filtered_out += 1
            else:
                self.found.parents[project.scope] = project.parent or parent
                self.found.projects.append(project)

    def _explicit(self, project_id: str) -> None:
        scope = f"projects/{project_id}"
        try:
            response = self.caller.call(
                Api.RESOURCE_MANAGER,
                Method.GET_PROJECT,
                scope,
                lambda timeout: self.clients.projects.get_project(
                    name=scope, retry=None, timeout=timeout
                ),
            )
            project = project_from_json(as_json(response))
        except CallFailed as failure:
            with self._lock:
                self.found.explicit_unscanned.append(scope)
            raise failure.so("not scanned") from None
        except ValueError as exc:
            with self._lock:
                self.found.explicit_unscanned.append(scope)
            raise CallFailed(
                FailureKind.PROTOCOL, Method.GET_PROJECT, scope, f"returned {exc}", "not scanned"
            ) from None
        if project.state != ACTIVE:
            with self._lock:
                self.found.explicit_unscanned.append(scope)
            raise CallFailed(
                FailureKind.NOT_FOUND,
                Method.GET_PROJECT,
                scope,
                f"says {project.state}",
                "not scanned",
            )
        with self._lock:
            if project.parent:
                self.found.parents[project.scope] = project.parent
            self.found.projects.append(project)
        if project.parent:
            self._ancestry_of(project.parent)

    def _ancestry_of(self, scope: str) -> None:
        """Folders above `scope` (GetFolder each, once), so inheritance is known."""
        if not scope.startswith("folders/"):
            if scope.startswith("organizations/"):
                with self._lock:
                    self.found.containers.add(scope)
            return
        with self._lock:
            if scope in self._asked_folders:
                return
            self._asked_folders.add(scope)
            self.found.containers.add(scope)
        self.tasks.submit(Api.RESOURCE_MANAGER, self._get_folder, scope)

    def _get_folder(self, scope: str) -> None:
        try:
            folder = self.caller.call(
                Api.RESOURCE_MANAGER,
                Method.GET_FOLDER,
                scope,
                lambda timeout: self.clients.folders.get_folder(
                    name=scope, retry=None, timeout=timeout
                ),
            )
        except CallFailed as failure:
            raise failure.so("bindings inherited from above it are not known") from None
        parent = as_json(folder).get("parent")
        if isinstance(parent, str) and parent:
            with self._lock:
                self.found.parents.setdefault(scope, parent)
            self._ancestry_of(parent)


def _explained(pages: Iterator[T], consequence: str) -> Iterator[T]:
    """`pages`, with a failure saying what it cost."""
    try:
        yield from pages
    except CallFailed as failure:
        raise failure.so(consequence) from None
