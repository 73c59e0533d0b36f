"""The README's toolkit examples as code: each ```python block after a ``<!-- example: NAME VERDICT -->``
marker is a conjecture file, and its verdict is what running it must give.

tests/test_readme_examples.py runs every block (its claims under a small derandomized budget);
scripts/refute_thorough.py runs one block's claims again and again with fresh seeds under the
``thorough`` profile. Verdicts: ``holds`` (every claim holds), ``refuted`` (every claim is
refuted), ``refuted-thorough`` (refuted under ``thorough``; the small budget only runs it),
``runs`` (a script that registers no claim: it must run to its end without an exception).
"""

from __future__ import annotations

import re
import types
from dataclasses import dataclass

from .core import Claim
from .registry import _REGISTRY

__all__ = ["Example", "VERDICTS", "examples_in", "load"]

VERDICTS = ("holds", "refuted", "refuted-thorough", "runs")

_BLOCK = re.compile(r"<!-- example: (\S+) (\S+) -->\s*```python\n(.*?)```", re.DOTALL)


@dataclass(frozen=True)
class Example:
    name: str
    verdict: str
    code: str


def examples_in(text: str) -> list[Example]:
    """The marked examples of a README's text, in order; a marker with an unknown verdict is a ValueError."""
    out = [Example(*m.groups()) for m in _BLOCK.finditer(text)]
    for e in out:
        if e.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, but example {e.name!r} says {e.verdict!r}")
    return out


def load(example: Example, *, keep: bool = False) -> list[Claim]:
    """Run the example's code as a module and return the claims it registered (its own functions').

    Unless ``keep``, those claims leave the registry afterwards, so that the examples' claims do not
    join the catalogue of the process that loads them; claims the code's calls registered on the
    way (the built-in catalogue, loaded by ``check_parameterization``) stay.
    """
    before = dict(_REGISTRY)
    module = types.ModuleType(f"readme_example_{example.name.replace('-', '_')}")
    own: list[Claim] = []
    try:
        exec(compile(example.code, f"<README example {example.name}>", "exec"), module.__dict__)
    finally:
        own = [c for cid, c in _REGISTRY.items()
               if before.get(cid) is not c and getattr(c.check, "__module__", None) == module.__name__]
        if not keep:
            for c in own:
                if c.id in before:
                    _REGISTRY[c.id] = before[c.id]
                else:
                    del _REGISTRY[c.id]
    return own
