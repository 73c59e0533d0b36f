"""``python -m overparam``: the main job, the same as ``python -m overparam.reports`` (see ``--help``)."""

import sys

from overparam.reports.cli import main

if __name__ == "__main__":  # not when a worker process imports it
    sys.exit(main())
