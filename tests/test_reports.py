"""The report: pages, records that replay, pictures, links, determinism, exit status, the plugin.

One small report is built once per module from a real claim (C01, run through
``run_claim``) and planted claims (tests/_planted.py: a false bound, a witness, a
bug, a broken plot, a pending entry), so that nothing here depends on which
catalogue claims happen to be refuted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
from hypothesis import Phase

from _planted import planted_claims
from overparam.theorems.listing import get
from overparam.theorems.core import ClaimFailed, Result
from overparam.descent.losses import squared_loss

from overparam.reports import build, cli, plots, records, replay, select

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
#: few examples, no example database (hermetic), no explain phase (fast)
FEW = {"max_examples": 15, "database": None,
       "phases": (Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink)}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """(out folder, entries) of a report of C01 and the planted claims P1–P5."""
    planted = planted_claims()
    claims = [get("C01")] + list(planted.values())
    entries = build.run_entries(claims, overrides=FEW, progress=None)
    out = tmp_path_factory.mktemp("report")
    build.build_report(entries, out, meta=build.Meta(source="test", profile="default"), fields=("regular",))
    return out, {e.result.id: e for e in entries}


@pytest.mark.slow
def test_statuses_and_exit_code(report):
    _, entries = report
    status = {cid: e.result.status for cid, e in entries.items()}
    assert status == {"C01": "holds", "P1": "refuted", "P2": "witness found", "P3": "error", "P4": "refuted",
                      "P5": "pending"}
    assert build.exit_code(e.result for e in entries.values()) == 1  # P1 (holds) refuted, P3 errored
    assert build.exit_code([entries["C01"].result, entries["P2"].result, entries["P4"].result,
                            entries["P5"].result]) == 0  # an open claim refuted and a pending one do not fail


def test_exit_code_rules():
    def r(kind, status):
        return Result("X", kind, status)

    assert build.exit_code([r("holds", "holds"), r("open", "survived"), r("open", "refuted"),
                            r("exists", "witness found"), r("holds", "pending")]) == 0
    for bad in (r("holds", "refuted"), r("exists", "no witness"), r("open", "error")):
        assert build.exit_code([r("holds", "holds"), bad]) == 1
    assert Result("X", "open", "survived", examples=42).status_label == "survived 42"
    assert not Result("X", "holds", "pending").failing and not Result("X", "holds", "pending").passing


@pytest.mark.slow
def test_index_lists_every_claim_with_its_page(report):
    out, entries = report
    index = (out / "index.html").read_text(encoding="utf-8")
    for cid, e in entries.items():
        assert f'href="{e.page}"' in index and (out / e.page).is_file()
    assert "survived" not in index or "survived " in index
    assert "Gradient fields" in index and 'src="field-regular.png"' in index


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("href", "src") and v is not None:
                self.links.append(v)
            if k == "id" and v:
                self.ids.add(v)


@pytest.mark.slow
def test_every_link_is_relative_and_resolves(report):
    out, _ = report
    pages = sorted(out.glob("*.html"))
    assert len(pages) >= 7
    for page in pages:
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.links:
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc and not link.startswith("/"), f"{page.name}: {link}"
            if parts.path:
                assert "/" not in parts.path, f"{page.name}: {link} is not beside the page"
                assert (out / parts.path).is_file(), f"{page.name}: {link} does not resolve"
            if parts.fragment and not parts.path:
                assert parts.fragment in parser.ids, f"{page.name}: #{parts.fragment} has no target"


@pytest.mark.slow
def test_refuted_results_have_a_png_and_a_replay_that_raises_again(report):
    out, entries = report
    refuted = [e for e in entries.values() if e.result.status in ("refuted", "error")]
    assert {e.result.id for e in refuted} == {"P1", "P3", "P4"}
    for e in refuted:
        pngs = [out / f"{e.page[:-5]}-{p.name}.png" for p in e.pictures if p.png]
        assert pngs and all(p.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") for p in pngs)
        page = (out / e.page).read_text(encoding="utf-8")
        assert "python -m overparam.reports replay" in page and "python -m pytest -k " + e.result.id in page
        rec = records.load_record(e.record_path)
        rep = replay.replay(rec)  # the claim is found again from the record alone
        assert rep.outcome == "failed" and rep.same, (rep.message, rep.recorded)
    with pytest.raises(ClaimFailed, match=r"n·‖x‖∞ \+ n=3, but should be ≤ 2"):
        replay.reproduce(entries["P1"].record_path)
    with pytest.raises(ZeroDivisionError):
        replay.reproduce(entries["P3"].record_path)
    witness = replay.replay(entries["P2"].record_path)
    assert witness.outcome == "witness" and witness.same and not witness.failed


@pytest.mark.slow
def test_replay_command_exits_non_zero_with_the_message(report):
    _, entries = report
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "overparam.reports", "replay"]
    failed = subprocess.run(cmd + [str(entries["P1"].record_path)], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert failed.returncode == 1, failed.stderr
    # the verdict line, with the message, and no traceback: the failure reproducing is the expected outcome
    assert f"P1 fails again (same message as recorded): {entries['P1'].result.message}" in failed.stderr
    assert "Traceback" not in failed.stderr + failed.stdout
    assert "Counterexample to P1" in failed.stdout  # Hypothesis's report of the example, naming the claim


@pytest.mark.slow
def test_a_broken_plot_is_shown_as_an_error_and_the_generic_picture_drawn(report):
    out, entries = report
    e = entries["P4"]
    assert [p.name for p in e.pictures] == ["values"] and "broken on purpose" in e.pictures[0].error
    page = (out / e.page).read_text(encoding="utf-8")
    assert "broken on purpose" in page and 'src="P4-values.png"' in page


@pytest.mark.slow
def test_same_example_gives_the_same_png_bytes(report):
    _, entries = report
    e = entries["P1"]
    again = plots.claim_pictures(e.claim, e.result)
    assert [p.png for p in again] == [p.png for p in e.pictures]
    assert b"Software" not in again[0].png and b"tIME" not in again[0].png


@pytest.mark.slow
def test_gradient_fields_are_in_the_report_and_deterministic(report):
    from overparam.reports.figures import gradient_fields, render_gradient_fields

    out, _ = report
    assert [f.name for f in gradient_fields()] == ["regular", "squared", "inverse", "polar", "deep"]
    spec, png = render_gradient_fields(["regular"])["regular"]
    assert png == (out / "field-regular.png").read_bytes()
    assert spec.title in (out / "index.html").read_text(encoding="utf-8")


def test_gradient_fields_follow_the_zoo():
    from overparam.reports.figures import canonical_gradients, gradient_fields

    G = canonical_gradients()
    assert G.shape == (48, 2) and np.allclose(np.linalg.norm(G[:16], axis=1), 0.5)
    by_name = {f.name: f for f in gradient_fields()}
    g = np.array([0.6, -0.8])
    assert np.array_equal(by_name["regular"].panels[0].step(g), g)  # K = I
    squared = by_name["squared"].panels[0]  # w = (0.2, 1): K = diag(4w²)
    assert np.allclose(squared.step(g), 4 * squared.arrow ** 2 * g)
    polar = by_name["polar"].panels[2]  # r = 1: the canonical field
    assert np.allclose(polar.step(g), g)
    deep = by_name["deep"].panels
    assert all(np.allclose(p.arrow, deep[0].arrow) for p in deep)  # one θ under every P
    assert not np.allclose(deep[1].step(g), deep[0].step(g))  # different fields


def test_records_keep_every_bit(tmp_path):
    from overparam.parameterizations import TwoLayerLinear

    x = np.array([0.1, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1 / 3, 1e308])
    ex = {"param": TwoLayerLinear(k=2, d=3), "x": x, "M": np.arange(6, dtype=np.int32).reshape(2, 3),
          "loss": squared_loss(np.eye(2), np.array([1 / 7, 2.0])), "c": 0.1 + 0.2, "n": 3}
    r = Result("P9", "holds", "refuted", 1, 0.0, "x=1, but should be ≤ 0", ex)
    path = records.save_record(records.make_record(r, planted_claims()["P1"]), tmp_path / "P9.json")
    back = records.load_record(path).result.example
    assert back["x"].tobytes() == x.tobytes() and back["x"].dtype == x.dtype
    assert back["M"].dtype == np.int32 and np.array_equal(back["M"], ex["M"])
    assert (back["loss"].kind == "squared" and
                                          back["loss"].X.tobytes() == ex["loss"].X.tobytes() and
                                          back["loss"].y.tobytes() == ex["loss"].y.tobytes())
    assert back["param"].label == "two-layer k=2 d=3" and back["c"] == 0.1 + 0.2 and back["n"] == 3
    assert records.load_record(path).replayable


def test_a_value_kept_as_text_is_not_replayed(tmp_path):
    r = Result("P1", "holds", "refuted", 1, 0.0, "m", {"x": np.zeros(3), "c": 1.0, "thing": object()})
    rec = records.make_record(r, planted_claims()["P1"])
    assert rec.lossy == ["thing"] and not rec.replayable
    with pytest.raises(ValueError, match="thing"):
        replay.replay(records.load_record(records.save_record(rec, tmp_path / "P1.json")))


@pytest.mark.slow
def test_a_failure_carries_its_violated_quantity(report):
    from overparam.theorems.core import Violation, expect

    with pytest.raises(ClaimFailed) as e:
        expect(-0.3, ">=", 0, "cos(g, Kg)")
    assert (e.value.what, e.value.value, e.value.op, e.value.bound) == ("cos(g, Kg)", -0.3, "≥", 0)
    with pytest.raises(ClaimFailed) as e:
        expect(float("nan"), ">=", 0, "gᵀKg")
    assert np.isnan(e.value.violation.value)
    assert ClaimFailed("J has shape (2, 3)").violation is None
    # the runner keeps it on the result, the record keeps it, and the generic picture draws it
    _, entries = report
    v = entries["P1"].result.violation
    assert v == Violation("n·‖x‖∞ + n", 3.0, "≤", 2.0)
    assert records.load_record(entries["P1"].record_path).result.violation == v
    assert "violated quantity" in entries["P4"].pictures[0].caption


def test_select_like_pytest_k():
    cs = list(planted_claims().values())
    ids = lambda expr: [c.id for c in select.select(cs, expr)]  # noqa: E731
    assert ids(None) == ["P1", "P2", "P3", "P4", "P5"]
    assert ids("P1 or P3") == ["P1", "P3"]
    assert ids("p") == ["P1", "P2", "P3", "P4", "P5"]  # case-insensitive substring
    assert ids("false_norm") == []  # ids only: a word never matches a function name
    assert ids("(P1 or P2) and not P2") == ["P1"]
    for bad in ("P1 or", "(P1", "and P1", ""):
        with pytest.raises(ValueError):
            select.compile_expression(bad)


def test_cli_runs_a_selection_and_returns_the_exit_status(tmp_path, capsys):
    code = cli.main(["-k", "C01", "--max-examples", "5", "--no-fields", "-j", "1", "--out", str(tmp_path)])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert any(line.startswith("[1/1] C01") and "holds" in line and "examples" in line for line in lines)
    assert (tmp_path / "index.html").is_file() and (tmp_path / "C01.html").is_file()
    assert cli.main(["-k", "no-such-claim", "--out", str(tmp_path)]) == 2


@pytest.mark.slow
def test_cli_include_registers_extra_claims(tmp_path):
    extra = tmp_path / "extra_claims.py"
    extra.write_text(
        "from hypothesis import strategies as st\n"
        "from overparam.theorems import claim, expect\n"
        "@claim('X901', kind='holds', section='extra', statement='Every n in [0, 10] is below 5 (false).',\n"
        "       strategy=st.fixed_dictionaries({'n': st.integers(0, 10)}))\n"
        "def below_five(ex):\n"
        "    expect(ex['n'], '<', 5, 'n')\n")
    out = tmp_path / "out"
    # in a process of its own: the extra claim must not stay in this session's catalogue
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.run([sys.executable, "-m", "overparam.reports", "--include", str(extra), "-k", "X901", "--max-examples",
                          "20", "--no-fields", "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 1 and "X901" in run.stdout, run.stderr
    rec = records.load_record(out / "X901.json")
    assert rec.result.example == {"n": 5} and rec.includes == [str(extra.resolve())]
    again = subprocess.run([sys.executable, "-m", "overparam.reports", "replay", str(out / "X901.json")], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 1 and "X901 fails again (same message as recorded)" in again.stderr


@pytest.mark.slow
def test_pytest_plugin_writes_the_report(pytester):
    pytester.makepyfile(test_planted=f"""
        import sys
        sys.path.insert(0, {str(ROOT / 'tests')!r})
        from _planted import planted_claims
        from overparam.theorems.testing import check_claim
        import pytest

        @pytest.mark.parametrize("cid", ["P1", "P2", "P5"])
        def test_claim(cid, request):
            check_claim(planted_claims()[cid], request)
    """)
    out = pytester.path / "rep"
    result = pytester.runpytest_inprocess("-p", "overparam.reports.pytest_plugin", "-q", f"--claims-report={out}",
                                          "--claims-report-fields=regular", "-p", "no:cacheprovider",
                                          "--hypothesis-seed=0")
    result.assert_outcomes(passed=1, failed=1, skipped=1)
    result.stdout.fnmatch_lines(["*claims report: *index.html"])
    index = (out / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{cid}.html"' in index for cid in ("P1", "P2", "P5"))
    assert (out / "field-regular.png").is_file() and not (out / "field-polar.png").exists()
    rec = json.loads((out / "P1.json").read_text(encoding="utf-8"))
    assert rec["pytest"]["nodeid"] == "test_planted.py::test_claim[P1]"
    assert records.load_record(out / "P1.json").result.status == "refuted"


def test_pytest_xdist_workers_run_one_blas_thread_each_unless_the_user_chose(monkeypatch):
    from overparam.reports.workers import one_blas_thread_in_child_processes

    # the claims plugin calls it before pytest-xdist starts the workers: a worker has the setting (one
    # thread, or the user's own number)
    if os.environ.get("PYTEST_XDIST_WORKER"):
        assert "OPENBLAS_NUM_THREADS" in os.environ
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "2")  # the user's choice stays
    one_blas_thread_in_child_processes()
    child = subprocess.run([sys.executable, "-c", "import os; print(os.environ['OPENBLAS_NUM_THREADS'], "
                            "os.environ['OMP_NUM_THREADS'])"], capture_output=True, text=True, check=True)
    assert child.stdout.split() == ["1", "2"]


@pytest.mark.parametrize("n,starts", [(None, False), (0, False), (1, False), (2, True), (8, True)])
def test_the_plugin_pins_blas_only_where_xdist_starts_two_workers_or_more(n, starts, monkeypatch):
    from types import SimpleNamespace

    from overparam.reports.pytest_plugin import starts_xdist_workers

    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    assert starts_xdist_workers(SimpleNamespace(option=SimpleNamespace(numprocesses=n))) is starts
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")  # a worker starts none
    assert starts_xdist_workers(SimpleNamespace(option=SimpleNamespace(numprocesses=n))) is False
