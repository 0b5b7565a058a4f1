"""Fixtures shared by every test folder.

rng: each test gets a generator of its own, seeded the same way, so the numbers a test sees do
not depend on which tests ran before it (or whether they ran at all). For the same reason
nnlab's own generator (what layers built without rng draw from) is reseeded before each test.

Hypothesis (the property tests of tests/lib) runs under the profile "nnlab": derandomized, so
a run checks the same examples every time, and without an example database (no .hypothesis
folder). `pytest --hypothesis-profile=explore` draws new examples, and more of them.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import nnlab

SEED = 2024

settings.register_profile("nnlab", derandomize=True, database=None, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", max_examples=500, database=None, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("nnlab")


@pytest.fixture
def rng():
    """A fresh np.random.default_rng(SEED) for this test alone."""
    return np.random.default_rng(SEED)


@pytest.fixture(autouse=True)
def _reseed_nnlab():
    nnlab.manual_seed(SEED)
