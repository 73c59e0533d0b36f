"""``python -m overparam``: the main job, the same as ``python -m overparam.reports`` (see ``--help``)."""

import sys

from overparam.reports.workers import pin_blas_threads

pin_blas_threads()  # before numpy is imported: the workers can then be forked from this process

from overparam.reports.cli import main  # noqa: E402

if __name__ == "__main__":  # not when a worker process imports it
    sys.exit(main())
