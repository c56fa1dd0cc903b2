"""Shared test set-up: hypothesis profiles, chosen by HYPOTHESIS_PROFILE (default "dev").

"ci" runs the fuzz tests with thousands of examples (CI sets HYPOTHESIS_PROFILE=ci); "dev" keeps
a local run quick. Tests that pin their own max_examples keep it under either profile.
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=2000, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev", max_examples=150, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
