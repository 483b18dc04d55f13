"""The live collector and the static gcloud loaders make identical resources of one estate:
the fakes serve tests/fixtures/gcp, and every gcp.* resource — policies with inheritance,
accounts, keys, roles and usage — equals the static scan's, field for field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from auditor.collectors.base import CollectorContext
from auditor.collectors.gcp import GcpSettings, create_collector
from auditor.loaders.static import StaticOptions, load_static
from auditor.state import HistoryStore
from tests.fakes.gcp.from_gcloud import FIXTURES, OBSERVED_UNTIL, fixture_org
from tests.fakes.gcp.server import FakeGcp, running_fakes

NOT_IN_FILES = {"gcp.predefined_role", "pubsub.subscription", "composer.environment"}
NOT_LIVE = {"gcp.gke_cluster"}  # GKE clusters are the gke source's


@pytest.fixture(scope="module")
def fixture_fakes() -> Iterator[FakeGcp]:
    """The fakes serving the gcloud fixtures' estate."""
    with running_fakes(fixture_org()) as started:
        yield started


def test_live_and_static_resources_are_identical(fixture_fakes: FakeGcp) -> None:
    """Same kinds, ids, scopes and data, usage included."""
    loaded, _ = load_static([FIXTURES], StaticOptions())
    static = {(r.kind, r.id): (r.scope, r.data) for r in loaded.resources if r.kind not in NOT_LIVE}
    settings = GcpSettings.model_validate(
        fixture_fakes.source(organization="123456789012", usage={"lookback_days": 120})
    )
    collector = create_collector(settings)
    try:
        context = CollectorContext(now=lambda: OBSERVED_UNTIL, history=HistoryStore())
        collection = collector.collect(context)
    finally:
        collector.close()
    assert collection.problems == []
    live = {
        (r.kind, r.id): (r.scope, r.data)
        for r in collection.resources
        if r.kind not in NOT_IN_FILES
    }
    assert sorted(live) == sorted(static)
    for key, value in static.items():
        assert live[key] == value, key
    assert {kind for kind, _ in live} == {
        "gcp.project",
        "gcp.iam_binding",
        "gcp.iam_member",
        "gcp.service_account",
        "gcp.service_account_key",
        "gcp.custom_role",
    }
    usage = next(v for (k, i), v in live.items() if k == "gcp.service_account" and "/etl@" in i)
    assert usage[1]["last_authenticated_at"] == "2026-11-23T08:00:00Z"
