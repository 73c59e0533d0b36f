"""A wheel of this project, installed outside the tree, gives any pytest run the claims plugin.

The wheel is built from a copy of the packaged files (pyproject's own package patterns),
installed with ``--no-deps`` into a fresh virtual environment in a temporary folder, and
used from a temporary project that holds only a one-file conjecture: no conftest, no
checkout on ``sys.path``. The new environment reaches numpy, Hypothesis and pytest through
a ``.pth`` file that lists the running environment's site-packages folders (its own
``.pth`` files, such as an editable install of this project, are not read from there), so
the project's own modules can only come from the wheel.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from overparam.theorems.readme_examples import examples_in

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow  # builds a wheel and a virtual environment: run with -m slow (CI does)

#: the README's first conjecture, as a user copies it, and a test that the modules came from the wheel
README_EXAMPLES = examples_in((ROOT / "README.md").read_text(encoding="utf-8"))
CONJECTURE = next(e.code for e in README_EXAMPLES if e.name == "first") + '''

def test_the_modules_come_from_the_wheel():
    import sys

    from overparam import theorems

    assert theorems.__file__.startswith(sys.prefix), theorems.__file__
'''

#: run beside this repository's conftest.py, which names the plugin too
PLUGIN_ONCE = '''
def test_the_plugin_is_registered_once(request):
    pm = request.config.pluginmanager
    mods = [p for p in pm.get_plugins() if getattr(p, "__name__", "") == "overparam.reports.pytest_plugin"]
    assert len(mods) == 1, pm.list_name_plugin()
'''


def _setuptools(root: Path) -> dict:
    return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def _packaged(root: Path) -> list[Path]:
    """The folders that pyproject's package-dir maps into the namespace ``overparam``."""
    return sorted(root / folder for folder in _setuptools(root)["package-dir"].values())


def test_every_package_folder_is_mapped_into_the_namespace():
    # a folder with an __init__.py that pyproject does not list would be missing from the wheel
    config = _setuptools(ROOT)
    mapped = {folder: name for name, folder in config["package-dir"].items()}
    want = set()
    for init in ROOT.rglob("__init__.py"):
        rel = init.parent.relative_to(ROOT)
        if rel.parts[0] in {"tests", ".venv", "build"} or rel.parts[0].startswith("."):
            continue
        top = mapped.get(rel.parts[0])
        assert top, f"{rel} has an __init__.py, but pyproject's package-dir does not map {rel.parts[0]!r}"
        want.add(".".join([top, *rel.parts[1:]]))
    assert want == set(config["packages"]), f"pyproject's packages must be {sorted(want)}"
    assert all(name == "overparam" or name.startswith("overparam.") for name in config["packages"])


def _run(args, *, cwd, timeout=300) -> subprocess.CompletedProcess:
    # the child sees no checkout and no pytest settings of this run
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("PYTEST_")}
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _ok(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


@pytest.fixture(scope="module")
def venv_python(tmp_path_factory) -> Path:
    """The python of a fresh virtual environment with this project's wheel installed."""
    tmp = tmp_path_factory.mktemp("install")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "out")
    for pkg in _packaged(ROOT):
        shutil.copytree(pkg, src / pkg.name, ignore=ignore)
    _ok(_run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp / "dist", src], cwd=tmp))
    wheel, = (tmp / "dist").glob("overparam-*.whl")
    venv = tmp / "venv"
    _ok(_run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp))
    python = venv / "bin" / "python"
    _ok(_run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel],
             cwd=tmp))
    purelib = Path(_ok(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                            cwd=tmp)).strip())
    deps = [p for p in sys.path if p.endswith(("site-packages", "dist-packages")) and Path(p).is_dir()]
    (purelib / "_outer_dependencies.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    return python


def test_the_wheel_holds_every_subpackage(venv_python, tmp_path):
    from overparam.theorems.listing import catalogue

    out = _ok(_run([venv_python, "-c", "import sys; from overparam import theorems; "
                    "from overparam.theorems.listing import catalogue; "
                    "print(theorems.__file__.startswith(sys.prefix), len(catalogue()))"], cwd=tmp_path))
    assert out.split() == ["True", str(len(catalogue()))]


def test_the_wheel_adds_one_top_level_name(venv_python, tmp_path):
    # every installed file lies under overparam/ or the distribution's own metadata folder
    out = _ok(_run([venv_python, "-c", "from importlib.metadata import distribution; d = distribution('overparam'); "
                    "print(sorted({str(f).split('/')[0] for f in d.files}))"], cwd=tmp_path))
    tops = {t for t in eval(out) if not t.endswith(".dist-info")}
    assert tops == {"overparam"}, f"the wheel must install only the package overparam, but installs {sorted(tops)}"


def test_pytest_in_another_project_shows_the_claims_summary_and_report(venv_python, tmp_path):
    (tmp_path / "test_my_conjecture.py").write_text(textwrap.dedent(CONJECTURE), encoding="utf-8")
    out = _ok(_run([venv_python, "-m", "pytest", "-p", "no:cacheprovider", "--claims-report", "report",
                    "--claims-report-fields", "none"], cwd=tmp_path))
    summary = out[out.index("= claims ("):]
    assert "X01" in summary and ("refuted" in summary or "survived" in summary), out
    assert "2 passed" in out, out
    assert (tmp_path / "report" / "index.html").is_file() and (tmp_path / "report" / "X01.json").is_file()


def test_the_plugin_loads_once_beside_this_repositorys_conftest(venv_python, tmp_path):
    shutil.copy(ROOT / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_once.py").write_text(textwrap.dedent(PLUGIN_ONCE), encoding="utf-8")
    _ok(_run([venv_python, "-m", "pytest", "-p", "no:cacheprovider", "-q"], cwd=tmp_path))


def test_the_report_includes_a_file_of_another_repository(venv_python, tmp_path):
    # the conjecture imports a module beside it, as a file in a user's repository would
    (tmp_path / "my_models.py").write_text("THRESHOLD = 0.5 ** 0.5\n", encoding="utf-8")
    text = textwrap.dedent(CONJECTURE).replace("np.sqrt(0.5)", "THRESHOLD")
    (tmp_path / "my_conjecture.py").write_text("from my_models import THRESHOLD\n" + text, encoding="utf-8")
    out = _ok(_run([venv_python, "-m", "overparam.reports", "--include", "my_conjecture.py", "--section", "My conjectures",
                    "--out", "report", "--no-fields", "--max-examples", "30"], cwd=tmp_path))
    assert "running 1 claim " in out and "X01" in out, out
    record = tmp_path / "report" / "X01.json"
    assert record.is_file() and (tmp_path / "report" / "index.html").is_file()
    # the record replays from anywhere: it names the included file by its absolute path
    verdict = json.loads(record.read_text(encoding="utf-8"))["result"]["status"]
    replay = _run([venv_python, "-m", "overparam.reports", "replay", record], cwd=tmp_path.parent)
    assert replay.returncode == (1 if verdict == "refuted" else 0), replay.stdout + replay.stderr
    missing = _run([venv_python, "-m", "overparam.reports", "--include", "no_such_file.py"], cwd=tmp_path)
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1, missing.stderr
    assert "no_such_file.py" in missing.stderr


#: a user's own packages with the names of this repository's folders, and a test that they stay the user's
USER_PACKAGES = ("reports", "theorems", "descent", "parameterizations")
USER_OWN = '''
import descent, parameterizations, reports, theorems


def test_the_users_packages_stay_the_users():
    assert {m.OWNER for m in (descent, parameterizations, reports, theorems)} == {"user"}
'''


@pytest.mark.parametrize("command", ["python -m pytest", "pytest"])
def test_a_user_repository_with_packages_of_the_same_names(venv_python, tmp_path, command):
    # installing the wheel must not break pytest in a repository with its own reports/ (or theorems/, ...)
    for name in USER_PACKAGES:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text('OWNER = "user"\n', encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_my_conjecture.py").write_text(textwrap.dedent(CONJECTURE), encoding="utf-8")
    (tmp_path / "tests" / "test_own_packages.py").write_text(textwrap.dedent(USER_OWN), encoding="utf-8")
    if command == "pytest":  # the console script pip writes: no current folder on sys.path
        script = venv_python.parent / "pytest"
        script.write_text(f"#!{venv_python}\nimport sys\nfrom pytest import console_main\nsys.exit(console_main())\n")
        script.chmod(0o755)
        argv = [script]
    else:
        argv = [venv_python, "-m", "pytest"]
    # the user's tests import their own packages from the repository's root, as a pythonpath setting does
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["."]\n', encoding="utf-8")
    out = _ok(_run([*argv, "-p", "no:cacheprovider"], cwd=tmp_path))
    assert "3 passed" in out, out
    summary = out[out.index("= claims ("):]
    assert any(line.startswith("X01 ") for line in summary.splitlines()), summary


#: the README's examples run as its toolkit test runs them: a small derandomized budget, no database
README_RUN = "--hypothesis-seed=0"


def test_every_readme_example_runs_in_a_repository_of_its_own(venv_python, tmp_path):
    # each marked block of the README, copied as a user would into tests/ of a repository that holds
    # nothing of this project; pytest there must collect every claim and give the README's verdict
    (tmp_path / "tests").mkdir()
    scripts = [e for e in README_EXAMPLES if e.verdict == "runs"]
    conjectures = [e for e in README_EXAMPLES if e.verdict != "runs"]
    for e in scripts:  # run as a user runs a script: python readme_NAME.py
        path = tmp_path / f"readme_{e.name.replace('-', '_')}.py"
        path.write_text(e.code, encoding="utf-8")
        ran = _run([venv_python, path.name], cwd=tmp_path)
        assert ran.returncode == 0 and ran.stdout.strip(), f"README example {e.name}:\n{ran.stdout}\n{ran.stderr}"
    for e in conjectures:
        (tmp_path / "tests" / f"test_readme_{e.name.replace('-', '_')}.py").write_text(e.code, encoding="utf-8")
    out = _run([venv_python, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", README_RUN], cwd=tmp_path)
    summary = out.stdout[out.stdout.index("= claims ("):]
    for e in conjectures:
        ids = re.findall(r'@claim\("(\w+)"', e.code)
        assert ids, f"README example {e.name} registers no claim"
        for cid in ids:
            line = next((ln for ln in summary.splitlines() if ln.startswith(f"{cid} ")), None)
            assert line is not None, f"{cid} (README example {e.name}) is missing from the summary:\n{summary}"
            verdicts = {"holds": ("holds",), "refuted": ("refuted",),
                        "refuted-thorough": ("refuted", "survived")}[e.verdict]
            assert any(v in line for v in verdicts), f"README example {e.name}: {line}"
    # the holds examples pass; open claims, refuted or not, do not fail the run
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
