"""The report folder, kept safe: the report never deletes a file it did not write.

* A report folder carries a manifest, ``.overparam-report`` (JSON): the files the last
  run wrote. A later run deletes only files listed there that it does not write again.
* A folder that is not empty and has no manifest is refused, unless ``force``: then the
  report is written beside the files already there, and none of them is deleted.
* A report is built in a staging folder beside the target (or, where the parent is not
  writable, a hidden one inside it) and moved into place only when every file is
  written: a build that fails leaves the previous report as it was.

:func:`check_out` is called before any claim runs, so that a folder that cannot be
written costs nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

__all__ = ["MARKER", "MANIFEST_FORMAT", "check_out", "check_file", "is_report_folder", "manifest", "Staging"]

#: the manifest that marks a folder as a report folder and lists what the last run wrote
MARKER = ".overparam-report"
MANIFEST_FORMAT = "overparam-report/2"


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


def _probe(folder: Path) -> None:
    fd, name = tempfile.mkstemp(prefix=".overparam-probe-", dir=folder)
    os.close(fd)
    os.unlink(name)


def check_out(out, *, force: bool = False) -> Path:
    """Create ``out`` if needed and check that a report can be written there; returns it.

    Raises:
        ValueError: one line — ``out`` is a file, cannot be created or written, or is a
            non-empty folder that is not a report folder (unless ``force``).
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
        others = sorted(p.name for p in out.iterdir())
        if others:
            shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
            raise ValueError(f"--out must be empty or a report folder, but {out} holds {shown} "
                             "(--force writes the report beside them and deletes none of them)")
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
