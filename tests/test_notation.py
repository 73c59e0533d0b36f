"""One notation in what the user reads: Unicode mathematics, never TeX fragments or numpy's reprs."""

from __future__ import annotations

import re

import numpy as np
import pytest

from overparam.theorems import catalogue
from overparam.theorems.notation import sub, sup, vector

#: TeX that leaks into text: a braced power or index (‖θ‖^{2−2/N}, W_{j+1}), a backslash command or
#: set difference (R^2\{0}), and ASCII blackboard sets (R^d, R^{k×k})
TEX = re.compile(r"[\^_]\{|\\[A-Za-z{]|\bR\^")


def test_vectors_indices_and_powers_are_written_in_unicode():
    assert vector(np.array([0.25, 0.5])) == "(0.25, 0.5)"
    assert vector(np.array([0.5, 0.0, -1.23456e-5])) == "(0.5, 0, -1.23e-05)"
    assert sub(0) + sub("j+1") == "₀ⱼ₊₁" and sup(2) + sup("d") == "²ᵈ"
    with pytest.raises(ValueError, match=r"^index must be written with characters that have a subscript form"):
        sub("q")


def test_no_statement_or_definition_mixes_tex_into_its_unicode():
    found = [(c.id, m.group(0), text[max(m.start() - 20, 0):m.end() + 20])
             for c in catalogue() for text in (c.statement, c.definitions or "")
             for m in TEX.finditer(text)]
    assert not found, found
