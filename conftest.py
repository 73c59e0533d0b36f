"""Root conftest: the claims plugin (terminal summary, --claims-report) and the profiles."""

import theorems  # noqa: F401  (registers and loads the Hypothesis profiles)

pytest_plugins = ["reports.pytest_plugin"]
