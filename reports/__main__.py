"""``python -m overparam.reports``: run the claims catalogue and write the report (see ``--help``)."""

import sys

from .workers import pin_blas_threads

pin_blas_threads()  # before numpy is imported: the workers can then be forked from this process

from .cli import main  # noqa: E402

if __name__ == "__main__":  # not when a worker process imports it
    sys.exit(main())
