"""``python -m reports``: run the claims catalogue and write the report (see ``--help``)."""

import sys

from .cli import main

sys.exit(main())
