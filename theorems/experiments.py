"""Conventions of the claims decided by running descent: Hypothesis phases, one experiment per example.

Each such claim runs a handful of examples, each one a full descent experiment (see the
``settings`` of each entry); its plot reuses the experiment through :func:`memo`.
"""

from __future__ import annotations

import numpy as np
from hypothesis import Phase

__all__ = ["PHASES", "PHASES_NO_SHRINK", "REL_TOL", "memo", "forget"]

#: Hypothesis phases of every descent claim: no "explain" phase, which reruns a failing example with its
#: parts varied about a hundred times — 40 s for one descent experiment, for a sentence the note()s give
PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink)
#: ... and for the statistical experiments (C36, C37) no shrinking either: their examples are seeds, which
#: have no meaningful "smaller", and a shrink would rerun a 0.3 s experiment a hundred times
PHASES_NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target)

#: "converges": the loss falls to this fraction of its initial value
REL_TOL = 1e-10

_MEMO: dict = {}


def _freeze(v):
    if isinstance(v, np.ndarray):
        return ("array", v.shape, v.tobytes())
    if hasattr(v, "spec") and hasattr(v, "family"):
        return ("param", v.family, repr(sorted(v.spec().items())))
    return v


def memo(fn, ex: dict):
    """``fn(ex)``, computed once per example (the plot of an example reuses its claim's runs).

    The key is the function (module and qualified name) and the example's values (arrays by
    their bytes, parameterizations by family and spec). At most 64 results are kept.
    """
    key = (f"{fn.__module__}.{fn.__qualname__}", tuple(sorted((k, _freeze(v)) for k, v in ex.items())))
    if key not in _MEMO:
        if len(_MEMO) >= 64:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = fn(ex)
    return _MEMO[key]


def forget() -> None:
    """Drop every memoized result: the library they were computed with has changed (a planted bug)."""
    _MEMO.clear()
