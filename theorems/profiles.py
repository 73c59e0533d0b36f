"""Hypothesis settings profiles, chosen with ``--hypothesis-profile`` (pytest) or ``--profile``.

* ``quick`` — what ``python -m pytest`` runs in this repository unless told otherwise: 30
  examples a property, the budget at which ``tests/test_claim_power.py`` shows every planted
  library bug caught. Only holds claims without a budget of their own are shortened (a true
  statement holds at any budget; what a budget buys is power, and that is tested at this one); a
  search (an exists or open claim), a rate and an experiment with a budget of its own run as under
  ``default``, so that no verdict depends on the profile.
* ``default`` — 100 examples a property (the reference budget: ``python -m overparam.reports``), the
  example database in ``.hypothesis/`` so a found failure replays first.
* ``ci`` — the same budget, derandomized so that a CI run is reproducible, with the
  failure blob printed. Hypothesis would load its own ``ci`` profile whenever the
  ``CI`` variable is set; this one replaces it, so CI runs what is written here.
* ``thorough`` — 2,000 examples a property: enough for ``target()`` to steer the
  search toward the edge of each inequality.

A claim whose examples are expensive sets its own budget (``max_examples`` in its settings), written
for ``default``'s 100 examples: it becomes own × profile / 100, so ``thorough`` runs every claim
20 times as long and ``ci`` as ``default``; ``quick`` keeps it
(:func:`overparam.theorems.core.claim_budget`).

No profile runs Hypothesis's explain phase: after a failure is shrunk it re-runs the example
dozens of times to mark the parts that could vary, which on a claim's dict of arrays took
most of a shrink (16 of 23 s on the README's conjecture) for comments no verdict uses.

No profile sets a deadline: these are numerical checks on a shared 2-core machine,
where wall-clock limits per example make flaky failures; speed is measured by the
benchmark scripts and by the run times each result reports.
"""

from __future__ import annotations

import contextlib
import os

from hypothesis import HealthCheck, Phase, settings

__all__ = ["register_profiles", "chosen_profile", "load_profile", "current_profile", "profile_restored", "claim_search", "PROFILES", "QUICK_EXAMPLES"]

PROFILES = ("quick", "default", "ci", "thorough")

#: examples a property under ``quick``: the budget of the power tests (tests/test_claim_power.py)
QUICK_EXAMPLES = 30


def chosen_profile(name: str | None = None, fallback: str = "default") -> str:
    """The profile to run: ``name`` if given, else ``OVERPARAM_PROFILE``, else ``ci`` under CI, else ``fallback``
    (``default``; this repository's pytest runs pass ``quick``).

    Raises:
        ValueError: one line — ``OVERPARAM_PROFILE`` names no profile.
    """
    env = os.environ.get("OVERPARAM_PROFILE")
    if not name and env and env not in PROFILES:
        raise ValueError(f"OVERPARAM_PROFILE must be one of {', '.join(PROFILES)}, but got {env!r}")
    return name or env or ("ci" if os.environ.get("CI") else fallback)


def load_profile(name: str | None = None) -> str:
    """Load profile ``name`` and return its name; without one, the profile already active (that
    :func:`register_profiles` chose, or pytest's ``--hypothesis-profile``)."""
    if name:
        settings.load_profile(name)
        return name
    return current_profile()


def current_profile() -> str | None:
    """The name of the profile loaded in this process: ``settings.get_current_profile_name()`` (Hypothesis
    ≥ 6.139), else the attribute that method reads (6.113–6.138 have the attribute only)."""
    get = getattr(settings, "get_current_profile_name", None)
    return get() if get is not None else getattr(settings, "_current_profile", None)


@contextlib.contextmanager
def profile_restored():
    """Within the block any profile may be loaded; on leaving it, the profile active before is loaded again.

    Hypothesis's current profile is global to the process: a command run in-process (the report's
    ``main`` from a test or a notebook) that loads its own would otherwise leave every later run of
    that process on its budget — a pytest run once went on at ``default`` after one such test.
    """
    before = current_profile()
    try:
        yield
    finally:
        if before is not None:
            settings.load_profile(before)


@contextlib.contextmanager
def claim_search():
    """Hypothesis as a claim's run uses it: within the block it draws no literals harvested from the
    loaded modules and keeps no Pareto front.

    * Local constants. Hypothesis (≥ 6.131) sometimes draws a literal found in the source of "local"
      modules — those of ``sys.modules`` outside site-packages and test folders — and the pool grows
      as modules load (within a 100 ms parsing limit). A derandomized run then drew other examples in
      a pytest process than in a fresh one (C13 found its witness at example 21 in one and 83 in the
      other), and would differ between this checkout and an installed wheel, whose modules are not
      local. Without the pool a claim's examples depend only on its strategy, its settings and the
      seed. The global pool (0, ±inf, the float limits …) stays.
    * The Pareto front. With an example database Hypothesis keeps, besides failures, a front of
      examples by their ``target()`` scores: every example is compared with it in the shortlex order
      of its choices, the front's members are shrunk with the run's budget, and the next run replays
      them. That was half of C24's time under ``default`` (4.0 s against 1.3 s without), and a later
      run's examples depended on what earlier runs left in the database. The database now holds a
      claim's failures only; target() still steers each run.

    Hypothesis versions without either mechanism are left as they are.
    """
    with _without_local_constants(), _without_pareto_front():
        yield


@contextlib.contextmanager
def _without_local_constants():
    try:
        from hypothesis.internal.conjecture import providers
        get, cache, empty = providers._get_local_constants, providers.CONSTANTS_CACHE, providers.Constants()
    except (ImportError, AttributeError):  # no local constants in this Hypothesis
        yield
        return
    providers._get_local_constants = lambda: empty
    cache.cache.clear()  # the pools filtered by constraint were built with the local constants
    try:
        yield
    finally:
        providers._get_local_constants = get
        cache.cache.clear()


@contextlib.contextmanager
def _without_pareto_front():
    try:
        from hypothesis.internal.conjecture import engine
        front = engine.ParetoFront
    except (ImportError, AttributeError):  # no Pareto front in this Hypothesis
        yield
        return

    class NoFront(front):
        """A front that admits nothing: nothing to compare, shrink, save or replay."""

        def add(self, data) -> bool:
            return False

    engine.ParetoFront = NoFront
    try:
        yield
    finally:
        engine.ParetoFront = front


def register_profiles(load: bool = True) -> None:
    """Register the four profiles and (``load``) load :func:`chosen_profile`."""
    common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow],
                  phases=tuple(p for p in Phase if p is not Phase.explain))
    settings.register_profile("quick", max_examples=QUICK_EXAMPLES, **common)
    settings.register_profile("default", max_examples=100, **common)
    settings.register_profile("ci", max_examples=100, derandomize=True, database=None, print_blob=True, **common)
    settings.register_profile("thorough", max_examples=2000, **common)
    if load:
        try:
            settings.load_profile(chosen_profile())
        except ValueError:  # a bad OVERPARAM_PROFILE: the command line and the pytest plugin say so in one line
            pass
