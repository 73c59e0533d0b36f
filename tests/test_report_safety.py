"""The report keeps a user's files, refuses bad input in one line (exit 2) before running anything,
replays only the claim a record names, and reads findings first.

Each test reproduces a bug that was seen (a file deleted that the report did not write, a
half-written report after a failed build, an ``--out`` checked only after every claim ran, a
record renamed by hand replayed against the wrong claim, …) and checks that it is gone.
Most reports here are built from planted claims (tests/_planted.py), which run in milliseconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import target
from hypothesis.database import InMemoryExampleDatabase

from _planted import EXAMPLES, FEW, planted_claims
from overparam.theorems.listing import catalogue, get
from overparam.theorems.core import Claim, expect, run_claim

from overparam.reports import build, cli, folder, records, select

ROOT = Path(__file__).resolve().parents[1]

pytest_plugins = ["pytester"]


def _entries(*ids):
    planted = planted_claims()
    return build.run_entries([planted[i] for i in ids], progress=None)


def _build(out, *ids, **kw):
    return build.build_report(_entries(*ids), out, meta=build.Meta(source="test"), fields=False, **kw)


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


# --- the folder -----------------------------------------------------------------------


@pytest.mark.slow
def test_a_folder_that_is_not_a_report_is_refused_and_forced_keeps_its_files(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.html").write_text("my notes")
    (out / "data.json").write_text("{}")
    with pytest.raises(ValueError, match=r"must be empty or a report folder.*data\.json, notes\.html.*--force"):
        _build(out, "P1")
    assert sorted(p.name for p in out.iterdir()) == ["data.json", "notes.html"]
    _build(out, "P1", force=True)
    _build(out, "P1", "P2")  # a report folder now: a second run
    _build(out, "P2")  # and a third, which no longer writes P1's files
    assert (out / "notes.html").read_text() == "my notes" and (out / "data.json").read_text() == "{}"
    assert not (out / "P1.html").exists() and (out / "P2.html").is_file()  # what the report wrote, it removes
    assert "notes.html" not in folder.manifest(out) and "P2.html" in folder.manifest(out)


@pytest.mark.slow
def test_a_failed_build_leaves_the_previous_report_intact(tmp_path, monkeypatch):
    out = tmp_path / "report"
    _build(out, "P1", "P2")
    before = _snapshot(out)
    from overparam.reports import html

    calls = {"n": 0}
    real = html.claim_page

    def fails_on_the_second_page(*a, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        return real(*a, **kw)

    monkeypatch.setattr(html, "claim_page", fails_on_the_second_page)
    with pytest.raises(OSError):
        _build(out, "P1", "P3")
    assert _snapshot(out) == before  # every old file, byte for byte; no new one
    assert [p.name for p in tmp_path.iterdir()] == ["report"]  # no staging folder left behind


@pytest.mark.slow
def test_a_partial_run_keeps_the_other_claims_pages(tmp_path):
    out = tmp_path / "report"
    _build(out, "P1", "P2", "P5")
    first = json.loads((out / "summary.json").read_text())
    _build(out, "P1", partial=True)
    for name in ("P2.html", "P2.json", "P5.html"):
        assert (out / name).is_file(), name
    doc = json.loads((out / "summary.json").read_text())
    rows = {r["id"]: r for r in doc["claims"]}
    assert sorted(rows) == ["P1", "P2", "P5"]
    assert rows["P2"]["earlier"] == first["run"]["date"] and "earlier" not in rows["P1"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="P2.html"' in index and "from the run of" in index
    # the command line's -k is such a partial run
    assert cli.main(["-k", "C01", "--max-examples", "3", "--no-fields", "-j", "1", "--out", str(out)]) == 0
    assert {r["id"] for r in json.loads((out / "summary.json").read_text())["claims"]} == {"C01", "P1", "P2", "P5"}
    assert (out / "P2.html").is_file() and (out / "C01.html").is_file()
    _build(out, "P1")  # a full run of P1 alone: the others are no longer part of the report
    assert not (out / "P2.html").exists() and not (out / "P5.html").exists() and not (out / "C01.html").exists()


# --- the command line: input errors are one line and exit 2, before any claim runs --------------


def _cli(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, says", [
    (["--max-examples", "-3"], "--max-examples: must be a positive integer, but got '-3'"),
    (["--max-examples", "0"], "--max-examples: must be a positive integer, but got '0'"),
    (["-j", "0"], "-j/--jobs: must be a positive integer, but got '0'"),
    (["--profile", "fast"], "invalid choice: 'fast'"),
    (["-k", "H or F"], "-k 'H or F' matches no claim id"),
    (["--section", "No such section"], "--section must name a section"),
    (["--out", "README.md"], "--out must be a folder, but README.md is a file"),
    (["--out", "/proc/x/report"], "--out must be a folder the report can write"),
])
def test_bad_input_is_one_line_and_exit_status_2_before_any_claim_runs(capsys, monkeypatch, argv, says):
    monkeypatch.chdir(ROOT)
    ran = []
    monkeypatch.setattr(build, "run_claim", lambda *a, **k: ran.append(a))
    code, out, err = _cli(capsys, *argv)
    assert code == 2 and ran == [] and "running" not in out
    assert err.count("\n") == 1 and says in err and "Traceback" not in err, err


def test_the_junit_file_is_checked_before_any_claim_runs(tmp_path, capsys):
    (tmp_path / "dir.xml").mkdir()
    code, out, err = _cli(capsys, "-k", "C01", "--out", str(tmp_path / "r"), "--junit", str(tmp_path / "dir.xml"))
    assert code == 2 and "--junit must be a file" in err and "running" not in out


@pytest.mark.slow
def test_exit_status_1_when_a_holds_claim_fails(tmp_path):
    extra = tmp_path / "false_claim.py"
    extra.write_text(
        "from hypothesis import strategies as st\n"
        "from overparam.theorems import claim, expect\n"
        "@claim('X902', kind='holds', section='extra', statement='Every n in [0, 10] is below 5 (false).',\n"
        "       strategy=st.fixed_dictionaries({'n': st.integers(0, 10)}))\n"
        "def below_five_again(ex):\n"
        "    expect(ex['n'], '<', 5, 'n')\n")
    # in a process of its own: the extra claim must not stay in this session's catalogue
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = subprocess.run([sys.executable, "-m", "overparam.reports", "--include", str(extra), "-k", "X902", "--no-fields",
                          "--out", str(tmp_path / "r"), "--junit", str(tmp_path / "junit.xml")], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "exit status 1: X902 refuted" in run.stderr
    suite = ET.parse(tmp_path / "junit.xml").getroot()
    assert suite.get("tests") == "1" and suite.get("failures") == "1"
    assert "n=5, but should be < 5" in suite.find("testcase/failure").get("message")


@pytest.mark.slow
def test_progress_counts_claims_and_pages(tmp_path, capsys):
    code, out, _ = _cli(capsys, "-k", "C01 or C02", "--max-examples", "3", "--out", str(tmp_path / "r"))
    lines = out.splitlines()
    assert code == 0
    assert any(line.startswith("[1/2] C0") for line in lines) and any(line.startswith("[2/2] C0") for line in lines)
    assert "[1/7] page C01.html" in lines and "[7/7] figure field-deep.png" in lines


# --- summary.json, JUnit, selection -----------------------------------------------------------


@pytest.mark.slow
def test_summary_json_has_every_claim_with_its_counts_and_page(tmp_path):
    out = tmp_path / "report"
    _build(out, "P1", "P2", "P3", "P4", "P5", junit=tmp_path / "junit.xml")
    doc = json.loads((out / "summary.json").read_text())
    assert [r["id"] for r in doc["claims"]] == ["P1", "P2", "P3", "P4", "P5"]
    for r in doc["claims"]:
        assert {"id", "kind", "status", "examples", "search_examples", "seconds", "message", "page"} <= set(r)
        assert (out / r["page"]).is_file()
    assert doc["exit_status"] == 1 and doc["counts"]["refuted-holds"] == 1 and doc["run"]["commit"]
    suite = ET.parse(tmp_path / "junit.xml").getroot()
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("5", "2", "1")  # P1, P3; P5


def test_k_matches_claim_ids_only_and_section_selects_a_section():
    claims = catalogue()
    assert select.select(claims, "H or F") == []  # it once matched 24 claims through their function names
    assert [c.id for c in select.select(claims, "C13 or c24")] == ["C13", "C24"]
    section = get("C13").section
    chosen = select.select_sections(claims, [section.upper()])
    assert chosen and {c.section for c in chosen} == {section} and get("C13") in chosen


# --- replay ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_records(tmp_path_factory):
    """Records of C13 (witness), C24 (holds) and C30a (open, refuted) as the report writes them."""
    out = tmp_path_factory.mktemp("records")
    paths = {}
    # as the ci profile runs them; C24 on 10 examples a family (its record is all these tests need)
    for cid, budget in (("C13", {}), ("C24", {"max_examples": 10}), ("C30a", {})):
        c = get(cid)
        r = run_claim(c, overrides={"database": None, "derandomize": True, **budget})
        assert r.example is not None, r.message
        paths[cid] = records.save_record(records.make_record(r, c), out / f"{cid}.json")
    return paths


def _renamed(path: Path, to: str, tmp_path: Path) -> Path:
    body = json.loads(path.read_text())
    body["result"]["id"] = body["claim"]["id"] = to
    new = tmp_path / f"{path.stem}-as-{to}.json"
    new.write_text(json.dumps(body))
    return new


@pytest.fixture
def replay_cli(capsys):
    """``python -m overparam.reports replay ARGS`` in this process: (exit status, stdout, stderr)."""

    def run(*argv):
        code = cli.main(["replay", *map(str, argv)])
        out, err = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=out, stderr=err)

    return run


def _replay(*argv):
    """The same in a process of its own, as a user runs it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "overparam.reports", "replay", *map(str, argv)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("source, to", [("C30a", "C24"), ("C24", "C30a"), ("C13", "C12")])
@pytest.mark.slow
def test_a_renamed_record_is_refused(real_records, tmp_path, replay_cli, source, to):
    done = replay_cli(_renamed(real_records[source], to, tmp_path))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "a record must agree with the claim it replays" in done.stderr and done.stderr.count("\n") == 1
    assert done.stdout == ""


@pytest.mark.slow
def test_a_broken_record_is_one_line_and_exit_status_2(real_records, tmp_path, replay_cli):
    body = json.loads(real_records["C24"].read_text())
    del body["result"]["kind"]
    missing = tmp_path / "missing.json"
    missing.write_text(json.dumps(body))
    broken = tmp_path / "broken.json"
    broken.write_text(real_records["C24"].read_text()[:200])
    for path, says in ((missing, "lacks kind"), (broken, "must be a counterexample record (JSON)")):
        done = replay_cli(path)
        assert done.returncode == 2 and says in done.stderr and done.stderr.count("\n") == 1, done.stderr
        assert "Traceback" not in done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("where", ["this process", "a process of its own"])
def test_a_true_record_replays_with_its_verdict_line(real_records, replay_cli, tmp_path, where):
    replay = replay_cli if where == "this process" else _replay
    done = replay(real_records["C13"])
    assert done.returncode == 0 and "C13: the witness is accepted again (same message as recorded)" in done.stdout
    done = replay(real_records["C30a"])
    assert done.returncode == 1 and "C30a fails again (same message as recorded)" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    done = replay(_renamed(real_records["C30a"], "C24", tmp_path))
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and done.stdout == ""


# --- what the runner keeps ------------------------------------------------------------------


def _near_one(ex):
    """A true bound with a target: the score is −|x₁ − 1|, so the search is steered toward x₁ = 1."""
    x1 = float(ex["x"][0])
    target(-abs(x1 - 1.0), label="−|x₁ − 1|")
    expect(x1, "<=", 2.0, "x₁")


def test_a_holds_claim_keeps_the_example_nearest_its_bound():
    c = Claim("T20", "holds", "x₁ ≤ 2", "tests", check=_near_one, strategy=EXAMPLES,
              settings=dict(FEW, max_examples=60))
    tried = []
    real = c.check
    c.check = lambda ex: (tried.append(float(ex["x"][0])), real(ex))[1]
    r = run_claim(c)
    assert r.status == "holds"
    best = min(tried, key=lambda x: abs(x - 1.0))
    assert abs(float(r.example["x"][0]) - 1.0) == abs(best - 1.0)
    assert r.shown.startswith("the example nearest the bound: lowest |x₁ − 1| = ")
    assert r.example_role == "example nearest the bound"


def test_a_failure_replayed_from_the_database_keeps_its_search_effort():
    db = InMemoryExampleDatabase()
    c = planted_claims()["P1"]
    c.settings = dict(FEW, database=db)
    first = run_claim(c)
    again = run_claim(c)
    assert first.status == again.status == "refuted" and not first.replayed
    assert first.search_examples == first.examples
    assert again.replayed and again.examples == 1 and again.search_examples == first.examples
    assert "replayed from the example database; the search took" in build.progress_line(again)


def test_hypothesis_report_names_the_claim_and_says_witness():
    entries = {e.result.id: e.result for e in _entries("P1", "P2")}
    assert entries["P1"].report.startswith("Counterexample to P1 (false_norm_bound): check(")
    assert entries["P2"].report.startswith("Witness of P2 (nonzero_is_witness): check(")
    assert "body(" not in entries["P1"].report + entries["P2"].report


# --- reading it -------------------------------------------------------------------------------


@pytest.mark.slow
def test_the_index_puts_findings_first_with_filters_search_and_messages(tmp_path):
    out = tmp_path / "report"
    _build(out, "P1", "P2", "P4", "P5")
    index = (out / "index.html").read_text(encoding="utf-8")
    findings, table = index.index('id="findings"'), index.index('id="claims"')
    assert findings < table
    head = index[findings:table]
    for cid in ("P1", "P2", "P4"):  # the holds refuted, the witness, the open refuted
        assert f'href="{cid}.html"' in head
    assert head.index("P1.html") < head.index("P4.html") < head.index("P2.html")  # failures, refutations, witnesses
    assert 'href="P5.html"' not in head
    assert '<input type="search"' in index and 'data-status="refuted-holds"' in index and "<button" in index
    assert "n·‖x‖∞ + n=3, but should be ≤ 2" in index  # the verdict's message
    assert '<tr class="section"><th colspan="7">planted</th></tr>' in index
    assert "<th>caught bugs</th>" in index
    assert "run 20" in index and "commit <code>" in index  # the date and the commit, on the index


def test_the_readme_table_shows_the_claim_not_its_title():
    from overparam.theorems import readme_table

    rows = {r[0]: r[1] for r in readme_table.rows()}
    for cid in ("C12", "C14", "C16", "C23", "C34", "C38"):
        cell, statement = rows[cid], get(cid).statement
        assert len(cell) <= readme_table.CLAIM_CELL and cell.rstrip("…").rstrip() in statement
        assert len(cell) > 100, f"{cid}: {cell!r} is a title, not the claim"
        if cell.endswith("…"):  # cut at a word boundary
            assert statement[len(cell.rstrip("…").rstrip())] in " ,;:"


def test_a_replayed_failure_shows_its_search_effort_on_the_index():
    from overparam.reports.index import _examples

    shown = _examples({"status": "refuted", "examples": 1, "replayed": True, "search_examples": 57})
    assert "1 ↺ 57" in shown and "the search that found it took 57 examples" in shown
    assert _examples({"status": "pending", "examples": 0}) == "—"


# --- the user's files, Ctrl-C, two runs at once, bad input (issue: safety bugs, each reproduced) -----------


def _no_claim_runs(monkeypatch):
    ran = []
    monkeypatch.setattr(build, "run_claim", lambda *a, **k: ran.append(a))
    return ran


def test_force_never_overwrites_a_file_the_report_did_not_write(tmp_path, capsys, monkeypatch):
    out = tmp_path / "mine"
    out.mkdir()
    mine = {"index.html": "my page", "summary.json": '{"mine": 1}', "C01-plot.png": "my picture", "notes.txt": "n"}
    for name, text in mine.items():
        (out / name).write_text(text)
    ran = _no_claim_runs(monkeypatch)
    code, stdout, err = _cli(capsys, "-k", "C01", "--force", "--no-fields", "--out", str(out))
    assert code == 2 and ran == [] and "running" not in stdout, err
    assert err.count("\n") == 1 and "C01-plot.png, index.html, summary.json" in err, err
    assert {p.name: p.read_text() for p in out.iterdir()} == mine  # untouched, and no manifest claims them


@pytest.mark.slow
def test_a_user_file_that_comes_during_the_run_is_not_overwritten_either(tmp_path):
    out = tmp_path / "report"
    _build(out, "P1", "P2")
    (out / "P5.html").write_text("mine")  # a name the next run writes, not written by the report
    before = _snapshot(out)
    with pytest.raises(ValueError, match=r"must not hold files the report would replace.*P5\.html"):
        _build(out, "P1", "P5")
    assert _snapshot(out) == before and [p.name for p in tmp_path.iterdir()] == ["report"]


@pytest.mark.slow
def test_figures_never_overwrite_a_user_file(tmp_path):
    out = tmp_path / "figs"
    out.mkdir()
    (out / "field-deep.png").write_bytes(b"my own picture")
    run = _main_process("figures", "--out", str(out))
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "field-deep.png" in run.stderr, run.stderr
    assert [p.name for p in out.iterdir()] == ["field-deep.png"]
    assert (out / "field-deep.png").read_bytes() == b"my own picture"
    (out / "field-deep.png").unlink()
    assert _main_process("figures", "--out", str(out)).returncode == 0
    assert _main_process("figures", "--out", str(out)).returncode == 0  # its own identical files: written again


def _main_process(*argv, **kw):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "overparam.reports", *map(str, argv)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, **kw)


def test_a_second_run_into_the_same_folder_is_refused(tmp_path, capsys, monkeypatch):
    import fcntl

    out = tmp_path / "report"
    out.mkdir()
    with open(out / folder.LOCK, "w") as held:  # as a run in another process holds it
        fcntl.flock(held, fcntl.LOCK_EX)
        ran = _no_claim_runs(monkeypatch)
        code, stdout, err = _cli(capsys, "-k", "C01", "--no-fields", "--out", str(out))
        assert code == 2 and ran == [] and err.count("\n") == 1 and "being written by another run" in err, err
        with pytest.raises(ValueError, match="being written by another run"):
            _build(out, "P2")
    assert not list(out.glob("*.html"))


@pytest.mark.parametrize("what, says", [
    ("folder", "--include must be a Python file (FILE.py), but {path} is a folder"),
    ("notes.txt", "--include must be a Python file (FILE.py), but got {path}"),
    ("absent.py", "--include must be an existing Python file, but {path} does not exist"),
])
def test_include_of_something_else_than_a_python_file(tmp_path, capsys, monkeypatch, what, says):
    path = tmp_path / what
    if what == "folder":
        path.mkdir()
    elif what == "notes.txt":
        path.write_text("not python")
    ran = _no_claim_runs(monkeypatch)
    code, stdout, err = _cli(capsys, "--include", str(path), "--out", str(tmp_path / "r"))
    assert code == 2 and ran == [] and err.count("\n") == 1 and says.format(path=path) in err, err
    assert not (tmp_path / "r").exists()


def test_a_bad_profile_in_the_environment_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OVERPARAM_PROFILE", "nonsense")
    ran = _no_claim_runs(monkeypatch)
    code, stdout, err = _cli(capsys, "-k", "C01", "--out", str(tmp_path / "r"))
    assert code == 2 and ran == [] and err.count("\n") == 1, err
    assert "OVERPARAM_PROFILE must be one of quick, default, ci, thorough, but got 'nonsense'" in err
    assert not (tmp_path / "r").exists()



def test_a_bad_profile_in_the_environment_is_a_usage_error_of_pytest(pytester, monkeypatch):
    catalogue()  # loaded before pytester's run, which drops the modules first imported inside it
    monkeypatch.setenv("OVERPARAM_PROFILE", "nonsense")
    pytester.makepyfile(test_one="def test_one():\n    pass\n")
    result = pytester.runpytest_inprocess("-p", "overparam.reports.pytest_plugin", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "OVERPARAM_PROFILE must be one of quick, default, ci, thorough, but got 'nonsense'" in result.stderr.str()
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_the_junit_folder_is_checked_before_out_is_created(tmp_path, capsys, monkeypatch):
    ran = _no_claim_runs(monkeypatch)
    code, stdout, err = _cli(capsys, "-k", "C01", "--out", str(tmp_path / "r"), "--junit", "/proc/x/junit.xml")
    assert code == 2 and ran == [] and "--junit must be a file that can be written" in err, err
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
@pytest.mark.parametrize("edit, says", [
    (lambda ex: ex.pop("w"), "broken record: its example lacks w, which every example of C30a has"),
    (lambda ex: ex["param"]["spec"].update(q=3), "broken record: its w has shape (2,), but its model inverse q=3"),
])
def test_a_record_whose_example_was_edited_is_broken(real_records, tmp_path, replay_cli, edit, says):
    body = json.loads(real_records["C30a"].read_text())
    edit(body["result"]["example"])
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(body))
    done = replay_cli(path)
    assert done.returncode == 2 and done.stdout == "", done.stdout + done.stderr
    assert done.stderr.count("\n") == 1 and says in done.stderr, done.stderr


# --- Ctrl-C ----------------------------------------------------------------------------------------


def test_a_ctrl_c_inside_a_gc_callback_is_not_swallowed():
    """Hypothesis times the garbage collector with a gc callback; a KeyboardInterrupt raised inside one
    is printed as "Exception ignored" and dropped, and the run went on. Within ``interrupts()`` it is
    raised once the callback returns."""
    import gc
    import signal
    import time

    from overparam.reports.workers import interrupts

    def gc_callback(phase, info):  # a signal that arrives while a callback runs
        if phase == "start" and not fired:
            fired.append(1)
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(10_000):  # the handler runs in here
                pass

    fired: list = []
    gc.callbacks.insert(0, gc_callback)
    caught = False
    try:
        with interrupts():
            gc.collect()
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                time.sleep(0.01)
    except KeyboardInterrupt:
        caught = True
    finally:
        gc.callbacks.remove(gc_callback)
    assert fired and caught


def test_a_ctrl_c_inside_a_weak_reference_callback_is_not_swallowed():
    """A weak reference's callback (a WeakKeyDictionary's ``remove`` when a key dies, a
    ``weakref.finalize``) drops an exception the same way: a Ctrl-C that landed in one let the main job
    run on to exit 0. Here the signal arrives inside a finalizer that weakref.py runs when an object dies."""
    import signal
    import time
    import weakref

    from overparam.reports.workers import interrupts

    class Dying:
        pass

    fired: list = []

    def on_death():  # a signal that arrives while the weak reference's callback runs
        fired.append(1)
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(10_000):  # the handler runs in here
            pass

    caught = False
    try:
        with interrupts():
            k = Dying()
            weakref.finalize(k, on_death)
            del k  # the object dies: weakref.py's finalize calls on_death
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                time.sleep(0.01)
    except KeyboardInterrupt:
        caught = True
    assert fired == [1] and caught


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_is_one_line_exit_130_and_leaves_the_previous_report(tmp_path, jobs):
    import signal
    import time

    out = tmp_path / "report"
    _build(out, "P1", "P2")
    before = _snapshot(out)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "overparam.reports", "-k", "C16 or C19 or C24", "-j", jobs,
                             "--no-fields", "--out", str(out)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    first = proc.stdout.readline()  # "running 3 claims ...": the claims have started
    assert first.startswith("running 3 claims"), first + proc.stderr.read()
    time.sleep(2.0)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, (stdout, stderr)
    assert stderr.count("\n") == 1 and "interrupted" in stderr and "Traceback" not in stderr, stderr
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # no staging folder


# --- verdicts do not depend on -j -------------------------------------------------------------------


@pytest.mark.slow
def test_verdicts_do_not_depend_on_the_number_of_processes():
    # a general claim (run family by family, merged), a refuted open claim and a witness search,
    # derandomized as the ci profile runs them
    from overparam.reports.workers import Workers

    claims = [get(cid) for cid in ("C01", "C19", "C30a", "C13")]
    same = {"derandomize": True, "database": None, "max_examples": 10}
    # both sides in fresh worker processes under one named profile (this test's own process carries
    # what earlier tests left in it: the profile loaded, memoized experiments and strategies)
    with Workers(1, "ci") as pool:
        one = build.run_entries(claims, overrides=same, progress=None, workers=pool)
    two = build.run_entries(claims, overrides=same, progress=None, jobs=2, profile="ci")
    for a, b in zip(one, two):
        assert (a.result.id, a.result.status, a.result.examples, a.result.message) == \
            (b.result.id, b.result.status, b.result.examples, b.result.message)
    assert [p.name for p in two[2].pictures] == [p.name for p in build.claim_pictures(claims[2], two[2].result)]
