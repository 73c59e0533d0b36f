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

from pathlib import Path as _Path

__version__ = "0.1.0"

# In a source checkout the folders lie beside this one, at the top of the repository: find them
# there, so that a checkout runs (and each work tree runs its own code) without an install. An
# installed copy has them inside this folder and no pyproject.toml above it.
_root = _Path(__file__).resolve().parent.parent
if (_root / "pyproject.toml").is_file() and (_root / "theorems" / "__init__.py").is_file():
    __path__.append(str(_root))
del _Path, _root

__all__ = ["__version__"]
