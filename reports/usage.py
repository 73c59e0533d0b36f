"""Command-line parsing shared by ``python -m overparam.reports``, its ``replay`` and the scripts.

A usage error is one line on stderr and exit status 2, before any work is done.
"""

from __future__ import annotations

import argparse

__all__ = ["Parser", "positive_int"]


class Parser(argparse.ArgumentParser):
    """argparse, with a usage error reported in one line (exit status 2)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def positive_int(text: str) -> int:
    """An argparse type: an integer ≥ 1."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, but got {text!r}")
    return n
