"""Which projects a collection takes, and how its failures read: filters by id and label,
projects read from the v3 API's JSON, and one problem per cause naming the scopes."""

from __future__ import annotations

import pytest

from auditor.collectors.gcp.calls import CallFailed, FailureKind, Method
from auditor.collectors.gcp.discovery import Hierarchy, Project, matches, project_from_json
from auditor.collectors.gcp.problems import summarise
from auditor.collectors.gcp.settings import ProjectFilter

PROD = Project(
    "acme-data-prod",
    "481516234201",
    "folders/1",
    {"env": "prod", "data-classification": "pii"},
    "ACTIVE",
)


def test_a_project_reads_from_the_v3_json() -> None:
    """Number from the name, id, parent, sorted labels and state."""
    project = project_from_json(
        {
            "name": "projects/481516234201",
            "parent": "folders/1",
            "projectId": "acme-data-prod",
            "state": "ACTIVE",
            "labels": {"env": "prod", "data-classification": "pii"},
        }
    )
    assert project == PROD
    assert list(project.labels) == ["data-classification", "env"]
    with pytest.raises(ValueError, match="no projectId"):
        project_from_json({"name": "projects/1"})


@pytest.mark.parametrize(
    ("selector", "chosen"),
    [
        (ProjectFilter(), True),
        (ProjectFilter(ids=["acme-data-*"]), True),
        (ProjectFilter(ids=["acme-sandbox-*", "*-prod"]), True),
        (ProjectFilter(ids=["acme-sandbox-*"]), False),
        (ProjectFilter(labels={"env": "prod"}), True),
        (ProjectFilter(labels={"env": "*"}), True),
        (ProjectFilter(labels={"team": "*"}), False),
        (ProjectFilter(ids=["acme-*"], labels={"env": "staging"}), False),
    ],
)
def test_a_filter_holds_when_every_criterion_given_holds(
    selector: ProjectFilter, chosen: bool
) -> None:
    """Any id pattern, and every label (value '*' = any)."""
    assert matches(selector, PROD) is chosen


def test_ancestors_are_nearest_first_and_stop_at_a_cycle() -> None:
    """The chain of parents as far as known; a cycle in bad data ends it."""
    hierarchy = Hierarchy(
        parents={
            "projects/p": "folders/2",
            "folders/2": "folders/1",
            "folders/1": "organizations/9",
        }
    )
    assert hierarchy.ancestors("projects/p") == ("folders/2", "folders/1", "organizations/9")
    looped = Hierarchy(parents={"folders/1": "folders/2", "folders/2": "folders/1"})
    assert looped.ancestors("folders/1") == ("folders/2", "folders/1")


def test_the_same_failure_on_many_scopes_is_one_problem_naming_them() -> None:
    """Seven denied projects: one line, five named, the count, the permission, the cost."""
    failures = [
        CallFailed(
            FailureKind.PERMISSION, Method.PROJECT_POLICY, f"projects/p-{i:03d}x", "", "not judged"
        )
        for i in range(7)
    ]
    failures.append(
        CallFailed(FailureKind.UNAVAILABLE, Method.LIST_KEYS, "projects/q/serviceAccounts/a", "503")
    )
    assert summarise(failures) == [
        "projects/p-000x, projects/p-001x, projects/p-002x, projects/p-003x, projects/p-004x, "
        "… (7 in all): Projects.GetIamPolicy denied: the collector lacks permission "
        "resourcemanager.projects.getIamPolicy — not judged",
        "projects/q/serviceAccounts/a: IAM.ListServiceAccountKeys 503",
    ]
