"""``python -m keino_metrics``: the same as the ``keino`` command."""

import sys

from keino_metrics.cli import main

if __name__ == "__main__":  # not when a child process started with ``spawn`` imports it
    sys.exit(main())
