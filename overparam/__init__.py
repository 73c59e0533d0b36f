"""overparam: property checks, with Hypothesis, for claims about over-parameterized models.

One import namespace. The repository keeps its folders at the top (``parameterizations/``,
``descent/``, ``theorems/``, ``reports/``); the build maps each into this package, so that an
installed copy adds the single top-level name ``overparam`` and never shadows, or is shadowed
by, a user's own ``reports`` or ``theorems`` package.

* :mod:`overparam.parameterizations`: the maps ψ with their exact Jacobians, and strategies;
* :mod:`overparam.descent`: gradient descent, the losses, the reference solvers;
* :mod:`overparam.theorems`: the catalogue of claims and the conjecture author's API;
* :mod:`overparam.reports`: the report (``python -m overparam``) and the pytest plugin.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
