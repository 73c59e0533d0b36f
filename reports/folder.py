"""The report folder, kept safe: the report never deletes a file it did not write.

* A report folder carries a manifest, ``.overparam-report`` (JSON): the files the last
  run wrote. A later run deletes only files listed there that it does not write again.
* A folder that is not empty and has no manifest is refused, unless ``force``: then the
  report is written beside the files already there, and none of them is deleted.
* The report never overwrites a file it did not write either: a file in the folder that has a
  name the report writes (``index.html``, ``summary.json``, ``C01-plot.png``, …) and is not in
  the manifest is the user's, and the run is refused, naming it (:func:`foreign`), with or
  without ``force``.
* A report is built in a staging folder beside the target (or, where the parent is not
  writable, a hidden one inside it) and moved into place only when every file is
  written: a build that fails, or is interrupted, leaves the previous report as it was.
* One run at a time writes into a folder: :func:`lock` holds ``.overparam-report.lock`` there
  (``fcntl.flock``) from the check of the folder to the end of the run, and a second run is refused.

:func:`check_out` is called before any claim runs, so that a folder that cannot be
written costs nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import datetime, timezone
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable

__all__ = ["MARKER", "MANIFEST_FORMAT", "LOCK", "check_out", "check_file", "is_report_folder", "manifest", "foreign",
           "refuse_foreign", "lock", "Staging"]

#: the manifest that marks a folder as a report folder and lists what the last run wrote
MARKER = ".overparam-report"
MANIFEST_FORMAT = "overparam-report/2"
#: the lock file of a report folder (hidden, never in the manifest)
LOCK = ".overparam-report.lock"


def is_report_folder(out: Path) -> bool:
    """Whether ``out`` holds a report's manifest (of this format or the first one)."""
    return (Path(out) / MARKER).is_file()


def manifest(out: Path) -> set[str]:
    """The files the last run wrote into ``out`` (none for a first-format marker, which kept no list)."""
    try:
        body = json.loads((Path(out) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    files = body.get("files", []) if isinstance(body, dict) else []
    # only plain names: a manifest never reaches outside its folder
    return {f for f in files if isinstance(f, str) and f and "/" not in f and "\\" not in f and f not in (".", "..")}


def foreign(out: Path, names: Iterable[str]) -> list[str]:
    """Those of ``names`` that exist in ``out`` and that no run of the report wrote there (not in its
    manifest): the user's files, which the report must not overwrite. A folder with a manifest of
    the first format, which kept no list, has none."""
    out = Path(out)
    if not out.is_dir():
        return []
    if is_report_folder(out) and _first_format(out):
        return []
    owned = manifest(out)
    return sorted(n for n in set(names) if n not in owned and (out / n).exists())


def _first_format(out: Path) -> bool:
    try:
        body = json.loads((Path(out) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return not (isinstance(body, dict) and "files" in body)


def refuse_foreign(out: Path, names: Iterable[str], what: str = "--out") -> None:
    """A one-line ``ValueError`` naming the files of :func:`foreign`, if any."""
    mine = foreign(out, names)
    if mine:
        shown = ", ".join(mine[:6]) + (f" and {len(mine) - 6} more" if len(mine) > 6 else "")
        raise ValueError(f"{what} must not hold files the report would replace, but {out} holds {shown}, "
                         "which no run of the report wrote (move them, or choose another folder)")


_HELD: dict[str, list] = {}  # folder -> [open lock file, depth]: the lock is re-entrant within a process


@contextmanager
def lock(out):
    """Hold the lock of the report folder ``out`` (created if needed) for the block.

    Raises:
        ValueError: one line — another run holds it.
    """
    import fcntl

    out = Path(out)
    key = str(out.resolve())
    if key in _HELD:
        _HELD[key][1] += 1
        try:
            yield
        finally:
            _HELD[key][1] -= 1
        return
    path = out / LOCK
    while True:
        f = open(path, "a+")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.seek(0)
            who = f.read().strip()
            f.close()
            raise ValueError(f"--out must be a folder no other run is writing, but {out} is being written by "
                             f"another run{' (process ' + who + ')' if who.isdigit() else ''}; wait for it to end, "
                             "or choose another folder") from None
        try:  # the file may have been removed by the run that held it just before: lock the one in place
            same = os.fstat(f.fileno()).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        f.close()
    f.seek(0)
    f.truncate()
    f.write(str(os.getpid()))
    f.flush()
    _HELD[key] = [f, 1]
    try:
        yield
    finally:
        _HELD[key][1] -= 1
        if not _HELD[key][1]:
            del _HELD[key]
            path.unlink(missing_ok=True)  # while still held: a run waiting on this file locks a new one
            f.close()


def _probe(folder: Path) -> None:
    fd, name = tempfile.mkstemp(prefix=".overparam-probe-", dir=folder)
    os.close(fd)
    os.unlink(name)


def check_out(out, *, force: bool = False, will_write: Iterable[str] = ()) -> Path:
    """Create ``out`` if needed and check that a report can be written there; returns it.

    Args:
        will_write: names of files the run will write, checked against the user's files there.

    Raises:
        ValueError: one line — ``out`` is a file, cannot be created or written, is a
            non-empty folder that is not a report folder (unless ``force``), or holds a file
            of ``will_write`` that the report did not write (even with ``force``).
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out must be a folder, but {out} is a file")
    try:
        out.mkdir(parents=True, exist_ok=True)
        _probe(out)
    except OSError as e:
        raise ValueError(f"--out must be a folder the report can write, but {out}: {e.strerror or e}") from None
    if not force and not is_report_folder(out):
        others = sorted(p.name for p in out.iterdir() if p.name != LOCK)
        if others:
            shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
            raise ValueError(f"--out must be empty or a report folder, but {out} holds {shown} "
                             "(--force writes the report beside them and deletes none of them)")
    refuse_foreign(out, will_write)
    return out


def check_file(path, what: str = "--junit") -> Path:
    """Check that ``path`` can be written (its folder exists and takes a file), before any claim runs."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{what} must be a file, but {path} is a folder")
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _probe(folder)
    except OSError as e:
        raise ValueError(f"{what} must be a file that can be written, but {path}: {e.strerror or e}") from None
    return path


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it: a reader sees the old or the new file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.chmod(tmp, 0o644)  # as an ordinary file, not mkstemp's owner-only mode
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Staging:
    """A report being built: files go to a staging folder, and :meth:`commit` moves them into ``out``.

    Used as a context manager: leaving it without :meth:`commit` (a build that raised)
    removes the staging folder and leaves ``out`` untouched.
    """

    def __init__(self, out):
        self.out = Path(out)
        self.files: list[str] = []
        try:
            self.dir = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.building-", dir=self.out.resolve().parent))
        except OSError:  # a parent that takes no folder: stage inside the report folder instead
            self.dir = Path(tempfile.mkdtemp(prefix=".building-", dir=self.out))
        self.committed = False

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name: str) -> Path:
        """Where to write the file ``name`` (recorded as written by this run)."""
        if name not in self.files:
            self.files.append(name)
        return self.dir / name

    def write_bytes(self, name: str, data: bytes) -> None:
        self.path(name).write_bytes(data)

    def write_text(self, name: str, text: str) -> None:
        self.path(name).write_text(text, encoding="utf-8")

    def commit(self, keep: Iterable[str] = ()) -> list[str]:
        """Move every staged file into ``out``, delete the files the previous run wrote that are
        neither rewritten nor in ``keep``, and write the manifest; returns the deleted names."""
        refuse_foreign(self.out, self.files)  # checked again now: a file may have come since the start
        old = manifest(self.out)
        for name in self.files:
            try:
                os.replace(self.dir / name, self.out / name)
            except OSError:  # another file system: copy, then the copy replaces the old file
                shutil.move(str(self.dir / name), str(self.out / name))
        listed = set(self.files) | (set(keep) & old)
        stale = sorted(old - listed)
        for name in stale:
            (self.out / name).unlink(missing_ok=True)
        body = {"format": MANIFEST_FORMAT, "note": "files here listed below are rewritten or deleted by the next run",
                "written": datetime.now(timezone.utc).isoformat(timespec="seconds"), "files": sorted(listed)}
        write_atomically(self.out / MARKER, (json.dumps(body, indent=1) + "\n").encode())
        self.committed = True
        return stale
