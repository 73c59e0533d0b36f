"""The main job on every core: claims, their pictures and the gradient-field figures in worker processes.

A task is one claim (a general claim that runs family by family is one task per family, merged
here by :func:`overparam.theorems.core.merge_families` exactly as a run in one process merges them),
followed in the same worker by the pictures of its result, so that a plot reuses the experiment
its check memoized (:func:`overparam.theorems.experiments.memo`). Results come back as exact
JSON-ready data; the verdicts do not depend on the number of processes
(tests/test_report_safety.py runs claims with ``-j 1`` and ``-j 2`` and compares them).

Tasks are started dearest first (the previous run's seconds in the report folder, when there is
one, else a claim's own budget as a hint), so that the longest claim does not start last.

Ctrl-C: the workers ignore SIGINT (the terminal sends it to every process of the group); the main
process gets it, stops them (:meth:`Workers.__exit__`) and the command exits with status 130.
In one process, :func:`interrupts` makes sure that the first Ctrl-C is not swallowed by a
garbage-collector callback (Hypothesis measures the collector's time with one, and an exception
raised inside it is printed as "Exception ignored" and dropped).
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import threading
from concurrent.futures import Future
from typing import Callable, Iterable

__all__ = ["Workers", "default_jobs", "interrupts", "one_blas_thread_in_child_processes", "pin_blas_threads",
           "run_claim_task", "pictures_task", "field_task"]

#: environment of the workers: one BLAS thread each (the workers are the parallelism; the arrays are small)
_WORKER_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


#: whether :func:`pin_blas_threads` set one BLAS thread before numpy was first imported in this process
_BLAS_PINNED = False


def pin_blas_threads() -> None:
    """One BLAS thread for this process, if numpy is not imported yet and the user chose no other number.

    Called by the command's entry point (``python -m overparam``): the workers are then forked from
    this process, which has imported the catalogue, numpy and Matplotlib already, instead of spawned
    fresh (each spawned worker imported them again: 1.3 s of CPU each, before its first claim). A
    process whose BLAS runs threads must not fork; with one thread it may.
    """
    global _BLAS_PINNED
    if "numpy" in sys.modules or any(os.environ.get(k, "1") != "1" for k in _WORKER_ENV):
        return
    one_blas_thread_in_child_processes()  # and in this process, whose numpy is not loaded yet
    _BLAS_PINNED = True


def one_blas_thread_in_child_processes() -> None:
    """Processes started from now on (pytest-xdist's workers, one per core) run one BLAS thread each, unless
    the user chose a number: with a pool of threads each, the workers' BLAS threads compete for the same
    cores, and the claims with large batched products (C36, C37) took about 70 % more CPU."""
    for key, value in _WORKER_ENV.items():
        os.environ.setdefault(key, value)


def _start_method() -> str:
    """``fork`` where this process is safe to fork — one BLAS thread since numpy's import, no JAX (whose
    runtime runs threads), no other thread — else ``spawn``."""
    import multiprocessing

    safe = (_BLAS_PINNED and "jax" not in sys.modules and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())
    return "fork" if safe else "spawn"


def default_jobs() -> int:
    """Every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _worker_init(profile: str | None, includes: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C and stops the workers
    import matplotlib

    matplotlib.use("Agg")
    from overparam import theorems  # noqa: F401  (registers the profiles)
    from hypothesis import settings

    from .replay import import_file

    if profile:
        settings.load_profile(profile)
    for path in includes:
        import_file(path)


def run_claim_task(cid: str, overrides: dict | None, family: str | None, pictures: bool) -> tuple[dict, list]:
    """Run catalogue claim ``cid`` (or one ``family`` of a general claim); its result as data and,
    with ``pictures``, its pictures."""
    from overparam.theorems.core import run_family
    from overparam.theorems.listing import get
    from overparam.theorems.records import result_to_dict

    from .build import run_one
    from .plots import claim_pictures

    claim = get(cid)
    result = run_one(claim, overrides) if family is None else run_family(claim, family, overrides)
    return result_to_dict(result), (claim_pictures(claim, result) if pictures else [])


def pictures_task(cid: str, result: dict) -> list:
    """The pictures of a result of catalogue claim ``cid`` (given as data)."""
    from overparam.theorems.listing import get
    from overparam.theorems.records import result_from_dict

    from .plots import claim_pictures

    return claim_pictures(get(cid), result_from_dict(result))


def field_task(name: str) -> bytes:
    """The PNG of the gradient-field figure ``name``."""
    from .figures import render_gradient_fields

    return render_gradient_fields([name])[name][1]


class Workers:
    """A pool of worker processes, forked where that is safe and spawned otherwise (:func:`_start_method`),
    stopped at once when the block it is used in raises (Ctrl-C included) rather than after the running
    tasks end."""

    def __init__(self, jobs: int, profile: str | None = None, includes: Iterable[str] = ()):
        from overparam.theorems.profiles import current_profile

        # without a profile named, the workers load the one this process runs under: a claim's own
        # budget scales with the profile, so a worker under another one would decide another run
        self.jobs, self.profile, self.includes = jobs, profile or current_profile(), list(includes)
        self.pool = None

    def __enter__(self) -> "Workers":
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=multiprocessing.get_context(_start_method()),
                                        initializer=_worker_init, initargs=(self.profile, self.includes))
        return self

    def submit(self, fn: Callable, *args) -> Future:
        # a worker is started on submit: it inherits SIGINT ignored, so a Ctrl-C while it imports
        # prints no traceback of its own, and the environment of one BLAS thread
        with _spawning():
            return self.pool.submit(fn, *args)

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.pool.shutdown(wait=True)
            return
        # stop the workers now: a running claim may take many seconds (shutdown would wait for it)
        processes = list((getattr(self.pool, "_processes", None) or {}).values())
        for p in processes:
            p.terminate()
        self.pool.shutdown(wait=False, cancel_futures=True)
        for p in processes:
            p.join(timeout=5)


@contextlib.contextmanager
def _spawning():
    main = threading.current_thread() is threading.main_thread()
    old = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    saved = {k: os.environ.get(k) for k in _WORKER_ENV}
    os.environ.update(_WORKER_ENV)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        if main:
            signal.signal(signal.SIGINT, old)


#: the standard library's weak-reference modules: their callbacks (a WeakKeyDictionary's ``remove``, a
#: WeakSet's ``_remove``, ``weakref.finalize``) run when an object dies, where an exception is dropped
_WEAKREF_FILES = ("weakref.py", "_weakrefset.py")


def _in_gc_callback(frame) -> bool:
    """Whether ``frame`` runs inside a garbage-collector callback, a finalizer or a weak reference's
    callback, where an exception raised by a signal handler is printed as "Exception ignored" and
    dropped (a Ctrl-C inside a WeakKeyDictionary's ``remove`` let a run go on to exit 0)."""
    codes = {getattr(cb, "__code__", None) for cb in gc.callbacks}
    while frame is not None:
        code = frame.f_code
        if code in codes or code.co_name == "__del__" or code.co_filename.endswith(_WEAKREF_FILES):
            return True
        frame = frame.f_back
    return False


def _on_interrupt(signum, frame):  # noqa: ARG001
    if _in_gc_callback(frame):
        # raise it once out of the callback: SIGALRM comes back here a millisecond later
        signal.setitimer(signal.ITIMER_REAL, 0.001)
        return
    raise KeyboardInterrupt


@contextlib.contextmanager
def interrupts():
    """Within the block, Ctrl-C raises KeyboardInterrupt where it can propagate (never inside a
    garbage-collector callback, where it would be dropped). Only in the main thread; elsewhere a no-op."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old_int = signal.signal(signal.SIGINT, _on_interrupt)
    old_alrm = signal.signal(signal.SIGALRM, _on_interrupt)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGALRM, old_alrm)
