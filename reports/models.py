"""``--model module:object``: a user's parameterization joins the report, checked against the general claims.

Each model runs the interface checks J1–J2 and the general claims of the selection (those
:func:`overparam.theorems.conformance.check_parameterization` runs); its results are pages of their own
(``C16--jax-my-mlp-p-40-q-5.html``), beside the zoo's, marked "on <model>" in the index.
"""

from __future__ import annotations

from typing import Callable, Iterable

from overparam.theorems.core import Claim, Result, run_claim

from .build import counter, progress_line
from .entries import Entry

__all__ = ["load_models", "model_claims", "model_entries"]


def load_models(refs: Iterable[str]) -> list:
    """The parameterizations the references name (:func:`overparam.parameterizations.families.load_model`);
    a ``ValueError`` in one line for the first that cannot be loaded."""
    from overparam.parameterizations.families import load_model

    return [load_model(ref) for ref in refs]


def model_claims(selected: Iterable[Claim], everything: bool) -> list[Claim]:
    """The general checks a model runs: those among ``selected``, and J1–J2 unless a selection excludes them."""
    from overparam.theorems.conformance import SECTION, general_checks

    ids = {c.id for c in selected}
    return [c for c in general_checks() if c.id in ids or (everything and c.section == SECTION)]


def model_entries(models: list, claims: list[Claim], *, overrides: dict | None = None,
                  progress: Callable[[str], None] | None = print) -> list[Entry]:
    """Run every claim on every model (compiled first, where the model can be: ``warm()``)."""
    entries, total = [], len(models) * len(claims)
    for m in models:
        if hasattr(m, "warm"):
            m.warm()
        for c in claims:
            try:
                r = run_claim(c, param=m, overrides=overrides)
            except Exception as e:  # a model whose examples cannot even be drawn: an error of that claim
                r = Result(c.id, c.kind, "error", message=f"{type(e).__name__}: {e} [{c.id}, {m.label}]",
                           subject=m.label)
            entries.append(Entry(r, c))
            if progress is not None:
                progress(f"{counter(len(entries), total)} {progress_line(r)}")
    return entries
