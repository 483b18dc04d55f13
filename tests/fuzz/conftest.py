"""Hypothesis profiles for the fuzz suite: `ci` (default, modest) and `long` (a night's run).

Select with HYPOTHESIS_PROFILE=long; each test's own `max_examples` is scaled by the profile.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Near-valid documents are built by mutating real files, which hypothesis sees as slow data
# generation; that is the point, not a problem.
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile(
    "ci", deadline=None, suppress_health_check=_QUIET, derandomize=False, print_blob=True
)
settings.register_profile(
    "long", deadline=None, suppress_health_check=_QUIET, max_examples=5000, print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
