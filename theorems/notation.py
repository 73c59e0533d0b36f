"""How the claims' messages write mathematics: one notation, Unicode, never numpy's or TeX's.

Vectors are written ``(0.25, 0.5)`` rather than numpy's ``[0.25 0.5 ]``; an index or a small power
as a subscript or superscript (``θ₀``, ``ℝ²``), where Unicode has the characters.
"""

from __future__ import annotations

import numpy as np

__all__ = ["vector", "sub", "sup"]

_SUB = str.maketrans("0123456789+−-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUP = str.maketrans("0123456789+−-=()dikn", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵈⁱᵏⁿ")


def vector(v, digits: int = 3) -> str:
    """The entries of ``v`` with ``digits`` significant digits, in parentheses: ``(0.25, 0.5, -1.2e-05)``."""
    return "(" + ", ".join(f"{float(x):.{digits}g}" for x in np.ravel(v)) + ")"


def sub(index) -> str:
    """``index`` as a subscript (``sub(0)`` is ``₀``, ``sub("j+1")`` is ``ⱼ₊₁``); characters without a
    subscript form raise ValueError rather than mixing notations."""
    text = str(index)
    out = text.translate(_SUB)
    if any(a == b and not a.isspace() for a, b in zip(text, out)):
        raise ValueError(f"index must be written with characters that have a subscript form, but got {text!r}")
    return out


def sup(power) -> str:
    """``power`` as a superscript (``sup(2)`` is ``²``, ``sup("d")`` is ``ᵈ``); as :func:`sub` otherwise."""
    text = str(power)
    out = text.translate(_SUP)
    if any(a == b and not a.isspace() for a, b in zip(text, out)):
        raise ValueError(f"power must be written with characters that have a superscript form, but got {text!r}")
    return out
