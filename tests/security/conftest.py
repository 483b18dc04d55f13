"""The secrets-hygiene estate (MariaDB pair, tansu, Airflow 3, GCP fakes, kmock, receivers),
started once per session: every test in tests/security reads the same runs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.security.estate import Estate, running_estate
from tests.security.matrix import Runs, run_all


@pytest.fixture(scope="session")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Estate]:
    """Every service started on 127.0.0.1 with canary secrets planted; stopped at the end."""
    with running_estate(tmp_path_factory.mktemp("security")) as started:
        yield started


@pytest.fixture(scope="session")
def runs(estate: Estate) -> Runs:
    """`run --once`, `scan` in every format and two daemons, side by side over the estate."""
    return run_all(estate)
