"""The packages import one way: parameterizations → descent → theorems → reports.

Every module's imports are read with ``ast`` (those inside functions too, and relative ones
resolved against the module's own package), so a lazy import cannot hide a cycle.
"""

import ast
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: package → the packages it must not import
FORBIDDEN = {
    "parameterizations": {"descent", "theorems", "reports"},
    "descent": {"theorems", "reports"},
    "theorems": {"reports"},
}


def module_name(path: Path) -> str:
    """The installed name: every folder maps into the one namespace ``overparam``."""
    parts = ["overparam", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@lru_cache(maxsize=None)  # each file is read by several tests
def imported_modules(path: Path) -> frozenset[str]:
    """The absolute names of every module ``path`` imports (``from a import b`` gives a and a.b)."""
    name = module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module
            found.add(stem)
            found.update(f"{stem}.{a.name}" for a in node.names)
    return frozenset(found)


def top_packages(path: Path) -> set[str]:
    """The project's folders that ``path`` imports (the name under ``overparam``), and any other top-level name."""
    return {m.split(".")[1] if m.startswith("overparam.") else m.split(".")[0] for m in imported_modules(path)}


def modules_of(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_package_imports_one_above_it(package):
    wrong = {str(p.relative_to(ROOT)): sorted(top_packages(p) & FORBIDDEN[package]) for p in modules_of(package)}
    wrong = {k: v for k, v in wrong.items() if v}
    assert not wrong, f"{package}/ must not import {sorted(FORBIDDEN[package])}, but: {wrong}"


def test_the_reader_sees_absolute_relative_and_lazy_imports():
    # the edges the layout is built on, each found the way a violation would be
    assert "parameterizations" in top_packages(ROOT / "descent" / "single.py")  # absolute
    assert "overparam.descent.arguments" in imported_modules(ROOT / "descent" / "single.py")  # relative, from .arguments
    assert "overparam.theorems.registry" in imported_modules(ROOT / "theorems" / "chapters" / "woodworth.py")  # from ..registry
    assert "descent" in top_packages(ROOT / "theorems" / "chapters" / "woodworth.py")  # inside functions too
    assert "theorems" in top_packages(ROOT / "reports" / "build.py")


@pytest.mark.parametrize("folder", ["parameterizations", "descent", "theorems", "reports", "tests", "scripts",
                                    "benchmarks"])
def test_every_import_goes_through_the_namespace(folder):
    # a bare ``import theorems`` would load a second copy of the catalogue beside overparam.theorems
    bare = set(FORBIDDEN) | {"parameterizations"}
    wrong = {str(p.relative_to(ROOT)): sorted(top & bare) for p in sorted((ROOT / folder).rglob("*.py"))
             if (top := {m.split(".")[0] for m in imported_modules(p)})}
    wrong = {k: v for k, v in wrong.items() if v}
    assert not wrong, f"import these through overparam (from overparam.theorems import …), not bare: {wrong}"
