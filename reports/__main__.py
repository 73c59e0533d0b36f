"""``python -m overparam.reports``: run the claims catalogue and write the report (see ``--help``)."""

import sys

from .cli import main

if __name__ == "__main__":  # not when a worker process imports it
    sys.exit(main())
