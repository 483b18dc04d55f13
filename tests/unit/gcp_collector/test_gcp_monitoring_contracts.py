"""Contracts of the kinds only the live gcp source makes: documented fields are exactly the
produced ones, and every rule case is data the normalisers really produce from Monitoring
JSON (each case is rebuilt as time series and re-normalised)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.collectors.gcp.composer import HEALTHY_METRIC, normalise_health
from auditor.collectors.gcp.predefined_roles import predefined_role_facts
from auditor.collectors.gcp.pubsub import (
    OLDEST_AGE_METRIC,
    UNDELIVERED_METRIC,
    normalise_backlog,
)
from auditor.collectors.gcp.timeseries import SeriesFormatError

REPO = Path(__file__).resolve().parents[3]
DOC = REPO / "docs" / "resource-kinds" / "gcp.md"


def documented(kind: str) -> set[str]:
    """Field names of one kind's table in docs/resource-kinds/gcp.md."""
    section = DOC.read_text(encoding="utf-8").split(f"\n## {kind}\n", 1)[1].split("\n## ", 1)[0]
    return {
        name
        for line in section.splitlines()
        if line.startswith("| `")
        for name in re.findall(r"`(\w+)`", line.split("|")[1])
    }


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _series(
    metric: str, labels: dict[str, str], points: list[tuple[datetime, Any]]
) -> dict[str, Any]:
    typed = lambda v: {"boolValue": v} if isinstance(v, bool) else {"int64Value": str(v)}  # noqa: E731
    return {
        "metric": {"type": metric},
        "resource": {"type": "x", "labels": labels},
        "points": [
            {"interval": {"startTime": _stamp(at), "endTime": _stamp(at)}, "value": typed(value)}
            for at, value in reversed(points)  # Monitoring sends newest first
        ],
    }


def _times(observed: str, count: int, span: int | None) -> list[datetime]:
    end = datetime.fromisoformat(observed.replace("Z", "+00:00"))
    step = (span or 0) // max(count - 1, 1)
    return [end - timedelta(seconds=step * (count - 1 - i)) for i in range(count)]


def backlog_series(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Two gauges whose points make exactly `data`: first and last values, evenly spaced."""
    labels = {"project_id": data["project_id"], "subscription_id": data["subscription_id"]}
    times = _times(data["observed_at"], data["points"], data["span_seconds"])
    found = []
    for metric, newest, first in (
        (
            UNDELIVERED_METRIC,
            data["num_undelivered_messages"],
            data["num_undelivered_messages_window_start"],
        ),
        (
            OLDEST_AGE_METRIC,
            data["oldest_unacked_message_age_seconds"],
            data["oldest_unacked_message_age_seconds_window_start"],
        ),
    ):
        if newest is not None:
            values = [first] * (len(times) - 1) + [newest]
            found.append(_series(metric, labels, list(zip(times, values, strict=True))))
    return found


def health_series(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Health points 60 s apart making exactly `data` (earlier failures, then the trailing run)."""
    count, unhealthy = data["points"], data["unhealthy_points"]
    end = datetime.fromisoformat(data["observed_at"].replace("Z", "+00:00"))
    trailing = 0
    if data["unhealthy_since"]:
        since = datetime.fromisoformat(data["unhealthy_since"].replace("Z", "+00:00"))
        trailing = int((end - since).total_seconds()) // 60 + 1
    values = [False] * (unhealthy - trailing) + [True] * (count - unhealthy) + [False] * trailing
    times = [end - timedelta(seconds=60 * (count - 1 - i)) for i in range(count)]
    labels = {
        "project_id": data["project_id"],
        "location": data["location"],
        "environment_name": data["environment_name"],
    }
    return [_series(HEALTHY_METRIC, labels, list(zip(times, values, strict=True)))]


def rule_cases(folder: str) -> list[tuple[str, dict[str, Any]]]:
    """(rule/case name, resource) of every case of the rules in `folder`."""
    found = []
    for path in sorted((REPO / "rules" / folder).glob("*.yaml")):
        rule = yaml.safe_load(path.read_text(encoding="utf-8"))
        for outcome in ("pass", "fail"):
            for case in rule["cases"][outcome]:
                found.append((f"{rule['id']}/{case['name']}", case["resource"]))
    return found


@pytest.mark.parametrize(
    ("name", "resource"), rule_cases("gcp-pubsub"), ids=lambda v: v if isinstance(v, str) else ""
)
def test_pubsub_cases_are_normaliser_output(name: str, resource: dict[str, Any]) -> None:
    """Re-normalising the case's series gives the case's resource, field for field."""
    [(rid, scope, data)] = normalise_backlog(backlog_series(resource), resource["window_seconds"])
    assert data == resource, name
    assert (rid, scope) == (resource["name"], f"projects/{resource['project_id']}")


@pytest.mark.parametrize(
    ("name", "resource"), rule_cases("gcp-composer"), ids=lambda v: v if isinstance(v, str) else ""
)
def test_composer_cases_are_normaliser_output(name: str, resource: dict[str, Any]) -> None:
    """Re-normalising the case's health points gives the case's resource."""
    [(_, _, data)] = normalise_health(health_series(resource), resource["window_seconds"])
    assert data == resource, name


def test_documented_fields_are_the_produced_fields() -> None:
    """pubsub.subscription, composer.environment and gcp.predefined_role have exactly their
    documented fields."""
    [(_, _, subscription)] = normalise_backlog(backlog_series(rule_cases("gcp-pubsub")[0][1]), 1800)
    assert set(subscription) == documented("pubsub.subscription")
    [(_, _, environment)] = normalise_health(health_series(rule_cases("gcp-composer")[0][1]), 1800)
    assert set(environment) == documented("composer.environment")
    role = predefined_role_facts({"name": "roles/viewer", "includedPermissions": ["a.b.get"]})
    assert set(role) == documented("gcp.predefined_role")


def test_a_predefined_role_is_read_as_gcloud_describes_it() -> None:
    """Permissions sorted and unique, classification from the name, omitted fields null."""
    facts = predefined_role_facts(
        {
            "name": "roles/storage.admin",
            "title": "Storage Admin",
            "includedPermissions": [
                "storage.objects.get",
                "storage.buckets.get",
                "storage.objects.get",
            ],
            "stage": "GA",
            "etag": "AA==",
        }
    )
    assert facts == {
        "role": "roles/storage.admin",
        "role_name": "storage.admin",
        "role_type": "predefined",
        "is_admin_role": True,
        "title": "Storage Admin",
        "description": None,
        "stage": "GA",
        "deleted": False,
        "permissions": ["storage.buckets.get", "storage.objects.get"],
    }
    with pytest.raises(ValueError, match="not a predefined role"):
        predefined_role_facts({"name": "projects/p/roles/custom"})


def test_series_without_the_published_shape_are_refused() -> None:
    """A series missing its subscription label or a point's time raises SeriesFormatError."""
    broken = _series(
        UNDELIVERED_METRIC, {"project_id": "p"}, [(datetime(2026, 1, 1, tzinfo=UTC), 1)]
    )
    with pytest.raises(SeriesFormatError, match="subscription_id"):
        normalise_backlog([broken], 1800)
    timeless = {
        "metric": {"type": HEALTHY_METRIC},
        "resource": {"labels": {"project_id": "p", "location": "l", "environment_name": "e"}},
        "points": [{"value": {"boolValue": True}}],
    }
    with pytest.raises(SeriesFormatError, match="endTime"):
        normalise_health([timeless], 1800)
