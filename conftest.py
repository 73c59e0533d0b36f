"""Root conftest: the claims plugin (terminal summary, --claims-report) and the profiles.

A pytest run in this repository loads the ``quick`` profile unless one is chosen
(``--hypothesis-profile``, ``OVERPARAM_PROFILE``, or ``ci`` under CI): see :mod:`overparam.theorems.profiles`.
"""

from hypothesis import settings

from overparam import theorems  # noqa: F401  (registers and loads the Hypothesis profiles)
from overparam.theorems.listing import catalogue
from overparam.theorems.power import planted_bugs
from overparam.theorems.profiles import chosen_profile

# Every chapter and every module a planted bug patches is imported before any test runs: pytester's
# in-process runs drop from sys.modules whatever was first imported inside them, and a later test
# would then import a second copy (a claim whose check patches or memoizes in the first copy).
catalogue()
planted_bugs()

pytest_plugins = ["overparam.reports.pytest_plugin"]


def pytest_configure(config):
    if not config.getoption("hypothesis_profile", None):
        settings.load_profile(chosen_profile(fallback="quick"))
