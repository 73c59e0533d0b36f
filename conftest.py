"""Root conftest: the claims plugin (terminal summary, --claims-report) and the profiles.

A pytest run in this repository loads the ``quick`` profile unless one is chosen
(``--hypothesis-profile``, ``OVERPARAM_PROFILE``, or ``ci`` under CI): see :mod:`overparam.theorems.profiles`.
"""

import gc
import os

import pytest
from hypothesis import settings

from overparam import theorems  # noqa: F401  (registers and loads the Hypothesis profiles)
from overparam.theorems.listing import catalogue
from overparam.theorems.power import planted_bugs
from overparam.theorems.profiles import chosen_profile, current_profile

pytest_plugins = ["overparam.reports.pytest_plugin"]


def pytest_collection(session):
    """Every chapter and every module a planted bug patches is imported before any test runs: pytester's
    in-process runs drop from sys.modules whatever was first imported inside them, and a later test
    would then import a second copy (a claim whose check patches or memoizes in the first copy). Not in
    pytest-xdist's controller, which runs no test (0.6 s before the workers start)."""
    if os.environ.get("PYTEST_XDIST_WORKER") or not session.config.pluginmanager.has_plugin("dsession"):
        catalogue()
        planted_bugs()


def pytest_collection_finish(session):
    """What collection left alive (the modules, the catalogue, the test items) lives to the end of the run:
    frozen, the collector's oldest generation no longer scans it. The suite's many short-lived objects
    (Hypothesis's examples, small arrays) trigger a full collection every few seconds, and each one
    walked all of it: about 5 % of a worker's time, measured with gc.callbacks."""
    gc.collect()
    gc.freeze()


def pytest_configure(config):
    if not config.getoption("hypothesis_profile", None):
        settings.load_profile(chosen_profile(fallback="quick"))


@pytest.fixture(autouse=True)
def _profile_left_as_found():
    """A test that leaves another Hypothesis profile loaded fails: every later test of its process
    would run on that budget (a report run in-process once left ``default`` loaded, and the rest of
    the run took a third longer)."""
    before = current_profile()
    yield
    after = current_profile()
    if after != before:
        settings.load_profile(before)
        pytest.fail(f"the test left the Hypothesis profile {after!r} loaded, but should restore {before!r}",
                    pytrace=False)
