"""No chapter imports another chapter: what two chapters share lives outside theorems/chapters.

Read from the source with ``ast`` (every import statement, at module level or inside a
function), so an import that only runs when a plot is drawn counts too.
"""

import ast
from pathlib import Path

import pytest

CHAPTERS = Path(__file__).resolve().parents[1] / "theorems" / "chapters"
PACKAGE = "overparam.theorems.chapters"


def chapter_imports(source: str, package: str = PACKAGE) -> list[str]:
    """The modules of ``package`` (or the package itself) that a module of ``package`` with this source imports."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            parts = package.split(".")
            base = parts[: len(parts) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            # ``from pkg import name`` may name a submodule: count pkg.name as imported too
            targets = [module] + [f"{module}.{a.name}" for a in node.names]
        else:
            continue
        # the package itself imports every chapter (its __init__ registers them)
        found += [t for t in targets if t == package or t.startswith(package + ".")]
    return sorted(set(found))


def _chapters():
    return sorted(p for p in CHAPTERS.glob("*.py") if p.name != "__init__.py")


def test_there_are_chapters_to_check():
    assert len(_chapters()) >= 10


@pytest.mark.parametrize("path", _chapters(), ids=lambda p: p.stem)
def test_chapter_imports_no_other_chapter(path):
    imported = chapter_imports(path.read_text())
    assert not imported, f"{path.name} imports the chapter module(s) {imported}; move what they share out of chapters/"


@pytest.mark.parametrize("source", [
    "from .variety import angle",
    "from . import takeaways",
    "from ..chapters import variety",
    "from ..chapters.variety import angle",
    "from .. import chapters",
    "import overparam.theorems.chapters.variety",
    "from overparam.theorems.chapters import variety",
    "from overparam.theorems import chapters",
    "def f():\n    from .variety import angle\n",
])
def test_the_check_sees_every_form_of_a_chapter_import(source):
    assert chapter_imports(source)


@pytest.mark.parametrize("source", [
    "from ..geometry import angle",
    "from ..registry import claim",
    "from overparam.theorems.sections import VARIETY",
    "import numpy as np",
    "from overparam.parameterizations.strategies import inputs",
])
def test_imports_from_outside_chapters_pass(source):
    assert chapter_imports(source) == []
