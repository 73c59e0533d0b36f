r"""Gradient descent through a parameterization, the canonical losses it descends, and reference solvers.

Between :mod:`overparam.parameterizations` (the maps ψ) and :mod:`overparam.theorems` (the claims): this package
uses the maps and knows nothing of claims. Notation as there: w ∈ R^p, θ = ψ(w) ∈ R^q,
J(w) = ∂θ/∂w (q×p).

Modules:

* :mod:`overparam.descent.losses` — the one protocol of a canonical loss ℓ(θ) (``value``, ``grad``,
  ``value_and_grad``, ``value_and_grad_batch``, ``hessian``): :class:`Loss` (squared or logistic
  on data X, y), :class:`FunctionLoss` (from callables), and ``overparam.descent.losses.losses``, a
  Hypothesis strategy of data losses.
* :mod:`overparam.descent.single` — one run: :func:`gradient_descent`, w ← w − η J(w)ᵀ∇_θℓ(ψ(w)) with the
  map's vjp, and :func:`canonical_descent`, θ ← θ − η∇_θℓ(θ).
* :mod:`overparam.descent.batched` — B runs as one vectorised loop (:func:`batched_descent`), over the
  uniform initializations of a range of scales α (:func:`alpha_sweep`).
* :mod:`overparam.descent.flow` — gradient flow by curvature-scaled steps (:func:`gradient_flow`) and the
  spectral radius of the parametric Hessian (:func:`curvature`).
* :mod:`overparam.descent.results`, :mod:`overparam.descent.recording`, :mod:`overparam.descent.arguments` — what a run
  returns, its histories in bounded memory, and the checks of the engines' shared arguments.
* :mod:`overparam.descent.solvers` — reference solutions of underdetermined Xθ = y (minimum ℓ1, ℓ∞, ℓ2,
  Q_α, entropy) from scipy, the points the implicit-bias claims compare descent with.

Every run stops as ``"converged"``, ``"budget"`` or ``"diverged"``; a diverged run returns its last
healthy iterate, never a NaN (see :mod:`overparam.descent.single`).
"""

from .batched import alpha_sweep, batched_descent, uniform_initial
from .flow import curvature, gradient_flow
from .losses import CanonicalLoss, FunctionLoss, Loss, logistic_loss, squared_loss
from .results import STATUSES, BatchDescentResult, DescentResult
from .single import canonical_descent, gradient_descent

__all__ = [
    "CanonicalLoss",
    "Loss",
    "FunctionLoss",
    "squared_loss",
    "logistic_loss",
    "DescentResult",
    "BatchDescentResult",
    "STATUSES",
    "gradient_descent",
    "canonical_descent",
    "batched_descent",
    "alpha_sweep",
    "uniform_initial",
    "gradient_flow",
    "curvature",
]
